"""Top-k metrics over a full-catalogue ranking.

Ties are broken by item code (as a stable sort would), never in the target's favour: a model that
gives most items the same score gets no free hits from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


def target_ranks(scores: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """0-based rank of each target in one shopper's full ranking (scores: (n_items,)).

    >>> target_ranks(np.array([0.1, 0.9, 0.5, 0.5]), np.array([3, 1])).tolist()
    [2, 0]
    """
    ranks = np.empty(len(targets), np.int64)
    for j, t in enumerate(targets):
        s = scores[t]
        ranks[j] = int((scores > s).sum() + (scores[:t] == s).sum())
    return ranks


def recall_at_k(ranks: np.ndarray, k: int) -> float:
    """Share of the targets ranked in the top k.

    >>> recall_at_k(np.array([0, 12]), 10)
    0.5
    """
    return float((ranks < k).mean()) if len(ranks) else 0.0


def ndcg_at_k(ranks: np.ndarray, k: int) -> float:
    """Binary-gain nDCG@k with log2 discount; the ideal puts all targets first.

    >>> round(ndcg_at_k(np.array([2]), 10), 4)  # one target at rank 3: 1/log2(4)
    0.5
    """
    if not len(ranks):
        return 0.0
    dcg = float((1.0 / np.log2(ranks[ranks < k] + 2.0)).sum())
    ideal = float((1.0 / np.log2(np.arange(min(len(ranks), k)) + 2.0)).sum())
    return dcg / ideal


@dataclass
class MetricSums:
    """Per-shopper metrics summed chunk by chunk, so no (shoppers x items) matrix is ever whole."""

    ks: tuple[int, ...] = (10, 50)
    ndcg_k: int = 10
    n: int = 0
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, scores: np.ndarray, targets: Sequence[np.ndarray]) -> None:
        """scores: (shoppers, n_items) for the shoppers whose `targets` are given, in that order."""
        for row, t in zip(scores, targets):
            ranks = target_ranks(row, t)
            for k in self.ks:
                self.sums[f"recall@{k}"] = self.sums.get(f"recall@{k}", 0.0) + recall_at_k(ranks, k)
            key = f"ndcg@{self.ndcg_k}"
            self.sums[key] = self.sums.get(key, 0.0) + ndcg_at_k(ranks, self.ndcg_k)
            self.n += 1

    def means(self) -> dict[str, float]:
        """
        >>> m = MetricSums(); m.add(np.array([[0.9, 0.1], [0.9, 0.1]]), [np.array([0]), np.array([1])])
        >>> m.means()["recall@10"], round(m.means()["ndcg@10"], 4)
        (1.0, 0.8155)
        """
        return {k: v / max(self.n, 1) for k, v in sorted(self.sums.items())}
