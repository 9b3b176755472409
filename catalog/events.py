"""The events table: one row per shopper action. pandas stays inside catalog/ and training code;
the serving path asks `Catalog.shopper_events` (catalog.shopper_events.ShopperEvents) instead."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from shopassist.catalog.models import Event

EVENT_COLUMNS = ("shopper_id", "product_id", "kind", "timestamp", "quantity", "value")


def empty_events(n: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "shopper_id": pd.Series([], dtype="string"),
            "product_id": pd.Series([], dtype="string"),
            "kind": pd.Series([], dtype="string"),
            "timestamp": pd.Series([], dtype="datetime64[ns]"),
            "quantity": pd.Series([], dtype="int64"),
            "value": pd.Series([], dtype="float64"),
        }
    )


def events_table(events: Iterable[Event]) -> pd.DataFrame:
    """An events table from records, in their order (for small stores made in code: tests, examples).

    >>> from datetime import datetime
    >>> events_table([Event("ann", "mug", "purchase", datetime(2024, 1, 1))])[["shopper_id", "kind"]].values.tolist()
    [['ann', 'purchase']]
    """
    rows = [(e.shopper_id, e.product_id, e.kind, e.timestamp, e.quantity, e.value) for e in events]
    if not rows:
        return empty_events()
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return frame.astype({"shopper_id": "string", "product_id": "string", "kind": "string", "value": "float64"})
