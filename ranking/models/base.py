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

from shopassist.ranking.interactions import Interactions


@runtime_checkable
class Recommender(Protocol):
    name: str

    def fit(self, data: Interactions) -> "Recommender":
        """Learn from every history in `data` (and its products); returns self."""
        ...

    def score(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """(len(histories), n_items) float32; higher = more likely to be wanted next."""
        ...


SERVING_BATCH = 4  # up to this many histories, models take their per-history path (no sparse matrices)


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


def recent_weights(history: np.ndarray, last: int, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """(items, weights) of one history's `last` events, newest first: one row of `recency_matrix`
    without building a sparse matrix (what serving one shopper needs).

    >>> [a.tolist() for a in recent_weights(np.array([0, 1, 1]), last=2, decay=0.5)]
    [[1, 1], [1.0, 0.5]]
    """
    items = np.asarray(history[-last:], np.int64)[::-1]
    return items, decay ** np.arange(len(items), dtype=np.float32)


def sum_rows(m: sp.csr_matrix, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """weights @ m[items] as a dense (m.shape[1],) vector, reading the CSR rows directly.

    >>> sum_rows(sp.csr_matrix(np.array([[1.0, 0.0], [2.0, 3.0]])), np.array([1, 1]), np.array([1.0, 0.5])).tolist()
    [3.0, 4.5]
    """
    out = np.zeros(m.shape[1], np.float32)
    for i, w in zip(items.tolist(), weights.tolist()):
        lo, hi = m.indptr[i], m.indptr[i + 1]
        out[m.indices[lo:hi]] += w * m.data[lo:hi]  # column indices are unique within a row
    return out


def tie_breaker(counts: np.ndarray) -> np.ndarray:
    """A tiny popularity term (< 1e-3) added to sparse scores: where the history says nothing,
    prefer what most shoppers chose rather than the item that happens to have the lowest code."""
    return (np.log1p(counts) / (np.log1p(counts.max(initial=0)) + 1.0) * 1e-3).astype(np.float32)
