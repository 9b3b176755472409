"""Read a tabular file (CSV, JSON Lines, JSON array, Parquet) into raw row dicts."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path

from shopassist.errors import CatalogError

TABULAR_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet"}


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    """Column names and rows as dicts of raw values. Undecodable bytes survive as surrogates,
    so a bad row can be rejected on its own instead of failing the file.

    Raises CatalogError when the file itself cannot be read.
    """
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes() if suffix != ".parquet" else b""
    except OSError as e:
        raise CatalogError(f"cannot read {path}: {e.strerror} — check the path") from None
    if suffix in (".csv", ".tsv"):
        return _read_csv(path, data, "\t" if suffix == ".tsv" else ",")
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(path, data)
    if suffix == ".json":
        return _from_records(path, _parse_json_array(path, data))
    if suffix == ".parquet":
        return _read_parquet(path)
    raise CatalogError(
        f"{path}: unknown file type {suffix!r} — use .csv, .tsv, .jsonl, .json or .parquet"
    )


def _read_csv(path: Path, data: bytes, delimiter: str) -> tuple[list[str], list[dict]]:
    text = data.decode("utf-8-sig", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogError(f"{path}: the file is empty — it needs a header row") from None
    except csv.Error as e:
        raise CatalogError(f"{path}: not a readable CSV file ({e})") from None
    header = [h.strip() for h in header]
    if not any(header) or any("\udc80" <= c <= "\udcff" for h in header for c in h):
        raise CatalogError(f"{path}: the header row is empty or not UTF-8 — save the file as UTF-8 CSV")
    rows = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                rows.append({"__blank__": True})  # counted and reported, not silently skipped
                continue
            row = dict(zip(header, values))
            if len(values) != len(header):
                row["__width__"] = len(values)
            rows.append(row)
    except csv.Error as e:
        raise CatalogError(f"{path} line {reader.line_num}: {e} — fix the quoting") from None
    return header, rows


def _read_jsonl(path: Path, data: bytes) -> tuple[list[str], list[dict]]:
    rows: list[dict] = []
    columns: dict[str, None] = {}
    for line in data.decode("utf-8", errors="surrogateescape").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            rows.append({"__unparsed__": line[:500]})
            continue
        if not isinstance(record, dict):
            rows.append({"__unparsed__": line[:500]})
            continue
        columns.update(dict.fromkeys(record))
        rows.append(record)
    if not rows:
        raise CatalogError(f"{path}: no JSON objects found — one product object per line expected")
    return list(columns), rows


def _parse_json_array(path: Path | str, data: bytes) -> list:
    try:
        records = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise CatalogError(f"{path}: not valid UTF-8 JSON ({e}) — expected one array of objects") from None
    if not isinstance(records, list):
        raise CatalogError(f"{path}: expected a JSON array of product objects")
    return records


def _from_records(path: Path | str, records: list) -> tuple[list[str], list[dict]]:
    columns: dict[str, None] = {}
    rows = []
    for record in records:
        if isinstance(record, dict):
            columns.update(dict.fromkeys(record))
            rows.append(record)
        else:
            rows.append({"__unparsed__": str(record)[:500]})
    return list(columns), rows


def _read_parquet(path: Path) -> tuple[list[str], list[dict]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises many types for a bad file; all mean "cannot read"
        raise CatalogError(f"{path}: not a readable Parquet file ({e})") from None
    rows = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in table.to_pylist()
    ]
    return table.column_names, rows


def iter_files(path: Path) -> Iterator[Path]:
    """Files a catalogue path stands for: the file itself, or a folder's readable files in name order."""
    if path.is_file():
        yield path
        return
    if not path.exists():
        raise CatalogError(f"{path} does not exist — give a catalogue file or folder")
    found = False
    for child in sorted(path.iterdir()):
        if child.is_file() and (child.suffix.lower() in TABULAR_SUFFIXES or child.name.endswith(".json.zip")):
            found = True
            yield child
    if not found:
        raise CatalogError(
            f"{path}: no catalogue files in this folder (.csv .jsonl .json .parquet or Icecat .json.zip)"
        )
