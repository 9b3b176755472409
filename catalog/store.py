"""A store's cleaned contents: load from source files, or from the snapshot written at reindex."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from shopassist.catalog import generations
from shopassist.catalog.events import empty_events
from shopassist.catalog.models import Product, Shopper
from shopassist.catalog.product_table import ProductTable, write_products
from shopassist.catalog.report import LoadReport
from shopassist.catalog.shopper_events import ShopperEvents
from shopassist.catalog.sources.online_retail import load_online_retail, looks_like_online_retail
from shopassist.catalog.sources.product_table import ColumnMapping, read_product_file
from shopassist.catalog.sources.rows import iter_files, read_rows
from shopassist.errors import CatalogError, StoreNotFound
from shopassist.files import atomic_write, write_text

DEMO = "demo"


@dataclass(frozen=True, eq=False)
class Catalog:
    """One version of a store's contents. Serving threads share it, so nothing changes it:
    forgetting shoppers makes a new version (`forget`), and whoever serves swaps the reference.

    >>> from datetime import datetime
    >>> from shopassist.catalog.events import events_table
    >>> from shopassist.catalog.models import Event
    >>> shop = Catalog("toy", {"a": Product("a", "A", "A")}, {"ann": Shopper("ann")},
    ...                events_table([Event("ann", "a", "purchase", datetime(2024, 1, 1))]))
    >>> [e.product_id for e in shop.shopper_events.of("ann")], shop.forget({"ann"}).shopper_events.knows("ann")
    (['a'], False)
    """

    name: str
    products: Mapping[str, Product]  # a dict, or a memory-mapped ProductTable when opened from a snapshot
    shoppers: dict[str, Shopper] = field(default_factory=dict)
    events: pd.DataFrame = field(default_factory=empty_events)  # catalog.events.EVENT_COLUMNS
    report: LoadReport = field(default_factory=LoadReport)
    # Every question the serving path asks about the events, indexed once for this version.
    shopper_events: ShopperEvents = field(default=None, repr=False)  # type: ignore[assignment]  # None: built from `events`

    def __post_init__(self) -> None:
        if self.shopper_events is None:
            object.__setattr__(self, "shopper_events", ShopperEvents.from_table(self.events))
        elif len(self.shopper_events) != len(self.events):  # e.g. dataclasses.replace(catalog, events=…)
            raise ValueError(
                f"shopper_events holds {len(self.shopper_events):,} events but the table {len(self.events):,} — "
                "leave shopper_events out to have it built from the events table"
            )

    def forget(self, shopper_ids: frozenset[str] | set[str]) -> "Catalog":
        """A new version without these shoppers and their events (the right to be forgotten); this
        one is left as it is, so a turn already reading it finishes on it. See the class for an example."""
        if not shopper_ids:
            return self
        gone = self.events["shopper_id"].isin(list(shopper_ids)).to_numpy()
        return Catalog(
            self.name,
            self.products,
            {k: v for k, v in self.shoppers.items() if k not in shopper_ids},
            self.events[~gone].reset_index(drop=True),
            self.report,
            self.shopper_events.without(shopper_ids),
        )

    # -- snapshot -----------------------------------------------------------------
    def save(self, folder: Path, wrote: Callable[[str], None] = lambda _: None) -> None:
        """Write the cleaned store into a snapshot folder (a new generation: catalog/generations.py),
        each file atomically; `wrote(name)` hears each file once it is complete."""
        folder.mkdir(parents=True, exist_ok=True)
        write_products(self.products.values(), folder / PRODUCTS)  # columns, memory-mapped when served
        wrote(PRODUCTS)
        shoppers = pd.DataFrame(
            [{"id": s.id, "country": s.country, "attributes": json.dumps(s.attributes)} for s in self.shoppers.values()],
            columns=["id", "country", "attributes"],
        )
        _write_parquet(shoppers, folder / "shoppers.parquet")
        wrote("shoppers.parquet")
        _write_parquet(self.events, folder / "events.parquet")
        wrote("events.parquet")
        write_text(folder / "report.json", json.dumps(self.report.to_dict(), indent=2))
        wrote("report.json")

    @classmethod
    def open(cls, name: str, folder: Path) -> "Catalog":
        """The snapshot in `folder` (a store's current generation: `generations.current`)."""
        if not (folder / PRODUCTS).exists() and not (folder / LEGACY_PRODUCTS).exists():
            raise StoreNotFound(
                f"store {name!r} has not been indexed yet — run: shopassist reindex --store {name}"
                if name == DEMO
                else f"store {name!r} has not been indexed yet — run: shopassist reindex --catalog PATH --store {name}"
            )
        products: Mapping[str, Product]
        if (folder / PRODUCTS).exists():
            products = ProductTable.open(folder / PRODUCTS)
        else:  # a generation written before products were columns
            products = {}
            for r in pd.read_parquet(folder / LEGACY_PRODUCTS).to_dict("records"):
                r = {k: (None if _missing(v) else v) for k, v in r.items()}
                r["attributes"] = json.loads(r["attributes"] or "{}")
                r["description"] = r["description"] or ""
                products[r["id"]] = Product(**r)
        shoppers = {
            r["id"]: Shopper(r["id"], r["country"] or None, json.loads(r["attributes"] or "{}"))
            for r in pd.read_parquet(folder / "shoppers.parquet").to_dict("records")
        }
        events = pd.read_parquet(folder / "events.parquet")
        return cls(name, products, shoppers, events)


PRODUCTS = "products.arrow"
LEGACY_PRODUCTS = "products.parquet"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    with atomic_write(path, "wb") as f:
        frame.to_parquet(f, index=False)


def store_name_for(path: Path) -> str:
    """A collection-safe store name from a catalogue path: `../data/icecat/` → `icecat`."""
    stem = path.resolve().name
    for suffix in (".json.zip", ".parquet", ".jsonl", ".ndjson", ".json", ".csv", ".tsv"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_").lower()
    return (name or "store").ljust(3, "_")[:60]


def demo_source() -> Path:
    return Path(str(resources.files("shopassist.catalog") / "demo" / "online_retail.parquet"))


def load_demo() -> Catalog:
    return load_catalog(demo_source(), name=DEMO)


def load_catalog(path: Path, name: str | None = None, mapping: ColumnMapping | None = None) -> Catalog:
    """Read and clean every file a catalogue path stands for.

    Raises CatalogError if a file cannot be read at all; bad rows are rejected into the report.

    >>> load_catalog(demo_source()).report.balanced
    True
    """
    path = Path(path)
    report = LoadReport()
    products: dict[str, Product] = {}
    first_seen: dict[str, tuple[str, int]] = {}
    shopper_frames, event_frames = [], [empty_events()]
    for file in iter_files(path):
        if path.is_dir() and _is_judgements(file):
            report.warnings.append(f"{file.name}: relevance judgements (query,docid,rating), not products — skipped")
            continue
        report.sources.append(str(file))
        retail_frame = _online_retail_frame(file)
        if retail_frame is not None:
            frame_products, shoppers, events = load_online_retail(file, retail_frame, report)
            rows = [(i, _product_from_frame(r)) for i, r in enumerate(frame_products.to_dict("records"), 1)]
            # Already deduplicated by stock code: move them past the ledger without recounting.
            shopper_frames.append(shoppers)
            event_frames.append(events)
            _add_products(rows, file.name, products, first_seen, report, counted=True)
        else:
            _add_products(read_product_file(file, report, mapping), file.name, products, first_seen, report)
    shoppers_frame = pd.concat(shopper_frames) if shopper_frames else pd.DataFrame(columns=["id", "country"])
    shoppers = {str(r["id"]): Shopper(str(r["id"]), r["country"]) for r in shoppers_frame.to_dict("records")}
    events = pd.concat([f for f in event_frames if len(f)] or [empty_events()], ignore_index=True)
    order = {Path(source).name: i for i, source in enumerate(report.sources)}
    report.rejections.sort(key=lambda r: (order.get(r.source, 0), r.row))  # file order, like a person reads
    assert report.balanced, report.to_dict()
    return Catalog(name or store_name_for(path), products, shoppers, events, report)


def _is_judgements(file: Path) -> bool:
    """A search-judgements CSV lying beside the catalogue (as in the Icecat benchmark folder)."""
    if file.suffix.lower() != ".csv":
        return False
    with file.open("rb") as f:
        header = f.readline().decode("utf-8", "replace").strip().lower().split(",")
    return {"query", "docid", "rating"} <= set(header)


def _online_retail_frame(file: Path) -> pd.DataFrame | None:
    if file.suffix.lower() == ".parquet":
        try:
            columns = pq.read_schema(file).names
        except Exception as e:  # pyarrow raises several types for an unreadable file
            raise CatalogError(f"{file}: not a readable Parquet file ({e})") from None
        return pd.read_parquet(file) if looks_like_online_retail(columns) else None
    if file.suffix.lower() in (".csv", ".tsv"):
        columns, rows = read_rows(file)
        return pd.DataFrame(rows, columns=columns) if looks_like_online_retail(columns) else None
    return None


def _product_from_frame(r: dict) -> Product:
    return Product(
        id=str(r["id"]),
        title=r["title"],
        display_title=r["display_title"],
        price=float(r["price"]),
        currency=r["currency"],
    )


def _add_products(rows, source, products, first_seen, report, counted: bool = False) -> None:
    """Fold one file's products into the store; a repeated id is merged if identical, else rejected."""
    for number, product in rows:
        previous = products.get(product.id)
        if previous is None:
            products[product.id] = product
            first_seen[product.id] = (source, number)
            if not counted:
                report.products.accepted += 1
            continue
        if counted:  # a source that deduplicated itself cannot repeat ids within a file
            report.products.accepted -= 1
        where = "%s row %d" % first_seen[product.id]
        if previous == product:
            report.products.merged += 1
        else:
            report.reject(
                report.products,
                source,
                number,
                "duplicate id",
                product.to_dict(),
                f"id {product.id!r} is already used by {where} for a different product — "
                "give each product its own id",
            )


def open_store(store_folder: Path, name: str) -> Catalog:
    """The catalogue of a built store: its current generation (catalog/generations.py), read once."""
    return Catalog.open(name, generations.current(store_folder))


def built_with(store_folder: Path) -> str | None:
    """The embedder a built store's vectors were made with (its manifest), None for a new store.

    >>> import tempfile; built_with(Path(tempfile.mkdtemp())) is None
    True
    """
    manifest = generations.current(store_folder) / "store.json"
    try:
        return json.loads(manifest.read_text()).get("embedder")
    except (FileNotFoundError, ValueError):
        return None


def write_manifest(folder: Path, **fields: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "store.json", json.dumps(fields, indent=2, default=str))
