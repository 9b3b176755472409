"""Dense search: the query's embedding against the store's vectors.

Two correct paths over the same Chroma collection. `memory` (the default) reads the vectors once
and scores every product exactly with one matrix product, filters as a boolean mask; `chroma`
asks the collection (HNSW) with a `where` clause, for catalogues too large to hold in memory.
benchmarks/search_latency.py measures both.

The memory path can hold the vectors in float16 (`compact`): half the memory (1M × 384 products:
768 MB instead of 1.5 GB), every product scored at float16 precision, then the `rescore` best
re-scored exactly from the float32 vectors Chroma keeps, so the top of the list is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from shopassist.retrieval.vector_index import VectorIndex

RESCORE = 200  # re-scored exactly in compact mode: above the fusion pool (100), so its order is exact


class DenseIndex:
    """(n, dim) unit vectors aligned with `ids`; a product missing from the collection scores -1.

    `exact_rows(ids) -> (len(ids), dim) float32` makes the index compact: `matrix` is kept in
    float16 and the best `rescore` products of each query are re-scored from those rows.

    >>> rng = np.random.default_rng(0)
    >>> m = rng.standard_normal((1000, 8)).astype(np.float32)
    >>> m /= np.linalg.norm(m, axis=1, keepdims=True)
    >>> ids = [str(i) for i in range(1000)]
    >>> exact, compact = DenseIndex(ids, m), DenseIndex(ids, m, exact_rows=lambda r: m[[int(i) for i in r]], rescore=50)
    >>> q = m[7]
    >>> compact.matrix.dtype, bool((np.argsort(-compact.scores(q))[:10] == np.argsort(-exact.scores(q))[:10]).all())
    (dtype('float16'), True)
    """

    def __init__(
        self,
        ids: Sequence[str],
        matrix: np.ndarray,
        exact_rows: Callable[[list[str]], np.ndarray] | None = None,
        rescore: int = RESCORE,
    ):
        self.ids = list(ids)
        self._exact_rows, self.rescore = exact_rows, rescore
        dtype = np.float16 if exact_rows is not None else np.float32
        self.matrix = np.ascontiguousarray(matrix, dtype=dtype)

    @classmethod
    def from_vector_index(cls, index: VectorIndex, ids: Sequence[str], compact: bool = False) -> "DenseIndex":
        stored_ids, stored = index.vectors()
        position = {pid: i for i, pid in enumerate(stored_ids)}
        dim = stored.shape[1] if stored.size else 1
        matrix = np.zeros((len(ids), dim), dtype=np.float16 if compact else np.float32)
        for row, pid in enumerate(ids):
            if pid in position:
                matrix[row] = stored[position[pid]]
        del stored
        return cls(ids, matrix, exact_rows=(lambda wanted: _rows_in_order(index, wanted)) if compact else None)

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every product to `vector` (float32, (n,)); in compact mode exact
        for the best `rescore`, within float16 rounding (~1e-3) for the rest."""
        if self._exact_rows is None:
            return self.matrix @ vector.astype(np.float32, copy=False)
        import torch  # numpy has no float16 BLAS (~15x slower than float32); torch's kernel is ~1.7x

        scores = (torch.from_numpy(self.matrix) @ torch.from_numpy(vector.astype(np.float16))).float().numpy()
        best = np.argpartition(-scores, min(self.rescore, len(scores) - 1))[: self.rescore]
        exact = self._exact_rows([self.ids[i] for i in best])  # rows in the order asked; NaN if not stored
        rescored = exact @ vector.astype(np.float32, copy=False)
        stored = ~np.isnan(rescored)
        scores[best[stored]] = rescored[stored]
        return scores


def _rows_in_order(index: VectorIndex, wanted: list[str]) -> np.ndarray:
    """Chroma's float32 rows for `wanted`, in that order (it answers in its own); NaN rows for ids it lacks."""
    got, matrix = index.vectors(wanted)
    position = {pid: i for i, pid in enumerate(got)}
    out = np.full((len(wanted), matrix.shape[1] if matrix.size else 1), np.nan, dtype=np.float32)
    for row, pid in enumerate(wanted):
        if pid in position:
            out[row] = matrix[position[pid]]
    return out
