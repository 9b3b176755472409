"""Understanding one message without an LLM: `parse_query` alone, and `interpret` (which parses,
then reads the message against the conversation), µs per call on ~200 varied messages.

The vocabulary is the whole Icecat catalogue's brands (the largest the project ships data for);
the conversation is a search for "laptop" with three Icecat products shown. Runs on every turn,
so it must stay far below the 5 ms a turn can spare for it.

    .venv/bin/python benchmarks/understand_latency.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shopassist.assistant.followup import interpret
from shopassist.catalog.store import load_catalog
from shopassist.retrieval.query import Vocabulary, parse_query

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "icecat"

# What shoppers type after a first search: the follow-ups of issue #12, in English and Chinese.
FOLLOW_UPS = [
    "only Lenovo", "under 500", "show me more", "do you have anything from Lenovo?", "I'd prefer Lenovo",
    "Lenovo please", "show me Lenovo ones", "got any Lenovo?", "something by Lenovo", "what about Lenovo?",
    "any from Lenovo?", "有联想的吗", "我想要联想的", "my budget is 500", "budget 500", "can you keep it below 500?",
    "keep it under 500", "something cheaper, max 500", "500 max", "500 or less", "under 500 please",
    "less than 5 quid", "can't spend more than 50", "up to 50", "not more than 5 pounds", "no more than 300",
    "预算500", "500以内", "不超过500块", "别超过500", "500块以下", "what else do you have?", "anything else?",
    "other options?", "more please", "还有吗", "还有别的吗", "any brand is fine", "doesn't matter which brand",
    "不限品牌", "any price", "price doesn't matter", "cheaper?", "do you have anything cheaper?", "in red",
    "red ones please", "is the second one made of glass?", "is the first one waterproof?", "not HP",
    "a different brand", "something for a christmas party, not more than 5 pounds", "do you have anything from Acme?",
    "第二个是什么材质的？", "便宜一点", "换个牌子", "the third one in blue", "does the last one have a battery?",
]


def messages(judgements: Path) -> list[str]:
    queries = pd.read_csv(judgements)["query"].drop_duplicates().tolist()
    priced = [f"{q} under £{n}" for q, n in zip(queries[:40], range(20, 800, 19))]
    return queries + priced + FOLLOW_UPS + [f"{m}!" for m in FOLLOW_UPS[:40]]


def per_call_us(fn, items: list[str], repeats: int) -> np.ndarray:
    """Median over `repeats` passes of each message's time, µs (one figure per message)."""
    times = np.empty((repeats, len(items)))
    for r in range(repeats):
        for i, m in enumerate(items):
            started = time.perf_counter()
            fn(m)
            times[r, i] = (time.perf_counter() - started) * 1e6
    return np.median(times, axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    catalog = load_catalog(DATA)
    products = list(catalog.products.values())
    vocabulary = Vocabulary.from_products(products)
    items = messages(DATA / "judgments-dev.csv")
    shown = [p for p in products if "notebook" in p.title.lower()][:3]
    seen = {p.id for p in shown}

    def parse(m: str):
        return parse_query(m, vocabulary)

    previous = parse("laptop")
    for m in items:  # warm-up: compiled patterns, caches
        interpret(m, parse, previous, shown, seen)
    parse_us = per_call_us(parse, items, args.repeats)
    interpret_us = per_call_us(lambda m: interpret(m, parse, previous, shown, seen), items, args.repeats)
    print(f"{len(items)} messages, {len(vocabulary.brands)} brands, median of {args.repeats} passes per message")
    for name, us in (("parse_query", parse_us), ("interpret (parse + follow-up)", interpret_us)):
        print(f"{name:32s} mean {us.mean():7.1f} µs/call   p50 {np.percentile(us, 50):7.1f}   p95 {np.percentile(us, 95):7.1f}   max {us.max():7.1f}")


if __name__ == "__main__":
    main()
