"""Cleaning rules on real rows of the UCI Online Retail file (the demo store)."""

import pandas as pd
import pytest

from shopassist.catalog.sources.online_retail import non_product_reason
from shopassist.catalog.store import demo_source, load_catalog


@pytest.fixture(scope="module")
def raw():
    return pd.read_parquet(demo_source())


@pytest.fixture(scope="module")
def sample(raw, tmp_path_factory):
    """Real lines chosen to hit every rule: ordinary sales, postage, zero prices, anonymous sales,
    and a stock code sold under several descriptions."""
    picks = pd.concat(
        [
            raw.head(3000),
            raw[raw.StockCode == "23236"],  # four descriptions for one product
            raw[raw.StockCode.isin(["POST", "DOT", "M", "BANK CHARGES", "C2"])].head(50),
            raw[raw.UnitPrice == 0].head(30),
        ]
    ).drop_duplicates()
    path = tmp_path_factory.mktemp("retail") / "sample.parquet"
    picks.to_parquet(path, index=False)
    return picks, load_catalog(path, "sample")


def test_every_line_is_counted(sample):
    picks, catalog = sample
    report = catalog.report
    assert report.products.read == report.events.read == len(picks)
    assert report.balanced


def test_duplicate_stock_codes_merge_to_the_most_frequent_description(sample, raw):
    _, catalog = sample
    product = catalog.products["23236"]
    expected = raw[raw.StockCode == "23236"].Description.str.strip().value_counts().index[0]
    assert product.title == expected == "STORAGE TIN VINTAGE DOILY"
    assert product.display_title == "Storage Tin Vintage Doily"
    assert catalog.report.products.merged > 0


def test_non_products_are_dropped_with_reasons(sample):
    _, catalog = sample
    assert "POST" not in catalog.products and "M" not in catalog.products
    dropped = catalog.report.products.dropped
    assert dropped["not a product: postage"] > 0
    assert dropped["zero-price line (stock adjustment or free item)"] > 0
    assert non_product_reason("gift_0001_40") == "not a product: gift voucher"


def test_shoppers_and_purchase_events(sample):
    picks, catalog = sample
    real_customers = picks[(picks.CustomerID > 0) & (picks.UnitPrice > 0) & ~picks.StockCode.isin(["POST", "DOT", "M", "BANK CHARGES", "C2"])]
    assert set(catalog.shoppers) == {str(int(c)) for c in real_customers.CustomerID.unique()}
    assert len(catalog.events) == len(real_customers)
    assert catalog.report.events.dropped["no customer id (anonymous sale)"] > 0
    shopper = catalog.shoppers["17850"]
    assert shopper.country == "United Kingdom"
    events = catalog.shopper_events.of("17850")
    assert events and all(e.kind == "purchase" for e in events)
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)


def test_missing_brand_and_category_are_flagged_not_invented(sample):
    _, catalog = sample
    assert all(p.brand is None and p.category is None for p in catalog.products.values())
    assert catalog.report.products.filled["no brand"] == len(catalog.products)


def test_whole_demo_store_balances():
    catalog = load_catalog(demo_source(), "demo")
    report = catalog.report
    assert report.balanced
    assert report.products.read == 531_282
    assert len(catalog.products) == report.products.accepted > 3_000
    assert len(catalog.shoppers) > 4_000
