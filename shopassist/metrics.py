"""Ranking metrics, one module for search and recommendation evaluation alike.

nDCG is one formula here: the DCG of the top k's gains (log2 discount) over the DCG of the best
possible top k. Search judgements give graded gains (rating 0–3) keyed by product id; a
recommendation target is one item of gain 1 found at a rank in a full-catalogue ranking. Both
call `ndcg`, so the two evaluations cannot drift apart.

Ties in a score vector are broken by item index (as a stable sort would), never in the target's
favour: a model that gives most items the same score gets no free hits from them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


def dcg(gains: Sequence[float] | np.ndarray) -> float:
    """Discounted cumulative gain of gains listed best rank first: Σ gain / log2(rank + 2), rank from 0.

    >>> round(dcg([3, 1]), 4)  # 3/log2(2) + 1/log2(3)
    3.6309
    """
    g = np.asarray(gains, dtype=np.float64)
    return float((g / np.log2(np.arange(g.size) + 2.0)).sum())


def ndcg(ranked_gains: Sequence[float] | np.ndarray, all_gains: Sequence[float] | np.ndarray, k: int) -> float:
    """nDCG@k: DCG of the ranking's first k gains over the DCG of the k largest of `all_gains`
    (every judged item, found or not); 0 when nothing has a gain.

    >>> round(ndcg([1, 3], [3, 1, 0], 10), 4)  # the ideal order is 3, 1
    0.7967
    """
    ideal = dcg(np.sort(np.asarray(all_gains, dtype=np.float64))[::-1][:k])
    return dcg(np.asarray(ranked_gains, dtype=np.float64)[:k]) / ideal if ideal > 0 else 0.0


# -- search: a ranked list of ids and graded judgements -----------------------------------
def ndcg_at(ranked: Sequence[str], ratings: dict[str, int], k: int = 10) -> float:
    """Graded nDCG@k of ranked ids; unjudged ids have gain 0, the ideal uses every judged id.

    >>> round(ndcg_at(["a", "b"], {"a": 1, "b": 3}, 10), 4)  # ideal is b, a
    0.7967
    """
    return ndcg([ratings.get(d, 0) for d in ranked[:k]], list(ratings.values()), k)


def recall_at(ranked: Sequence[str], ratings: dict[str, int], k: int = 100, min_rating: int = 2) -> float | None:
    """Share of ids rated ≥ min_rating found in the top k; None if the query has none.

    >>> recall_at(["a", "x"], {"a": 2, "b": 3, "c": 0}, 100)
    0.5
    """
    relevant = [d for d, r in ratings.items() if r >= min_rating]
    if not relevant:
        return None
    position = {d: i for i, d in enumerate(ranked[:k])}
    return recall_at_k(np.array([position.get(d, k) for d in relevant]), k)  # k: not in the top k


def bootstrap_ci(values: Sequence[float], rounds: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% interval of the mean, resampling the values (queries, shoppers) with replacement.

    >>> bootstrap_ci([0.5] * 10)
    (0.5, 0.5)
    """
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(rounds, data.size))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


# -- recommendation: target items' ranks in a full-catalogue ranking -----------------------
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
    """Binary-gain nDCG@k of targets at these distinct 0-based ranks; the ideal puts them all first.

    >>> round(ndcg_at_k(np.array([2]), 10), 4)  # one target at rank 3: 1/log2(4)
    0.5
    """
    ranks = np.asarray(ranks)
    gains = np.zeros(k)
    gains[ranks[ranks < k]] = 1.0
    return ndcg(gains, np.ones(len(ranks)), k)


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
