"""Rankers the assistant calls: retrieval's candidates reordered for one shopper, with reasons.

The final score blends query relevance with the personal score, each standardised within the
candidate list; a product like one the shopper turned down in this session is pushed down, the
turned-down product itself is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from catalog.store import Catalog
from ranking import features
from ranking.contract import RankContext, Suggestion
from ranking.history import Histories, ShopperState
from ranking.pipeline import Trained
from ranking.reasons import Evidence, reason, short_title
from retrieval.candidate import Candidate


@dataclass(frozen=True)
class Blend:
    # No query logs exist to learn how much a stated need outweighs taste, so each gets an equal
    # say (both standardised over the candidate list); raise it to follow the query more closely.
    relevance: float = 1.0
    dislike: float = 1.5  # standard deviations removed per unit of text similarity to a disliked product


class TrainedRanker:
    """The final ranker from `shopassist train`: every model's signal, combined as learned.

    >>> from ranking.interactions import toy
    >>> from ranking.pipeline import toy_trained
    >>> shop = Catalog("toy", {p.id: p for p in toy(["abcdewxyz"]).products})
    >>> ranked = TrainedRanker(toy_trained(), shop).rank(None, [Candidate(shop.products["a"], 0.5)])
    >>> ranked[0].product.id, ranked[0].reason
    ('a', 'matches your search')
    """

    def __init__(self, trained: Trained, catalog: Catalog, blend: Blend = Blend()):
        self.trained, self.catalog, self.blend = trained, catalog, blend
        self.index = {pid: i for i, pid in enumerate(trained.item_ids)}
        self.histories = Histories(catalog, self.index)
        counts = trained.models["popularity"].counts
        self._counts = counts
        self._popularity = np.argsort(np.argsort(counts, kind="stable"), kind="stable") / max(len(counts) - 1, 1)

    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]:
        context, state, cands, codes = _prepare(self.histories, self.index, shopper_id, candidates, context)
        if not cands:
            return []
        text = self._text(codes, cands)
        personal, rows = self._personal(state, codes, cands, text)
        relevance = np.array([c.score for c in cands], np.float64)
        penalty = self.blend.dislike * self._dislike_similarity(state, text)
        final = self.blend.relevance * _z(relevance) + _z(personal) - penalty
        evidence = self._evidence(state, codes, rows, text)
        signals = [
            {"relevance": float(relevance[j]), "personal": float(personal[j]), "dislike_penalty": float(penalty[j])}
            | {name: float(v) for name, v in zip(features.FEATURES, rows[j]) if v}
            for j in range(len(cands))
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
        rows = enc.tfidf[np.maximum(codes, 0)].tolil()
        unknown = np.flatnonzero(codes < 0)
        if len(unknown):
            fresh, _ = enc.encode([cands[j].product for j in unknown])
            for k, j in enumerate(unknown):
                rows[j] = fresh[k]
        return rows.tocsr()

    def _evidence(self, state: ShopperState, codes: np.ndarray, rows: np.ndarray, text) -> list[Evidence]:
        t, col = self.trained, {n: j for j, n in enumerate(features.FEATURES)}
        recent = state.items[-10:][::-1]  # newest first
        co = _similarity(t.models.get("cooc"), recent, np.maximum(codes, 0))
        co[:, codes < 0] = 0.0
        alike = np.asarray((t.encoder.tfidf[recent] @ text.T).todense()) if len(recent) else np.zeros((0, len(codes)))
        titles = [self._title(i) for i in recent]
        verbs = list(state.verbs[-10:][::-1])
        carts = np.array([v == "added to your cart" for v in verbs], bool)
        last_verb = {int(i): v for i, v in zip(state.items, state.verbs)}  # later events overwrite earlier
        overall = self._counts / max(self._counts.sum(), 1.0)
        out = []
        for j, code in enumerate(codes):
            near = np.flatnonzero(co[:, j] > 0)
            near = near[np.argsort(-co[near, j], kind="stable")]
            best_text = int(alike[:, j].argmax()) if len(recent) else -1
            rank = {m: np.expm1(rows[j, col[m + "_rank"]]) for m in ("cooc", "sasrec")}
            share = overall[code] if code >= 0 else 0.0
            out.append(
                Evidence(
                    seen_verb=last_verb.get(int(code)) if code >= 0 else None,
                    cart_mates=tuple(titles[i] for i in np.flatnonzero(carts & ((co[:, j] > 0) | (alike[:, j] >= 0.3)))),
                    bought_with=tuple((verbs[i], titles[i]) for i in near) if rank["cooc"] < 100 else (),
                    similar_to=(verbs[best_text], titles[best_text]) if best_text >= 0 and alike[best_text, j] >= 0.3 else None,
                    follows=titles[0] if len(recent) and code >= 0 and rank["sasrec"] < 20 else None,
                    segment_lift=float(np.exp(rows[j, col["popularity_segment"]]) / share) if share > 0 and len(recent) else 0.0,
                    popularity=float(self._popularity[code]) if code >= 0 else 0.0,
                )
            )
        return out

    def _title(self, code: int) -> str:
        pid = self.trained.item_ids[code]
        product = self.catalog.products.get(pid)
        return short_title(product.display_title) if product else pid

    def _dislike_similarity(self, state: ShopperState, text) -> np.ndarray:
        """Per candidate, its highest text similarity (0..1) to a product turned down in this session."""
        gone = [self.catalog.products[p] for p in state.disliked if p in self.catalog.products]
        if not gone:
            return np.zeros(text.shape[0])
        bad, _ = self.trained.encoder.encode(gone)
        return np.asarray((text @ bad.T).max(axis=1).todense()).ravel()


class PopularityRanker:
    """The untrained ranker: query relevance and what sells in this store (before `shopassist train`).

    >>> from catalog.models import Product
    >>> shop = Catalog("toy", {"a": Product("a", "A", "A")})
    >>> PopularityRanker(shop).rank(None, [Candidate(shop.products["a"], 1.0)], RankContext(constraints=["under £10"]))[0].reason
    "matches 'under £10'"
    """

    def __init__(self, catalog: Catalog, blend: Blend = Blend()):
        self.catalog, self.blend = catalog, blend
        ids = list(catalog.products)
        self.index = {pid: i for i, pid in enumerate(ids)}
        self.histories = Histories(catalog, self.index)
        events = catalog.events
        sold = events["product_id"].astype(str).map(self.index).dropna().to_numpy(np.int64) if len(events) else np.zeros(0, np.int64)
        self._counts = np.bincount(sold, minlength=len(ids)).astype(np.float64)
        self._popularity = np.argsort(np.argsort(self._counts, kind="stable"), kind="stable") / max(len(ids) - 1, 1)

    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]:
        context, state, cands, codes = _prepare(self.histories, self.index, shopper_id, candidates, context)
        if not cands:
            return []
        pop = np.where(codes >= 0, np.log1p(self._counts[np.maximum(codes, 0)]), 0.0)
        relevance = np.array([c.score for c in cands], np.float64)
        final = self.blend.relevance * _z(relevance) + _z(pop)
        last_verb = {int(i): v for i, v in zip(state.items, state.verbs)}
        evidence = [Evidence(seen_verb=last_verb.get(int(c)), popularity=float(self._popularity[c])) if c >= 0 else Evidence() for c in codes]
        signals = [{"relevance": float(r), "popularity": float(p)} for r, p in zip(relevance, pop)]
        return _suggestions(cands, final, evidence, signals, context.constraints)


def _prepare(histories: Histories, index, shopper_id, candidates, context):
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
