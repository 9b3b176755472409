"""Incremental re-index: embed only what changed since the last run, delete what is gone.

Safe to interrupt: each batch is embedded and upserted together with its content hash, so a
killed run leaves a collection whose hashes say exactly which products are done; the next run
embeds the rest and deletes stale ids. Nothing is duplicated because ids are Chroma's keys.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from catalog.models import Product
from catalog.store import Catalog
from retrieval.embedder import Embedder
from retrieval.vector_index import VectorIndex, product_metadata

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

    def to_dict(self) -> dict:
        return asdict(self)


def index_hash(product: Product) -> str:
    return hashlib.sha256(f"{EMBED_TEXT_VERSION}:{product.content_hash()}".encode()).hexdigest()[:32]


def reindex(
    catalog: Catalog,
    index: VectorIndex,
    embedder: Embedder,
    batch_size: int = 1024,
    progress: Callable[[int, int], None] | None = None,
) -> ReindexResult:
    """Bring `index` in step with `catalog`; `progress(done, total)` follows the embedding."""
    started = time.perf_counter()
    stored = index.fingerprints()
    wanted = {pid: index_hash(p) for pid, p in catalog.products.items()}
    new = [pid for pid in wanted if pid not in stored]
    changed = [pid for pid in wanted if pid in stored and stored[pid] != wanted[pid]]
    gone = [pid for pid in stored if pid not in wanted]
    todo = new + changed
    if progress:
        progress(0, len(todo))
    for start in range(0, len(todo), batch_size):
        ids = todo[start : start + batch_size]
        products = [catalog.products[i] for i in ids]
        vectors = embedder.embed([p.search_text() for p in products])
        index.upsert(ids, vectors, [product_metadata(p, wanted[p.id]) for p in products])
        if progress:
            progress(start + len(ids), len(todo))
    index.delete(gone)
    return ReindexResult(
        added=len(new),
        updated=len(changed),
        deleted=len(gone),
        unchanged=len(wanted) - len(todo),
        rejected=len(catalog.report.rejections),
        seconds=round(time.perf_counter() - started, 3),
    )


def catalog_fingerprint(catalog: Catalog) -> str:
    """One hash for the whole product list, in order: tells a saved lexical index is in step."""
    digest = hashlib.sha256()
    for pid, product in catalog.products.items():
        digest.update(f"{pid}\0{index_hash(product)}\n".encode())
    return digest.hexdigest()[:32]


def write_manifest(folder: Path, **fields: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "store.json").write_text(json.dumps(fields, indent=2, default=str))
