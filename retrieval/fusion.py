"""Fusing lexical and dense scores into one ranking."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionConfig:
    # Defaults chosen on the Icecat dev judgements (benchmarks/tune_search.py): linear beat RRF.
    method: str = "linear"  # "linear" (normalised scores) or "rrf" (reciprocal rank)
    lexical_weight: float = 0.7  # linear: weight of BM25; the dense weight is 1 - this
    rrf_k: int = 60  # rrf: the usual constant from Cormack et al. (2009)
    pool: int = 100  # candidates taken from each source before fusing


def top_indices(scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the k best scores (best first) among the allowed ones; O(n), not a full sort.

    >>> top_indices(np.array([0.1, 0.9, 0.5]), 2).tolist()
    [1, 2]
    """
    if mask is not None:
        scores = masked(scores, mask)
        k = min(k, int(mask.sum()))
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def masked(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`scores` with every product outside `mask` pushed below any score inside it. Arithmetic, not
    np.where: at 1M products a where over a scattered mask costs ~6 ms (a branch per element), this ~0.8 ms.

    >>> masked(np.array([0.5, 0.9, -1.0], dtype=np.float32), np.array([True, False, True])).tolist()[::2]
    [0.5, -1.0]
    """
    return scores - (~mask) * np.float32(_BELOW)


_BELOW = 1e30  # far below any similarity or BM25 score, far from float32's overflow


def fuse(lexical: np.ndarray, dense: np.ndarray, config: FusionConfig, mask: np.ndarray | None = None,
         dense_ranked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(indices, fused scores), best first, over the union of each source's top `pool`.
    `dense_ranked`: the best dense products among `mask`, best first, when already known (at least `pool` of them, or all there are)."""
    lex_top = top_indices(lexical, config.pool, mask)
    lex_top = lex_top[lexical[lex_top] > 0]  # BM25 0 = no query word: not a lexical match
    dense_top = top_indices(dense, config.pool, mask) if dense_ranked is None else dense_ranked[: config.pool]
    pool = np.union1d(lex_top, dense_top)
    if pool.size == 0:
        return pool, np.zeros(0)
    if config.method == "rrf":
        fused = np.zeros(pool.size)
        for ranked in (lex_top, dense_top):
            rank_of = {int(i): r for r, i in enumerate(ranked)}
            fused += np.array([1.0 / (config.rrf_k + rank_of[i] + 1) if i in rank_of else 0.0 for i in pool.tolist()])
    else:
        fused = config.lexical_weight * _minmax(lexical[pool], lexical[lex_top]) + (1 - config.lexical_weight) * _minmax(dense[pool], dense[dense_top])
    order = np.argsort(-fused, kind="stable")
    return pool[order], fused[order]


def _minmax(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] by the range of the source's own top list; values below it clip to 0."""
    if reference.size == 0:
        return np.zeros_like(values, dtype=np.float64)
    lo, hi = float(reference.min()), float(reference.max())
    if hi - lo < 1e-9:
        return (values >= hi).astype(np.float64)
    return np.clip((values - lo) / (hi - lo), 0.0, 1.0)
