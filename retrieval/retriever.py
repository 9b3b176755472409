"""`Retriever.search(query, k)`: parse → filter → lexical + dense → fuse → candidates."""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from shopassist.catalog.product_table import InOrder
from shopassist.catalog.store import Catalog
from shopassist.retrieval.accessories import demote_accessories
from shopassist.retrieval.candidate import Candidate
from shopassist.retrieval.dense import DenseIndex
from shopassist.retrieval.embedder import Embedder
from shopassist.retrieval.filters import FilterColumns
from shopassist.retrieval.fusion import FusionConfig, fuse, lean_to_budget, top_indices, top_matches
from shopassist.retrieval.language import is_chinese
from shopassist.retrieval.lexical import LexicalIndex
from shopassist.retrieval.query import ParsedQuery, Vocabulary, parse_query
from shopassist.retrieval.translate import QueryTranslator
from shopassist.retrieval.vector_index import Hit, VectorIndex
from shopassist.errors import EmptyQuery

METHODS = ("hybrid", "bm25", "dense")  # fused (what the assistant serves), and each half alone for comparison
EMBEDDING_THREADS = 4  # queries embedded at once (one per search in flight; the UI serves several shoppers)
# Chroma path, filtered: neighbours asked for per product the filters are expected to keep, and
# the most asked for unfiltered. Measured on a `chroma run` server over the 1M real-model store:
# 4,000 neighbours in ~30 ms, 16,000 in ~100, 32,000 in 200-520; a `where` clause took 1.1-1.5 s
# (4.2 s for a brand `$nin` alone) however few it returned, so asking for up to 32,000 is still
# cheaper. 4,000 were too few for 4 of the 57 filtered dev queries ("laser printer under $20": 0
# of them passed); 32,000 were enough for all four (92 of 16,000 passed for that one, 405 of 32,000).
CHROMA_OVERFETCH, CHROMA_UNFILTERED_MAX = 2, 32_000
CHEAP_PERCENTILE = 40  # "cheap" keeps the cheaper 40% of what matched the words


@dataclass(frozen=True)
class SearchResult:
    query: ParsedQuery
    candidates: list[Candidate]
    translation: str | None = None  # the English words searched for a Chinese query, if translated


class Retriever:
    def __init__(
        self,
        catalog: Catalog,
        embedder: Embedder,
        lexical: LexicalIndex,
        dense: DenseIndex,
        fusion: FusionConfig = FusionConfig(),
        vector_index: VectorIndex | None = None,
        dense_mode: str = "memory",
        translator: QueryTranslator | None = None,
    ):
        """`translator`: set (by the factory) when the catalogue is not Chinese, so a Chinese
        query's words are searched in the catalogue's language."""
        if lexical.ids != dense.ids:
            raise ValueError("lexical and dense indices must list the same products in the same order")
        self.catalog, self.embedder, self.lexical, self.dense, self.fusion = catalog, embedder, lexical, dense, fusion
        # Built when a product is shown, not here: a million-product store holds columns, not objects.
        self.products = InOrder(catalog.products, lexical.ids)
        self.columns = FilterColumns.of_catalogue(catalog.products, lexical.ids)
        self.vocabulary = Vocabulary(self.columns.brands)
        self.vector_index, self.dense_mode, self.translator = vector_index, dense_mode, translator
        self._position: dict[str, int] | None = None  # id → row, for the chroma path only (built on its first query)
        # Threads start with the first query that embeds; a retriever swapped out by a reindex takes them with it.
        self._embedding_threads = ThreadPoolExecutor(max_workers=EMBEDDING_THREADS, thread_name_prefix="query-embedding")

    def parse(self, text: str) -> ParsedQuery:
        return parse_query(text, self.vocabulary)

    def search(self, query: str | ParsedQuery, k: int = 10, method: str = "hybrid") -> list[Candidate]:
        """Top-k products for a query. Raises EmptyQuery when there is nothing to search for.

        >>> from shopassist.catalog.models import Product
        >>> from shopassist.retrieval.embedder import load_embedder
        >>> products = [Product("1", "RED MUG", "Red Mug", price=4.5), Product("2", "BLUE MUG", "Blue Mug", price=12.0),
        ...             Product("3", "RED SCARF", "Red Scarf", price=8.0)]
        >>> lexical, embedder = LexicalIndex.build(products), load_embedder("all-minilm-l6-v2")
        >>> dense = DenseIndex(lexical.ids, embedder.embed([p.search_text() for p in products]))
        >>> retriever = Retriever(Catalog("toy", {p.id: p for p in products}), embedder, lexical, dense)
        >>> [(c.product.display_title, c.product.price) for c in retriever.search("red mug under £10", 3)]
        [('Red Mug', 4.5), ('Red Scarf', 8.0)]
        """
        return self.run(query, k, method).candidates

    def run(self, query: str | ParsedQuery, k: int = 10, method: str = "hybrid") -> SearchResult:
        if method not in METHODS:  # else a typo such as "bm-25" would silently run hybrid
            raise ValueError(f"search method {method!r} is not one of {', '.join(METHODS)}")
        parsed = self.parse(query) if isinstance(query, str) else query
        if parsed.is_empty:
            raise EmptyQuery("there is nothing to search for — describe what you are looking for, e.g. 'a red mug under £10'")
        if not parsed.has_words:  # only constraints ("under £10"): everything that fits, cheapest first
            return SearchResult(parsed, self._by_price(self.columns.mask(parsed), k))
        translation = self.translator.translate(parsed.text) if self.translator and is_chinese(parsed.text) else None
        # An English-only model embeds the translation (measured: README); a multilingual one the query as typed.
        dense_text = parsed.text if self.embedder.multilingual else translation or parsed.text
        # The query's embedding (~10 ms) is computed on the other core while this one builds the
        # filter mask and scores the words (2-8 ms at 1M products); only dense scoring needs the vector.
        vector = self._embedding(dense_text) if method != "bm25" else None
        mask = self.columns.mask(parsed)
        lexical = self.lexical.scores(translation or parsed.text) if method != "dense" else None
        dense, dense_top = self._dense_scores(parsed, vector.result(), mask) if vector is not None else (None, None)
        if parsed.cheap:
            mask, dense_top = self._cheap_mask(parsed, lexical, dense, mask), None
        if method == "bm25":
            order = top_matches(lexical, k, mask)
            fused = lexical[order]
        elif method == "dense":
            order = dense_top[:k] if dense_top is not None and len(dense_top) >= k else top_indices(dense, k, mask)
            fused = dense[order]
        else:
            order, fused = fuse(lexical, dense, self.fusion, mask, dense_top)
            order, fused = demote_accessories(order, fused, self.products.titles, translation or parsed.text, self.fusion.accessory_penalty)
            if parsed.budget is not None:
                order, fused = lean_to_budget(order, fused, self.columns.price, parsed.budget, self.fusion.budget_weight)
            order, fused = order[:k], fused[:k]
        candidates = []
        for i, score in zip(order.tolist(), fused.tolist()):
            scores = {}
            if lexical is not None:
                scores["bm25"] = float(lexical[i])
            if dense is not None:
                scores["dense"] = float(dense[i])
            candidates.append(Candidate(self.products[i], float(score), scores))
        return SearchResult(parsed, candidates, translation)

    def _embedding(self, text: str) -> Future[np.ndarray]:
        return self._embedding_threads.submit(lambda: self.embedder.embed([text], query=True)[0])

    def _dense_scores(self, parsed: ParsedQuery, vector: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Every product's dense score, and the best of `mask` first when the index has already ranked them (compact)."""
        if self.dense_mode == "memory":
            return self.dense.ranked(vector, mask)
        # "chroma": the collection's HNSW; products it does not return score -1.
        scores = np.full(len(self.products), -1.0, dtype=np.float32)
        if self._position is None:
            self._position = {pid: i for i, pid in enumerate(self.lexical.ids)}
        for hit in self._chroma_hits(parsed, vector, mask):
            scores[self._position[hit.id]] = hit.score
        return scores, None

    def _chroma_hits(self, parsed: ParsedQuery, vector: np.ndarray, mask: np.ndarray | None) -> list[Hit]:
        """The pool's best products that pass the filters, from Chroma. A `where` clause makes the
        server scan every product's metadata: at 1M products 1.1-7 s a query. Unless the filters keep
        few products, more neighbours are asked for unfiltered (~13 ms for 1,500 at 1M) and the mask
        this process already holds keeps those that pass — more again when too few of them do — and
        the `where` clause is asked only when even CHROMA_UNFILTERED_MAX are not enough. The same
        products either way: once `pool` of the neighbours pass, the best `pool` that pass are those."""
        pool, position = self.fusion.pool, self._position
        where = self.columns.chroma_where(parsed)
        if where is not None and mask is not None:
            wanted, asked = math.ceil(pool / max(float(mask.mean()), 1e-9) * CHROMA_OVERFETCH), 0
            while asked < wanted <= CHROMA_UNFILTERED_MAX:
                near = self.vector_index.query(vector, wanted)
                hits = [h for h in near if h.id in position and mask[position[h.id]]]  # type: ignore[index]
                if len(hits) >= pool or len(near) < wanted:  # enough, or every product was asked
                    return hits[:pool]
                # A query's neighbours may pass the filters less often than the catalogue does ("windows
                # 10 under $1000": 87% of products pass, few of its neighbours): ask again at the rate seen.
                asked = wanted
                wanted = min(CHROMA_UNFILTERED_MAX, max(2 * asked, math.ceil(pool * len(near) / max(len(hits), 1) * CHROMA_OVERFETCH)))
        return [h for h in self.vector_index.query(vector, pool, where=where) if h.id in position]  # type: ignore[operator]

    def _cheap_mask(self, parsed, lexical, dense, mask):
        """'cheap' with no number: keep the cheaper part of what matches the words."""
        relevance = lexical if dense is None else dense if lexical is None else None
        if relevance is None:
            order, _ = fuse(lexical, dense, self.fusion, mask)
        else:
            order = top_indices(relevance, 50, mask)
        prices = self.columns.price[order[:50]]
        prices = prices[~np.isnan(prices)]
        if prices.size == 0:
            return mask
        bound = float(np.percentile(prices, CHEAP_PERCENTILE))
        with np.errstate(invalid="ignore"):
            cheap = self.columns.price <= bound
        return cheap if mask is None else mask & cheap

    def _by_price(self, mask, k):
        allowed = np.flatnonzero(mask) if mask is not None else np.arange(len(self.products))
        prices = self.columns.price[allowed]
        order = allowed[np.argsort(np.where(np.isnan(prices), np.inf, prices), kind="stable")][:k]
        return [Candidate(self.products[i], 0.0, {}) for i in order.tolist()]
