"""Latency of ranking 100 candidates for one shopper on the demo store (CPU).

Uses the demo store's latest `shopassist train` artefacts when there are some; otherwise trains a
ranker of the same size with very few epochs first (inference cost depends on the model's shape,
not on how well it was trained). Prints p50/p95/p99 for the trained ranker and, measured in the
same run on the same requests, for the untrained popularity ranker as the baseline.

    .venv/bin/python benchmarks/rank_latency.py [--requests 300] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shopassist.catalog.models import Event
from shopassist.catalog.store import load_demo
from shopassist.ranking import artefacts
from shopassist.ranking.contract import RankContext
from shopassist.ranking.models.sasrec import SASRecConfig
from shopassist.ranking.pipeline import TrainConfig, train
from shopassist.ranking.ranker import PopularityRanker, TrainedRanker
from shopassist.ranking.sources import from_catalog
from shopassist.ranking.split import production_fold
from shopassist.retrieval.candidate import Candidate
from shopassist.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (serving one request is too small to split)")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    catalog = load_demo()
    settings = Settings.load()
    folder = artefacts.latest(settings, "demo")
    if folder is not None:
        trained, source = artefacts.load(folder), f"artefacts {folder}"
    else:
        data, _ = from_catalog(catalog)
        quick = TrainConfig(sasrec=SASRecConfig(epochs=1), recency_grid=((5, 0.6),), cooc_windows=(None,), combiners=("logistic C=1",))
        trained, source = train(production_fold(data, "time"), data, quick), "a full-size ranker trained for 1 epoch (no artefacts yet)"
    print(f"setup {time.perf_counter() - started:.0f}s — ranking with {source}")

    rng = np.random.default_rng(0)
    products = list(catalog.products.values())
    shoppers = list(catalog.shoppers)
    requests = []
    for i in range(args.requests):
        # Mostly returning shoppers, some new ones, some with this session's feedback.
        shopper = None if i % 10 == 0 else shoppers[int(rng.integers(len(shoppers)))]
        picked = rng.choice(len(products), size=args.candidates, replace=False)
        cands = [Candidate(products[j], float(s), {"dense": float(s)}) for j, s in zip(picked, rng.random(args.candidates))]
        recent = ()
        if i % 3 == 0:
            now = datetime.now(timezone.utc)
            recent = (Event(shopper or "", products[picked[0]].id, "cart", now), Event(shopper or "", products[picked[1]].id, "dislike", now))
        requests.append((shopper, cands, RankContext(recent=recent, constraints=("under £10",))))

    results = {}
    for name, build in (("final ranker", lambda: TrainedRanker(trained, catalog)), ("popularity (baseline)", lambda: PopularityRanker(catalog))):
        built = time.perf_counter()
        ranker = build()  # codes every shopper's events as item histories, once
        built = time.perf_counter() - built
        first = time.perf_counter()
        ranker.rank(*requests[0])
        first = time.perf_counter() - first
        for r in requests[:20]:
            ranker.rank(*r)  # warm caches
        times = []
        for r in requests:
            t = time.perf_counter()
            out = ranker.rank(*r)
            times.append(time.perf_counter() - t)
            assert out and all(s.reason for s in out)
        ms = np.array(times) * 1000
        results[name] = ms
        print(
            f"{name:<22} p50 {np.percentile(ms, 50):6.2f} ms   p95 {np.percentile(ms, 95):6.2f} ms   "
            f"p99 {np.percentile(ms, 99):6.2f} ms   mean {ms.mean():6.2f} ms   (built in {built * 1000:.0f} ms, first call {first * 1000:.0f} ms)"
        )
    final, base = results["final ranker"], results["popularity (baseline)"]
    print(f"{args.requests} requests x {args.candidates} candidates, {args.threads} torch thread(s); "
          f"final / baseline p95 = {np.percentile(final, 95) / np.percentile(base, 95):.1f}x; target p95 <= 20 ms: "
          f"{'met' if np.percentile(final, 95) <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
