"""Reindex speed on the whole Icecat catalogue (19,406 products).

Prints products/second for a full build, and the time of a no-change run next to its baseline:
the full rebuild a non-incremental indexer would do every time.

    .venv/bin/python benchmarks/reindex.py [--catalog ../shared/data/icecat]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from shopassist.catalog.source_spec import SourceSpec
from shopassist.retrieval.indexing import build_store
from shopassist.retrieval.embedder import load_embedder
from shopassist.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=REPO.parent / "shared" / "data" / "icecat")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.load(home=home)
        embedder = load_embedder(settings.embedder, settings.embed_batch_size, settings.hub_offline)
        spec = SourceSpec("icecat", args.catalog)
        t0 = time.perf_counter()
        catalog, full = build_store(settings, spec, embedder)
        full_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        _, again = build_store(settings, spec, embedder)
        again_s = time.perf_counter() - t1
    n = len(catalog.products)
    print(f"catalogue: {args.catalog} — {n:,} products, {full.rejected} rejected rows")
    print(f"full build:     {full_s:7.1f} s  ({full.added:,} embedded, {n / full_s:,.0f} products/s end to end, "
          f"{full.added / full.seconds:,.0f} products/s embed+upsert)")
    print(f"no-change run:  {again_s:7.1f} s  ({again.added} added, {again.updated} updated, {again.unchanged:,} unchanged; "
          f"index diff {again.seconds:.1f} s, the rest is loading and snapshotting the catalogue)")
    print(f"baseline (full rebuild every time): {full_s:7.1f} s → incremental is {full_s / again_s:.1f}× faster")


if __name__ == "__main__":
    main()
