"""Product vectors as int8 codes with one scale per row: a quarter of float32's bytes, scored by an
integer matrix product.

Scoring every product is a pass over the whole matrix, bound by memory: at 1M × 384, numpy reads
1.5 GB of float32 per query (~57 ms on 2 cores), torch's int8 product reads 384 MB (~19 ms; numpy
has no int8 BLAS, and its float16 path is slower than float32). Each row keeps its own scale, so
the codes use all 255 levels whatever the row's largest component; scores are within ~2e-3 of the
exact cosine, and the dense index re-scores its best candidates exactly (retrieval/dense.py).
A generation writes the codes beside its float32 matrix (retrieval/snapshot_vectors.py), so a
serving process maps them without reading the float32 file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CODES = "vectors.i8.npy"  # int8 (products, dim), the catalogue's order
SCALES = "vectors.scale.npy"  # float32 (products,): row i ≈ codes[i] * scales[i]
_CHUNK = 65536  # rows converted at a time: quantising never holds a float copy of the whole matrix


@dataclass(frozen=True)
class Int8Vectors:
    """Row-wise symmetric int8 quantisation of a (n, dim) float matrix.

    >>> rng = np.random.default_rng(0)
    >>> m = rng.standard_normal((1000, 32)).astype(np.float32)
    >>> m /= np.linalg.norm(m, axis=1, keepdims=True)
    >>> q8 = Int8Vectors.quantize(m)
    >>> float(np.abs(q8.scores(m[3]) - m @ m[3]).max()) < 0.02, q8.nbytes
    (True, 36000)
    """

    codes: np.ndarray
    scales: np.ndarray

    @classmethod
    def quantize(cls, matrix: np.ndarray) -> "Int8Vectors":
        codes = np.empty(matrix.shape, dtype=np.int8)
        scales = np.empty(len(matrix), dtype=np.float32)
        for start in range(0, len(matrix), _CHUNK):
            rows = np.asarray(matrix[start : start + _CHUNK], dtype=np.float32)
            scale = np.abs(rows).max(axis=1) / 127
            scale[scale == 0] = 1.0  # a zero row (no stored vector) stays zero and scores 0
            codes[start : start + len(rows)] = np.rint(rows / scale[:, None])
            scales[start : start + len(rows)] = scale
        return cls(codes, scales)

    def save(self, folder: Path) -> None:
        from shopassist.files import atomic_write

        for name, array in ((CODES, self.codes), (SCALES, self.scales)):
            with atomic_write(folder / name, "wb") as f:
                np.save(f, array)

    @classmethod
    def open(cls, folder: Path, count: int, dim: int) -> "Int8Vectors | None":
        """The folder's codes, memory-mapped; None when it has none of this shape (an older generation)."""
        if not (folder / CODES).exists() or not (folder / SCALES).exists():
            return None
        # Copy-on-write, never written: torch takes a writable array without copying it.
        codes = np.load(folder / CODES, mmap_mode="c")
        scales = np.load(folder / SCALES)
        return cls(codes, scales) if codes.shape == (count, dim) and scales.shape == (count,) else None

    @property
    def nbytes(self) -> int:
        return self.codes.nbytes + self.scales.nbytes

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """(n,) float32: each row's dot product with `vector`, to int8 precision."""
        import torch  # its int8 matrix product (oneDNN/fbgemm kernels); numpy's integer matmul has no BLAS

        vector = np.asarray(vector, dtype=np.float32)
        scale = float(np.abs(vector).max()) / 127 or 1.0
        query = torch.from_numpy(np.rint(vector / scale).astype(np.int8).reshape(-1, 1))
        # torch._int_mm: underscored, but the int8 product torchao's quantisation is built on; torch is
        # pinned (Makefile), and tests/test_dense_compact.py checks it against the float32 scores.
        dots = torch._int_mm(torch.from_numpy(self.codes), query)[:, 0].numpy()  # int32: 384 × 127² fits
        out = dots.astype(np.float32)
        out *= self.scales
        out *= np.float32(scale)
        return out
