"""The model contract: fit on a data set's histories, then score histories against every item.

A history is an array of item codes, oldest first. Scoring the whole catalogue at once is what the
evaluation protocol needs, and at a few thousand items it is also the cheapest way to serve one
shopper; callers take the columns of their candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from ranking.interactions import Interactions


@runtime_checkable
class Recommender(Protocol):
    name: str

    def fit(self, data: Interactions) -> "Recommender":
        """Learn from every history in `data` (and its products); returns self."""
        ...

    def score(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """(len(histories), n_items) float32; higher = more likely to be wanted next."""
        ...


def recency_matrix(histories: Sequence[np.ndarray], n_items: int, last: int, decay: float) -> sp.csr_matrix:
    """(shoppers, n_items) sparse: each of a shopper's `last` most recent events weighs decay**age.

    A repeated item adds up. Empty histories give empty rows.

    >>> recency_matrix([np.array([0, 1, 1])], 3, last=2, decay=0.5).toarray().tolist()
    [[0.0, 1.5, 0.0]]
    """
    rows, cols, vals = [], [], []
    for u, h in enumerate(histories):
        recent = np.asarray(h[-last:], np.int64)[::-1]
        rows.append(np.full(len(recent), u))
        cols.append(recent)
        vals.append(decay ** np.arange(len(recent), dtype=np.float32))
    if not histories:
        return sp.csr_matrix((0, n_items), dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(histories), n_items), dtype=np.float32
    )


def tie_breaker(counts: np.ndarray) -> np.ndarray:
    """A tiny popularity term (< 1e-3) added to sparse scores: where the history says nothing,
    prefer what most shoppers chose rather than the item that happens to have the lowest code."""
    return (np.log1p(counts) / (np.log1p(counts.max(initial=0)) + 1.0) * 1e-3).astype(np.float32)
