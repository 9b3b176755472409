"""Options and helpers shared by the commands of several stages."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from shopassist.settings import Settings

EmbedderOpt = Annotated[
    Optional[str],
    typer.Option("--embedder", help="all-minilm-l6-v2 (default, English), multilingual-e5-small (English + Chinese), a folder or a hub id."),
]

def _settings(ctx: typer.Context, embedder: str | None = None) -> Settings:
    settings = ctx.find_root().obj
    return settings.with_(embedder=embedder) if embedder else settings


