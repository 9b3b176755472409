"""Compact dense scoring (float16 matrix, the best re-scored from float32 vectors: Chroma's, or a
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


def test_compact_holds_half_the_bytes(demo_retriever, compact):
    assert compact.matrix.dtype == np.float16
    assert compact.matrix.nbytes * 2 == demo_retriever.dense.matrix.nbytes


@pytest.mark.parametrize("query", QUERIES)
def test_the_top_is_the_exact_top_with_exact_scores(demo_retriever, embedder, compact, query):
    vector = embedder.embed([query], query=True)[0]
    exact, approx = demo_retriever.dense.scores(vector), compact.scores(vector)
    top = np.argsort(-exact, kind="stable")[:50]
    got = np.argsort(-approx, kind="stable")[:50]
    assert len(set(top.tolist()) & set(got.tolist())) >= 49  # recall@50; ties within float rounding may swap the 50th
    assert np.allclose(approx[got[:10]], exact[got[:10]], atol=1e-6)  # re-scored: float32, not float16
    assert np.abs(approx - exact).max() < 2e-3  # the rest: float16 rounding only


def test_a_retriever_serves_the_compact_index(demo_retriever, compact):
    from shopassist.retrieval.retriever import Retriever

    served = Retriever(demo_retriever.catalog, demo_retriever.embedder, demo_retriever.lexical, compact)
    exact = [c.product.id for c in demo_retriever.search("heart decoration under £3", 10)]
    assert [c.product.id for c in served.search("heart decoration under £3", 10)] == exact
