"""The serving path's shopper-events index against brute force on the events table it was built from."""

from __future__ import annotations

import doctest
import importlib
from typing import get_args

import numpy as np
import pandas as pd
import pytest

from shopassist.catalog.events import EVENT_COLUMNS
from shopassist.catalog.models import Event, EventKind
from shopassist.catalog.shopper_events import ShopperEvents


def random_table(seed: int) -> pd.DataFrame:
    """Events of every kind in no order, many at the same moment (ties), some without a value."""
    rng = np.random.default_rng(seed)
    n = 600
    return pd.DataFrame(
        {
            "shopper_id": pd.array([f"s{i}" for i in rng.integers(0, 40, n)], dtype="string"),
            "product_id": pd.array([f"p{i}" for i in rng.integers(0, 25, n)], dtype="string"),
            "kind": pd.array(rng.choice(get_args(EventKind), n), dtype="string"),
            "timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 12, n), unit="D"),
            "quantity": rng.integers(1, 5, n),
            "value": np.where(rng.random(n) < 0.3, np.nan, rng.random(n) * 10),
        }
    )


def brute_events(table: pd.DataFrame, shopper: str) -> list[Event]:
    mine = table[table["shopper_id"] == shopper].sort_values("timestamp", kind="stable")
    return [
        Event(r.shopper_id, r.product_id, r.kind, r.timestamp.to_pydatetime(), int(r.quantity), None if pd.isna(r.value) else float(r.value))
        for r in mine.itertuples(index=False)
    ]


def brute_recent(table: pd.DataFrame, shopper: str, n: int, among) -> tuple[str, ...]:
    newest_first = [e.product_id for e in reversed(brute_events(table, shopper)) if e.kind == "purchase"]
    return tuple([p for p in dict.fromkeys(newest_first) if among is None or p in among][:n])


def assert_answers_like(book: ShopperEvents, table: pd.DataFrame) -> None:
    shoppers = sorted(set(table["shopper_id"])) + ["nobody"]
    for shopper in shoppers:
        assert list(book.of(shopper)) == brute_events(table, shopper)
        assert book.knows(shopper) == (shopper in set(table["shopper_id"]))
        for n, among in ((1, None), (3, None), (50, None), (3, {"p1", "p2", "p3", "p4"})):
            assert book.recent_purchases(shopper, n, among) == brute_recent(table, shopper, n, among)
    counts = table.groupby("shopper_id").size()
    expected = sorted(((str(s), int(c)) for s, c in counts.items()), key=lambda sc: (-sc[1], sc[0]))
    assert book.busiest(10) == tuple(expected[:10]) and book.busiest(1000) == tuple(expected)
    assert len(book) == len(table)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_answer_matches_the_table(seed):
    table = random_table(seed)
    assert_answers_like(ShopperEvents.from_table(table), table)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_new_index_without_shoppers_or_kinds_answers_like_the_filtered_table(seed):
    table = random_table(seed)
    book = ShopperEvents.from_table(table)
    gone = {"s0", "s7", "s39", "nobody"}
    kept = table[~table["shopper_id"].isin(gone)].reset_index(drop=True)
    assert_answers_like(book.without(gone), kept)
    positive = table[table["kind"].isin(["view", "purchase"])].reset_index(drop=True)
    assert_answers_like(book.of_kinds(["view", "purchase"]), positive)
    assert_answers_like(book, table)  # the original is untouched


def test_the_index_cannot_be_changed_in_place():
    book = ShopperEvents.from_table(random_table(0))
    with pytest.raises(ValueError, match="read-only"):
        book.product[0] = 1
    with pytest.raises(TypeError):
        book._row["s0"] = 5  # type: ignore[index]


def test_real_store_events(retail_slice):
    """The demo store's own table (microsecond timestamps, one invoice = many events at one moment)."""
    from shopassist.catalog.store import load_catalog

    catalog = load_catalog(retail_slice)
    table = catalog.events[list(EVENT_COLUMNS)]
    assert_answers_like(catalog.shopper_events, table)
    some = catalog.shopper_events.busiest(3)[0][0]
    assert catalog.shopper_events.recent_purchases(some, 4, among=catalog.products) == brute_recent(table, some, 4, catalog.products)


def test_a_catalogue_refuses_an_index_of_another_table():
    """A version is its table and the index built from it; `dataclasses.replace(catalog, events=…)`
    would otherwise keep answering from the old events."""
    import dataclasses

    from shopassist.catalog.store import Catalog

    catalog = Catalog("t", {}, {}, random_table(0))
    with pytest.raises(ValueError, match="leave shopper_events out"):
        dataclasses.replace(catalog, events=random_table(0).head(10))
    assert len(dataclasses.replace(catalog, shopper_events=None, events=random_table(0).head(10)).shopper_events) == 10


@pytest.mark.parametrize("name", ["shopassist.catalog.shopper_events", "shopassist.catalog.events", "shopassist.catalog.store"])
def test_docstring_examples(name):
    assert doctest.testmod(importlib.import_module(name)).failed == 0
