"""Fusing lexical and dense scores (retrieval/fusion.py) against brute force on known lists."""

from __future__ import annotations

import numpy as np
import pytest

from shopassist.retrieval.fusion import FusionConfig, fuse, top_indices, top_matches

RRF = FusionConfig(method="rrf", rrf_k=60, pool=3)


def brute_force_rrf(lexical, dense, k: int, pool: int, mask=None) -> dict[int, float]:
    """Reciprocal rank fusion written out: rank each source by a full sort, keep its top `pool`
    (lexical only where BM25 > 0: a score of 0 means no query word matched), sum 1/(k + rank)."""
    allowed = [i for i in range(len(lexical)) if mask is None or mask[i]]
    fused: dict[int, float] = {}
    for scores, matched in ((lexical, lambda i: lexical[i] > 0), (dense, lambda i: True)):
        ranked = sorted(allowed, key=lambda i: -scores[i])[:pool]
        for rank, i in enumerate((i for i in ranked if matched(i)), start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (k + rank)
    return fused


def as_dict(order, scores) -> dict[int, float]:
    return dict(zip(order.tolist(), scores.tolist()))


def test_rrf_on_lists_whose_answer_is_known():
    # lexical ranks: 2, 0, 3 (product 1 has no query word); dense ranks: 1, 2, 4
    lexical = np.array([5.0, 0.0, 9.0, 1.0, 0.5])
    dense = np.array([0.1, 0.9, 0.8, 0.2, 0.7])
    order, scores = fuse(lexical, dense, RRF)
    expected = {2: 1 / 61 + 1 / 62, 1: 1 / 61, 0: 1 / 62, 4: 1 / 63, 3: 1 / 63}
    assert order.tolist()[:3] == [2, 1, 0] and set(order.tolist()[3:]) == {3, 4}
    assert as_dict(order, scores) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(40))
def test_rrf_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    lexical = np.where(rng.random(n) < 0.4, 0.0, rng.gamma(2.0, 3.0, n))  # many products match no word
    dense = rng.uniform(-1, 1, n)
    mask = rng.random(n) < 0.7 if seed % 2 else None
    config = FusionConfig(method="rrf", rrf_k=int(rng.integers(1, 100)), pool=int(rng.integers(1, 120)))
    order, scores = fuse(lexical, dense, config, mask)
    expected = brute_force_rrf(lexical, dense, config.rrf_k, config.pool, mask)
    assert as_dict(order, scores) == pytest.approx(expected)
    assert list(scores) == sorted(scores, reverse=True)  # best first


@pytest.mark.parametrize("seed", range(20))
def test_top_indices_matches_a_full_sort(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 500))
    scores = rng.normal(size=n)
    mask = rng.random(n) < 0.5 if seed % 2 else None
    k = int(rng.integers(0, n + 5))
    allowed = [i for i in range(n) if mask is None or mask[i]]
    assert top_indices(scores, k, mask).tolist() == sorted(allowed, key=lambda i: -scores[i])[:k]


@pytest.mark.parametrize("seed", range(20))
def test_top_matches_ranks_only_positive_scores(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 500))
    scores = np.where(rng.random(n) < 0.8, 0.0, rng.random(n) * 10)  # BM25-like: mostly no match
    mask = rng.random(n) < 0.5 if seed % 2 else None
    k = int(rng.integers(0, n + 5))
    matching = [i for i in range(n) if scores[i] > 0 and (mask is None or mask[i])]
    assert top_matches(scores, k, mask).tolist() == sorted(matching, key=lambda i: -scores[i])[:k]


@pytest.mark.parametrize("allowed_share", [1.0, 0.5, 0.1, 0.001, 0.0])
@pytest.mark.parametrize("k", [1, 200])
def test_top_indices_over_many_scores_is_exact_whatever_the_filter(allowed_share, k):
    # From 65,536 scores a bound from a sample narrows the partition; a narrow filter ranks only what it allows.
    rng = np.random.default_rng(k)
    scores = rng.normal(size=200_000).astype(np.float32)
    scores[::7] = 0.5  # ties
    mask = rng.random(scores.size) < allowed_share
    allowed = np.flatnonzero(mask)
    want = allowed[np.argsort(-scores[allowed], kind="stable")][:k]
    got = top_indices(scores, k, mask)
    assert len(got) == len(want) and sorted(scores[got].tolist()) == sorted(scores[want].tolist())
    assert mask[got].all() and len(set(got.tolist())) == len(got)
    assert top_indices(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()
