"""The `shopassist` command. Thin: each command resolves settings, calls one stage, prints.

Errors become user text here and only here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer

from shopassist.cli_options import EmbedderOpt, _settings, progress_bar
from shopassist.errors import ShopassistError
from shopassist.settings import Settings

app = typer.Typer(
    help="A conversational shopping assistant grounded in a store's own catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Inspect a catalogue as the assistant sees it.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
eval_app = typer.Typer(help="Measure search and recommendation quality on judged data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

StoreOpt = Annotated[Optional[str], typer.Option("--store", help="Store name; 'demo' is the built-in UCI Online Retail shop.")]
CatalogOpt = Annotated[
    Optional[Path], typer.Option("--catalog", help="A catalogue file or folder (CSV, JSONL, JSON, Parquet, Icecat .json.zip).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
MapOpt = Annotated[
    Optional[list[str]], typer.Option("--map", help="Column mapping FIELD=COLUMN, e.g. --map title=ProductName (repeatable).")
]


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[Optional[Path], typer.Option("--home", help="Data directory (default $SHOPASSIST_HOME or ~/.local/share/shopassist).")] = None,
    chroma_url: Annotated[Optional[str], typer.Option("--chroma-url", help="Use a Chroma server, e.g. http://127.0.0.1:8000 (default: embedded).")] = None,
    database_url: Annotated[
        Optional[str],
        typer.Option("--database-url", help="Keep events, masked messages and forget-requests in PostgreSQL, e.g. postgresql://shopassist@127.0.0.1:5432/shopassist (default: SQLite in the data directory)."),
    ] = None,
    embed_url: Annotated[
        Optional[str],
        typer.Option("--embed-url", help="Embed on an OpenAI-compatible server (POST /v1/embeddings; vLLM, TEI, llama.cpp), e.g. http://127.0.0.1:8080; --embedder names its model."),
    ] = None,
) -> None:
    ctx.obj = Settings.load(home=home, chroma_url=chroma_url, database_url=database_url, embed_url=embed_url)


def _mapping(pairs: list[str] | None):
    if not pairs:
        return None
    from shopassist.catalog.sources.product_table import ColumnMapping

    overrides = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise click.BadParameter(f"{pair!r} is not FIELD=COLUMN", param_hint="--map")
        overrides[field.strip()] = column.strip()
    return ColumnMapping().with_overrides(overrides)


def _err(message: str) -> None:
    typer.echo(message, err=True)


@app.command()
def reindex(
    ctx: typer.Context,
    store: StoreOpt = None,
    catalog: CatalogOpt = None,
    map_: MapOpt = None,
    embedder: EmbedderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load, clean and embed a store's products into its Chroma collection, incrementally.

    Only new or changed products are embedded; removed ones are deleted. Safe to interrupt:
    the next run finishes the job.
    """
    from shopassist.catalog.source_spec import SourceSpec
    from shopassist.retrieval.indexing import build_store
    settings = _settings(ctx, embedder)
    spec = SourceSpec.resolve(settings, store, catalog)
    _err(f"loading {spec.path} …")
    with progress_bar(f"embedding {spec.name}") as progress:
        # The embedder is chosen once the catalogue is read: the store's own, or its language's default.
        loaded, result = build_store(settings, spec, None, _mapping(map_), progress, say=_err)
    report = loaded.report
    for line in report.warnings:
        _err(f"warning: {line}")
    for rejection in report.rejections[:20]:
        _err(rejection.message())
    if len(report.rejections) > 20:
        _err(f"… and {len(report.rejections) - 20:,} more rejected rows")
    for line in report.lines():
        _err(line)
    if report.rejections:
        _err(f"rejected rows with reasons: {settings.store_dir(spec.name) / 'rejects.jsonl'}")
    summary = {k: v for k, v in result.to_dict().items() if k != "seconds"}
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        _err(
            f"{spec.name}: {result.added} added, {result.updated} updated, {result.deleted} deleted, "
            f"{result.unchanged} unchanged, {result.rejected} rejected rows in {result.seconds:.1f}s"
        )


@catalog_app.command("export")
def catalog_export(store: StoreOpt = None, catalog: CatalogOpt = None, map_: MapOpt = None) -> None:
    """Print the cleaned products as JSON Lines: exactly what the assistant knows."""
    from shopassist.catalog.store import DEMO, demo_source, load_catalog

    path = catalog or demo_source()
    loaded = load_catalog(path, store or (DEMO if catalog is None else None), _mapping(map_))
    out = sys.stdout
    for product in loaded.products.values():
        out.write(json.dumps(product.to_dict(), ensure_ascii=False) + "\n")
    for line in loaded.report.lines():
        _err(line)


ShopperArg = Annotated[str, typer.Argument(help="The shopper's id, e.g. 17850.")]


@app.command("export-user")
def export_user(ctx: typer.Context, shopper: ShopperArg, store: StoreOpt = "demo") -> None:
    """Print everything held about a shopper as one JSON object (profile, events, sessions, messages)."""
    from shopassist.catalog.personal_data import export_shopper

    typer.echo(json.dumps(export_shopper(_settings(ctx), store or "demo", shopper), ensure_ascii=False))


@app.command("forget-user")
def forget_user(ctx: typer.Context, shopper: ShopperArg, store: StoreOpt = "demo") -> None:
    """Delete a shopper's events, sessions and messages; they stay forgotten when the store is reindexed."""
    from shopassist.catalog.personal_data import forget_shopper

    result = forget_shopper(_settings(ctx), store or "demo", shopper)
    typer.echo(json.dumps(result))


def _register_stage_commands() -> None:
    """Stages that own commands add them here (each module defines `register(app, eval_app)`)."""
    import importlib

    for stage in ("retrieval", "ranking", "assistant", "assistant.llm", "ui"):
        importlib.import_module(f"shopassist.{stage}.cli").register(app, eval_app)


_register_stage_commands()


def main() -> None:
    """Entry point: the one place where the project's errors become a message and an exit code."""
    try:
        app(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        _err("interrupted")
        sys.exit(130)
    except ShopassistError as e:
        _err(f"shopassist: {e}")
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
