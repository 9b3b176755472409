"""Where catalogue size breaks the assistant: catalogues of 100k (and 1M) products derived from
Icecat, reindexed and served, figures for the largest size run.

The catalogues are SYNTHETIC: every real Icecat product (title, brand, category, price) is
expanded into variants — colour, size, capacity, pack — with the variant in the title and the
price scaled, until the size is reached. Per size, in one run: reindex throughput beside the raw
encode rate of the same texts with the same model (on a sample), a no-change reindex, and a
fresh serving process (its own interpreter): time from start to first answer, peak RSS and what
each part adds, search p95 with and without filters — on the in-memory dense path (int8 codes
from 200k products up) and through a `chroma run` server over the same index — and the compact
path's recall@50 against the exact one.

`--vectors random` stores random unit vectors instead of encoding the catalogue (queries are still
encoded by the real model): for the serving figures where encoding the whole catalogue does not fit
the time (1M texts at ~140/s on 2 cores is ~2 h); its reindex figure is then plumbing only, and
the projection from the raw encode rate is printed beside it.

`--resume` continues an interrupted run under the same --home (the 1M model reindex takes ~3 h on
2 cores, longer than one sitting). The reindex is built to be interrupted (each batch is stored
with its content hashes; the next run embeds only what is missing), and the seconds it has taken
are kept in a ledger beside the store, rewritten every 5 s while it runs: the reindex figure is
the sum over the runs, restarts (loading the catalogue again, diffing it against the index)
included. Resume with the same --sizes (each size keeps its own ledger).

    .venv/bin/python benchmarks/scale.py [--quick] [--json] [--sizes 100000 1000000] [--vectors model|random] [--home DIR] [--resume]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ICECAT = REPO.parent / "shared" / "data" / "icecat"
# Variant axes; a variant takes at most one value from each, so each real product becomes up to
# 7 × 5 × 6 × 5 = 1,050 products (19,406 Icecat products → 20 million): single-axis variants
# first (colour, size, capacity or pack alone), then two axes together, and so on.
AXES = (
    [(c, 1.0) for c in ("Black", "White", "Silver", "Blue", "Red", "Green")],
    [(f"size {s}", m) for s, m in (("S", 0.9), ("M", 1.0), ("L", 1.1), ("XL", 1.2))],
    [(c, m) for c, m in (("64 GB", 1.0), ("128 GB", 1.15), ("256 GB", 1.35), ("512 GB", 1.6), ("1 TB", 2.0))],
    [(f"pack of {n}", n * 0.9) for n in (2, 3, 5, 10)],
)


def variants(seed: int = 0) -> list[tuple[str, float]]:
    """Every combination of at most one value per axis, fewest axes first (seeded order within).

    >>> found = variants()
    >>> len(found), found[0][0].count(",")
    (1049, 0)
    """
    combos: list[list[tuple[str, float]]] = [[]]
    for axis in AXES:
        combos = [c + [v] for c in combos for v in [None, *axis]]  # type: ignore[list-item]
    rng = random.Random(seed)
    named = []
    for combo in combos:
        chosen = [v for v in combo if v is not None]
        if chosen:
            named.append((len(chosen), rng.random(), ", ".join(n for n, _ in chosen), float(np.prod([m for _, m in chosen]))))
    return [(name, factor) for _, _, name, factor in sorted(named)]


def synthetic_catalogue(size: int, out: Path, seed: int = 0) -> Path:
    """A JSON Lines catalogue of `size` products: the real Icecat ones first, then variants of them
    (round-robin over the products, variants in a seeded order). Every row is marked synthetic."""
    from shopassist.catalog.store import load_catalog

    real = list(load_catalog(ICECAT).products.values())
    extra = variants(seed)
    written = 0
    with out.open("w") as f:
        for round_ in range(len(extra) + 1):
            for p in real:
                if written == size:
                    return out
                row = {"id": p.id, "title": p.title, "description": p.description, "brand": p.brand,
                       "category": p.category, "price": p.price, "currency": p.currency}  # fmt: skip
                if round_:
                    name, factor = extra[round_ - 1]
                    row.update(id=f"{p.id}-v{round_}", title=f"{p.title}, {name}",
                               price=None if p.price is None else round(p.price * factor, 2))  # fmt: skip
                row["attr_t_synthetic"] = "variant" if round_ else "real Icecat product"
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
    raise ValueError(f"{size:,} is more than {written:,} variants of the Icecat catalogue")


class RandomDocuments:
    """The real model for queries, random unit vectors for products: serving figures without
    encoding the catalogue. Search results are meaningless; their time is not."""

    def __init__(self, model):
        self.model, self.name, self.dim, self.multilingual = model, f"{model.name}-random", model.dim, False

    def embed(self, texts, query=False):
        if query:
            return self.model.embed(texts, query=True)
        # Seeded by the batch's own texts: seeded by its length, every full batch got the same
        # vectors, and a million products held 4,000 copies of 256 vectors (ties everywhere).
        rng = np.random.default_rng(zlib.crc32("\n".join(texts).encode()))
        v = rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def compact_recall(home: Path, store: str, vectors: str, k: int = 50) -> dict:
    """recall@k of the compact path (int8 codes + exact re-scoring) against the exact float32 one,
    dense alone and hybrid, over the Icecat dev queries, with and without filters."""
    from shopassist.retrieval.embedder import embedder_from
    from shopassist.retrieval.factory import open_retriever
    from shopassist.settings import Settings

    settings = Settings.load(home=home)
    embedder = RandomDocuments(embedder_from(settings)) if vectors == "random" else None
    exact = open_retriever(settings.with_(compact_vectors=False), store, embedder)
    compact = open_retriever(settings.with_(compact_vectors=True), store, exact.embedder)
    assert compact.dense.compact and not exact.dense.compact
    words, filtered = queries(exact)
    out = {}
    for method in ("dense", "hybrid"):
        for name, asked in (("", words), ("filtered_", filtered)):
            shares = []
            for q in asked:
                want = {c.product.id for c in exact.search(q, k, method=method)}
                got = {c.product.id for c in compact.search(q, k, method=method)}
                shares.append(len(want & got) / max(1, len(want)))
            out[f"{method}_{name}recall@{k}"] = round(float(np.mean(shares)), 4)
            out[f"{method}_{name}min_recall@{k}"] = round(float(np.min(shares)), 4)
    out["queries"] = len(words) * 2
    return out


def queries(retriever) -> tuple[list[str], list[str]]:
    """The Icecat dev queries as typed, and each with a price bound and an excluded brand."""
    from shopassist.retrieval.evaluation import Judgements

    words = list(Judgements.read(ICECAT / "judgments-dev.csv").by_query)
    brands = sorted(retriever.vocabulary.brands)
    rng = random.Random(0)
    return words, [f"{q} under ${rng.choice([20, 50, 100, 300, 1000])}, not {rng.choice(brands)}" for q in words]


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    """This process's own peak RSS. Not getrusage's ru_maxrss: Linux carries that across exec, so a
    child started by a large parent (this benchmark after a reindex) reports the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # not Linux: the best there is

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(home: str, store: str, vectors: str) -> None:
    """The serving process: open the store, answer a shopper, search, measure; one JSON line on stdout."""
    from shopassist.assistant.core import Assistant
    from shopassist.ranking import load_ranker
    from shopassist.retrieval.embedder import embedder_from
    from shopassist.retrieval.factory import open_retriever
    from shopassist.settings import Settings

    settings = Settings.load(home=home)
    stages = {"python + libraries": rss_mb()}
    model = embedder_from(settings)
    stages["embedding model"] = rss_mb()
    embedder = RandomDocuments(model) if vectors == "random" else model
    retriever = open_retriever(settings, store, embedder)
    stages["store opened (catalogue, BM25, vectors)"] = rss_mb()
    # The whole turn without a language model: understand, retrieve, rank (the store's ranker), cards, template.
    answer = Assistant(retriever, load_ranker(settings, store, retriever.catalog), None).ask(None, "a usb cable under $20")
    assert answer.suggestions, "the first answer showed no product"
    first_answer = time.time()
    stages["first answer"] = rss_mb()
    words, filtered = queries(retriever)
    p95 = {"off": p95_ms(retriever, words), "on": p95_ms(retriever, filtered)}
    stages[f"after {len(words) * 4} searches"] = rss_mb()
    through_server = {}
    if settings.chroma_url:  # the same searches, dense scores from the server's HNSW
        retriever.dense_mode = "chroma"
        retriever.search(words[0], 10)  # the server loads the collection's index on its first query
        through_server = {"chroma_search_p95_ms": p95_ms(retriever, words), "chroma_search_p95_filtered_ms": p95_ms(retriever, filtered)}
    print(json.dumps({**through_server,
        "first_answer": first_answer, "rss_stages_mb": stages,
        "peak_rss_mb": peak_rss_mb(),
        "dense_index_mb": retriever.dense.nbytes / 2**20, "compact_vectors": retriever.dense.compact,
        "search_p95_ms": p95["off"], "search_p95_filtered_ms": p95["on"], "queries": len(words) * 2,
    }))  # fmt: skip


def p95_ms(retriever, asked: list[str]) -> float:
    """p95 of `retriever.search(q, 10)` over the queries, each asked twice."""
    times = []
    for q in asked * 2:
        t = time.perf_counter()
        retriever.search(q, 10)
        times.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(times, 95))


@contextmanager
def chroma_server(home: Path):
    """A `chroma run` server over the data directory's own Chroma folder (what the reindex wrote)."""
    from shopassist.assistant.llm.llama_server import free_port, server_process

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from chromadb.cli.cli import app; app()", "run", "--path", str(home / "chroma"), "--host", "127.0.0.1", "--port", str(port)]
    with server_process(command, f"{url}/api/v2/heartbeat", home / "chroma-server.log", "chroma server", 120):
        yield url


def serve_in_child(home: Path, store: str, vectors: str, compact: str, chroma_url: str | None = None) -> dict:
    """A fresh serving process's figures; its start-up counts from before the interpreter starts."""
    launched = time.time()
    env = {**os.environ, "SHOPASSIST_HOME": str(home)}
    env.pop("SHOPASSIST_COMPACT_VECTORS", None)  # "auto": the store's size decides (retrieval/dense.py COMPACT_FROM)
    if compact != "auto":
        env["SHOPASSIST_COMPACT_VECTORS"] = "1" if compact == "on" else "0"
    env.pop("SHOPASSIST_CHROMA_URL", None)
    if chroma_url:
        env["SHOPASSIST_CHROMA_URL"] = chroma_url
    probe = subprocess.run([sys.executable, __file__, "--serve", store, "--home", str(home), "--vectors", vectors],
                           capture_output=True, text=True, env=env)  # fmt: skip
    if probe.returncode:
        raise SystemExit(f"the serving process failed:\n{probe.stderr[-3000:]}")
    served = json.loads(probe.stdout.strip().splitlines()[-1])
    served["startup_s"] = served["first_answer"] - launched
    return served


class ReindexLedger:
    """Seconds a store's reindex has taken so far, over interrupted runs: a JSON file beside it,
    rewritten every few seconds while the reindex runs (a kill loses at most those seconds)."""

    EVERY_S = 5.0

    def __init__(self, path: Path, source: Path, resume: bool):
        if not resume and (path.exists() or source.exists()):  # the reindex would skip what is built: a figure far too fast
            raise SystemExit(f"{path.parent} already holds a build of {source.stem}: --resume to continue timing it, or give an empty --home")
        if resume and not path.exists():
            raise SystemExit(f"--resume: {path} is missing, so there is no timed run of {source.stem} to continue under {path.parent}")
        earlier = json.loads(path.read_text()) if path.exists() else {"seconds": 0.0, "runs": 0}
        self.path, self.before, self.runs = path, float(earlier["seconds"]), int(earlier["runs"]) + 1
        self.done, self.started, self.stopped, self._stop = (0, 0), 0.0, None, threading.Event()

    def seconds(self) -> float:
        """All runs' seconds, this one's up to now (or to its end)."""
        return self.before + (self.stopped or time.perf_counter()) - self.started

    @contextmanager
    def timing(self) -> Iterator[Callable[[int, int], None]]:
        """Time the block, writing the ledger as it goes and once more at its end; yields a
        `progress(done, total)` that records how far this run got."""
        self.started = time.perf_counter()
        ticker = threading.Thread(target=self._tick, daemon=True)
        ticker.start()
        try:
            yield lambda done, total: setattr(self, "done", (done, total))
        finally:
            self._stop.set()
            ticker.join()
        self.stopped = time.perf_counter()  # not on an exception: the ledger keeps the last tick's time
        self._write(finished=True)

    def _tick(self) -> None:
        while not self._stop.wait(self.EVERY_S):
            self._write(finished=False)

    def _write(self, finished: bool) -> None:
        entry = {"seconds": round(self.seconds(), 1), "runs": self.runs, "done_this_run": self.done[0], "todo_this_run": self.done[1], "finished": finished}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entry))
        tmp.replace(self.path)


def run_size(size: int, home: Path, vectors: str, sample: int, compact: str, say, resume: bool = False) -> dict:
    from shopassist.catalog.source_spec import SourceSpec
    from shopassist.retrieval.embedder import embedder_from
    from shopassist.retrieval.indexing import build_store
    from shopassist.settings import Settings
    from shopassist.cli_options import progress_bar

    settings = Settings.load(home=home)
    name = f"synthetic-{size}"
    source = home / f"{name}.jsonl"
    ledger = ReindexLedger(home / f"{name}.reindex-time.json", source, resume)
    if not resume:  # a resumed run reads the rows already written (the same rows: seeded)
        synthetic_catalogue(size, source)
    model = embedder_from(settings)
    embedder = RandomDocuments(model) if vectors == "random" else model
    say(f"{size:,} products (synthetic); reindexing …" + (f" (resumed: {ledger.before:,.0f} s in {ledger.runs - 1} earlier run(s))" if ledger.before else ""))
    with progress_bar(f"reindex {size:,}") as progress, ledger.timing() as record:

        def both(done: int, total: int) -> None:
            progress(done, total)
            record(done, total)

        catalog, _ = build_store(settings, SourceSpec(name, source), embedder, progress=both)
    reindex_s = ledger.seconds()
    texts = random.Random(1).sample([p.search_text() for p in catalog.products.values()], min(sample, size))
    del catalog
    model.embed(texts[:32])  # warm-up
    t = time.perf_counter()
    model.embed(texts)
    raw = len(texts) / (time.perf_counter() - t)
    t = time.perf_counter()
    build_store(settings, SourceSpec(name, source), embedder)
    no_change_s = time.perf_counter() - t
    say(f"reindex {reindex_s:.0f} s, raw encode {raw:,.1f} texts/s, no-change reindex {no_change_s:.0f} s; serving …")
    with chroma_server(home) as url:
        served = serve_in_child(home, name, vectors, compact, url)
    say("compact path's recall against the exact one …")
    recall = compact_recall(home, name, vectors)
    return {
        "products": size, "synthetic": True, "vectors": vectors,
        "reindex_s": round(reindex_s, 1), "reindex_runs": ledger.runs, "reindex_per_s": round(size / reindex_s, 1),
        "raw_encode_per_s": round(raw, 1), "ratio": round(size / reindex_s / raw, 2),
        "projected_model_reindex_s": round(size / raw, 0), "no_change_reindex_s": round(no_change_s, 1),
        "serving_rss_mb": round(served["peak_rss_mb"], 0), "rss_stages_mb": {k: round(v) for k, v in served["rss_stages_mb"].items()},
        "dense_index_mb": round(served["dense_index_mb"], 1),
        "startup_s": round(served["startup_s"], 1), "compact_vectors": served["compact_vectors"],
        "search_p95_ms": round(served["search_p95_ms"], 1), "search_p95_filtered_ms": round(served["search_p95_filtered_ms"], 1),
        "compact_recall": recall,
        "chroma_search_p95_ms": round(served["chroma_search_p95_ms"], 1), "chroma_search_p95_filtered_ms": round(served["chroma_search_p95_filtered_ms"], 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100k only")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="catalogue sizes (default 100k and 1M)")
    parser.add_argument("--vectors", choices=("model", "random"), default="model", help="encode products with the model, or random vectors (serving figures only)")
    parser.add_argument("--compact", choices=("auto", "on", "off"), default="auto",
                        help="serve int8 codes with exact re-scoring: auto (from 200k products), on or off (SHOPASSIST_COMPACT_VECTORS)")
    parser.add_argument("--serve-store", metavar="STORE", help="only measure serving an already built store under --home (e.g. icecat)")
    parser.add_argument("--recall-store", metavar="STORE", help="only measure the compact path's recall@50 against the exact one on a built store under --home")
    parser.add_argument("--sample", type=int, default=500, help="texts in the raw-encode baseline")
    parser.add_argument("--home", type=Path, default=None, help="data directory for the built stores (default: a temporary one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (the largest size run) on stdout")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run under --home, adding the reindex seconds its ledger kept")
    parser.add_argument("--serve", metavar="STORE", help=argparse.SUPPRESS)  # the serving child process
    args = parser.parse_args()
    if args.resume and args.home is None:
        parser.error("--resume continues the run under --home: give it")
    if args.serve:
        serve(str(args.home), args.serve, args.vectors)
        return
    if args.recall_store:
        print(json.dumps(compact_recall(args.home, args.recall_store, args.vectors)))
        return
    if args.serve_store:
        with chroma_server(args.home) as url:
            served = serve_in_child(args.home, args.serve_store, args.vectors, args.compact, url)
        print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in served.items() if k != "first_answer"}))
        return
    sizes = [100_000] if args.quick else args.sizes
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        results = [run_size(size, home, args.vectors, args.sample, args.compact, say, args.resume) for size in sizes]
    if args.json:
        print(json.dumps(results[-1]))
        return
    for r in results:
        print(f"{r['products']:,} products (SYNTHETIC variants of Icecat), vectors: {r['vectors']}, compact: {r['compact_vectors']}")
        print(f"  reindex {r['reindex_per_s']:,.1f} products/s ({r['reindex_s']:,.0f} s over {r['reindex_runs']} run(s)) vs raw encode {r['raw_encode_per_s']:,.1f} texts/s "
              f"-> {r['ratio']:.2f}x; encoding alone would take {r['projected_model_reindex_s']:,.0f} s")
        print(f"  no-change reindex {r['no_change_reindex_s']:,.1f} s")
        print(f"  serving: first answer {r['startup_s']:.1f} s after start, peak RSS {r['serving_rss_mb']:,.0f} MB "
              f"(dense index {r['dense_index_mb']:,.0f} MB); RSS after each stage: {r['rss_stages_mb']}")
        print(f"  search p95 {r['search_p95_ms']:.1f} ms, with filters {r['search_p95_filtered_ms']:.1f} ms (in-memory path)")
        print(f"  through a Chroma server (HNSW; filtered by more neighbours and the mask, or by `where` when the filters keep few): search p95 {r['chroma_search_p95_ms']:.1f} ms, "
              f"with filters {r['chroma_search_p95_filtered_ms']:.1f} ms")
        rec = r["compact_recall"]
        print(f"  compact path's recall@50 of the exact one over {rec['queries']} queries: dense {rec['dense_recall@50']:.4f} "
              f"(filtered {rec['dense_filtered_recall@50']:.4f}), hybrid {rec['hybrid_recall@50']:.4f} (filtered {rec['hybrid_filtered_recall@50']:.4f})")


if __name__ == "__main__":
    main()
