"""The OpenAI-compatible embeddings client (retrieval/openai_embedder.py) against a real server
process (tests/embeddings_server.py): the same vectors as the model in this process, a store
built through it, and a clear error for each way a server fails. The contract itself runs in
tests/test_embedders.py."""

from __future__ import annotations

import numpy as np
import pytest

from shopassist.catalog.source_spec import SourceSpec
from shopassist.errors import ConfigError, EmbedderError
from shopassist.retrieval.embedder import embedder_from
from shopassist.retrieval.indexing import build_store
from shopassist.retrieval.openai_embedder import OpenAIEmbedder
from tests.conftest import free_port

pytestmark = pytest.mark.server

TEXTS = ["red ceramic mug", "cordless power drill", "wool winter scarf", "USB-C charging cable, 2 m", "a"]


def test_served_vectors_are_the_local_models_in_the_texts_order(embeddings_server, embedder):
    """Batches of two come back joined in order: any mix-up of rows or batches would show."""
    served = OpenAIEmbedder(embeddings_server, "all-minilm-l6-v2", batch_size=2)
    try:
        assert served.dim == embedder.dim == 384
        assert np.allclose(served.embed(TEXTS), embedder.embed(TEXTS), atol=1e-4)
    finally:
        served.close()


def test_settings_choose_the_server(embeddings_server, settings):
    served = embedder_from(settings.with_(embed_url=embeddings_server + "/v1/"))
    try:
        assert isinstance(served, OpenAIEmbedder) and served.name == "all-minilm-l6-v2"
    finally:
        served.close()


def test_a_store_built_through_the_server_serves_local_queries(embeddings_server, settings, products_csv, embedder):
    """Embed on the server, search with the same model in-process: one collection, one identity."""
    from shopassist.retrieval.vector_index import VectorIndex

    served = OpenAIEmbedder(embeddings_server, "all-minilm-l6-v2", batch_size=64)
    try:
        catalog, result = build_store(settings, SourceSpec("shop", products_csv), served)
    finally:
        served.close()
    assert result.added == len(catalog.products) == 300
    index = VectorIndex.open(settings, "shop", embedder.name)
    title = next(iter(catalog.products.values())).display_title
    assert index.query(embedder.embed([title], query=True)[0], 1)[0].id == next(iter(catalog.products))


def test_a_server_that_is_down_is_named_with_what_to_do():
    with pytest.raises(EmbedderError, match=r"cannot connect to the embeddings server at http://127\.0\.0\.1:\d+ .*drop --embed-url"):
        OpenAIEmbedder(f"http://127.0.0.1:{free_port()}", "all-minilm-l6-v2", timeout_s=5)


def test_a_model_the_server_does_not_have_is_an_error_with_its_answer(embeddings_server):
    with pytest.raises(EmbedderError, match=r"HTTP 404 for model 'bge-small'.*not found"):
        OpenAIEmbedder(embeddings_server, "bge-small")


def test_an_index_refuses_an_embedder_of_another_size(settings, products_csv, embedder):
    """What build_store and open_retriever check first: a server serving another model under the
    store's model name would give vectors of another size (768-d for a base model)."""
    from shopassist.retrieval.vector_index import VectorIndex

    build_store(settings, SourceSpec("shop", products_csv), embedder)
    index = VectorIndex.open(settings, "shop", embedder.name)
    index.check_dim(384, embedder.name)  # the same size passes
    with pytest.raises(ConfigError, match=r"holds 384-d vectors but the embedder 'all-minilm-l6-v2' gives 768-d"):
        index.check_dim(768, embedder.name)


def test_a_bad_embed_url_is_a_config_error():
    from shopassist.settings import Settings

    with pytest.raises(ConfigError, match="--embed-url 'gpu-box:8000' is not http"):
        Settings.load(embed_url="gpu-box:8000")
