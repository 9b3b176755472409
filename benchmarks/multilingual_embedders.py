"""Embedders side by side on the Icecat dev queries, in English and in Chinese, dense search only,
over a pool small enough to embed with a heavy model on a busy 2-core machine: every product
judged for the first N dev queries (the Chinese set is the same queries, translated, judged on
the same products). Each query ranks the whole pool, so its products compete with every other
query's. The baseline is the shipped embedder (all-minilm-l6-v2), measured in the same run.

A Chinese query is embedded as the shipped retriever would: as typed by a multilingual model, its
CC-CEDICT translation by an English-only one. Reported per embedder: passages embedded per second
(title + brand + category + description, what `reindex` embeds), the projected time to embed all of
Icecat at that rate, query embedding p95, and dense nDCG@10 on the pool for each language.

    .venv/bin/python benchmarks/multilingual_embedders.py --queries 12   # after: shopassist reindex --catalog ../shared/data/icecat

Pool nDCG is not the full-catalogue figure of `shopassist eval search`: it ranks a few hundred
products, not 19,406, so it is higher; compare embedders with each other, in the same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from shopassist.catalog.store import Catalog
from shopassist.metrics import ndcg_at
from shopassist.retrieval.cedict import Cedict
from shopassist.retrieval.embedder import load_embedder
from shopassist.retrieval.evaluation import Judgements
from shopassist.retrieval.indexing import catalog_fingerprint
from shopassist.retrieval.lexical import LexicalIndex
from shopassist.retrieval.translate import QueryTranslator
from shopassist.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "icecat"
CHINESE = Path(__file__).resolve().parent / "data" / "icecat-judgments-dev-zh.csv"
ICECAT_PRODUCTS = 19_406


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=12, help="how many dev queries (in file order) make the pool")
    parser.add_argument("--embedders", default="all-minilm-l6-v2,multilingual-e5-small,embeddinggemma-300m",
                        help="comma-separated; the first is the baseline")
    parser.add_argument("--store", default="icecat", help="a store built by `shopassist reindex` (read only)")
    args = parser.parse_args()

    settings = Settings.load()
    catalog = Catalog.open(args.store, settings.store_dir(args.store))
    english, chinese = Judgements.read(DATA / "judgments-dev.csv"), Judgements.read(CHINESE)
    queries = list(english.by_query)[: args.queries]
    sets = {"en": {q: english.by_query[q] for q in queries}}
    # The Chinese file lists the same queries in the same order, judged on the same products.
    sets["zh"] = {q: chinese.by_query[q] for q in list(chinese.by_query)[: args.queries]}
    pool = sorted({d for judged in sets.values() for ratings in judged.values() for d in ratings} & set(catalog.products))
    texts = [catalog.products[d].search_text() for d in pool]
    lexical = LexicalIndex.load(settings.store_dir(args.store) / "bm25", catalog_fingerprint(catalog)) or LexicalIndex.build(list(catalog.products.values()))
    translator = QueryTranslator(Cedict(), lexical.document_frequencies)
    print(f"pool: {len(pool)} products judged for {len(sets['en'])} English / {len(sets['zh'])} Chinese dev queries")
    print(f"{'embedder':<24} {'passages/s':>10} {'all Icecat':>11} {'query p95 ms':>12} {'nDCG@10 en':>11} {'nDCG@10 zh':>11}")
    for name in args.embedders.split(","):
        embedder = load_embedder(name, settings.embed_batch_size, settings.hub_offline, settings.models_dir)
        embedder.embed(["warm up"], query=True), embedder.embed(texts[:4])
        started = time.perf_counter()
        passages = embedder.embed(texts)  # (pool, dim), rows L2-normalised
        rate = len(texts) / (time.perf_counter() - started)
        scores, latencies = {}, []
        for language, judged in sets.items():
            ndcgs = []
            for query, ratings in judged.items():
                text = query if embedder.multilingual or language == "en" else translator.translate(query)
                started = time.perf_counter()
                vector = embedder.embed([text], query=True)[0]
                latencies.append((time.perf_counter() - started) * 1000)
                ranked = [pool[i] for i in np.argsort(-(passages @ vector))[:10]]
                ndcgs.append(ndcg_at(ranked, ratings, 10))
            scores[language] = float(np.mean(ndcgs))
        projected = ICECAT_PRODUCTS / rate / 60
        print(f"{name:<24} {rate:10.1f} {projected:9.0f} m {np.percentile(latencies, 95):12.1f} {scores['en']:11.4f} {scores['zh']:11.4f}", flush=True)


if __name__ == "__main__":
    main()
