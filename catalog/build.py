"""Build or refresh one store: load and clean its source, index it, snapshot it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.event_log import EventLog
from catalog.reindex import ReindexResult, catalog_fingerprint, reindex, write_manifest
from catalog.sources.product_table import ColumnMapping
from catalog.store import DEMO, Catalog, demo_source, load_catalog, store_name_for
from retrieval.embedder import Embedder
from retrieval.lexical import LexicalIndex
from retrieval.vector_index import VectorIndex
from shopassist.errors import StoreNotFound
from shopassist.settings import Settings


@dataclass(frozen=True)
class SourceSpec:
    """Which store, from which files."""

    name: str
    path: Path

    @classmethod
    def resolve(cls, settings: Settings, store: str | None, catalog: Path | None) -> "SourceSpec":
        """`--store demo` → the shipped demo; `--catalog PATH [--store NAME]` → that file or folder;
        `--store NAME` alone → the source NAME was last built from."""
        if catalog is not None:
            return cls(store or store_name_for(Path(catalog)), Path(catalog))
        name = store or DEMO
        if name == DEMO:
            return cls(DEMO, demo_source())
        manifest = settings.store_dir(name) / "store.json"
        if not manifest.exists():
            raise StoreNotFound(f"store {name!r} is unknown — build it with: shopassist reindex --catalog PATH --store {name}")
        return cls(name, Path(json.loads(manifest.read_text())["source"]))


def build_store(
    settings: Settings,
    spec: SourceSpec,
    embedder: Embedder,
    mapping: ColumnMapping | None = None,
    progress: Callable[[int, int], None] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> tuple[Catalog, ReindexResult]:
    """Load → (fail here, before touching anything, if the source is unreadable) → rejects file →
    vector index → lexical index → snapshot → manifest. `say` hears each stage as it starts.

    Killed at any point, the next run finishes the job: the vector index is diffed against the
    catalogue by content hash, the lexical index is replaced whole and rebuilt unless its
    fingerprint matches the catalogue, and the snapshot files are each replaced atomically."""
    catalog = load_catalog(spec.path, spec.name, mapping)
    folder = settings.store_dir(spec.name)
    removed = catalog.forget(EventLog(folder / "events.db").forgotten())  # they stay forgotten on reload
    if removed:
        catalog.report.events.accepted -= removed
        catalog.report.events.dropped["shopper asked to be forgotten"] += removed
    catalog.report.write_rejects(folder / "rejects.jsonl")
    index = VectorIndex.open(settings, spec.name, embedder.name)
    result = reindex(catalog, index, embedder, settings.reindex_batch_size, progress)
    fingerprint = catalog_fingerprint(catalog)
    if LexicalIndex.load(folder / "bm25", fingerprint) is None:  # rebuilt when products or settings changed
        say("writing the lexical index …")
        LexicalIndex.build(list(catalog.products.values())).save(folder / "bm25", fingerprint)
    say("writing the store snapshot …")
    catalog.save(folder)
    write_manifest(folder, name=spec.name, source=spec.path.resolve(), embedder=embedder.name, products=len(catalog.products))
    return catalog, result
