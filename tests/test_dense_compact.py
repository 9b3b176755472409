"""Compact dense scoring (int8 codes, the best re-scored from float32 vectors: Chroma's, or a
generation's memory-mapped file) against the exact float32 path on real embeddings of a real
demo-store slice: brute force decides."""

from __future__ import annotations

import numpy as np
import pytest

from shopassist.retrieval.dense import DenseIndex

QUERIES = ["heart shaped decoration", "christmas tree lights", "tea cups and saucers", "children's lunch box", "red umbrella"]


@pytest.fixture(scope="module", params=["chroma", "snapshot file"])
def compact(demo_retriever, request, tmp_path_factory):
    if request.param == "chroma":
        return DenseIndex.from_vector_index(demo_retriever.vector_index, demo_retriever.dense.ids, compact=True)
    path = tmp_path_factory.mktemp("generation") / "vectors.npy"
    np.save(path, np.asarray(demo_retriever.dense.matrix, dtype=np.float32))
    return DenseIndex.from_snapshot(np.load(path, mmap_mode="r"), demo_retriever.dense.ids, compact=True)


def test_compact_reads_a_quarter_of_the_bytes(demo_retriever, compact):
    assert compact.codes.codes.dtype == np.int8
    n, dim = demo_retriever.dense.matrix.shape
    assert compact.nbytes == n * dim + n * 4 < demo_retriever.dense.matrix.nbytes / 3.5  # codes and a scale per row


@pytest.mark.parametrize("query", QUERIES)
def test_the_top_is_the_exact_top_with_exact_scores(demo_retriever, embedder, compact, query):
    vector = embedder.embed([query], query=True)[0]
    exact, approx = demo_retriever.dense.scores(vector), compact.scores(vector)
    top = np.argsort(-exact, kind="stable")[:50]
    got = np.argsort(-approx, kind="stable")[:50]
    assert len(set(top.tolist()) & set(got.tolist())) >= 49  # recall@50; ties within float rounding may swap the 50th
    assert np.allclose(approx[got[:10]], exact[got[:10]], atol=1e-6)  # re-scored: float32, not int8
    assert np.abs(approx - exact).max() < 5e-3  # the rest: int8 rounding only


@pytest.mark.parametrize("query", QUERIES)
def test_with_a_filter_the_best_allowed_are_rescored(demo_retriever, embedder, compact, query):
    """A filter that leaves few products: their scores are exact, not only the unfiltered top's."""
    vector = embedder.embed([query], query=True)[0]
    mask = np.zeros(len(compact.ids), dtype=bool)
    mask[::97] = True
    exact, approx = demo_retriever.dense.scores(vector), compact.scores(vector, mask)
    allowed = np.flatnonzero(mask)
    best = allowed[np.argsort(-exact[allowed], kind="stable")[:20]]
    assert np.allclose(approx[best], exact[best], atol=1e-6)


def test_the_codes_a_generation_writes_are_the_ones_served(tmp_path, demo_retriever):
    from shopassist.retrieval.int8_vectors import Int8Vectors

    matrix = np.asarray(demo_retriever.dense.matrix, dtype=np.float32)
    Int8Vectors.quantize(matrix).save(tmp_path)
    opened = Int8Vectors.open(tmp_path, *matrix.shape)
    assert isinstance(opened.codes, np.memmap) and np.array_equal(opened.codes, Int8Vectors.quantize(matrix).codes)
    assert Int8Vectors.open(tmp_path, matrix.shape[0] + 1, matrix.shape[1]) is None  # another generation's shape: not used


def test_a_retriever_serves_the_compact_index(demo_retriever, compact):
    from shopassist.retrieval.retriever import Retriever

    served = Retriever(demo_retriever.catalog, demo_retriever.embedder, demo_retriever.lexical, compact)
    exact = [c.product.id for c in demo_retriever.search("heart decoration under £3", 10)]
    assert [c.product.id for c in served.search("heart decoration under £3", 10)] == exact
