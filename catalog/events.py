"""The events table: one row per shopper action. pandas stays inside catalog/ and training code;
other stages get `Event` records through `Catalog.history`."""

from __future__ import annotations

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


def to_records(frame: pd.DataFrame) -> list[Event]:
    return [
        Event(
            shopper_id=str(r.shopper_id),
            product_id=str(r.product_id),
            kind=r.kind,
            timestamp=r.timestamp.to_pydatetime(),
            quantity=int(r.quantity),
            value=None if pd.isna(r.value) else float(r.value),
        )
        for r in frame.itertuples(index=False)
    ]
