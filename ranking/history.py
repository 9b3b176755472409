"""What the ranker knows about a shopper at request time: their stored events plus this session's.

`Catalog.history` filters the whole events table per call (tens of milliseconds on the demo store);
ranking needs it per request, so the stored events are grouped once, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopassist.catalog.models import Event
from shopassist.catalog.store import Catalog
from shopassist.ranking.sources import POSITIVE_KINDS

VERBS = {"purchase": "bought", "view": "viewed", "cart": "added to your cart", "like": "liked", "rating": "rated"}


@dataclass(frozen=True)
class ShopperState:
    items: np.ndarray  # item codes the models read, oldest first; this session's cart adds come last
    kinds: np.ndarray  # per item, the event kind ("purchase", "cart", …)
    in_session: np.ndarray  # per item, True when it comes from this session's events
    disliked: frozenset[str]  # product ids the shopper turned down in this session
    known: bool  # the shopper has stored history

    def verb(self, position: int) -> str:
        """How the shopper met the item at `position` ("bought", "added to your cart", …), for reasons."""
        return VERBS.get(str(self.kinds[position]), "chose")

    def last_position(self, code: int) -> int:
        """Where the shopper last met item `code` (-1: never)."""
        hits = np.flatnonzero(self.items == code)
        return int(hits[-1]) if len(hits) else -1


class Histories:
    """Stored histories by shopper id, as item codes of one trained item index."""

    def __init__(self, catalog: Catalog, item_index: Mapping[str, int]):
        self._catalog, self._index = catalog, item_index
        self._by_shopper: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
        self._lock = threading.Lock()

    def _build(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        events = self._catalog.events
        if not len(events):
            return {}
        positive = events["kind"].isin(POSITIVE_KINDS).to_numpy()
        codes = events["product_id"].astype(str).map(self._index).to_numpy()
        keep = positive & ~np.isnan(codes.astype(float))
        shoppers = events["shopper_id"].astype(str).to_numpy()[keep]
        when = events["timestamp"].to_numpy(dtype="datetime64[ns]")[keep]
        kinds = events["kind"].astype(str).to_numpy(dtype=object)[keep]
        codes = codes[keep].astype(np.int64)
        order = np.lexsort((when, shoppers))  # stable: ties keep the events table's order
        shoppers, codes, kinds = shoppers[order], codes[order], kinds[order]
        bounds = np.flatnonzero(shoppers[1:] != shoppers[:-1]) + 1
        starts = np.r_[0, bounds]
        return {str(shoppers[s]): (c, k) for s, c, k in zip(starts, np.split(codes, bounds), np.split(kinds, bounds))}

    def stored(self, shopper_id: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(codes, kinds) oldest first; empty for an unknown or missing shopper."""
        if self._by_shopper is None:
            with self._lock:
                if self._by_shopper is None:
                    self._by_shopper = self._build()
        empty = (np.zeros(0, np.int64), np.zeros(0, dtype=object))
        return self._by_shopper.get(shopper_id, empty) if shopper_id else empty

    def forget(self, shopper_ids: frozenset[str]) -> None:
        """Drop these shoppers' stored histories (the catalogue has already lost their events)."""
        with self._lock:
            if self._by_shopper is not None:
                self._by_shopper = {k: v for k, v in self._by_shopper.items() if k not in shopper_ids}

    def state(self, shopper_id: str | None, recent: Sequence[Event] = ()) -> ShopperState:
        """The stored history followed by this session's positives; cart adds are moved last, the
        most recent position, because an item in the cart is the strongest sign of intent."""
        codes, kinds = self.stored(shopper_id)
        disliked = frozenset(e.product_id for e in recent if e.kind == "dislike")
        session = [e for e in recent if e.kind in POSITIVE_KINDS and e.product_id in self._index and e.product_id not in disliked]
        session.sort(key=lambda e: e.kind == "cart")  # stable: order kept within each group
        items = np.concatenate([codes, np.array([self._index[e.product_id] for e in session], np.int64)])
        kinds = np.concatenate([kinds, np.array([e.kind for e in session], dtype=object)])
        in_session = np.r_[np.zeros(len(codes), bool), np.ones(len(session), bool)]
        return ShopperState(items.astype(np.int64), kinds, in_session, disliked, known=len(codes) > 0)
