"""`shopassist eval conversation`: simulated shoppers against the assistant, beside the search list."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from shopassist.cli_options import EmbedderOpt, _settings, progress_bar
from shopassist.errors import ConfigError


def spread(items: list, limit: int | None) -> list:
    """`limit` items spread evenly over the list (judged goals come grouped by query).

    >>> spread(list(range(10)), 3), spread([1, 2], None)
    ([0, 3, 7], [1, 2])
    """
    if limit is None or limit >= len(items):
        return items
    return [items[round(i * len(items) / limit)] for i in range(limit)]


def chosen_halves(text: str) -> list[str]:
    """The phrasing halves named in `--halves`, in the order given, each once.

    >>> chosen_halves("tuned"), chosen_halves("tuned, held_out,tuned")
    (['tuned'], ['tuned', 'held_out'])
    """
    from shopassist.assistant.simulation.phrasings import HALVES

    names = list(dict.fromkeys(h.strip() for h in text.split(",") if h.strip()))
    unknown = [h for h in names if h not in HALVES]
    if unknown or not names:
        raise ConfigError(f"--halves {text!r}: name one or more of {', '.join(HALVES)}, comma-separated (e.g. --halves tuned)")
    return names


def ranker_before(settings, store: str, shop, cutoff: int):
    """The store's ranker trained (or loaded, once trained) on the events before `cutoff` only:
    the served one learned from every event, the held-out purchases included."""
    from shopassist.ranking.cli import StageBars
    from shopassist.ranking.held_out import trained_before

    with StageBars() as bars:
        return trained_before(settings, store, shop, cutoff, progress=bars.update)


def conversation(
    ctx: typer.Context,
    catalog: Annotated[Optional[Path], typer.Option("--catalog", help="Catalogue file or folder (the Icecat folder); indexed first, incrementally.")] = None,
    judgments: Annotated[Optional[Path], typer.Option("--judgments", help="CSV query,docid,rating: each product rated 3 is a goal, opened with its query.")] = None,
    store: Annotated[Optional[str], typer.Option("--store", help="A built store; without --judgments its shoppers' held-out next purchases are the goals (e.g. demo).")] = None,
    llm: Annotated[Optional[str], typer.Option("--llm", help="Model: smollm2-135m, qwen2.5-coder-1.5b, a .gguf file or a hub id (default: SHOPASSIST_LLM).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Templated answers only: the assistant without a language model.")] = False,
    read_llm: Annotated[Optional[str], typer.Option("--read-llm", help="A model (as --llm) that reads the follow-ups the rules read as a new search, as constrained JSON; default: the rules alone.")] = None,
    turns: Annotated[int, typer.Option("--turns", min=1, max=20, help="Messages a shopper sends at most (and looks at the search list).")] = 5,
    seeds: Annotated[int, typer.Option("--seeds", min=1, max=20, help="Conversations per goal and phrasing half, each with its own choices.")] = 3,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only this many goals, spread evenly (quick runs).")] = None,
    halves: Annotated[str, typer.Option("--halves", help="Phrasing halves to talk with, comma-separated: tuned,held_out (both, the default) or tuned alone — tune with tuned only, so held_out stays unread.")] = "tuned,held_out",
    embedder: EmbedderOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Simulated shoppers who each want one product talk to the assistant, beside the search list.

    They use the assistant's public API only and see what a shopper sees. Reported per phrasing
    half (tuned, held out): success@1..T, pass^k over seeds, turns to success, per-act figures,
    answer kinds, grounding violations and latency — and the plain search list of the opening,
    read 3 products per look for as many looks as turns, in the same run. With judgements, also the
    ceiling: the same shoppers served by an assistant that knew which products are rated 3.
    """
    from tqdm import tqdm

    from shopassist.assistant.core import Assistant
    from shopassist.assistant.factory import load_ranker
    from shopassist.assistant.llm import resolve_llm
    from shopassist.assistant.reading import TimedReader
    from shopassist.assistant.simulation import goals as goal_sources
    from shopassist.assistant.simulation.audit import Audit
    from shopassist.assistant.simulation.baseline import PER_LOOK, search_list
    from shopassist.assistant.simulation.ceiling import ceiling
    from shopassist.assistant.simulation.phrasings import load
    from shopassist.assistant.simulation.report import Report
    from shopassist.assistant.simulation.runner import conversations
    from shopassist.catalog.source_spec import SourceSpec
    from shopassist.errors import EmptyQuery
    from shopassist.ranking.ranker import PopularityRanker
    from shopassist.retrieval.embedder import embedder_from
    from shopassist.retrieval.evaluation import Judgements
    from shopassist.retrieval.factory import open_retriever
    from shopassist.retrieval.indexing import build_store
    from shopassist.retrieval.retriever import Retriever

    if llm and no_llm:
        raise ConfigError("give --llm MODEL or --no-llm, not both")
    half_names = chosen_halves(halves)  # checked before any model loads
    if catalog is None and store is None:
        raise ConfigError("say which shop: --catalog PATH --judgments CSV (e.g. the Icecat folder), or --store demo")
    settings = _settings(ctx, embedder)
    model = embedder_from(settings)
    spec = SourceSpec.resolve(settings, store, catalog)
    if catalog is not None:
        with progress_bar(f"indexing {spec.name}") as progress:
            build_store(settings, spec, model, progress=progress)
    retriever = open_retriever(settings, spec.name, model)
    shop = retriever.catalog
    judged = Judgements.read(judgments) if judgments else None
    found = goal_sources.from_judgements(judged, shop) if judged is not None else goal_sources.from_purchases(shop)
    goals = spread(found.goals, limit)
    if not goals:
        raise ConfigError(f"no goals: {'no product is rated 3 in ' + str(judgments) if judgments else 'the store has no held-out purchases'}")
    if found.cutoff is not None:  # purchase goals: the assistant knows the shop as it stood before them
        shop = goal_sources.before(shop, found.cutoff)
        retriever = Retriever(shop, retriever.embedder, retriever.lexical, retriever.dense, retriever.fusion, retriever.vector_index)
    language_model = None if no_llm else resolve_llm(settings.with_(llm=llm) if llm else settings)
    # Its own instance, even of the same model: llama.cpp keeps one prompt prefix per instance, and
    # answers and readings start with different ones.
    reader = TimedReader(resolve_llm(settings.with_(llm=read_llm))) if read_llm else None
    if found.cutoff is None:
        store_ranker = load_ranker(settings, spec.name, shop)
        describe = getattr(store_ranker, "describe", None)  # a trained ranker says which version it is
        rankers = {f"store ranker ({describe()})" if describe else "store ranker": store_ranker}
    else:  # purchase goals are personal: a ranker that never saw them, beside popularity alone
        rankers = {"trained before the cutoff": ranker_before(settings, spec.name, shop, found.cutoff), "popularity": PopularityRanker(shop)}

    def search(query: str, k: int) -> list[str]:
        try:
            return [c.product.id for c in retriever.search(query, k)]
        except EmptyQuery:
            return []

    baseline = search_list(search, goals, turns, PER_LOOK)
    phrasings = [load(h) for h in half_names]
    # Judged goals: beside the list, the ceiling an assistant that knew the judgements would reach.
    reachable = ceiling(goals, judged.by_query, shop.products, phrasings, seeds, turns) if judged is not None else None
    audit = Audit.of(shop.products)
    reports = []
    for label, ranker in rankers.items():
        # No event log: simulated shoppers' messages and carts stay in memory, out of the store's history.
        assistant = Assistant(retriever, ranker, language_model, reader=reader)
        assistant.ask(None, "warm up")  # first-call costs are not a shopper's latency
        total = len(goals) * seeds * len(phrasings)
        talks = list(tqdm(conversations(assistant, goals, phrasings, seeds, audit, turns), total=total, unit="conversation",
                          desc=f"talking ({label})" if len(rankers) > 1 else "talking", file=sys.stderr, dynamic_ncols=True))
        reports.append(Report.of(talks, baseline, turns, seeds, found.missing, label if len(rankers) > 1 else "", reachable))
    about = {"store": spec.name, "llm": language_model.name if language_model is not None else None,
             "read_llm": reader.llm.name if reader is not None else None, **(reader.figures() if reader is not None else {})}
    if as_json:
        typer.echo(json.dumps({**about, "runs": [r.to_dict() for r in reports]}, ensure_ascii=False))
        return
    typer.echo(f"store {spec.name}, {'LLM ' + about['llm'] if about['llm'] else 'no LLM (templates)'}")
    if reader is not None:
        typer.echo(f"follow-ups the rules could not tell, read by {about['read_llm']}: {about['reads']} "
                   f"(p50 {about['read_p50_ms']} ms, p95 {about['read_p95_ms']} ms), {about['reads_failed']} failed and left to the rules")
    for report in reports:
        for line in report.lines():
            typer.echo(line)
