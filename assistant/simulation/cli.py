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


def conversation(
    ctx: typer.Context,
    catalog: Annotated[Optional[Path], typer.Option("--catalog", help="Catalogue file or folder (the Icecat folder); indexed first, incrementally.")] = None,
    judgments: Annotated[Optional[Path], typer.Option("--judgments", help="CSV query,docid,rating: each product rated 3 is a goal, opened with its query.")] = None,
    store: Annotated[Optional[str], typer.Option("--store", help="A built store; without --judgments its shoppers' held-out next purchases are the goals (e.g. demo).")] = None,
    llm: Annotated[Optional[str], typer.Option("--llm", help="Model: smollm2-135m, qwen2.5-coder-1.5b, a .gguf file or a hub id (default: SHOPASSIST_LLM).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Templated answers only: the assistant without a language model.")] = False,
    turns: Annotated[int, typer.Option("--turns", min=1, max=20, help="Messages a shopper sends at most (and looks at the search list).")] = 5,
    seeds: Annotated[int, typer.Option("--seeds", min=1, max=20, help="Conversations per goal and phrasing half, each with its own choices.")] = 3,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Only this many goals, spread evenly (quick runs).")] = None,
    embedder: EmbedderOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Simulated shoppers who each want one product talk to the assistant, beside the search list.

    They use the assistant's public API only and see what a shopper sees. Reported per phrasing
    half (tuned, held out): success@1..T, pass^k over seeds, turns to success, per-act figures,
    answer kinds, grounding violations and latency — and the plain search list of the opening,
    read 3 products per look for as many looks as turns, in the same run.
    """
    from tqdm import tqdm

    from shopassist.assistant.core import Assistant
    from shopassist.assistant.factory import load_ranker
    from shopassist.assistant.llm import resolve_llm
    from shopassist.assistant.simulation import goals as goal_sources
    from shopassist.assistant.simulation.audit import Audit
    from shopassist.assistant.simulation.baseline import PER_LOOK, search_list
    from shopassist.assistant.simulation.phrasings import HALVES, load
    from shopassist.assistant.simulation.report import Report
    from shopassist.assistant.simulation.runner import conversations
    from shopassist.catalog.source_spec import SourceSpec
    from shopassist.errors import EmptyQuery
    from shopassist.ranking.ranker import PopularityRanker
    from shopassist.retrieval.embedder import load_embedder
    from shopassist.retrieval.evaluation import Judgements
    from shopassist.retrieval.factory import open_retriever
    from shopassist.retrieval.indexing import build_store
    from shopassist.retrieval.retriever import Retriever

    if llm and no_llm:
        raise ConfigError("give --llm MODEL or --no-llm, not both")
    if catalog is None and store is None:
        raise ConfigError("say which shop: --catalog PATH --judgments CSV (e.g. the Icecat folder), or --store demo")
    settings = _settings(ctx, embedder)
    model = load_embedder(settings.embedder, settings.embed_batch_size, settings.hub_offline, settings.models_dir)
    spec = SourceSpec.resolve(settings, store, catalog)
    if catalog is not None:
        with progress_bar(f"indexing {spec.name}") as progress:
            build_store(settings, spec, model, progress=progress)
    retriever = open_retriever(settings, spec.name, model)
    shop = retriever.catalog
    found = goal_sources.from_judgements(Judgements.read(judgments), shop) if judgments else goal_sources.from_purchases(shop)
    goals = spread(found.goals, limit)
    if not goals:
        raise ConfigError(f"no goals: {'no product is rated 3 in ' + str(judgments) if judgments else 'the store has no held-out purchases'}")
    if found.cutoff is not None:  # purchase goals: the assistant knows the shop as it stood before them
        shop = goal_sources.before(shop, found.cutoff)
        retriever = Retriever(shop, retriever.embedder, retriever.lexical, retriever.dense, retriever.fusion, retriever.vector_index)
    language_model = None if no_llm else resolve_llm(settings.with_(llm=llm) if llm else settings)
    # Goals from purchases are personal: the store's ranker is measured beside popularity alone.
    store_ranker = load_ranker(settings, spec.name, shop)
    describe = getattr(store_ranker, "describe", None)  # a trained ranker says which version it is
    rankers = {f"store ranker ({describe()})" if describe else "store ranker": store_ranker}
    if not judgments:
        rankers["popularity"] = PopularityRanker(shop)

    def search(query: str, k: int) -> list[str]:
        try:
            return [c.product.id for c in retriever.search(query, k)]
        except EmptyQuery:
            return []

    baseline = search_list(search, goals, turns, PER_LOOK)
    halves = [load(h) for h in HALVES]
    audit = Audit.of(shop.products)
    reports = []
    for label, ranker in rankers.items():
        # No event log: simulated shoppers' messages and carts stay in memory, out of the store's history.
        assistant = Assistant(retriever, ranker, language_model)
        assistant.ask(None, "warm up")  # first-call costs are not a shopper's latency
        total = len(goals) * seeds * len(halves)
        talks = list(tqdm(conversations(assistant, goals, halves, seeds, audit, turns), total=total, unit="conversation",
                          desc=f"talking ({label})" if len(rankers) > 1 else "talking", file=sys.stderr, dynamic_ncols=True))
        reports.append(Report.of(talks, baseline, turns, seeds, found.missing, label if len(rankers) > 1 else ""))
    about = {"store": spec.name, "llm": language_model.name if language_model is not None else None}
    if as_json:
        typer.echo(json.dumps({**about, "runs": [r.to_dict() for r in reports]}, ensure_ascii=False))
        return
    typer.echo(f"store {spec.name}, {'LLM ' + about['llm'] if about['llm'] else 'no LLM (templates)'}")
    for report in reports:
        for line in report.lines():
            typer.echo(line)
