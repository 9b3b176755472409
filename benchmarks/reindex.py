"""Reindex speed on the Icecat catalogue (19,406 products): full build, a run with 1% of products
changed, and a run with nothing changed.

Prints products/second for a full build; then the time of a run on a copy of the catalogue with 1%
of its products edited (seeded: half of them retitled, half repriced) — exactly those must be
re-embedded — and of a no-change run, each next to its baseline: the full rebuild a non-incremental
indexer would do every time. The catalogue is read from a copy, so `--limit` can time a slice.

    .venv/bin/python benchmarks/reindex.py [--catalog ../shared/data/icecat] [--limit 2000] [--changed 0.01]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import zipfile
from pathlib import Path

from shopassist.catalog.source_spec import SourceSpec
from shopassist.retrieval.embedder import load_embedder
from shopassist.retrieval.indexing import build_store
from shopassist.settings import Settings

REPO = Path(__file__).resolve().parents[1]
Parts = list[tuple[str, list[dict]]]  # per Icecat zip: its file name and its product records


def read_icecat(folder: Path, limit: int | None = None) -> Parts:
    """The records of each `*.json.zip` in name order; the first `limit` products in all, if given."""
    parts, left = [], limit if limit is not None else float("inf")
    for path in sorted(folder.glob("*.json.zip")):
        with zipfile.ZipFile(path) as archive:
            records = [r for name in archive.namelist() if name.endswith(".json") for r in json.loads(archive.read(name))]
        parts.append((path.name, records[: int(min(left, len(records)))]))
        left -= len(parts[-1][1])
    return [(name, records) for name, records in parts if records]


def write_icecat(folder: Path, parts: Parts) -> Path:
    """The same layout the loader reads: one JSON array per zip, under the same names."""
    folder.mkdir(parents=True)
    for name, records in parts:
        with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name.removesuffix(".zip"), json.dumps(records))
    return folder


def edit_some(parts: Parts, eligible: set[str], share: float, seed: int) -> tuple[Parts, set[str]]:
    """A copy with `share` of the eligible products edited (seeded): every other one gets a new
    title, the rest a new price. Returns the copy and the edited ids.

    >>> parts = [("p.json.zip", [{"id": str(i), "title": f"t{i}", "price": 100} for i in range(10)])]
    >>> edited, ids = edit_some(parts, {str(i) for i in range(10)}, 0.2, seed=0)
    >>> len(ids), sum(r != o for (_, e), (_, p) in zip(edited, parts) for r, o in zip(e, p))
    (2, 2)
    """
    n = round(share * len(eligible))
    chosen = sorted(random.Random(seed).sample(sorted(eligible), n))
    retitle = set(chosen[::2])
    edited = []
    for name, records in parts:
        copy = []
        for r in records:
            if r["id"] in retitle:
                r = {**r, "title": f"{r['title']} (edited)"}
            elif r["id"] in chosen:
                r = {**r, "price": r["price"] + 100}  # Icecat prices are integer cents
            copy.append(r)
        edited.append((name, copy))
    return edited, set(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=REPO.parent / "shared" / "data" / "icecat", help="a folder of Icecat .json.zip files")
    parser.add_argument("--limit", type=int, default=None, help="time only the first N products (a slice, for a quick run)")
    parser.add_argument("--changed", type=float, default=0.01, help="share of products edited for the partial run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    parts = read_icecat(args.catalog, args.limit)
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as work:
        settings = Settings.load(home=home)
        embedder = load_embedder(settings.embedder, settings.embed_batch_size, settings.hub_offline, settings.models_dir)

        def timed(folder: Path):
            started = time.perf_counter()
            catalog, result = build_store(settings, SourceSpec("icecat", folder), embedder)
            return catalog, result, time.perf_counter() - started

        base = write_icecat(Path(work) / "base", parts)
        catalog, full, full_s = timed(base)
        _, again, again_s = timed(base)
        # Only ids that occur once in the files: an edited copy of a merged duplicate would conflict.
        counts: dict[str, int] = {}
        for _, records in parts:
            for r in records:
                counts[r["id"]] = counts.get(r["id"], 0) + 1
        eligible = {pid for pid in catalog.products if counts.get(pid) == 1 and isinstance(catalog.products[pid].price, float | int)}
        edited_parts, edited_ids = edit_some(parts, eligible, args.changed, args.seed)
        _, partial, partial_s = timed(write_icecat(Path(work) / "edited", edited_parts))
    n = len(catalog.products)
    exact = "exactly the edited ones" if (partial.added, partial.updated, partial.deleted) == (0, len(edited_ids), 0) else "NOT the edited ones"
    print(f"catalogue: {args.catalog}{f' (first {args.limit:,})' if args.limit else ''} — {n:,} products, {full.rejected} rejected rows")
    print(f"full build:     {full_s:7.1f} s  ({full.added:,} embedded, {n / full_s:,.0f} products/s end to end, "
          f"{full.added / full.seconds:,.0f} products/s embed+upsert)")
    print(f"{args.changed:.0%} changed:     {partial_s:7.1f} s  ({len(edited_ids)} edited: {partial.added} added, {partial.updated} updated, "
          f"{partial.deleted} deleted, {partial.unchanged:,} unchanged — {exact}; index diff {partial.seconds:.1f} s)")
    print(f"no-change run:  {again_s:7.1f} s  ({again.added} added, {again.updated} updated, {again.unchanged:,} unchanged; "
          f"index diff {again.seconds:.1f} s, the rest is loading and snapshotting the catalogue)")
    print(f"baseline (full rebuild every time): {full_s:7.1f} s → incremental is {full_s / partial_s:.1f}× faster with "
          f"{args.changed:.0%} changed, {full_s / again_s:.1f}× with nothing changed")


if __name__ == "__main__":
    main()
