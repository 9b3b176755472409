"""One metrics module: search's graded nDCG and recommendation's single-target nDCG agree with each
other and with brute force, so the two evaluations measure the same thing; and settings chosen by
cross-validation are scored only on queries they were not chosen on."""

from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import pytest

import shopassist.metrics
import shopassist.retrieval.evaluation
from shopassist.metrics import ndcg_at, ndcg_at_k, recall_at, recall_at_k, target_ranks
from shopassist.retrieval.evaluation import cross_validate, query_folds


@pytest.mark.parametrize("module", [shopassist.metrics, shopassist.retrieval.evaluation])
def test_docstring_examples(module):
    assert doctest.testmod(module).failed == 0


def _ranked_ids(scores: np.ndarray) -> list[str]:
    """The full ranking as search sees it: ids best first, ties broken by index (a stable sort)."""
    return [f"p{i}" for i in np.argsort(-scores, kind="stable")]


def _brute_ndcg(ranked: list[str], ratings: dict[str, int], k: int) -> float:
    """The definition written out: the ideal is the best DCG over every order of the judged ids."""
    def dcg(order):
        return sum(ratings.get(d, 0) / math.log2(i + 2) for i, d in enumerate(order[:k]))

    ideal = max(dcg(list(order)) for order in itertools.permutations(ratings))
    return dcg(ranked) / ideal if ideal > 0 else 0.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [1, 3, 10])
def test_graded_and_target_ndcg_agree_on_the_same_ranking(seed, k):
    """One relevant item with gain 1 (and any set of binary targets): the same formula either way."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 8, size=30).astype(float)  # many ties: both sides must break them alike
    ranked = _ranked_ids(scores)
    for targets in (rng.choice(30, 1, replace=False), rng.choice(30, 3, replace=False)):
        ranks = target_ranks(scores, targets)
        ratings = {f"p{t}": 1 for t in targets}
        assert ndcg_at(ranked, ratings, k) == pytest.approx(ndcg_at_k(ranks, k))
        assert recall_at(ranked, ratings, k, min_rating=1) == pytest.approx(recall_at_k(ranks, k))


@pytest.mark.parametrize("seed", range(8))
def test_graded_ndcg_and_recall_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    ranked = _ranked_ids(rng.random(12))
    judged = rng.choice(15, 6, replace=False)  # some judged ids (p12–p14) are never ranked
    ratings = {f"p{j}": int(rng.integers(0, 4)) for j in judged}
    for k in (1, 3, 5, 10):
        assert ndcg_at(ranked, ratings, k) == pytest.approx(_brute_ndcg(ranked, ratings, k))
        relevant = {d for d, r in ratings.items() if r >= 2}
        found = recall_at(ranked, ratings, k)
        assert found == (len(relevant & set(ranked[:k])) / len(relevant) if relevant else None)


def test_a_target_outside_a_short_ranking_is_not_recalled():
    """A ranked list shorter than k must not count the ids it never returned."""
    assert recall_at(["a"], {"a": 3, "b": 3}, k=100) == 0.5
    assert ndcg_at([], {"a": 3}, 10) == 0.0


def test_query_folds_cover_every_query_once_and_follow_the_seed():
    folds = query_folds(68, 5, seed=3)
    assert sorted(np.concatenate(folds).tolist()) == list(range(68))
    assert sorted(len(f) for f in folds) == [13, 13, 14, 14, 14]
    assert [f.tolist() for f in query_folds(68, 5, seed=3)] == [f.tolist() for f in folds]
    assert [f.tolist() for f in query_folds(68, 5, seed=4)] != [f.tolist() for f in folds]


def test_cross_validation_never_chooses_on_the_held_out_queries():
    """Setting 0 scores 0.6 everywhere; setting f + 1 is perfect on fold f's queries and 0 elsewhere
    (it fits exactly the queries it would be judged on). Chosen on the other folds it never wins."""
    folds = query_folds(20, 5, seed=0)
    overfit = np.zeros((5, 20))
    for f, fold in enumerate(folds):
        overfit[f, fold] = 1.0
    cv = cross_validate(np.vstack([np.full(20, 0.6), overfit]), folds)
    assert cv.picks == [0] * 5  # a choice that saw the held-out fold would pick f + 1 and score 1.0
    assert cv.mean == pytest.approx(0.6)
