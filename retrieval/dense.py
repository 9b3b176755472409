"""Dense search: the query's embedding against the store's vectors.

Two correct paths over the same Chroma collection. `memory` (the default) reads the vectors once
and scores every product exactly with one matrix product, filters as a boolean mask; `chroma`
asks the collection (HNSW) with a `where` clause, for catalogues too large to hold in memory.
benchmarks/search_latency.py measures both.

The memory path can score int8 codes instead (`compact`, retrieval/int8_vectors.py): a quarter
of the bytes to read per query (1M × 384 products: 384 MB instead of 1.5 GB, ~19 ms instead of
~57 ms on 2 cores), every product scored to int8 precision, then the `rescore` best re-scored
exactly from the float32 vectors (the generation's memory-mapped file, or Chroma's), so the top of
the list is exact. Stores from COMPACT_FROM products up are served compact unless told otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from shopassist.retrieval.fusion import top_indices
from shopassist.retrieval.int8_vectors import Int8Vectors
from shopassist.retrieval.vector_index import VectorIndex

RESCORE = 200  # re-scored exactly in compact mode: above the fusion pool (100), so its order is exact
COMPACT_FROM = 200_000  # products; below, the float32 pass takes <12 ms and holds <300 MB: exact is simpler


class DenseIndex:
    """(n, dim) unit vectors aligned with `ids`; a product missing from the collection scores 0.

    `codes` (with `exact_rows(rows) -> (len(rows), dim) float32`) makes the index compact: every
    product is scored from the int8 codes and the best `rescore` of each query re-scored from those
    rows (row numbers of `ids`; NaN rows for products with no stored vector). `matrix` is then the
    float32 source of the rows where there is one (a memory-mapped file, read row by row), else None.

    >>> rng = np.random.default_rng(0)
    >>> m = rng.standard_normal((1000, 8)).astype(np.float32)
    >>> m /= np.linalg.norm(m, axis=1, keepdims=True)
    >>> ids = [str(i) for i in range(1000)]
    >>> exact, compact = DenseIndex(ids, m), DenseIndex.from_snapshot(m, ids, compact=True)
    >>> q = m[7]
    >>> compact.codes.codes.dtype, bool((np.argsort(-compact.scores(q))[:10] == np.argsort(-exact.scores(q))[:10]).all())
    (dtype('int8'), True)
    """

    def __init__(
        self,
        ids: Sequence[str],
        matrix: np.ndarray | None,
        codes: Int8Vectors | None = None,
        exact_rows: Callable[[np.ndarray], np.ndarray] | None = None,
        rescore: int = RESCORE,
    ):
        if (codes is None) != (exact_rows is None):
            raise ValueError("a compact index needs both its int8 codes and a way to read exact rows")
        self.ids = list(ids)
        self.codes, self._exact_rows, self.rescore = codes, exact_rows, rescore
        if matrix is None or (matrix.dtype == np.float32 and matrix.flags.c_contiguous):
            self.matrix = matrix  # kept as given: a memory-mapped snapshot file stays mapped, not copied
        else:
            self.matrix = np.asarray(matrix, dtype=np.float32, order="C")

    @property
    def compact(self) -> bool:
        return self.codes is not None

    @property
    def nbytes(self) -> int:
        """What scoring reads per query: the int8 codes, or the float32 matrix."""
        return self.codes.nbytes if self.codes is not None else self.matrix.nbytes  # type: ignore[union-attr]

    @classmethod
    def from_vector_index(cls, index: VectorIndex, ids: Sequence[str], compact: bool = False) -> "DenseIndex":
        stored_ids, stored = index.vectors()
        position = {pid: i for i, pid in enumerate(stored_ids)}
        dim = stored.shape[1] if stored.size else 1
        matrix = np.zeros((len(ids), dim), dtype=np.float32)
        for row, pid in enumerate(ids):
            if pid in position:
                matrix[row] = stored[position[pid]]
        del stored
        ids = list(ids)
        if not compact:
            return cls(ids, matrix)
        return cls(ids, None, Int8Vectors.quantize(matrix), exact_rows=lambda rows: _rows_in_order(index, [ids[i] for i in rows]))

    @classmethod
    def from_snapshot(cls, matrix: np.ndarray, ids: Sequence[str], compact: bool = False, codes: Int8Vectors | None = None) -> "DenseIndex":
        """Over a generation's memory-mapped float32 matrix (retrieval/snapshot_vectors.py): exact
        scores read it whole; compact ones score `codes` (the generation's, else quantised here)
        and read only the re-scored rows of the matrix."""
        if not compact:
            return cls(ids, matrix)
        codes = codes if codes is not None else Int8Vectors.quantize(matrix)
        rows = FileRows(matrix) if isinstance(matrix, np.memmap) else lambda rows: np.asarray(matrix[rows], dtype=np.float32)
        return cls(ids, matrix, codes, exact_rows=rows)

    def scores(self, vector: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity of every product to `vector` (float32, (n,)). In compact mode exact for
        the best `rescore` (among `mask`'s products, when given), to int8 precision (~2e-3) for the rest."""
        return self.ranked(vector, mask)[0]

    def ranked(self, vector: np.ndarray, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """`scores`, and in compact mode the re-scored rows best first (None in exact mode): the
        top of the list among `mask` already found, so fusion need not sort a million scores again."""
        vector = vector.astype(np.float32, copy=False)
        if self.codes is None:
            return self.matrix @ vector, None  # type: ignore[operator]
        scores = self.codes.scores(vector)
        best = top_indices(scores, self.rescore, mask)
        exact = self._exact_rows(best) @ vector  # type: ignore[misc]  # rows in the order asked; NaN if not stored
        stored = ~np.isnan(exact)
        scores[best[stored]] = exact[stored]
        return scores, best[np.argsort(-scores[best], kind="stable")]


class FileRows:
    """Rows of a memory-mapped `.npy` matrix read with pread, not through the mapping: a mapped
    page brings its whole folio (up to 2 MB) into the process, and re-scoring 200 random rows a
    query made the 1.5 GB file resident within a few hundred queries at 1M products; read this
    way the rows come from the page cache without joining the process's memory.

    >>> import tempfile, pathlib; path = pathlib.Path(tempfile.mkdtemp()) / "m.npy"; np.save(path, np.arange(12, dtype=np.float32).reshape(4, 3))
    >>> FileRows(np.load(path, mmap_mode="r"))(np.array([2, 0])).tolist()
    [[6.0, 7.0, 8.0], [0.0, 1.0, 2.0]]
    """

    def __init__(self, matrix: np.memmap):
        self._file = open(matrix.filename, "rb")  # held for the index's life: a reindex may unlink the file
        self._offset, self._dim = matrix.offset, matrix.shape[1]
        self._row_bytes = self._dim * matrix.dtype.itemsize
        self._dtype = matrix.dtype

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), self._dim), dtype=np.float32)
        fd = self._file.fileno()
        for i, row in enumerate(rows.tolist()):
            out[i] = np.frombuffer(os.pread(fd, self._row_bytes, self._offset + row * self._row_bytes), dtype=self._dtype)
        return out


def _rows_in_order(index: VectorIndex, wanted: list[str]) -> np.ndarray:
    """Chroma's float32 rows for `wanted`, in that order (it answers in its own); NaN rows for ids it lacks."""
    got, matrix = index.vectors(wanted)
    position = {pid: i for i, pid in enumerate(got)}
    out = np.full((len(wanted), matrix.shape[1] if matrix.size else 1), np.nan, dtype=np.float32)
    for row, pid in enumerate(wanted):
        if pid in position:
            out[row] = matrix[position[pid]]
    return out
