"""Loaders for CSV, JSON Lines, Parquet and Icecat, through a column mapping; bad rows rejected."""

import json

import pandas as pd
import pytest

from shopassist.catalog.report import write_rejects
from shopassist.catalog.sources.product_table import ColumnMapping
from shopassist.catalog.store import load_catalog
from shopassist.errors import CatalogError

ROWS = [
    {"sku": "A1", "name": "Red mug", "brand": "Acme", "price": "4.50", "category": "Kitchen"},
    {"sku": "A2", "name": "Blue mug", "brand": "", "price": "5", "category": "Kitchen"},
    {"sku": "A3", "name": "Tea towel", "brand": "Acme", "price": "", "category": ""},
]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_each_format_loads_the_same_products(tmp_path, suffix):
    path = tmp_path / f"shop{suffix}"
    frame = pd.DataFrame(ROWS)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".jsonl":
        path.write_text("\n".join(json.dumps(r) for r in ROWS))
    else:
        frame.to_parquet(path, index=False)
    catalog = load_catalog(path, mapping=ColumnMapping().with_overrides({"id": "sku", "title": "name"}))
    assert list(catalog.products) == ["A1", "A2", "A3"]
    a1, a2, a3 = catalog.products.values()
    assert (a1.title, a1.brand, a1.price, a1.category) == ("Red mug", "Acme", 4.5, "Kitchen")
    assert a2.brand is None and a3.price is None and a3.category is None
    assert catalog.report.products.filled["no price"] == 1
    assert catalog.report.products.filled["no brand"] == 1
    assert catalog.report.balanced
    assert catalog.name == "shop"


def test_unknown_mapping_field_is_an_error():
    with pytest.raises(CatalogError, match="unknown product field"):
        ColumnMapping().with_overrides({"colour": "x"})


BROKEN_CSV = (
    b"id,title,price,brand\n"
    b"1,Good kettle,20.00,Acme\n"
    b"2,Bad price kettle,abc,Acme\n"
    b"3,,5.00,Acme\n"  # empty title
    b"1,Another kettle,9.00,Acme\n"  # duplicate id, different product
    b"4,Caf\xe9 mug,3.00,Acme\n"  # Latin-1 byte: not UTF-8
    b"5,Negative mug,-1,Acme\n"
    b"6,Good toaster,30,Acme\n"
    b"6,Good toaster,30,Acme\n"  # exact duplicate: merged, not rejected
)


def test_broken_rows_are_rejected_one_message_each(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN_CSV)
    catalog = load_catalog(path)
    assert sorted(catalog.products) == ["1", "6"]
    report = catalog.report
    assert report.products.read == 8
    assert report.products.accepted == 2 and report.products.merged == 1
    assert dict(report.products.rejected) == {
        "price is not a number": 1,
        "empty title": 1,
        "duplicate id": 1,
        "invalid UTF-8": 1,
        "negative price": 1,
    }
    assert report.balanced
    messages = [r.message() for r in report.rejections]
    assert len(messages) == 5
    assert "broken.csv row 2: price 'abc' is not a number" in messages[0]
    assert any("already used by broken.csv row 1" in m for m in messages)
    out = tmp_path / "rejects.jsonl"
    write_rejects(report.rejections, out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["row"] for r in lines] == [2, 3, 4, 5, 6]
    assert lines[3]["raw"]["title"] == "Caf\ufffd mug"


def test_missing_required_column_fails_the_file(tmp_path):
    path = tmp_path / "no_title.csv"
    path.write_text("id,price\n1,2.0\n")
    with pytest.raises(CatalogError, match="no title column"):
        load_catalog(path)


def test_missing_price_column_is_a_warning(tmp_path):
    path = tmp_path / "no_price.csv"
    path.write_text("id,title\n1,Mug\n")
    catalog = load_catalog(path)
    assert catalog.products["1"].price is None
    assert any("no price column" in w for w in catalog.report.warnings)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("missing.csv", None, "does not exist"),
        ("empty.csv", b"", "empty"),
        ("junk.parquet", b"not parquet at all", "not a readable Parquet"),
        ("junk.json", b"{oops", "not valid UTF-8 JSON"),
        ("weird.xlsx", b"PK", "unknown file type"),
    ],
)
def test_unreadable_files_fail_with_one_clear_error(tmp_path, name, content, match):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CatalogError, match=match):
        load_catalog(path)


def test_icecat_zip_is_recognised(shared_data):
    catalog = load_catalog(shared_data / "icecat" / "products-1.json.zip")
    assert len(catalog.products) == 5000
    assert catalog.report.balanced
    toner = catalog.products["3920564"]
    assert toner.brand == "Xerox"
    assert toner.price == 49.95  # integer cents → major units
    assert toner.attributes["printing colours"] == "Black"
    assert toner.image_url and toner.image_url.startswith("http")
