"""A store's products in a Chroma collection: embedded or server, the same code path."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np

from shopassist.catalog.models import Product
from shopassist.errors import ConfigError
from shopassist.settings import Settings

HASH_KEY = "content_hash"
CHROMA_MAX_BATCH = 5000  # Chroma caps one add at 5,461 records
# Reading every product's metadata: each get costs ~1 s at 1M products whatever its size (measured:
# 5,000 in 1.0 s, 30,000 in 1.7 s), so pages as large as SQLite's 32,766 bound variables allow (50,000 fails).
CHROMA_READ_PAGE = 30_000


def chroma_client(settings: Settings):
    """An embedded PersistentClient under the data directory, or an HttpClient for a server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as e:  # chromadb raises ValueError or its own errors when unreachable
            raise ConfigError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({e}) — start it with "
                "`chroma run --path DIR --port N` or drop --chroma-url to use the embedded index"
            ) from None
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def collection_name(store: str, embedder: str) -> str:
    """One collection per store and embedding model (3–512 chars, [A-Za-z0-9._-])."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{store}__{embedder}").strip("-._")
    return name[:500].ljust(3, "_")


def product_metadata(product: Product, content_hash: str) -> dict:
    """Filterable fields. Chroma has no null: a missing value is simply absent."""
    meta: dict = {HASH_KEY: content_hash, "in_stock": product.in_stock}
    if product.price is not None:
        meta["price"] = float(product.price)
    if product.brand:
        meta["brand"] = product.brand.lower()
    if product.category:
        meta["category"] = product.category.lower()
    return meta


@dataclass(frozen=True)
class Hit:
    id: str
    score: float  # cosine similarity, higher is better


class VectorIndex:
    def __init__(self, client, name: str):
        self.name = name
        self._collection = client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )

    @classmethod
    def open(cls, settings: Settings, store: str, embedder_name: str) -> "VectorIndex":
        return cls(chroma_client(settings), collection_name(store, embedder_name))

    def count(self) -> int:
        return self._collection.count()

    def check_dim(self, dim: int, embedder_name: str) -> None:
        """Raise ConfigError if the stored vectors are not `dim`-d (an empty index takes any)."""
        page = self._collection.get(include=["embeddings"], limit=1)
        if len(page["ids"]) and len(page["embeddings"][0]) != dim:
            raise ConfigError(
                f"the index {self.name!r} holds {len(page['embeddings'][0])}-d vectors but the embedder "
                f"{embedder_name!r} gives {dim}-d ones — serve the model the store was built with, or "
                "reindex under another --embedder name (a new index)"
            )

    def fingerprints(self) -> dict[str, str]:
        """id → content hash of every product in the collection."""
        out: dict[str, str] = {}
        for page in self._pages(["metadatas"], CHROMA_READ_PAGE):
            for id_, meta in zip(page["ids"], page["metadatas"]):
                out[id_] = (meta or {}).get(HASH_KEY, "")
        return out

    def _pages(self, include: list[str], size: int) -> Iterator[dict]:
        """The whole collection, `size` products at a time."""
        for offset in range(0, self.count(), size):
            yield self._collection.get(include=include, limit=size, offset=offset)

    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None:
        for start in range(0, len(ids), CHROMA_MAX_BATCH):
            end = start + CHROMA_MAX_BATCH
            self._collection.upsert(ids=list(ids[start:end]), embeddings=vectors[start:end], metadatas=list(metadatas[start:end]))

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), CHROMA_MAX_BATCH):
            self._collection.delete(ids=list(ids[start : start + CHROMA_MAX_BATCH]))

    def vectors(self, ids: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Stored vectors (all, or the given ids), for search paths that score in memory."""
        got_ids: list[str] = []
        chunks = []
        if ids is None:
            pages = self._pages(["embeddings"], CHROMA_MAX_BATCH)  # 5,000 vectors: ~20 MB a page from a server
        else:
            pages = (self._collection.get(ids=list(ids[o : o + CHROMA_MAX_BATCH]), include=["embeddings"]) for o in range(0, len(ids), CHROMA_MAX_BATCH))
        for page in pages:
            got_ids.extend(page["ids"])
            chunks.append(np.asarray(page["embeddings"], dtype=np.float32))
        matrix = np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)
        return got_ids, matrix

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[Hit]:
        """The k nearest (all there are, when fewer). Not capped by count() first: Chroma answers
        a larger k with what it has, and on a server the count is one more round trip per search."""
        if k <= 0:
            return []
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1), n_results=k, where=where, include=["distances"]
        )
        return [Hit(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0])]
