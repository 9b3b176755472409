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

    `exact_rows(rows) -> (len(rows), dim) float32` makes the index compact: `matrix` is kept in
    float16 and the best `rescore` products of each query are re-scored from those rows (row
    numbers of `ids`; NaN rows for products with no stored vector).

    >>> rng = np.random.default_rng(0)
    >>> m = rng.standard_normal((1000, 8)).astype(np.float32)
    >>> m /= np.linalg.norm(m, axis=1, keepdims=True)
    >>> ids = [str(i) for i in range(1000)]
    >>> exact, compact = DenseIndex(ids, m), DenseIndex(ids, m, exact_rows=lambda rows: m[rows], rescore=50)
    >>> q = m[7]
    >>> compact.matrix.dtype, bool((np.argsort(-compact.scores(q))[:10] == np.argsort(-exact.scores(q))[:10]).all())
    (dtype('float16'), True)
    """

    def __init__(
        self,
        ids: Sequence[str],
        matrix: np.ndarray,
        exact_rows: Callable[[np.ndarray], np.ndarray] | None = None,
        rescore: int = RESCORE,
    ):
        self.ids = list(ids)
        self._exact_rows, self.rescore = exact_rows, rescore
        dtype = np.float16 if exact_rows is not None else np.float32
        if matrix.dtype == dtype and matrix.flags.c_contiguous:
            self.matrix = matrix  # kept as given: a memory-mapped snapshot file stays mapped, not copied
        else:
            self.matrix = np.empty(matrix.shape, dtype=dtype)
            for start in range(0, len(matrix), 65536):  # in slices: converting never holds a second whole copy
                self.matrix[start : start + 65536] = matrix[start : start + 65536]

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
        ids = list(ids)
        return cls(ids, matrix, exact_rows=(lambda rows: _rows_in_order(index, [ids[i] for i in rows])) if compact else None)

    @classmethod
    def from_snapshot(cls, matrix: np.ndarray, ids: Sequence[str], compact: bool = False) -> "DenseIndex":
        """Over a generation's memory-mapped float32 matrix (retrieval/snapshot_vectors.py): exact
        scores read it whole; compact ones hold a float16 copy and re-score from its rows."""
        return cls(ids, matrix, exact_rows=(lambda rows: np.asarray(matrix[np.asarray(rows)], dtype=np.float32)) if compact else None)

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every product to `vector` (float32, (n,)); in compact mode exact
        for the best `rescore`, within float16 rounding (~1e-3) for the rest."""
        if self._exact_rows is None:
            return self.matrix @ vector.astype(np.float32, copy=False)
        import torch  # numpy has no float16 BLAS (~15x slower than float32); torch's kernel is ~1.7x

        scores = (torch.from_numpy(self.matrix) @ torch.from_numpy(vector.astype(np.float16))).float().numpy()
        best = np.argpartition(-scores, min(self.rescore, len(scores) - 1))[: self.rescore]
        exact = self._exact_rows(best)  # rows in the order asked; NaN if not stored
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
