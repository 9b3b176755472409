"""Open a built store's retriever from settings: the one place its parts are put together."""

from __future__ import annotations

from shopassist.retrieval.indexing import catalog_fingerprint
from shopassist.catalog.store import Catalog
from shopassist.retrieval.cedict import Cedict
from shopassist.retrieval.dense import DenseIndex
from shopassist.retrieval.embedder import Embedder, load_embedder
from shopassist.retrieval.fusion import FusionConfig
from shopassist.retrieval.language import catalogue_language
from shopassist.retrieval.lexical import LexicalIndex
from shopassist.retrieval.retriever import Retriever
from shopassist.retrieval.translate import QueryTranslator
from shopassist.retrieval.vector_index import VectorIndex
from shopassist.settings import Settings


def open_retriever(settings: Settings, store: str, embedder: Embedder | None = None, fusion: FusionConfig | None = None) -> Retriever:
    """The retriever for a store built by `shopassist reindex` (raises StoreNotFound otherwise)."""
    folder = settings.store_dir(store)
    catalog = Catalog.open(store, folder)
    embedder = embedder or load_embedder(settings.embedder, settings.embed_batch_size, settings.hub_offline, settings.models_dir)
    fingerprint = catalog_fingerprint(catalog)
    lexical = LexicalIndex.load(folder / "bm25", fingerprint)
    if lexical is None:  # built by an older version, or out of step: rebuilding takes seconds
        lexical = LexicalIndex.build(list(catalog.products.values()))
        lexical.save(folder / "bm25", fingerprint)
    vectors = VectorIndex.open(settings, store, embedder.name)
    dense = DenseIndex.from_vector_index(vectors, lexical.ids)
    return Retriever(catalog, embedder, lexical, dense, fusion or FusionConfig(), vector_index=vectors, translator=translator_for(catalog, lexical))


def translator_for(catalog: Catalog, lexical: LexicalIndex) -> QueryTranslator | None:
    """Chinese questions over a catalogue in another language are searched in its words; a Chinese
    catalogue is searched as typed. The dictionary is read on the first Chinese query, not here."""
    chinese = catalogue_language(p.title for p in catalog.products.values()) == "zh"
    return None if chinese else QueryTranslator(Cedict(), lexical.document_frequencies)
