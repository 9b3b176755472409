"""What the ranker knows about a shopper at request time: their stored events plus this session's.

Here a history is what the models read: a shopper's item codes, oldest first. `ItemHistories`
codes one catalogue version's positive events once, when it is made; a version that has forgotten
shoppers gets a new one (see `TrainedRanker.forget`), never an edit of this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopassist.catalog.models import POSITIVE_KINDS, Event
from shopassist.catalog.shopper_events import ShopperEvents

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


class ItemHistories:
    """Every shopper's stored positive events as item codes of one trained item index.

    >>> from datetime import datetime
    >>> from shopassist.catalog.events import events_table
    >>> bought = events_table([Event("ann", p, "purchase", datetime(2024, 1, d)) for d, p in enumerate("bxa", 1)])
    >>> codes, kinds = ItemHistories(ShopperEvents.from_table(bought), {"a": 0, "b": 1}).stored("ann")
    >>> codes.tolist(), kinds.tolist()  # "x" is not in the index: the models cannot read it
    ([1, 0], ['purchase', 'purchase'])
    """

    def __init__(self, shopper_events: ShopperEvents, item_index: Mapping[str, int]):
        self._index = item_index
        self._by_shopper = self._build(shopper_events.of_kinds(POSITIVE_KINDS))

    def _build(self, events: ShopperEvents) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        if not len(events):
            return {}
        codes = item_codes(events, self._index)
        keep = codes >= 0
        owner = events.owners()[keep]
        codes, kinds = codes[keep], np.array(events.kinds, dtype=object)[events.kind[keep]]
        if not len(codes):
            return {}
        bounds = np.flatnonzero(owner[1:] != owner[:-1]) + 1  # already grouped by shopper, oldest first
        starts = np.r_[0, bounds]
        shoppers = events.shoppers[owner[starts]].tolist()
        return dict(zip(shoppers, zip(np.split(codes, bounds), np.split(kinds, bounds))))

    def stored(self, shopper_id: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(codes, kinds) oldest first; empty for an unknown or missing shopper (see the class for an example)."""
        empty = (np.zeros(0, np.int64), np.zeros(0, dtype=object))
        return self._by_shopper.get(shopper_id, empty) if shopper_id else empty

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


def item_codes(events: ShopperEvents, item_index: Mapping[str, int]) -> np.ndarray:
    """(n,) int64: each event's product as a code of `item_index`; -1 where the index lacks it.

    >>> from datetime import datetime
    >>> from shopassist.catalog.events import events_table
    >>> day = datetime(2024, 1, 1)
    >>> item_codes(ShopperEvents.from_table(events_table([Event("ann", p, "view", day) for p in "abz"])), {"a": 0, "b": 1}).tolist()
    [0, 1, -1]
    """
    # One index lookup per distinct product, not per event: the events share a product vocabulary.
    lookup = np.array([item_index.get(p, -1) for p in events.product_ids.tolist()], np.int64)
    return lookup[events.product]
