"""`shopassist train` and `shopassist eval recommend`: thin commands over ranking.pipeline/evaluate."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from shopassist.catalog.report import write_rejects
from shopassist.ranking.threads import compute_threads
from shopassist.errors import ConfigError
from shopassist.settings import Settings

StoreOpt = Annotated[Optional[str], typer.Option("--store", help="A built store ('demo' = the built-in UCI Online Retail shop); with --items it names the store the models are saved for.")]
ItemsOpt = Annotated[Optional[Path], typer.Option("--items", help="items.csv of the generic layout (item_id,title,description,brand,category,price).")]
InteractionsOpt = Annotated[Optional[Path], typer.Option("--interactions", help="interactions.csv of the generic layout (user_id,item_id,timestamp).")]
EvalStoreOpt = Annotated[Optional[str], typer.Option("--store", help="Evaluate on a built store's own events with a time-ordered split ('demo' = the built-in shop).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    app.command("train")(train)
    eval_app.command("recommend")(recommend)


def train(ctx: typer.Context, store: StoreOpt = None, items: ItemsOpt = None, interactions: InteractionsOpt = None, as_json: JsonOpt = False) -> None:
    """Train the personalised ranker on a store's events and save a new model version.

    The assistant loads the latest version on its next start; until the first training it ranks by
    query relevance and popularity.
    """
    from shopassist.ranking import artefacts
    from shopassist.ranking.pipeline import train as fit
    from shopassist.ranking.split import production_fold

    settings = _settings(ctx)
    name, data, report, protocol = _load(settings, store, items, interactions)
    _say_report(report)
    started = time.perf_counter()
    with StageBars() as bars, compute_threads(settings.threads):
        trained = fit(production_fold(data, protocol), data, progress=bars.update)
    folder = artefacts.save(trained, settings, name, {"protocol": protocol, "shoppers": data.n_shoppers, "events": data.n_events})
    if report.rejections:
        write_rejects(report.rejections, folder / "rejected_interactions.jsonl")
    summary = {"store": name, "version": folder.name, "path": str(folder), "seconds": round(time.perf_counter() - started, 1), "choices": trained.choices}
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        for model, choice in trained.choices.items():
            _err(f"{model}: {choice}")
        _err(f"{name}: ranking model {folder.name} saved to {folder} in {summary['seconds']}s")


def recommend(ctx: typer.Context, items: ItemsOpt = None, interactions: InteractionsOpt = None, store: EvalStoreOpt = None, as_json: JsonOpt = False) -> None:
    """Next-item evaluation: every model and the final ranker, Recall@10, NDCG@10, Recall@50.

    With --items/--interactions: leave-last-out (last event = test, the one before = validation),
    full-catalogue ranking, tuned on validation targets only. With --store: a time-ordered split of
    the store's events (last 10% of events = test period, the 10% before = validation).
    """
    from shopassist.ranking.evaluate import evaluate

    settings = _settings(ctx)
    name, data, report, protocol = _load(settings, store, items, interactions)
    _say_report(report)
    if report.rejections:
        path = settings.home / "eval" / name / "rejected_interactions.jsonl"
        write_rejects(report.rejections, path)
        _err(f"rejected rows with reasons: {path}")
    started = time.perf_counter()
    with StageBars() as bars, compute_threads(settings.threads):
        result = evaluate(data, protocol, progress=bars.update)
    seconds = time.perf_counter() - started
    for model, choice in result.choices.items():
        _err(f"{model}: {choice}")
    _err(f"{name}: {protocol} split, {result.shoppers:,} test shoppers, {data.n_items:,} items ranked in full; {seconds:.0f}s in all")
    if as_json:
        typer.echo(json.dumps(result.rows))
    else:
        typer.echo(result.table())


def _settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj


def _load(settings: Settings, store: str | None, items: Path | None, interactions: Path | None):
    """(store name, Interactions, report, protocol) from a generic-layout pair or a built store."""
    from shopassist.catalog.store import store_name_for
    from shopassist.ranking.sources import from_catalog, read_generic

    if items is not None or interactions is not None:
        if items is None or interactions is None:
            raise ConfigError("give both --items and --interactions (the generic layout's two files)")
        data, report = read_generic(items, interactions)
        return store or store_name_for(items.parent), data, report, "leave-last-out"
    if store is None:
        raise ConfigError("say what to learn from: --store NAME (e.g. --store demo), or --items CSV --interactions CSV")
    data, report = from_catalog(_open_store(settings, store))
    return store, data, report, "time"


def _open_store(settings: Settings, store: str):
    from shopassist.catalog.store import DEMO, load_demo, open_store
    from shopassist.errors import StoreNotFound

    try:
        return open_store(settings.store_dir(store), store)
    except StoreNotFound:
        if store != DEMO:
            raise
        _err("demo store not indexed yet: reading the shipped file …")
        return load_demo()


def _say_report(report) -> None:
    for line in report.lines():
        _err(line)
    for rejection in report.rejections[:5]:
        _err(rejection.message())


def _err(message: str) -> None:
    typer.echo(message, err=True)


class StageBars:
    """One tqdm bar per training stage, on stderr."""

    def __enter__(self) -> "StageBars":
        self.stage, self.bar = None, None
        return self

    def update(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            if self.bar is not None:
                self.bar.close()
            self.stage, self.bar = stage, tqdm(total=total, desc=stage, file=sys.stderr, leave=True, dynamic_ncols=True)
        self.bar.total, self.bar.n = total, done
        self.bar.refresh()

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
