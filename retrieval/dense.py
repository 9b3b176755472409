"""Dense search: the query's embedding against the store's Chroma collection."""

from __future__ import annotations

from catalog.store import Catalog
from retrieval.candidate import Candidate
from retrieval.embedder import Embedder
from retrieval.vector_index import VectorIndex


class DenseSearcher:
    def __init__(self, catalog: Catalog, index: VectorIndex, embedder: Embedder):
        self.catalog, self.index, self.embedder = catalog, index, embedder

    def search(self, text: str, k: int = 10) -> list[Candidate]:
        """Top-k products by cosine similarity; ids the snapshot lacks (a run cut short) are skipped."""
        vector = self.embedder.embed([text], query=True)[0]
        hits = self.index.query(vector, k)
        return [
            Candidate(self.catalog.products[h.id], h.score, {"dense": h.score})
            for h in hits
            if h.id in self.catalog.products
        ]
