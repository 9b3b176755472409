"""Put a store's Assistant together from settings: the one place the default parts are chosen."""

from __future__ import annotations

from dataclasses import replace

from shopassist.assistant.core import ANSWER_OPTIONS, Assistant
from shopassist.assistant.llm import LLM, resolve_llm
from shopassist.catalog.event_log import open_event_log
from shopassist.ranking import load_ranker
from shopassist.ranking.contract import Ranker
from shopassist.retrieval.factory import StoreWatch
from shopassist.settings import Settings


def give_up_after(budget_s: float) -> float:
    """How long a turn waits for the model's first token so that the template answers within
    `budget_s`: the budget is a promise to the shopper, and on a busy machine the waiting thread
    wakes up late (up to ~0.35 s measured with 16 shoppers on 2 cores: the GIL and the model
    server share them), so it stops waiting a tenth of the budget early, at most half a second.

    >>> give_up_after(5.0), give_up_after(1.0)
    (4.5, 0.9)
    """
    return budget_s - min(0.5, budget_s / 10)


def open_assistant(settings: Settings, store: str = "demo", llm: LLM | None = None, ranker: Ranker | None = None,
                   without_llm: bool = False) -> Assistant:
    """Retriever, ranker and LLM for a built store (`shopassist reindex --store demo` first).
    `without_llm` answers from templates only (a baseline for benchmarks). A reindex or a training
    run that lands while it serves is picked up at the next turn."""
    watch = StoreWatch(settings, store, embedder=None)
    retriever = watch.open()
    ranker = ranker or load_ranker(settings, store, retriever.catalog)  # trained by `shopassist train`, else untrained
    event_log = open_event_log(settings, store)  # SQLite in the store's folder, or the shared PostgreSQL
    if not without_llm and llm is None:
        llm = resolve_llm(settings)
    options = replace(ANSWER_OPTIONS, first_token_s=give_up_after(settings.llm_budget_s))
    return Assistant(retriever, ranker, llm, options=options, event_log=event_log, watch=watch)
