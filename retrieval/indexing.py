"""Index building: embed only what changed since the last run, delete what is gone, and build
a store's lexical index and snapshot (`build_store`, behind `shopassist reindex`).

Safe to interrupt: each batch is upserted together with its content hashes, so a killed run
leaves a collection whose hashes say exactly which products are done; the next run embeds the
rest and deletes stale ids. Nothing is duplicated because ids are Chroma's keys.

`build_store` writes the vectors first, then the snapshot as a new generation, then switches the
store's pointer to it (catalog/generations.py), and only then deletes the vectors of removed
products: the generation serving at any moment never lacks a vector it lists. A run killed before
the switch leaves Chroma with vectors of products the serving generation does not list (ignored:
every search reads only the ids of its generation) and, for changed products, their new vectors
beside the old text until the next reindex switches.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field

from shopassist.catalog.models import Product
from shopassist.catalog.event_log import open_event_log
from shopassist.catalog.report import write_rejects
from shopassist.catalog.source_spec import SourceSpec
from shopassist.catalog.sources.product_table import ColumnMapping
from shopassist.catalog import generations
from shopassist.catalog.store import Catalog, built_with, load_catalog
from shopassist.retrieval.embedder import Embedder, embedder_from
from shopassist.retrieval.language import catalogue_language
from shopassist.retrieval.snapshot import write_snapshot
from shopassist.retrieval.snapshot_vectors import FreshVectors
from shopassist.retrieval.vector_index import VectorIndex, product_metadata
from shopassist.settings import Settings

# Bump when Product.search_text changes, so every product is re-embedded once.
EMBED_TEXT_VERSION = "1"


@dataclass(frozen=True)
class ReindexResult:
    added: int
    updated: int
    deleted: int
    unchanged: int
    rejected: int
    seconds: float
    gone: tuple[str, ...] = field(default=(), repr=False)  # removed products' ids, when their vectors were kept
    fresh: FreshVectors | None = field(default=None, repr=False)  # what this run encoded, for the generation's vectors file

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("added", "updated", "deleted", "unchanged", "rejected", "seconds")}


def index_hash(product: Product) -> str:
    return hashlib.sha256(f"{EMBED_TEXT_VERSION}:{product.content_hash()}".encode()).hexdigest()[:32]


def index_hashes(catalog: Catalog) -> dict[str, str]:
    """id → `index_hash` of every product, in catalogue order: computed once per build."""
    return {pid: index_hash(p) for pid, p in catalog.products.items()}


def reindex(
    catalog: Catalog,
    index: VectorIndex,
    embedder: Embedder,
    batch_size: int = 1024,
    progress: Callable[[int, int], None] | None = None,
    hashes: dict[str, str] | None = None,
    delete_gone: bool = True,
) -> ReindexResult:
    """Bring `index` in step with `catalog`; `progress(done, total)` counts products written.
    `delete_gone=False` keeps removed products' vectors (listed in `gone`) for the caller to
    delete once nothing serves them.

    Products are embedded longest text first, so each batch holds texts of about one length and
    the encoder pads less: on Icecat, forward passes held 2.12x the real tokens in catalogue order,
    1.53x sorted (sentence-transformers pads to the longest text of each batch of 256).
    Batch i+1 is embedded while batch i is written to Chroma by one writer thread; at most one
    write is in flight, so a kill loses at most the batch being written and the one being embedded.
    """
    started = time.perf_counter()
    stored = index.fingerprints()
    wanted = hashes if hashes is not None else index_hashes(catalog)
    new = [pid for pid in wanted if pid not in stored]
    changed = [pid for pid in wanted if pid in stored and stored[pid] != wanted[pid]]
    gone = [pid for pid in stored if pid not in wanted]
    texts = {pid: catalog.products[pid].search_text() for pid in new + changed}
    todo = sorted(texts, key=lambda pid: -len(texts[pid]))
    if progress:
        progress(0, len(todo))
    fresh = FreshVectors()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer") as writer:
        in_flight: Future | None = None
        written = 0
        for start in range(0, len(todo), batch_size):
            ids = todo[start : start + batch_size]
            vectors = embedder.embed([texts[i] for i in ids])
            fresh.add(ids, vectors)
            metadatas = [product_metadata(catalog.products[i], wanted[i]) for i in ids]
            if in_flight is not None:
                written += in_flight.result()  # a failed write raises here, before more is queued
                if progress:
                    progress(written, len(todo))
            in_flight = writer.submit(_write, index, ids, vectors, metadatas)
        if in_flight is not None:
            written += in_flight.result()
            if progress:
                progress(written, len(todo))
    if delete_gone:
        index.delete(gone)
    return ReindexResult(
        added=len(new),
        updated=len(changed),
        deleted=len(gone),
        unchanged=len(wanted) - len(todo),
        rejected=len(catalog.report.rejections),
        seconds=round(time.perf_counter() - started, 3),
        gone=() if delete_gone else tuple(gone),
        fresh=fresh,
    )


def _write(index: VectorIndex, ids: list[str], vectors, metadatas: list[dict]) -> int:
    index.upsert(ids, vectors, metadatas)
    return len(ids)


def catalog_fingerprint(catalog: Catalog, hashes: dict[str, str] | None = None) -> str:
    """One hash for the whole product list, in order: tells a saved lexical index is in step."""
    digest = hashlib.sha256()
    for pid, product in catalog.products.items():
        digest.update(f"{pid}\0{hashes[pid] if hashes is not None else index_hash(product)}\n".encode())
    return digest.hexdigest()[:32]


def build_store(
    settings: Settings,
    spec: SourceSpec,
    embedder: Embedder | None,
    mapping: ColumnMapping | None = None,
    progress: Callable[[int, int], None] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> tuple[Catalog, ReindexResult]:
    """Load → (fail here, before touching anything, if the source is unreadable) → rejects file →
    the embedder (`None`: the settings', else the store's own, else its catalogue language's default) →
    vector index → a new snapshot generation (lexical index, catalogue, manifest) → the pointer
    switched to it → removed products' vectors deleted. `say` hears each stage as it starts.

    Killed at any point, the previous generation keeps serving and the next run finishes the job:
    the vector index is diffed against the catalogue by content hash, and a generation that was
    never published is removed and written again."""
    loaded = load_catalog(spec.path, spec.name, mapping)
    folder = settings.store_dir(spec.name)
    with closing(open_event_log(settings, spec.name)) as log:
        catalog = loaded.forget(log.forgotten())  # they stay forgotten on reload
    removed = len(loaded.events) - len(catalog.events)
    if removed:
        catalog.report.events.accepted -= removed
        catalog.report.events.dropped["shopper asked to be forgotten"] += removed
    write_rejects(catalog.report.rejections, folder / "rejects.jsonl")
    if embedder is None:  # the settings', else the one the store was built with, else its language's default
        embedder = embedder_from(settings, catalogue_language(p.title for p in catalog.products.values()), built_with(folder))
    index = VectorIndex.open(settings, spec.name, embedder.name)
    index.check_dim(embedder.dim, embedder.name)
    hashes = index_hashes(catalog)
    result = reindex(catalog, index, embedder, settings.reindex_batch_size, progress, hashes, delete_gone=False)
    about = dict(name=spec.name, source=spec.path.resolve(), embedder=embedder.name, products=len(catalog.products))
    generation = write_snapshot(folder, catalog, catalog_fingerprint(catalog, hashes), about, say, vectors=(index, hashes, embedder.name, result.fresh))
    generations.publish(folder, generation, say)
    index.delete(result.gone)  # nothing serves them now
    return catalog, result
