"""Where training data comes from: the generic recommendation layout, or a store's own events.

Every interaction row read is accepted or rejected with a reason (count in = accepted + rejected).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shopassist.catalog.models import POSITIVE_KINDS
from shopassist.catalog.report import Ledger, Rejection
from shopassist.catalog.store import Catalog, load_catalog
from shopassist.ranking.interactions import Interactions, from_columns
from shopassist.errors import CatalogError


@dataclass
class InteractionReport:
    ledger: Ledger = field(default_factory=Ledger)
    rejections: list[Rejection] = field(default_factory=list)
    products: int = 0

    def lines(self) -> list[str]:
        rejected = ", ".join(f"{n:,} {why}" for why, n in self.ledger.rejected.most_common())
        return [
            f"products: {self.products:,}",
            f"interactions: {self.ledger.read:,} rows read = {self.ledger.accepted:,} accepted + "
            f"{sum(self.ledger.rejected.values()):,} rejected" + (f" ({rejected})" if rejected else ""),
        ]


def read_generic(items_csv: Path, interactions_csv: Path) -> tuple[Interactions, InteractionReport]:
    """The generic layout of ../shared/data/README.md: items.csv + interactions.csv.

    Timestamps are whole numbers (an order within each shopper) or ISO-8601 dates; rows naming an
    unknown item, no shopper, or an unreadable time are rejected with the reason.
    """
    items_csv, interactions_csv = Path(items_csv), Path(interactions_csv)
    for path in (items_csv, interactions_csv):
        if not path.is_file():
            raise CatalogError(f"{path}: no such file — give the generic layout's items.csv and interactions.csv")
    catalog = load_catalog(items_csv)
    products = list(catalog.products.values())
    report = InteractionReport(products=len(products))
    frame = pd.read_csv(interactions_csv, dtype=str, keep_default_na=False)
    missing = {"user_id", "item_id", "timestamp"} - set(frame.columns)
    if missing:
        raise CatalogError(
            f"{interactions_csv}: no {', '.join(sorted(missing))} column — the interactions file needs "
            f"user_id,item_id,timestamp (it has {', '.join(frame.columns[:8])})"
        )
    index = {p.id: i for i, p in enumerate(products)}
    codes = frame["item_id"].str.strip().map(index)
    times = _parse_times(frame["timestamp"].str.strip())
    problems = [
        ("no shopper", frame["user_id"].str.strip() == "", "user_id is empty — give every row its shopper"),
        ("unknown item", codes.isna(), "item_id is not in items.csv — add the item or drop the row"),
        ("bad timestamp", times.isna(), "timestamp is neither a whole number nor an ISO-8601 date"),
    ]
    bad = np.zeros(len(frame), bool)
    report.ledger.read = len(frame)
    for reason, mask, detail in problems:
        mask = mask.to_numpy() & ~bad  # one reason per row: the first that applies
        for row in np.flatnonzero(mask)[:1000]:  # enough to fix the file; the count is exact
            report.rejections.append(Rejection(interactions_csv.name, int(row) + 1, reason, detail, frame.iloc[row].to_dict()))
        if mask.any():
            report.ledger.rejected[reason] += int(mask.sum())
        bad |= mask
    good = ~bad
    report.ledger.accepted = int(good.sum())
    data = from_columns(
        products,
        frame["user_id"].str.strip().to_numpy()[good],
        codes.to_numpy()[good].astype(np.int64),
        times.to_numpy()[good].astype(np.int64),
    )
    return data, report


def _parse_times(raw: pd.Series) -> pd.Series:
    """float per row (NaN where unreadable): the number itself, or nanoseconds since the epoch.

    A file is either orders or dates: the kind most rows have decides, the other rows are unreadable.
    """
    numbers = pd.to_numeric(raw, errors="coerce")
    if numbers.notna().mean() >= 0.5:
        return numbers.where(numbers == numbers.round())
    dates = pd.to_datetime(raw, errors="coerce", utc=True, format="ISO8601")
    ns = dates.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    return pd.Series(np.where(dates.isna().to_numpy(), np.nan, ns), index=raw.index)


def from_catalog(catalog: Catalog) -> tuple[Interactions, InteractionReport]:
    """A store's own events (positive kinds only), every catalogue product coded.

    Events for products the catalogue does not list are rejected (a snapshot out of step).
    """
    products = list(catalog.products.values())
    index = {p.id: i for i, p in enumerate(products)}
    events = catalog.events
    report = InteractionReport(products=len(products))
    report.ledger.read = len(events)
    positive = events["kind"].isin(POSITIVE_KINDS).to_numpy()
    codes = events["product_id"].astype(str).map(index)
    known = codes.notna().to_numpy()
    negatives = int((~positive).sum())
    if negatives:
        report.ledger.rejected["negative feedback (not a history event)"] += negatives
    unknown = positive & ~known
    if unknown.any():
        report.ledger.rejected["unknown product"] += int(unknown.sum())
        for row in np.flatnonzero(unknown)[:1000]:
            report.rejections.append(
                Rejection("events", int(row) + 1, "unknown product", "the product is not in the catalogue — reindex the store", events.iloc[row].to_dict())
            )
    good = positive & known
    report.ledger.accepted = int(good.sum())
    times = events["timestamp"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    data = from_columns(products, events["shopper_id"].astype(str).to_numpy()[good], codes.to_numpy()[good].astype(np.int64), times[good])
    return data, report
