"""Generic product tables (CSV, JSONL, JSON, Parquet) and Icecat, through a column mapping."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from shopassist.catalog.cleaning import (
    RowProblem,
    clean_id,
    clean_title,
    display_form,
    find_invalid_utf8,
    normalise_text,
    parse_bool,
    parse_price,
)
from shopassist.catalog.models import Product
from shopassist.catalog.report import LoadReport
from shopassist.catalog.sources.rows import _from_records, _parse_json_array, read_rows
from shopassist.errors import CatalogError


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column feeds each product field: the first candidate present wins."""

    id: tuple[str, ...] = ("id", "product_id", "item_id", "sku")
    title: tuple[str, ...] = ("title", "product_name", "name")
    description: tuple[str, ...] = ("description", "short_description", "desc")
    brand: tuple[str, ...] = ("brand", "supplier", "manufacturer")
    category: tuple[str, ...] = ("category", "product_type")
    price: tuple[str, ...] = ("price", "unit_price")
    currency: tuple[str, ...] = ("currency",)
    image_url: tuple[str, ...] = ("image_url", "image", "img_500x500")
    in_stock: tuple[str, ...] = ("in_stock", "available")
    attribute_prefixes: tuple[str, ...] = ("attr_t_",)  # text attributes kept for search and answers
    price_in_minor_units: bool = False  # True when prices are integer cents
    default_currency: str = "GBP"

    REQUIRED = ("id", "title")

    def with_overrides(self, overrides: dict[str, str]) -> "ColumnMapping":
        """`{"title": "ProductName"}` → that column, and only that column, feeds `title`."""
        from dataclasses import replace

        unknown = set(overrides) - set(_FIELDS)
        if unknown:
            raise CatalogError(
                f"unknown product field(s) in the column mapping: {', '.join(sorted(unknown))} — "
                f"map one of {', '.join(_FIELDS)}"
            )
        return replace(self, **{k: (v,) for k, v in overrides.items()})

    def resolve(self, columns: list[str], source: str, report: LoadReport) -> dict[str, str]:
        present = set(columns)
        found = {}
        for field_name in _FIELDS:
            match = next((c for c in getattr(self, field_name) if c in present), None)
            if match:
                found[field_name] = match
        for required in self.REQUIRED:
            if required not in found:
                raise CatalogError(
                    f"{source}: no {required} column (looked for {', '.join(getattr(self, required))}; "
                    f"the file has {', '.join(columns[:12]) or 'no columns'}) — rename the column or "
                    f"map it, e.g. --map {required}=YourColumn"
                )
        if "price" not in found:
            report.warnings.append(
                f"{source}: no price column (looked for {', '.join(self.price)}) — "
                "every product from this file is listed without a price"
            )
        return found


_FIELDS = ("id", "title", "description", "brand", "category", "price", "currency", "image_url", "in_stock")

ICECAT = ColumnMapping(
    description=("short_description",),
    brand=("supplier",),
    image_url=("img_500x500", "img_high"),
    price_in_minor_units=True,  # Icecat's scraped prices are integer cents
    default_currency="USD",
)


def is_icecat_zip(path: Path) -> bool:
    return path.name.endswith(".json.zip")


def read_product_file(
    path: Path, report: LoadReport, mapping: ColumnMapping | None = None
) -> list[tuple[int, Product]]:
    """(row number, product) for every valid row; invalid rows are rejected into `report`."""
    if is_icecat_zip(path):
        columns, rows = _read_icecat_zip(path)
        mapping = mapping or ICECAT
    else:
        columns, rows = read_rows(path)
        mapping = mapping or ColumnMapping()
    source = path.name
    resolved = mapping.resolve(columns, source, report)
    ledger = report.products
    out = []
    for number, row in enumerate(rows, start=1):
        ledger.read += 1
        try:
            out.append((number, _product_from_row(row, resolved, mapping, ledger.filled)))
        except RowProblem as problem:
            report.reject(ledger, source, number, problem.reason, _printable(row), str(problem))
    return out


def _product_from_row(row: dict, col: dict[str, str], mapping: ColumnMapping, filled) -> Product:
    if row.get("__blank__"):
        raise RowProblem("blank row", "the row is empty — delete it")
    if "__unparsed__" in row:
        raise RowProblem("not a JSON object", "the line is not a JSON object — fix its syntax")
    if "__width__" in row:
        raise RowProblem(
            "wrong number of fields",
            f"the row has {row['__width__']} fields where the header has {len(row) - 1} — check for "
            "unquoted commas",
        )
    bad_column = find_invalid_utf8(row)
    if bad_column is not None:
        raise RowProblem(
            "invalid UTF-8", f"column {bad_column!r} holds bytes that are not UTF-8 — re-save as UTF-8"
        )
    get = lambda field: row.get(col[field]) if field in col else None  # noqa: E731
    title = clean_title(get("title"))
    price = parse_price(get("price"), minor_units=mapping.price_in_minor_units)
    brand = normalise_text(get("brand")) or None
    category = normalise_text(get("category")) or None
    for gap, missing in (("no price", price is None), ("no brand", brand is None), ("no category", category is None)):
        if missing:
            filled[gap] += 1
    return Product(
        id=clean_id(get("id")),
        title=title,
        display_title=display_form(title),
        description=normalise_text(get("description")),
        brand=brand,
        category=category,
        price=price,
        currency=normalise_text(get("currency")).upper() or mapping.default_currency,
        attributes=_attributes(row, mapping.attribute_prefixes),
        image_url=normalise_text(get("image_url")) or None,
        in_stock=parse_bool(get("in_stock")),
    )


def _attributes(row: dict, prefixes: tuple[str, ...]) -> dict[str, str]:
    attributes = {}
    for key, value in row.items():
        prefix = next((p for p in prefixes if key.startswith(p)), None)
        if prefix is None:
            continue
        text = normalise_text(value)
        if text:
            name = key[len(prefix):].strip("_").replace("__", " ").replace("_", " ")
            attributes[name] = text
    return attributes


def _read_icecat_zip(path: Path) -> tuple[list[str], list[dict]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(".json")]
            if not names:
                raise CatalogError(f"{path}: the zip holds no .json file")
            records: list = []
            for name in names:
                records.extend(_parse_json_array(f"{path}:{name}", archive.read(name)))
    except (zipfile.BadZipFile, OSError) as e:
        raise CatalogError(f"{path}: not a readable zip file ({e})") from None
    return _from_records(path, records)


def _printable(row: dict) -> dict:
    """The raw row for the rejects file, with undecodable bytes shown as U+FFFD."""
    return {
        str(k): (v.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if isinstance(v, str) else v)
        for k, v in row.items()
        if not str(k).startswith("__")
    }
