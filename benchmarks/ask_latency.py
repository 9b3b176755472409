"""End-to-end latency of `assistant.ask` on the demo store with the demo LLM on the CPU.

Prints, over a set of real shoppers' questions: time to the cards (the ranked products, streamed
before any text), time to the first token from the model and to the
first verified text streamed to the shopper (p50/p95), the total time of a three-suggestion answer,
and the time of everything before the LLM (understand + retrieve + rank + prompt; p95). The
baseline row is the same turns with the LLM switched off (templated answers), after the same
untimed warm-up turn and the same shopper picking: the cost of the model itself.

    .venv/bin/python benchmarks/ask_latency.py [--llm qwen2.5-coder-1.5b] [--threads 2] [--as-shipped]
    # needs: shopassist reindex --store demo; make demo-model
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from shopassist.assistant.core import Answer, Chunk
from shopassist.assistant.factory import open_assistant
from shopassist.assistant.llm import resolve_llm
from shopassist.settings import Settings

TURNS = [
    ("17850", "christmas decorations for the tree"),
    ("17850", "cheaper?"),
    ("13047", "a birthday present for a kid who loves dinosaurs, under £10"),
    ("13047", "show me more"),
    ("12583", "a red mug for my mum"),
    ("12583", "something for a picnic"),
    ("14606", "lunch bag for school under £3"),
    ("14606", "not that one, cheaper"),
    ("15311", "candles for a wedding"),
    ("15311", "vintage kitchen storage tins"),
    (None, "cake stand with three tiers"),
    (None, "heart shaped decorations"),
]


def warm_up(assistant) -> None:
    """One untimed turn before any timed one, for the model path and the baseline alike: it loads
    what loads on first use (the ranker's models, the retriever's first query, llama.cpp's cache of
    the system prompt), so neither path's first timed turn pays a one-off cost the other does not."""
    assistant.ask(None, "warm up: a mug")


def run(assistant, turns, prepare: bool = True):
    """Each shopper is picked before their first question, as in the UI: `prepare` reads their
    prompt prefix while they type (here: before their turn is timed), unless `prepare` is off."""
    sessions: dict[str | None, str] = {}
    rows = []
    for user, message in turns:
        if prepare and user not in sessions and (thread := assistant.prepare(user)) is not None:
            thread.join()
        started = time.perf_counter()
        first_text = None
        answer = None
        for item in assistant.stream(user, message, sessions.get(user)):
            if isinstance(item, Chunk) and first_text is None and item.text.strip():
                first_text = (time.perf_counter() - started) * 1000
            elif isinstance(item, Answer):
                answer = item
        sessions[user] = answer.session
        rows.append((answer, first_text))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--store", default="demo")
    parser.add_argument("--verbose", action="store_true", help="print every turn: timings, kind and text")
    parser.add_argument("--cold", action="store_true", help="no prefill when a shopper is picked: first questions read the whole prompt")
    parser.add_argument("--as-shipped", action="store_true", help="run the shipped GGUF as it is, not its re-quantised CPU copy")
    args = parser.parse_args()
    settings = Settings.load(llm=args.llm, llm_backend="llama-cpp", threads=args.threads, llm_cpu_quant=not args.as_shipped)
    started = time.perf_counter()
    llm = resolve_llm(settings)
    load_s = time.perf_counter() - started
    assistant = open_assistant(settings, args.store, llm=llm)
    warm_up(assistant)
    rows = run(assistant, TURNS, prepare=not args.cold)
    if args.verbose:
        for (user, message), (answer, first) in zip(TURNS, rows):
            print(f"{user or 'new':>6} {message!r:<62} {answer.kind:<11} first token {answer.timings.get('first_token', 0):6.0f} ms"
                  f"  total {answer.timings['total']:6.0f} ms\n       {answer.text!r}")
    templates_only = open_assistant(settings, args.store, without_llm=True)
    warm_up(templates_only)  # the same untimed turn and the same shopper picking as the measured path
    baseline = run(templates_only, TURNS, prepare=not args.cold)

    def pct(values, q):
        values = [v for v in values if v is not None]
        return np.percentile(values, q) if values else float("nan")

    first_token = [a.timings.get("first_token") for a, _ in rows]
    first_text = [t for _, t in rows]
    cards = [a.timings.get("cards") for a, _ in rows]

    def three_suggestion_totals(rows):
        return [a.timings["total"] for a, _ in rows if a.kind in ("suggestions", "fallback") and len(a.suggestions) == 3]

    totals = three_suggestion_totals(rows)
    before = [a.timings["before_llm"] for a, _ in rows if "before_llm" in a.timings]
    kinds = {}
    for a, _ in rows:
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    print(f"{args.llm} ({getattr(llm, 'path', Path('?')).name}) via llama.cpp, {args.threads} threads, {len(TURNS)} turns on the {args.store} store (model load {load_s:.1f} s); "
          + ("cold: no prefill" if args.cold else "each shopper's prompt prefix read when they are picked, as the UI does"))
    print(f"answer kinds: {kinds}")
    print(f"time to cards (products shown) p50 {pct(cards, 50):7.0f} ms   p95 {pct(cards, 95):7.0f} ms   (target p95 150 ms)")
    print(f"first token from the model     p50 {pct(first_token, 50):7.0f} ms   p95 {pct(first_token, 95):7.0f} ms")
    print(f"first verified text streamed   p50 {pct(first_text, 50):7.0f} ms   p95 {pct(first_text, 95):7.0f} ms")
    print(f"total, three-suggestion answer p50 {pct(totals, 50):7.0f} ms   p95 {pct(totals, 95):7.0f} ms   (n={len(totals)})")
    print(f"everything before the LLM      p50 {pct(before, 50):7.0f} ms   p95 {pct(before, 95):7.0f} ms")
    base_totals = three_suggestion_totals(baseline)  # the same kind of answer as the total above
    print(f"baseline, no LLM (templated)   p50 {pct(base_totals, 50):7.0f} ms   p95 {pct(base_totals, 95):7.0f} ms   (n={len(base_totals)})")
    print("\nsample answer:", rows[2][0].text)


if __name__ == "__main__":
    main()
