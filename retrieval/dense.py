"""Dense search: the query's embedding against the store's vectors.

Two correct paths over the same Chroma collection. `memory` (the default) reads the vectors once
and scores every product exactly with one matrix product, filters as a boolean mask; `chroma`
asks the collection (HNSW) with a `where` clause, for catalogues too large to hold in memory.
benchmarks/search_latency.py measures both.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shopassist.retrieval.vector_index import VectorIndex


class DenseIndex:
    """(n, dim) unit vectors aligned with `ids`; a product missing from the collection scores -1."""

    def __init__(self, ids: Sequence[str], matrix: np.ndarray):
        self.ids = list(ids)
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)

    @classmethod
    def from_vector_index(cls, index: VectorIndex, ids: Sequence[str]) -> "DenseIndex":
        stored_ids, stored = index.vectors()
        position = {pid: i for i, pid in enumerate(stored_ids)}
        dim = stored.shape[1] if stored.size else 1
        matrix = np.zeros((len(ids), dim), dtype=np.float32)
        for row, pid in enumerate(ids):
            if pid in position:
                matrix[row] = stored[position[pid]]
        return cls(ids, matrix)

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every product to `vector` (float32, (n,))."""
        return self.matrix @ vector.astype(np.float32, copy=False)
