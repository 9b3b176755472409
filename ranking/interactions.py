"""Shoppers' histories as integer-coded sequences: the one shape every model trains on.

Item code i is `products[i]`; every product of the catalogue has a code, with or without events, so a
product nobody has bought yet can still be scored through its content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from shopassist.catalog.models import Product


@dataclass(frozen=True)
class Interactions:
    products: tuple[Product, ...]  # code -> product
    shoppers: tuple[str, ...]  # row -> shopper id
    sequences: tuple[np.ndarray, ...]  # row -> item codes, oldest first (int64)
    times: tuple[np.ndarray, ...]  # row -> event times, same length (int64: ns since epoch, or the given order)

    def __post_init__(self) -> None:
        if not (len(self.shoppers) == len(self.sequences) == len(self.times)):
            raise ValueError("shoppers, sequences and times must have one row per shopper")

    @property
    def n_items(self) -> int:
        return len(self.products)

    @property
    def n_shoppers(self) -> int:
        return len(self.shoppers)

    @property
    def n_events(self) -> int:
        return int(sum(len(s) for s in self.sequences))

    @cached_property
    def item_index(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.products)}

    def counts(self) -> np.ndarray:
        """Events per item code, shape (n_items,).

        >>> toy(["ab", "b"]).counts().tolist()
        [1, 2]
        """
        flat = np.concatenate([np.zeros(0, np.int64), *self.sequences])
        return np.bincount(flat, minlength=self.n_items)

    def replace(self, sequences: Sequence[np.ndarray], times: Sequence[np.ndarray]) -> "Interactions":
        """The same shoppers and products with other histories (a split's training part)."""
        return Interactions(self.products, self.shoppers, tuple(sequences), tuple(times))


def from_columns(products: Sequence[Product], shopper_ids: np.ndarray, item_codes: np.ndarray, times: np.ndarray) -> Interactions:
    """Group flat event columns into per-shopper sequences, ordered by time (stable: ties keep file order).

    >>> from shopassist.catalog.models import Product
    >>> ps = [Product("a", "A", "A"), Product("b", "B", "B")]
    >>> d = from_columns(ps, np.array(["u", "u", "v"]), np.array([1, 0, 1]), np.array([5, 2, 1]))
    >>> [s.tolist() for s in d.sequences]
    [[0, 1], [1]]
    """
    shopper_ids = np.asarray(shopper_ids).astype(str)
    names, shopper_codes = np.unique(shopper_ids, return_inverse=True)
    order = np.lexsort((np.asarray(times), shopper_codes))  # lexsort is stable: equal times keep their order
    codes, items, when = shopper_codes[order], np.asarray(item_codes, np.int64)[order], np.asarray(times, np.int64)[order]
    bounds = np.flatnonzero(np.diff(codes)) + 1
    return Interactions(
        tuple(products),
        tuple(str(n) for n in names),
        tuple(np.split(items, bounds)) if len(items) else tuple(np.zeros(0, np.int64) for _ in names),
        tuple(np.split(when, bounds)) if len(when) else tuple(np.zeros(0, np.int64) for _ in names),
    )


def toy(histories: Sequence[str]) -> Interactions:
    """A tiny data set for examples and tests: one string per shopper, one letter per item, in order.

    >>> toy(["ab", "ba"]).products[1].id
    'b'
    """
    letters = sorted({c for h in histories for c in h})
    # Titles like "Aaa item": distinct words, so text encoders can tell the items apart.
    products = [Product(c, f"{c * 3} item", f"{c.upper()}{c * 2} item") for c in letters]
    index = {c: i for i, c in enumerate(letters)}
    return Interactions(
        tuple(products),
        tuple(f"s{u}" for u in range(len(histories))),
        tuple(np.array([index[c] for c in h], np.int64) for h in histories),
        tuple(np.arange(len(h), dtype=np.int64) for h in histories),
    )
