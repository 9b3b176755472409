"""Open a built store's retriever from settings: the one place its parts are put together."""

from __future__ import annotations

from catalog.store import Catalog
from retrieval.dense import DenseSearcher
from retrieval.embedder import load_embedder
from retrieval.vector_index import VectorIndex
from shopassist.settings import Settings


def open_retriever(settings: Settings, store: str, embedder=None) -> DenseSearcher:
    catalog = Catalog.open(store, settings.store_dir(store))
    embedder = embedder or load_embedder(settings.embedder, settings.embed_batch_size)
    return DenseSearcher(catalog, VectorIndex.open(settings, store, embedder.name), embedder)
