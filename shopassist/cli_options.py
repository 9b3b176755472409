"""Options and helpers shared by the commands of several stages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Callable, Optional

import typer

from shopassist.settings import Settings

EmbedderOpt = Annotated[
    Optional[str],
    typer.Option("--embedder", help="all-minilm-l6-v2 (English), multilingual-e5-small (English + Chinese), embeddinggemma-300m (assembled in <home>/models), a folder or a hub id. Default: the store's own; for a new store all-minilm-l6-v2 for an English catalogue, multilingual-e5-small for a Chinese one."),
]

def _settings(ctx: typer.Context, embedder: str | None = None) -> Settings:
    settings = ctx.find_root().obj
    return settings.with_(embedder=embedder) if embedder else settings




@contextmanager
def progress_bar(desc: str, unit: str = "product") -> Iterator[Callable[[int, int], None]]:
    """A `progress(done, total)` callback drawing a tqdm bar on stderr, closed on exit."""
    from tqdm import tqdm

    bar: list[tqdm] = []

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=total == 0))
        bar[0].n = done
        bar[0].refresh()

    try:
        yield progress
    finally:
        if bar:
            bar[0].close()
