"""Commands of the assistant stage: `ask` (one turn), `chat` (a terminal conversation) and
`eval conversation` (simulated shoppers, assistant/simulation/)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer

from shopassist.catalog.money import money

UserOpt = Annotated[Optional[str], typer.Option("--user", help="Shopper id (e.g. a demo customer such as 17850); omit for a new shopper.")]
StoreOpt = Annotated[str, typer.Option("--store", help="A store built by `shopassist reindex`.")]


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(chat)
    from shopassist.assistant.simulation.cli import conversation

    eval_app.command("conversation")(conversation)


def _assistant(ctx: typer.Context, store: str, llm: str | None):
    from shopassist.assistant.factory import open_assistant

    settings = ctx.find_root().obj
    if llm:
        settings = settings.with_(llm=llm)
    return open_assistant(settings, store)


def ask(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The shopper's message.")],
    user: UserOpt = None,
    store: StoreOpt = "demo",
    llm: Annotated[Optional[str], typer.Option("--llm", help="Model: smollm2-135m, qwen2.5-coder-1.5b, a .gguf file or a hub id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object: text, products, session, timings, answered_by (model, template or code) and the reason.")] = False,
) -> None:
    """Ask the assistant once; prints the answer and the suggested products."""
    from shopassist.assistant.answer import Answer
    from shopassist.assistant.core import Chunk

    assistant = _assistant(ctx, store, llm)
    answer = None
    for item in assistant.stream(user, query):
        if isinstance(item, Chunk):
            if not as_json:
                sys.stdout.write(item.text)
                sys.stdout.flush()
        elif isinstance(item, Answer):
            answer = item
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    typer.echo("")
    for i, s in enumerate(answer.suggestions, 1):
        p = s.product
        typer.echo(f"  {i}. [{p.id}] {p.display_title} — {money(p.price, p.currency)} — {s.reason}")


def chat(ctx: typer.Context, user: UserOpt = None, store: StoreOpt = "demo",
         llm: Annotated[Optional[str], typer.Option("--llm", help="Model name, .gguf file or hub id.")] = None) -> None:
    """A conversation in the terminal, streamed. Empty line or Ctrl-D to quit."""
    from shopassist.assistant.answer import Answer
    from shopassist.assistant.core import Chunk

    assistant = _assistant(ctx, store, llm)
    assistant.prepare(user)  # the model reads the shopper's profile while they type the first line
    session = None
    typer.echo(f"shopassist — {store} store, shopper {user or 'new'}. Ask away (empty line to quit).")
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            break
        if not line:
            break
        sys.stdout.write("assistant> ")
        for item in assistant.stream(user, line, session):
            if isinstance(item, Chunk):
                sys.stdout.write(item.text)
                sys.stdout.flush()
            elif isinstance(item, Answer):
                session = item.session
                sys.stdout.write("\n")
                for i, s in enumerate(item.suggestions, 1):
                    p = s.product
                    sys.stdout.write(f"   {i}. {p.display_title} — {money(p.price, p.currency)} — {s.reason}\n")
