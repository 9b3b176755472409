"""Reindex speed on the Icecat catalogue (19,406 products): full build, a run with 1% of products
changed, and a run with nothing changed.

Prints products/second for a full build beside the raw encode rate of the same model on a sample
of the same texts (one `embed` call, measured before and after the build and averaged, so a
machine shared with other jobs slows both alike) and their ratio — what the rest of a reindex
(loading, hashing, Chroma writes, the lexical index, the snapshot) costs on top of encoding; then the time of a run on a copy of the catalogue with 1%
of its products edited (seeded: half of them retitled, half repriced) — exactly those must be
re-embedded — and of a no-change run, each next to its baseline: the full rebuild a non-incremental
indexer would do every time. The catalogue is read from a copy, so `--limit` can time a slice.

    .venv/bin/python benchmarks/reindex.py [--catalog ../shared/data/icecat] [--limit 2000] [--changed 0.01]
        [--sample 1000] [--reindex-batch 1024] [--embed-batch 256]
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
from shopassist.catalog.store import load_catalog
from shopassist.retrieval.embedder import embedder_from
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


def raw_encode_sample(parts: Parts, size: int, seed: int) -> tuple[list[str], int]:
    """`size` product texts, seeded, exactly as the index embeds them (the loader's cleaning
    included), and how many texts there are in all."""
    with tempfile.TemporaryDirectory() as work:
        catalog = load_catalog(write_icecat(Path(work) / "sample", parts))
    texts = [p.search_text() for p in catalog.products.values()]
    return random.Random(seed).sample(texts, min(size, len(texts))), len(texts)


def raw_encode_rate(embedder, texts: list[str], batch: int) -> float:
    """Texts/s of one `embed` call over `texts` in forward passes of `batch`."""
    default, embedder.batch_size = embedder.batch_size, batch
    try:
        started = time.perf_counter()
        embedder.embed(texts)
        return len(texts) / (time.perf_counter() - started)
    finally:
        embedder.batch_size = default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=REPO.parent / "shared" / "data" / "icecat", help="a folder of Icecat .json.zip files")
    parser.add_argument("--limit", type=int, default=None, help="time only the first N products (a slice, for a quick run)")
    parser.add_argument("--changed", type=float, default=0.01, help="share of products edited for the partial run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=1000, help="texts in the raw-encode baseline")
    parser.add_argument("--reindex-batch", type=int, default=None, help="products per Chroma write (default: Settings)")
    parser.add_argument("--embed-batch", type=int, default=None, help="texts per forward pass (default: Settings)")
    args = parser.parse_args()
    parts = read_icecat(args.catalog, args.limit)
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as work:
        settings = Settings.load(home=home, reindex_batch_size=args.reindex_batch, embed_batch_size=args.embed_batch)
        embedder = embedder_from(settings)
        sample, n_texts = raw_encode_sample(parts, args.sample, args.seed)
        # The sample's passes cover the same share of the length distribution as the build's
        # (one call sorts its texts by length, and each pass pads to its longest text): with the
        # build's batch on a 1,000-text sample, passes padded 2.25x the real tokens where the
        # build's pad 1.53x, and the baseline looked slower than it is.
        raw_batch = max(8, round(settings.embed_batch_size * len(sample) / n_texts))
        embedder.embed(sample[:64])  # warm-up: the first forward pass is not the rate
        raw_before = raw_encode_rate(embedder, sample, raw_batch)

        def timed(folder: Path):
            started = time.perf_counter()
            catalog, result = build_store(settings, SourceSpec("icecat", folder), embedder)
            return catalog, result, time.perf_counter() - started

        base = write_icecat(Path(work) / "base", parts)
        catalog, full, full_s = timed(base)
        raw_after = raw_encode_rate(embedder, sample, raw_batch)
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
    raw = (raw_before + raw_after) / 2
    print(f"raw encode:     {raw:7,.0f} texts/s  ({len(sample):,} of the same texts, one embed call, batch {raw_batch} = {settings.embed_batch_size} × sample share; "
          f"{raw_before:,.0f} before the build, {raw_after:,.0f} after)")
    print(f"reindex / raw encode: {n / full_s / raw:.2f}x end to end, {full.added / full.seconds / raw:.2f}x embed+upsert "
          f"(target 0.8x; Chroma writes of {settings.reindex_batch_size:,})")
    print(f"{args.changed:.0%} changed:     {partial_s:7.1f} s  ({len(edited_ids)} edited: {partial.added} added, {partial.updated} updated, "
          f"{partial.deleted} deleted, {partial.unchanged:,} unchanged — {exact}; index diff {partial.seconds:.1f} s)")
    print(f"no-change run:  {again_s:7.1f} s  ({again.added} added, {again.updated} updated, {again.unchanged:,} unchanged; "
          f"index diff {again.seconds:.1f} s, the rest is loading and snapshotting the catalogue)")
    print(f"baseline (full rebuild every time): {full_s:7.1f} s → incremental is {full_s / partial_s:.1f}× faster with "
          f"{args.changed:.0%} changed, {full_s / again_s:.1f}× with nothing changed")


if __name__ == "__main__":
    main()
