"""Rankers the assistant calls: retrieval's candidates reordered for one shopper, with reasons.

The final score blends query relevance with the personal score, each standardised within the
candidate list; a product like one the shopper turned down in this session is pushed down, the
turned-down product itself is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from shopassist.catalog.store import Catalog
from shopassist.ranking import features
from shopassist.ranking.contract import RankContext, Suggestion
from shopassist.ranking.history import ItemHistories, ShopperState, item_codes
from shopassist.ranking.pipeline import Trained
from shopassist.ranking.reasons import Evidence, reason, short_title
from shopassist.retrieval.candidate import Candidate
from shopassist.threads import torch_threads


@dataclass(frozen=True)
class Blend:
    # No query logs exist to learn how much a stated need outweighs taste, so each gets an equal
    # say (both standardised over the candidate list); raise it to follow the query more closely.
    relevance: float = 1.0
    dislike: float = 1.5  # standard deviations removed per unit of text similarity to a disliked product


class _CatalogRanker:
    """What both rankers share: the catalogue version they serve and its shoppers' item histories."""

    index: dict[str, int]
    catalog: Catalog
    item_histories: ItemHistories

    def forget(self, catalog: Catalog) -> None:
        """Serve `catalog`, a version of this ranker's catalogue that has forgotten some shoppers
        (`Catalog.forget`): item histories are built for it, then swapped in with one assignment,
        so a ranking already under way finishes on the ones it read.

        >>> from datetime import datetime
        >>> from shopassist.catalog.events import events_table
        >>> from shopassist.catalog.models import Event, Product
        >>> shop = Catalog("toy", {"a": Product("a", "A", "A")}, {}, events_table([Event("ann", "a", "purchase", datetime(2024, 1, 1))]))
        >>> ranker, mug = PopularityRanker(shop), [Candidate(shop.products["a"], 1.0)]
        >>> ranker.rank("ann", mug)[0].reason
        'you bought this before'
        >>> ranker.forget(shop.forget({"ann"}))
        >>> ranker.rank("ann", mug)[0].reason
        'matches your search'
        """
        self._serve(catalog)

    def _serve(self, catalog: Catalog) -> None:
        histories = ItemHistories(catalog.shopper_events, self.index)
        # Versions differ only in shoppers and events; products are shared, so either catalogue
        # answers a ranking that reads `catalog` just before or after this swap.
        self.catalog, self.item_histories = catalog, histories


class TrainedRanker(_CatalogRanker):
    """The final ranker from `shopassist train`: every model's signal, combined as learned.

    >>> from shopassist.ranking.interactions import toy
    >>> from shopassist.ranking.pipeline import toy_trained
    >>> shop = Catalog("toy", {p.id: p for p in toy(["abcdewxyz"]).products})
    >>> ranked = TrainedRanker(toy_trained(), shop).rank(None, [Candidate(shop.products["a"], 0.5)])
    >>> ranked[0].product.id, ranked[0].reason
    ('a', 'matches your search')
    """

    def __init__(self, trained: Trained, catalog: Catalog, blend: Blend = Blend()):
        self.trained, self.blend = trained, blend
        self.index = {pid: i for i, pid in enumerate(trained.item_ids)}
        self._serve(catalog)
        counts = trained.models["popularity"].counts
        self._counts = counts
        self._popularity = np.argsort(np.argsort(counts, kind="stable"), kind="stable") / max(len(counts) - 1, 1)

    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]:
        context, state, cands, codes = _prepare(self.item_histories, self.index, shopper_id, candidates, context)
        if not cands:
            return []
        text = self._text(codes, cands)
        personal, rows = self._personal(state, codes, cands, text)
        relevance = np.array([c.score for c in cands], np.float64)
        penalty = self.blend.dislike * self._dislike_similarity(state, text)
        final = self.blend.relevance * _z(relevance) + _z(personal) - penalty
        evidence = self._evidence(state, codes, rows, text)
        signals = [
            {"relevance": r, "personal": p, "dislike_penalty": d} | {n: v for n, v in zip(features.FEATURES, row) if v}
            for r, p, d, row in zip(relevance.tolist(), personal.tolist(), penalty.tolist(), rows.tolist())
        ]
        return _suggestions(cands, final, evidence, signals, context.constraints)

    # -- the personal score ---------------------------------------------------------
    def _personal(self, state: ShopperState, codes: np.ndarray, cands: Sequence[Candidate], text) -> tuple[np.ndarray, np.ndarray]:
        t = self.trained
        known = codes >= 0
        if not len(state.items):  # a new shopper: what sells is all that is known
            rows = np.zeros((len(cands), len(features.FEATURES)), np.float32)
            rows[:, features.FEATURES.index("popularity")] = np.where(known, np.log1p(self._counts[np.maximum(codes, 0)]), 0.0)
            return rows[:, features.FEATURES.index("popularity")].astype(np.float64), rows
        with torch_threads(1):  # one shopper: tiny tensors (see shopassist/threads.py)
            signals = features.Signals.compute(t.models, [state.items])
        attributes = t.encoder.attributes
        cols = np.where(known, codes, 0)
        unknown = np.flatnonzero(~known)
        if len(unknown):  # products newer than the models: extra columns, scored through their text
            signals, attributes = self._with_new_products(state, signals, [cands[j].product for j in unknown], text[unknown])
            cols[unknown] = len(t.item_ids) + np.arange(len(unknown))
        rows = features.build(signals, [cols], attributes)[0]
        return t.combiner.score(rows).astype(np.float64), rows

    def _with_new_products(self, state: ShopperState, signals: features.Signals, products, tfidf):
        t = self.trained
        _, attrs = t.encoder.encode(products)
        scores = {}
        for name, s in signals.scores.items():
            extra = np.full((1, len(products)), s.min(), np.float32)  # the least any known item gets
            if name == "content":
                extra = t.models["content"].score_products([state.items], tfidf)
            elif name == "popularity":
                extra = np.zeros((1, len(products)), np.float32)  # log(1 + 0 events)
            scores[name] = np.hstack([s, extra])
        return features.Signals(signals.histories, scores), np.vstack([t.encoder.attributes, attrs])

    def _text(self, codes: np.ndarray, cands: Sequence[Candidate]):
        """Candidates' TF-IDF rows: the trained ones, or encoded now for products newer than the models."""
        enc = self.trained.encoder
        known_rows = enc.tfidf[np.maximum(codes, 0)]
        unknown = np.flatnonzero(codes < 0)
        if not len(unknown):
            return known_rows
        fresh, _ = enc.encode([cands[j].product for j in unknown])
        order = np.arange(len(codes))
        order[unknown] = len(codes) + np.arange(len(unknown))  # each unknown row taken from `fresh`
        return sp.vstack([known_rows, fresh]).tocsr()[order]

    def _evidence(self, state: ShopperState, codes: np.ndarray, rows: np.ndarray, text) -> list[Evidence]:
        """What each candidate's reason may cite, computed for all candidates at once (this runs per request)."""
        t, col = self.trained, {n: j for j, n in enumerate(features.FEATURES)}
        newest_first = state.items[::-1]
        _, first = np.unique(newest_first[:50], return_index=True)
        at = np.sort(first)[:10]  # positions (newest first) of the 10 most recent distinct items
        recent, verbs = newest_first[at], [state.verb(len(state.items) - 1 - i) for i in at]
        known = codes >= 0
        co = _similarity(t.models.get("cooc"), recent, np.maximum(codes, 0)) * known
        alike = np.asarray((t.encoder.tfidf[recent] @ text.T).todense()) if len(recent) else np.zeros((0, len(codes)))
        titles = [self._title(i) for i in recent]
        carts = np.array([v == "added to your cart" for v in verbs], bool)
        near = np.argsort(-co, axis=0, kind="stable")[:2]  # (2, candidates): the strongest co-bought recent items
        best_text = alike.argmax(axis=0) if len(recent) else np.zeros(len(codes), np.int64)
        with_cart = carts[:, None] & ((co > 0) | (alike >= 0.3))
        cooc_near = np.expm1(rows[:, col["cooc_rank"]]) < 100
        sasrec_next = ((np.expm1(rows[:, col["sasrec_rank"]]) < 20) & known & (len(recent) > 0)).tolist()
        share = np.where(known, self._counts[np.maximum(codes, 0)] / max(self._counts.sum(), 1.0), 0.0)
        lift = (np.where(share > 0, np.exp(rows[:, col["popularity_segment"]]) / np.maximum(share, 1e-12), 0.0) if len(recent) else np.zeros(len(codes))).tolist()
        seen = (rows[:, col["seen"]] > 0).tolist()
        has_recent = len(recent) > 0
        near_pairs = [
            [(verbs[i], titles[i]) for i in near[:, j].tolist() if co[i, j] > 0] if has_recent and ok else []
            for j, ok in enumerate(cooc_near.tolist())
        ]
        mates = [tuple(titles[i] for i in np.flatnonzero(with_cart[:, j])) for j in np.flatnonzero(with_cart.any(axis=0))]
        mates_of = dict(zip(np.flatnonzero(with_cart.any(axis=0)).tolist(), mates))
        resembles = (alike[best_text, np.arange(len(codes))] >= 0.3).tolist() if has_recent else [False] * len(codes)
        popularity = np.where(known, self._popularity[np.maximum(codes, 0)], 0.0).tolist()
        out = []
        for j, code in enumerate(codes.tolist()):
            b = int(best_text[j])
            out.append(
                Evidence(
                    seen_verb=state.verb(state.last_position(code)) if seen[j] else None,
                    cart_mates=mates_of.get(j, ()),
                    bought_with=tuple(near_pairs[j]),
                    similar_to=(verbs[b], titles[b]) if resembles[j] else None,
                    follows=titles[0] if sasrec_next[j] else None,
                    segment_lift=lift[j],
                    popularity=popularity[j],
                )
            )
        return out

    def _title(self, code: int) -> str:
        pid = self.trained.item_ids[code]
        product = self.catalog.products.get(pid)
        return short_title(product.display_title) if product else pid

    def _dislike_similarity(self, state: ShopperState, text) -> np.ndarray:
        """Per candidate, its highest text similarity (0..1) to a product turned down in this session."""
        if not state.disliked:
            return np.zeros(text.shape[0])
        enc = self.trained.encoder
        known = [self.index[p] for p in state.disliked if p in self.index]
        fresh = [self.catalog.products[p] for p in state.disliked if p not in self.index and p in self.catalog.products]
        bad = [enc.tfidf[known]] if known else []
        if fresh:  # turned down a product newer than the models: encode its text now
            bad.append(enc.encode(fresh)[0])
        if not bad:
            return np.zeros(text.shape[0])
        return np.asarray((text @ sp.vstack(bad).T).max(axis=1).todense()).ravel()


class PopularityRanker(_CatalogRanker):
    """The untrained ranker: query relevance and what sells in this store (before `shopassist train`).

    >>> from shopassist.catalog.models import Product
    >>> shop = Catalog("toy", {"a": Product("a", "A", "A")})
    >>> PopularityRanker(shop).rank(None, [Candidate(shop.products["a"], 1.0)], RankContext(constraints=["under £10"]))[0].reason
    "matches 'under £10'"
    """

    def __init__(self, catalog: Catalog, blend: Blend = Blend()):
        self.blend = blend
        ids = list(catalog.products)
        self.index = {pid: i for i, pid in enumerate(ids)}
        self._serve(catalog)
        # Counted once, like a trained model's counts: a forgotten shopper's share goes when the
        # ranker is next built, not at `forget` (their personal signal goes at once).
        codes = item_codes(catalog.shopper_events, self.index)
        self._counts = np.bincount(codes[codes >= 0], minlength=len(ids)).astype(np.float64)
        self._popularity = np.argsort(np.argsort(self._counts, kind="stable"), kind="stable") / max(len(ids) - 1, 1)

    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]:
        context, state, cands, codes = _prepare(self.item_histories, self.index, shopper_id, candidates, context)
        if not cands:
            return []
        pop = np.where(codes >= 0, np.log1p(self._counts[np.maximum(codes, 0)]), 0.0)
        relevance = np.array([c.score for c in cands], np.float64)
        final = self.blend.relevance * _z(relevance) + _z(pop)
        evidence = [
            Evidence(seen_verb=state.verb(at) if (at := state.last_position(c)) >= 0 else None, popularity=float(self._popularity[c]))
            if c >= 0
            else Evidence()
            for c in codes.tolist()
        ]
        signals = [{"relevance": float(r), "popularity": float(p)} for r, p in zip(relevance, pop)]
        return _suggestions(cands, final, evidence, signals, context.constraints)


def _prepare(histories: ItemHistories, index, shopper_id, candidates, context):
    """(context, shopper state, candidates left after this session's dislikes, their item codes; -1 = unknown)."""
    context = context or RankContext()
    state = histories.state(shopper_id, context.recent)
    cands = [c for c in candidates if c.product.id not in state.disliked]
    return context, state, cands, np.array([index.get(c.product.id, -1) for c in cands], np.int64)


def _suggestions(cands, final, evidence, signals, constraints) -> list[Suggestion]:
    order = np.argsort(-final, kind="stable")  # ties keep retrieval's order
    return [Suggestion(cands[j].product, float(final[j]), reason(evidence[j], tuple(constraints)), signals[j]) for j in order]


def _z(x: np.ndarray) -> np.ndarray:
    """Standardised within the list; a constant list says nothing (all 0)."""
    x = np.asarray(x, np.float64)
    sd = x.std()
    return (x - x.mean()) / sd if sd > 1e-12 else np.zeros_like(x)


def _similarity(model, recent: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """(len(recent), len(codes)) item-item similarity from a model's neighbourhood matrix (0 without one)."""
    if model is None or not len(recent):
        return np.zeros((len(recent), len(codes)), np.float32)
    return model.similarity[recent][:, codes].toarray()
