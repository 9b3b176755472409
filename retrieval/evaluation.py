"""Search quality on human relevance judgements (protocol: ../shared/data/README.md).

nDCG@10 with gain = rating and a log2 discount, the ideal DCG from all judged products of the
query; Recall@100 of products rated ≥ 2; queries whose judged products are all rated 0 are left
out and counted. Means come with a bootstrap 95% interval over queries. The metrics themselves
live in shopassist/metrics.py, shared with recommendation evaluation.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopassist.errors import CatalogError
from shopassist.metrics import bootstrap_ci, ndcg_at, recall_at


@dataclass(frozen=True)
class Judgements:
    by_query: dict[str, dict[str, int]]  # query → {docid: rating}
    left_out: list[str]  # queries with no product rated above 0

    @classmethod
    def read(cls, path: Path) -> "Judgements":
        try:
            with Path(path).open(newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        except (OSError, UnicodeDecodeError) as e:
            raise CatalogError(f"cannot read judgements {path}: {e}") from None
        if not rows or not {"query", "docid", "rating"} <= set(rows[0]):
            raise CatalogError(f"{path}: expected a CSV with columns query,docid,rating")
        by_query: dict[str, dict[str, int]] = {}
        for number, row in enumerate(rows, start=2):
            try:
                by_query.setdefault(row["query"], {})[row["docid"].strip()] = int(row["rating"])
            except ValueError:
                raise CatalogError(f"{path} line {number}: rating {row['rating']!r} is not 0–3") from None
        kept = {q: r for q, r in by_query.items() if max(r.values()) > 0}
        return cls(kept, sorted(set(by_query) - set(kept)))


@dataclass(frozen=True)
class MethodScore:
    ndcg: float
    ndcg_ci: tuple[float, float]
    recall: float
    mean_ms: float
    p95_ms: float
    per_query: dict[str, float]

    def to_dict(self, k: int) -> dict:
        return {
            f"ndcg@{k}": round(self.ndcg, 4),
            f"ndcg@{k}_ci95": [round(x, 4) for x in self.ndcg_ci],
            "recall@100": round(self.recall, 4),
            "mean_ms": round(self.mean_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
        }


def evaluate(search: Callable[[str, int], list[str]], judgements: Judgements, k: int = 10) -> MethodScore:
    """Run `search(query, 100) -> ranked ids` for every judged query, timing each call."""
    ndcgs, recalls, latencies, per_query = [], [], [], {}
    for query, ratings in judgements.by_query.items():
        started = time.perf_counter()
        ranked = search(query, max(100, k))
        latencies.append((time.perf_counter() - started) * 1000)
        per_query[query] = ndcg_at(ranked, ratings, k)
        ndcgs.append(per_query[query])
        recall = recall_at(ranked, ratings, 100)
        if recall is not None:
            recalls.append(recall)
    return MethodScore(
        ndcg=float(np.mean(ndcgs)),
        ndcg_ci=bootstrap_ci(ndcgs),
        recall=float(np.mean(recalls)) if recalls else math.nan,
        mean_ms=float(np.mean(latencies)),
        p95_ms=float(np.percentile(latencies, 95)),
        per_query=per_query,
    )


# -- choosing settings honestly: k-fold cross-validation over queries ----------------------
def query_folds(n_queries: int, k: int = 5, seed: int = 0) -> list[np.ndarray]:
    """Query indices shuffled once (seeded) and cut into k folds of near-equal size.

    >>> [f.tolist() for f in query_folds(5, 2, seed=0)]
    [[2, 4, 3], [0, 1]]
    """
    order = np.random.default_rng(seed).permutation(n_queries)
    return list(np.array_split(order, k))


@dataclass(frozen=True)
class CrossValidated:
    held_out: np.ndarray  # (queries,): each query's score under the setting chosen without it
    picks: list[int]  # per fold: the index of the setting chosen on the other folds

    @property
    def mean(self) -> float:
        return float(self.held_out.mean())


def cross_validate(scores: np.ndarray, folds: Sequence[np.ndarray]) -> CrossValidated:
    """For each fold, the setting with the best mean on the other folds (first on ties), scored on
    that fold. scores: (settings, queries), e.g. per-query nDCG@10 of every grid point.

    >>> s = np.array([[1, 1, 0, 0], [0, 0, 1, 1.]])  # each setting is perfect on half the queries
    >>> cv = cross_validate(s, [np.array([0, 1]), np.array([2, 3])])
    >>> cv.picks, cv.mean  # chosen on the other half, each scores 0 where it is used
    ([1, 0], 0.0)
    """
    held_out = np.empty(scores.shape[1])
    picks = []
    for fold in folds:
        train = np.setdiff1d(np.arange(scores.shape[1]), fold)
        best = int(np.argmax(scores[:, train].mean(axis=1)))
        held_out[fold] = scores[best, fold]
        picks.append(best)
    return CrossValidated(held_out, picks)
