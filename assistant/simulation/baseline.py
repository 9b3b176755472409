"""The search page a shopper could read instead of talking: the plain search list of the opening
query, read `per_look` products at a time, for as many looks as the conversation has turns."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shopassist.assistant.simulation.goals import Goal

PER_LOOK = 3  # as many products as one assistant answer shows


def first_look(ranked: Sequence[str], wanted: str, looks: int, per_look: int = PER_LOOK) -> int | None:
    """The look (1-based) at which `wanted` comes into view, or None within `looks` looks.

    >>> first_look(["a", "b", "c", "d"], "d", looks=5), first_look(["a", "b", "c", "d"], "d", looks=1)
    (2, None)
    """
    for look in range(looks):
        if wanted in ranked[look * per_look : (look + 1) * per_look]:
            return look + 1
    return None


def search_list(search: Callable[[str, int], list[str]], goals: Sequence[Goal], looks: int, per_look: int = PER_LOOK) -> dict[str, int | None]:
    """Goal key → the look that showed it (None: not within `looks` looks). One search per opening.

    >>> from shopassist.catalog.models import Product
    >>> goal = Goal("mug → 4", Product("4", "Mug", "Mug"), "mug")
    >>> search_list(lambda q, k: ["1", "2", "3", "4", "5", "6", "7"][:k], [goal], looks=2)
    {'mug → 4': 2}
    """
    cache: dict[str, list[str]] = {}
    found = {}
    for goal in goals:
        if goal.opening not in cache:
            cache[goal.opening] = list(search(goal.opening, looks * per_look))[: looks * per_look]
        found[goal.key] = first_look(cache[goal.opening], goal.product.id, looks, per_look)
    return found
