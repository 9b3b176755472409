"""The same index code against a real `chroma run` server on 127.0.0.1."""

import pytest

from shopassist.catalog.source_spec import SourceSpec
from shopassist.retrieval.indexing import build_store
from shopassist.retrieval.factory import open_retriever

pytestmark = pytest.mark.server


def test_reindex_and_search_through_a_chroma_server(settings, chroma_server, products_csv, embedder):
    remote = settings.with_(chroma_url=chroma_server)
    spec = SourceSpec("shop", products_csv)
    _, first = build_store(remote, spec, embedder)
    assert first.added == 300
    _, second = build_store(remote, spec, embedder)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 300)
    assert not (settings.home / "chroma").exists()  # nothing went to the embedded directory
    results = open_retriever(remote, "shop", embedder).search("christmas decoration", 3)
    assert len(results) == 3 and all("dense" in c.scores for c in results)
