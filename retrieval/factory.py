"""Open a built store's retriever from settings: the one place its parts are put together."""

from __future__ import annotations

from shopassist.catalog import generations
from shopassist.catalog.product_table import in_order
from shopassist.catalog.store import Catalog, built_with
from shopassist.retrieval.cedict import Cedict
from shopassist.retrieval.dense import COMPACT_FROM, DenseIndex
from shopassist.retrieval.embedder import Embedder, embedder_from
from shopassist.retrieval.fusion import FusionConfig
from shopassist.retrieval.indexing import catalog_fingerprint
from shopassist.retrieval.int8_vectors import Int8Vectors
from shopassist.retrieval.language import catalogue_language
from shopassist.retrieval.lexical import LexicalIndex
from shopassist.retrieval.retriever import Retriever
from shopassist.retrieval.snapshot import LEXICAL
from shopassist.retrieval.snapshot_vectors import open_vectors
from shopassist.retrieval.translate import QueryTranslator
from shopassist.retrieval.vector_index import VectorIndex
from shopassist.errors import ConfigError
from shopassist.settings import Settings


def open_retriever(settings: Settings, store: str, embedder: Embedder | None = None, fusion: FusionConfig | None = None) -> Retriever:
    """The retriever for a store built by `shopassist reindex` (raises StoreNotFound otherwise),
    from its current generation: the pointer is read once, so every part comes from one snapshot."""
    folder = generations.current(settings.store_dir(store))
    catalog = Catalog.open(store, folder)
    language = catalogue_language(p.title for p in catalog.products.values())
    embedder = embedder or embedder_from(settings, language, built_with(settings.store_dir(store)))
    # A generation's lexical index and catalogue are written together from the same products, so the
    # index is in step when it lists the catalogue's ids in order (hashing a million products at
    # every start would cost more than the check protects).
    lexical = LexicalIndex.load(folder / LEXICAL, mmap=True)
    if lexical is None or not in_order(catalog.products, lexical.ids):  # an older version's, or out of step
        lexical = LexicalIndex.build(list(catalog.products.values()))
        lexical.save(folder / LEXICAL, catalog_fingerprint(catalog))
    vectors = VectorIndex.open(settings, store, embedder.name)  # opening reads nothing; the chroma path queries it
    compact = settings.compact_vectors if settings.compact_vectors is not None else len(lexical.ids) >= COMPACT_FROM
    matrix = open_vectors(folder, embedder.name, len(lexical.ids))
    if matrix is not None:  # the generation's own copy, memory-mapped: opens at once at any size
        # Checked on the file: asking Chroma for one vector loads its whole index (2 GB at 1M products).
        if len(matrix) and matrix.shape[1] != embedder.dim:
            raise ConfigError(f"store {store!r} holds {matrix.shape[1]}-d vectors but the embedder {embedder.name!r} gives "
                              f"{embedder.dim}-d ones — serve the model the store was built with, or reindex")
        dense = DenseIndex.from_snapshot(matrix, lexical.ids, compact, Int8Vectors.open(folder, *matrix.shape) if compact else None)
    else:  # a generation written before it held vectors: read them from the vector index
        # Chroma may hold vectors of products this generation does not list (a reindex not yet
        # switched to, or killed): only this generation's ids are read.
        vectors.check_dim(embedder.dim, embedder.name)
        dense = DenseIndex.from_vector_index(vectors, lexical.ids, compact=compact)
    return Retriever(catalog, embedder, lexical, dense, fusion or FusionConfig(), vector_index=vectors, translator=translator_for(catalog, lexical, language))


def translator_for(catalog: Catalog, lexical: LexicalIndex, language: str | None = None) -> QueryTranslator | None:
    """Chinese questions over a catalogue in another language are searched in its words; a Chinese
    catalogue is searched as typed. The dictionary is read on the first Chinese query, not here.
    `language`: the catalogue's, when the caller has already read it."""
    language = language or catalogue_language(p.title for p in catalog.products.values())
    return None if language == "zh" else QueryTranslator(Cedict(), lexical.document_frequencies)


class StoreWatch:
    """Tells a serving process when a reindex has published a new generation of its store, and
    opens it. `changed` is one stat of the store's pointer file, cheap enough for every turn.

    >>> import tempfile
    >>> watch = StoreWatch(Settings.load(home=tempfile.mkdtemp()), "toy", embedder=None)
    >>> watch.changed()
    False
    """

    def __init__(self, settings: Settings, store: str, embedder: Embedder | None, fusion: FusionConfig | None = None):
        self.settings, self.store, self.embedder, self.fusion = settings, store, embedder, fusion
        self._folder = settings.store_dir(store)
        self._seen = generations.stamp(self._folder)

    def open(self) -> Retriever:
        """The current generation's retriever. The stamp is taken before the pointer is read, so a
        generation published during the load is noticed by the next `changed`."""
        seen = generations.stamp(self._folder)
        retriever = open_retriever(self.settings, self.store, self.embedder, self.fusion)
        self.embedder, self._seen = retriever.embedder, seen  # the model is loaded once per process
        return retriever

    def changed(self) -> bool:
        return generations.stamp(self._folder) != self._seen

    def generation(self) -> str:
        """The name of the generation `open` would load (for logs)."""
        return generations.current(self._folder).name
