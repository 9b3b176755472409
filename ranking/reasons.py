"""Short reasons a shopper can read, built only from the signals that scored the product."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    seen_verb: str | None = None  # how the shopper met this very product before ("bought"), if they did
    cart_mates: tuple[str, ...] = ()  # titles of items in this session's cart it goes with
    bought_with: tuple[tuple[str, str], ...] = ()  # (verb, title) of history items often chosen with it
    similar_to: tuple[str, str] | None = None  # (verb, title) of the history item it most resembles
    follows: str | None = None  # title of the latest history item, when the sequence model expects this next
    segment_lift: float = 0.0  # its share among shoppers like this one / its share overall
    popularity: float = 0.0  # share of the catalogue it outsells (0..1)


def reason(e: Evidence, constraints: Sequence[str] = ()) -> str:
    """The strongest true sentence about why, plus the query constraints it meets.

    >>> reason(Evidence(bought_with=(("bought", "Tea Cup"), ("bought", "Saucer"))), ["under £10"])
    "you bought Tea Cup and Saucer; matches 'under £10'"
    >>> reason(Evidence(popularity=0.95))
    'popular in this store'
    """
    parts = [_personal(e)]
    if constraints:
        parts.append("matches " + ", ".join(f"'{c}'" for c in constraints))
    elif parts[0] is None:
        parts.append("matches your search")
    return "; ".join(p for p in parts if p)


def _personal(e: Evidence) -> str | None:
    if e.cart_mates:
        return f"goes with {_and(e.cart_mates[:2])} in your cart"
    if e.seen_verb:
        return f"you {e.seen_verb} this before" if e.seen_verb != "added to your cart" else "already in your cart"
    if e.bought_with:
        (verb, first), *rest = e.bought_with[:2]
        if not rest:
            return f"you {verb} {first}"
        other_verb, second = rest[0]
        return f"you {verb} {first} and {second}" if other_verb == verb else f"you {verb} {first} and {other_verb} {second}"
    if e.similar_to:
        verb, title = e.similar_to
        return f"similar to {title}, which you {verb}"
    if e.follows:
        return f"often next after {e.follows}"
    if e.segment_lift >= 1.5:
        return "popular with shoppers like you"
    if e.popularity >= 0.9:
        return "popular in this store"
    return None


def short_title(title: str, limit: int = 40) -> str:
    """
    >>> short_title("Set of 6 Vintage Christmas Tree Decorations In A Box", 24)
    'Set of 6 Vintage…'
    """
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;-") + "…"


def _and(items: Sequence[str]) -> str:
    return " and ".join(items)
