"""`shopassist models`: the language models this install knows, where each stands, what runs it."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated, Optional

import typer

from shopassist.assistant.llm.assemble import assembled_path, materialise, status
from shopassist.assistant.llm.resolve import choose_backend, cpu_gguf_path, cuda_available, model_name, parse_model
from shopassist.assistant.llm.shipped import SHIPPED_LLMS
from shopassist.errors import ModelNotFound, ShopassistError
from shopassist.settings import Settings


@dataclass(frozen=True)
class ModelRow:
    name: str
    status: str  # ready | installed | missing K of N parts | file | folder | hub id | server | not found: …
    backend: str
    selected: bool  # the model settings.llm names
    size_bytes: int | None = None
    path: str | None = None  # the GGUF on disk, when there is one
    install: str | None = None  # the command that installs what is missing
    description: str = ""


def model_rows(settings: Settings) -> list[ModelRow]:
    """One row per shipped model, plus the configured model when it is not a shipped one.

    >>> import tempfile, pathlib
    >>> rows = model_rows(Settings(home=pathlib.Path(tempfile.mkdtemp()), llm="smollm2-135m", llm_backend="llama-cpp"))
    >>> [(r.name, r.status, r.backend, r.selected) for r in rows][0]
    ('smollm2-135m', 'installed', 'llama-cpp', True)
    """
    cuda = functools.cache(cuda_available)  # torch is imported at most once, and only if needed
    serving = settings.llm_backend == "openai" or (settings.llm_backend == "auto" and settings.llm_base_url)
    if not serving:
        settings = settings.with_(llm=model_name(settings))  # "best" shows as the model it picks
    rows = []
    for model in SHIPPED_LLMS.values():
        state = status(model, settings.models_dir)
        path = assembled_path(model, settings.models_dir)
        rows.append(
            ModelRow(
                name=model.name,
                status=state,
                backend=choose_backend(settings.with_(llm=model.name), parse_model(model.name), cuda),
                selected=model.name == settings.llm,
                size_bytes=model.size,
                path=str(path) if path.is_file() else None,
                install=model.install_command() if state.startswith("missing") else None,
                description=model.description,
            )
        )
    if settings.llm not in SHIPPED_LLMS:
        rows.append(_configured_row(settings, cuda))
    return rows


def _configured_row(settings: Settings, cuda: Callable[[], bool]) -> ModelRow:
    serving = settings.llm_backend == "openai" or (settings.llm_backend == "auto" and settings.llm_base_url)
    if serving:
        return ModelRow(settings.llm, "server", "openai", True, path=settings.llm_base_url)
    try:
        ref = parse_model(settings.llm)
    except ShopassistError as e:
        return ModelRow(settings.llm, f"not found: {e}", "-", True)
    state = {"gguf": "file", "folder": "folder", "hub": "hub id"}[ref.kind]
    size = ref.path.stat().st_size if ref.kind == "gguf" and ref.path else None
    return ModelRow(
        settings.llm, state, choose_backend(settings, ref, cuda), True, size, str(ref.path) if ref.path else None
    )


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def models(
    ctx: typer.Context,
    prepare: Annotated[
        Optional[str],
        typer.Option("--prepare", metavar="NAME", help="Verify (and assemble, if split) this shipped model now, not on first use; on a CPU also make its llama.cpp copy (see SHOPASSIST_LLM_CPU_QUANT)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """List the language models shopassist knows, whether each is installed, and the backend that runs it.

    Split models are assembled into the data directory (sha256-checked) the first time they are used.
    Choose one with SHOPASSIST_LLM (a name below, a .gguf file, a model folder or a hub id),
    SHOPASSIST_LLM_BACKEND and SHOPASSIST_LLM_BASE_URL.
    """
    root = ctx.find_root().obj
    settings = root if isinstance(root, Settings) else Settings.load()
    if prepare:
        if prepare not in SHIPPED_LLMS:
            raise ModelNotFound(f"--prepare takes a shipped model: {', '.join(SHIPPED_LLMS)}")
        ref = parse_model(prepare)
        if choose_backend(settings.with_(llm=prepare), ref) == "llama-cpp":
            with _TensorBar() as bar:
                path = cpu_gguf_path(ref, settings, say=lambda line: typer.echo(line, err=True), progress=bar.update)
        else:
            path = materialise(SHIPPED_LLMS[prepare], settings.models_dir)
        typer.echo(f"{prepare}: {path}", err=True)
    rows = model_rows(settings)
    if as_json:
        payload = {
            "selected": next((r.name for r in rows if r.selected), settings.llm),
            "models_dir": str(settings.models_dir),
            "models": [asdict(row) for row in rows],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    width = max(len(r.name) for r in rows)
    state_width = max(len(r.status) for r in rows if not r.status.startswith("not found"))
    for r in rows:
        mark = "*" if r.selected else " "
        typer.echo(f"{mark} {r.name:<{width}}  {r.status:<{state_width}}  {r.backend:<12}  {_size(r.size_bytes):>7}  {r.description}")
    typer.echo(f"\n* the model in use (SHOPASSIST_LLM); models are assembled into {settings.models_dir}")
    for r in rows:
        if r.install:
            typer.echo(f"to install {r.name}: {r.install}")


class _TensorBar:
    """A tqdm bar on stderr over the tensors of a re-quantisation, opened on its first report."""

    def __enter__(self) -> "_TensorBar":
        self.bar = None
        return self

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="tensors", unit="", file=sys.stderr, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add `shopassist models` to the CLI (called from shopassist.cli's stage registration)."""
    app.command("models")(models)
