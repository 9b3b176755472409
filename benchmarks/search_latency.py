"""Search latency on the whole Icecat catalogue (19,406 products), model loaded, 2 cores.

One query = parse + BM25 + dense + fusion (+ filters). Two correct dense paths over the same
Chroma collection are timed in the same run: the shipped one (vectors held in memory, exact
scoring, filters as a boolean mask) and the baseline (Chroma's HNSW query with a `where` filter).
The same dev queries in Chinese (benchmarks/data/icecat-judgments-dev-zh.csv) are a second set,
reported on their own: translation per query, and the whole search with it.

    .venv/bin/python benchmarks/search_latency.py   # after: shopassist reindex --catalog ../shared/data/icecat
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np

from shopassist.retrieval.evaluation import Judgements
from shopassist.retrieval.factory import open_retriever
from shopassist.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "icecat"
CHINESE = Path(__file__).resolve().parent / "data" / "icecat-judgments-dev-zh.csv"


def timed(retriever, queries, repeats: int) -> np.ndarray:
    times = []
    for _ in range(repeats):
        for q in queries:
            started = time.perf_counter()
            retriever.search(q, 10)
            times.append((time.perf_counter() - started) * 1000)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="icecat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    retriever = open_retriever(Settings.load(), args.store)
    words = list(Judgements.read(DATA / "judgments-dev.csv").by_query)
    brands = sorted(retriever.vocabulary.brands)
    rng = random.Random(0)
    filtered = [f"{q} under ${rng.choice([20, 50, 100, 300, 1000])}, not {rng.choice(brands)}" for q in words]
    retriever.search("warm up", 10)
    print(f"{len(retriever.products):,} products, {len(words)} dev queries × {args.repeats}, embedder {retriever.embedder.name}")
    print(f"{'path':<34} {'filters':<8} {'mean ms':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for mode in ("memory", "chroma"):
        retriever.dense_mode = mode
        label = "shipped: in-memory exact + mask" if mode == "memory" else "baseline: Chroma HNSW + where"
        for name, queries in (("off", words), ("on", filtered)):
            t = timed(retriever, queries, args.repeats)
            print(f"{label:<34} {name:<8} {t.mean():8.1f} {np.percentile(t, 50):7.1f} {np.percentile(t, 95):7.1f}")
    retriever.dense_mode = "memory"
    started = time.perf_counter()
    for q in words:
        retriever.embedder.embed([q], query=True)
    print(f"of which query embedding alone: {(time.perf_counter() - started) * 1000 / len(words):.1f} ms mean")
    chinese(retriever, args.repeats)


def chinese(retriever, repeats: int) -> None:
    """The Chinese set: what translating costs on top of the shipped path."""
    queries = list(Judgements.read(CHINESE).by_query)
    if retriever.translator is None:
        print("Chinese set: this catalogue is Chinese, nothing to translate")
        return
    started = time.perf_counter()
    retriever.translator.translate("蓝牙音箱")  # the first Chinese query reads the dictionary
    print(f"\nChinese dev queries ({len(queries)} × {repeats}); dictionary read once: {time.perf_counter() - started:.2f} s")
    texts = [retriever.parse(q).text for q in queries]
    micros = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            retriever.translator.translate(text)
            micros.append((time.perf_counter() - started) * 1e6)
    micros = np.array(micros)
    print(f"translation alone: mean {micros.mean():.0f} µs, p95 {np.percentile(micros, 95):.0f} µs per query")
    t = timed(retriever, queries, repeats)
    print(f"{'shipped, Chinese, translated':<34} {'off':<8} {t.mean():8.1f} {np.percentile(t, 50):7.1f} {np.percentile(t, 95):7.1f}")


if __name__ == "__main__":
    main()
