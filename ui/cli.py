"""`shopassist ui`: the shopping chat in a browser."""

from __future__ import annotations

import logging
from typing import Annotated, Optional

import click
import typer

from shopassist.errors import ConfigError
from shopassist.logs import log_turns_as_json

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    app.command("ui")(ui)


def credentials(auth: str | None) -> tuple[str, str] | None:
    """`user:password` → ("user", "password"); the password may itself hold colons.

    >>> credentials("ann:s3cret:x"), credentials(None)
    (('ann', 's3cret:x'), None)
    """
    if auth is None:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise click.BadParameter(f"{auth!r} is not user:password", param_hint="--auth")
    return user, password


def ui(
    ctx: typer.Context,
    store: Annotated[str, typer.Option("--store", help="A store built by `shopassist reindex`.")] = "demo",
    host: Annotated[str, typer.Option("--host", help="Address to listen on; the default is this machine only.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 7860,
    auth: Annotated[Optional[str], typer.Option("--auth", help="user:password asked for before the page opens; use it whenever --host is not 127.0.0.1.")] = None,
    llm: Annotated[Optional[str], typer.Option("--llm", help="Model: smollm2-135m, qwen2.5-coder-1.5b, a .gguf file or a hub id.")] = None,
    train_in_background: Annotated[bool, typer.Option(
        "--train-in-background",
        help="If the store has no trained ranker yet, serve at once with the untrained one and run `shopassist train` "
        "in a child process; the trained ranker is used from the turn after it lands.",
    )] = False,
    prepare_model_in_background: Annotated[bool, typer.Option(
        "--prepare-model-in-background",
        help="If the model's llama.cpp CPU copy (SHOPASSIST_LLM_CPU_QUANT) is not made yet, answer with the shipped "
        "file now and make the copy in a child process; the next start uses it.",
    )] = False,
) -> None:
    """Open the shopping chat in a browser: streamed answers, product cards, 👍 / 👎 / add to cart.

    A reindex or a training run that lands while it serves is used from the next turn, no restart."""
    login = credentials(auth)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("shopassist").setLevel(logging.INFO)
    log_turns_as_json()  # one JSON line per turn on stderr, for the operator's log pipeline
    from shopassist.assistant.factory import open_assistant
    from shopassist.ranking import artefacts
    from shopassist.ui.app import build_app, launch_app
    from shopassist.assistant.llm.resolve import cpu_copy_missing
    from shopassist.ui.background import BackgroundJob

    settings = ctx.find_root().obj
    if llm:
        settings = settings.with_(llm=llm)
    model_copy = None
    if prepare_model_in_background and (model := cpu_copy_missing(settings)):
        model_copy = BackgroundJob.model_copy(settings, model)
        model_copy.start()
        typer.echo(f"making {model}'s llama.cpp copy in the background (log: {model_copy.log}); answering with the shipped file until the next start", err=True)
        settings = settings.with_(llm_cpu_quant=False)
    typer.echo(f"loading the {store} store …", err=True)
    assistant = open_assistant(settings, store)
    if host not in _LOOPBACK and login is None:
        typer.echo(f"warning: serving on {host} without --auth: anyone who can reach this port can use it", err=True)
    training = BackgroundJob.training(settings, store)
    if train_in_background:
        trained = artefacts.latest(settings, store)
        if trained is None:
            training.start()
            typer.echo(f"training the ranker in the background (log: {training.log}); ranking by popularity until it lands", err=True)
        else:
            typer.echo(f"a trained ranker exists ({trained.name}): not training again — run `shopassist train --store {store}` to retrain", err=True)
    app = build_app(assistant, title=f"shopassist · {store}", training=training.state)
    try:
        try:
            url = launch_app(app, host, port, login, health=assistant)
        except OSError as e:  # Gradio's way of saying the address cannot be bound
            raise ConfigError(f"cannot listen on {host}:{port}: the port is taken or the address is not this machine's — pick another with --port or --host") from e
        typer.echo(f"shopassist ui: {url}  (Ctrl-C to stop; {url.rstrip('/')}/health for a load balancer)", err=True)
        app.block_thread()
    finally:
        training.stop()
        if model_copy is not None:
            model_copy.stop()
