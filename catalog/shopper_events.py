"""Every question the serving path asks about what shoppers did, answered from one index.

`ShopperEvents` is built once per catalogue version from its events table and never changes: the
events sorted by shopper, then time (ties keep the table's order), held as numpy columns, so a
shopper's events are one slice. Forgetting shoppers makes a new index (`without`); a turn still
reading the old one finishes on it. pandas is used only to build it; nothing it answers is pandas.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from shopassist.catalog.models import Event


@dataclass(frozen=True, eq=False)
class ShopperEvents:
    """A store's events by shopper, oldest first.

    >>> from datetime import datetime
    >>> from shopassist.catalog.events import events_table
    >>> book = ShopperEvents.from_table(events_table([
    ...     Event("ann", "mug", "purchase", datetime(2024, 1, 2)), Event("ann", "pot", "view", datetime(2024, 1, 1))]))
    >>> [e.product_id for e in book.of("ann")], book.knows("bob")
    (['pot', 'mug'], False)
    """

    # Shopper i owns rows starts[i]:starts[i + 1] of every per-event column below.
    shoppers: np.ndarray  # (s,) object: shopper ids, ascending
    starts: np.ndarray  # (s + 1,) int64
    product: np.ndarray  # (n,) int64: code into `product_ids`
    product_ids: np.ndarray  # (p,) object: every product id the table names (codes stay valid in `without`)
    kind: np.ndarray  # (n,) int64: code into `kinds`
    kinds: tuple[str, ...]  # the event kinds the table names
    timestamp: np.ndarray  # (n,) datetime64[ns]
    quantity: np.ndarray  # (n,) int64
    value: np.ndarray  # (n,) float64; NaN = none
    _row: Mapping[str, int] = field(repr=False)  # shopper id -> i

    @classmethod
    def from_table(cls, events: pd.DataFrame) -> "ShopperEvents":
        """Index an events table (catalog.events.EVENT_COLUMNS); see the class for an example."""
        shopper, shoppers = pd.factorize(events["shopper_id"].astype(str).to_numpy(dtype=object), sort=True)
        product, product_ids = pd.factorize(events["product_id"].astype(str).to_numpy(dtype=object))
        kind, kinds = pd.factorize(events["kind"].astype(str).to_numpy(dtype=object))
        when = events["timestamp"].to_numpy(dtype="datetime64[ns]")
        order = np.lexsort((when, shopper))  # stable: equal times keep the table's order
        counts = np.bincount(shopper, minlength=len(shoppers))
        return cls._of(
            np.asarray(shoppers, dtype=object),
            np.r_[0, np.cumsum(counts)].astype(np.int64),
            product[order].astype(np.int64),
            np.asarray(product_ids, dtype=object),
            kind[order].astype(np.int64),
            tuple(str(k) for k in kinds),
            when[order],
            events["quantity"].to_numpy(dtype=np.int64)[order],
            events["value"].to_numpy(dtype=np.float64, na_value=np.nan)[order],
        )

    @classmethod
    def _of(cls, shoppers, starts, product, product_ids, kind, kinds, timestamp, quantity, value) -> "ShopperEvents":
        for column in (shoppers, starts, product, product_ids, kind, timestamp, quantity, value):
            column.flags.writeable = False  # shared by every thread that serves this version
        row = MappingProxyType({str(s): i for i, s in enumerate(shoppers.tolist())})
        return cls(shoppers, starts, product, product_ids, kind, kinds, timestamp, quantity, value, row)

    def __len__(self) -> int:
        return len(self.product)

    def knows(self, shopper_id: str | None) -> bool:
        """Whether the shopper has any events; see the class for an example."""
        return shopper_id in self._row

    def of(self, shopper_id: str | None) -> tuple[Event, ...]:
        """The shopper's events, oldest first (none for an unknown shopper); see the class for an example."""
        lo, hi = self._span(shopper_id)
        times = self.timestamp[lo:hi].astype("datetime64[us]").tolist()  # datetime.datetime, as the table had them
        values = self.value[lo:hi].tolist()
        return tuple(
            Event(shopper_id, self.product_ids[p], self.kinds[k], t, q, None if v != v else v)  # type: ignore[arg-type]
            for p, k, t, q, v in zip(self.product[lo:hi].tolist(), self.kind[lo:hi].tolist(), times, self.quantity[lo:hi].tolist(), values)
        )

    def recent_purchases(self, shopper_id: str | None, n: int, among: Container[str] | None = None) -> tuple[str, ...]:
        """The last `n` distinct products the shopper bought, newest first; only those in `among`
        (the products the catalogue still lists) when it is given.

        >>> from datetime import datetime
        >>> from shopassist.catalog.events import events_table
        >>> bought = [Event("ann", p, "purchase", datetime(2024, 1, d)) for d, p in enumerate("abcb", 1)]
        >>> book = ShopperEvents.from_table(events_table(bought))
        >>> book.recent_purchases("ann", 2), book.recent_purchases("ann", 5, among={"a", "c"})
        (('b', 'c'), ('c', 'a'))
        """
        lo, hi = self._span(shopper_id)
        if hi == lo or "purchase" not in self.kinds:
            return ()
        mine = self.product[lo:hi][self.kind[lo:hi] == self.kinds.index("purchase")][::-1]  # newest first
        _, first = np.unique(mine, return_index=True)
        out: list[str] = []
        for code in mine[np.sort(first)].tolist():
            pid = self.product_ids[code]
            if among is None or pid in among:
                out.append(pid)
                if len(out) == n:
                    break
        return tuple(out)

    def busiest(self, limit: int) -> tuple[tuple[str, int], ...]:
        """(shopper id, number of events) of the `limit` most active shoppers, most active first
        (ties in id order).

        >>> from datetime import datetime
        >>> from shopassist.catalog.events import events_table
        >>> day = datetime(2024, 1, 1)
        >>> ShopperEvents.from_table(events_table([Event(s, "a", "purchase", day) for s in "bab"])).busiest(5)
        (('b', 2), ('a', 1))
        """
        counts = np.diff(self.starts)
        top = np.argsort(-counts, kind="stable")[: max(limit, 0)]
        return tuple((str(self.shoppers[i]), int(counts[i])) for i in top.tolist())

    def without(self, shopper_ids: Iterable[str]) -> "ShopperEvents":
        """A new index without these shoppers' events (this one is left as it is).

        >>> from datetime import datetime
        >>> from shopassist.catalog.events import events_table
        >>> book = ShopperEvents.from_table(events_table([Event(s, "a", "purchase", datetime(2024, 1, 1)) for s in "ab"]))
        >>> book.without({"a"}).knows("a"), book.knows("a"), len(book.without({"a"}))
        (False, True, 1)
        """
        gone = [self._row[s] for s in set(shopper_ids) if s in self._row]
        keep = np.ones(len(self.shoppers), bool)
        keep[gone] = False
        return self._keep(keep, np.repeat(keep, np.diff(self.starts)))

    def of_kinds(self, kinds: Iterable[str]) -> "ShopperEvents":
        """Only the events of these kinds (shoppers left with none are dropped).

        >>> from datetime import datetime
        >>> from shopassist.catalog.events import events_table
        >>> day = datetime(2024, 1, 1)
        >>> book = ShopperEvents.from_table(events_table([Event("a", "x", "dislike", day), Event("b", "y", "view", day)]))
        >>> book.of_kinds(["view"]).busiest(5)
        (('b', 1),)
        """
        wanted = set(kinds)
        if wanted.issuperset(self.kinds):
            return self  # nothing to drop, and an index never changes: no copy
        rows = np.isin(self.kind, [i for i, k in enumerate(self.kinds) if k in wanted])
        left = np.bincount(self.owners()[rows], minlength=len(self.shoppers)) > 0
        return self._keep(left, rows)

    def _keep(self, shoppers: np.ndarray, rows: np.ndarray) -> "ShopperEvents":
        """The index restricted to these shoppers (bool per shopper) and rows (bool per event)."""
        counts = np.bincount(self.owners()[rows], minlength=len(self.shoppers))
        return self._of(
            self.shoppers[shoppers],
            np.r_[0, np.cumsum(counts[shoppers])].astype(np.int64),
            self.product[rows],
            self.product_ids,
            self.kind[rows],
            self.kinds,
            self.timestamp[rows],
            self.quantity[rows],
            self.value[rows],
        )

    def owners(self) -> np.ndarray:
        """(n,) int64: each event's shopper, as an index into `shoppers`.

        >>> from datetime import datetime
        >>> from shopassist.catalog.events import events_table
        >>> day = datetime(2024, 1, 1)
        >>> ShopperEvents.from_table(events_table([Event(s, "x", "view", day) for s in "bab"])).owners().tolist()
        [0, 1, 1]
        """
        return np.repeat(np.arange(len(self.shoppers)), np.diff(self.starts))

    def _span(self, shopper_id: str | None) -> tuple[int, int]:
        i = self._row.get(shopper_id) if shopper_id is not None else None
        return (0, 0) if i is None else (int(self.starts[i]), int(self.starts[i + 1]))
