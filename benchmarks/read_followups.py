"""The model's reading of follow-ups the rules cannot tell (issue #12): how often it gets them
right, and what it costs per message, beside the rules alone in the same run.

Everyday follow-ups after a search for "laptop", each with what the shopper meant, written for this
benchmark (not the simulation's phrasings, neither half). Only those the rules read as a new search
are asked (the reader is never consulted on the others); for each, the rules' reading is right only
when the shopper did mean a new search. A reading is right when its refinement says what was meant
(brand, bound, colour, more) or it keeps a new search as one.

    .venv/bin/python benchmarks/read_followups.py --llm qwen2.5-coder-1.5b
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from shopassist.assistant.followup import interpret
from shopassist.assistant.llm import resolve_llm
from shopassist.assistant.reading import FollowUpReader
from shopassist.retrieval.query import Vocabulary, parse_query
from shopassist.settings import Settings

VOCABULARY = Vocabulary(frozenset({"lenovo", "hp", "dell", "asus", "acer", "apple"}))
# message → what it means: ("brand", "lenovo"), ("max", 500.0), ("colour", "red"), ("more", True), ("search", None)
MEANT = {
    "could you whittle it down to Lenovo": ("brand", "lenovo"),
    "I was thinking of a Lenovo": ("brand", "lenovo"),
    "honestly I only trust Dell": ("brand", "dell"),
    "my boss said it has to be an HP": ("brand", "hp"),
    "Asus, if you've got them": ("brand", "asus"),
    "can I get one for around 500": ("max", 500.0),
    "I can't go past 400": ("max", 400.0),
    "I've only got 300 to spend": ("max", 300.0),
    "ideally something north of 1000": ("min", 1000.0),
    "I was thinking of a red one": ("colour", "red"),
    "do they make a silver one": ("colour", "silver"),
    "hmm, none of these, keep looking": ("more", True),
    "I've seen all of those already": ("more", True),
    "and a mouse to go with it": ("search", None),
    "actually I need a printer": ("search", None),
    "forget it, show me tablets": ("search", None),
}


def right(intent, meant) -> bool:
    kind, value = meant
    if kind == "search":
        return intent.kind == "search"
    if intent.kind != "refine":
        return False
    q = intent.query
    return {"brand": value in q.brands, "max": q.max_price == value, "min": q.min_price == value,
            "colour": value in q.colours, "more": bool(intent.exclude_ids)}[kind]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", default="qwen2.5-coder-1.5b", help="the reading model (a shipped name or a .gguf file)")
    args = parser.parse_args()
    parse = lambda m: parse_query(m, VOCABULARY)  # noqa: E731
    previous, shown, seen = parse("laptop"), [], {"a", "b", "c"}
    reader = FollowUpReader(resolve_llm(Settings.load(llm=args.llm)))
    reader.read("warm up", previous)  # the rules' prompt is read once; a shopper's first read does not pay it
    asked, rules_right, read_right, ms = 0, 0, 0, []
    for message, meant in MEANT.items():
        rules = interpret(message, parse, previous, shown, seen)
        if rules.kind != "search":
            continue  # the rules can tell: the model is never asked
        asked += 1
        started = time.perf_counter()
        intent = reader.reconsider(message, rules, parse, previous, shown, seen)
        ms.append((time.perf_counter() - started) * 1000)
        rules_right += right(rules, meant)
        read_right += right(intent, meant)
        print(f"{'ok ' if right(intent, meant) else 'no '} {ms[-1]:7.0f} ms  {message!r} → {intent.kind} {_said(intent)}")
    print(f"{asked} of {len(MEANT)} follow-ups the rules read as a new search; right: rules {rules_right}, rules + {reader.llm.name} {read_right}")
    print(f"reading latency p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms (rules alone: 0 ms added)")


def _said(intent) -> str:
    q = intent.query
    if q is None:
        return ""
    return ", ".join(filter(None, [q.text, *q.constraints, "unseen first" if intent.exclude_ids else ""]))


if __name__ == "__main__":
    main()
