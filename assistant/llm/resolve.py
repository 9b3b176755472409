"""From settings to a ready language model: which model `settings.llm` names, and which backend runs it.

`settings.llm` is a shipped short name (`shopassist models`), a .gguf file, a model folder, or a hub
id. `settings.llm_backend` picks the runtime, or `auto`:
  - `openai` when `settings.llm_base_url` is set (the model name is then the server's);
  - `transformers` on a CUDA machine for everything it can load (GGUF too, when gguf and
    accelerate are installed), and anywhere for folders and hub ids, which only it can load;
  - `llama-cpp` for GGUF files otherwise: the fast CPU path.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from shopassist.assistant.llm.contract import LLM
from shopassist.assistant.llm.shipped import SHIPPED_LLMS, ShippedModel
from shopassist.errors import ConfigError, ModelNotFound
from shopassist.settings import Settings, prepare_libraries

log = logging.getLogger(__name__)

BACKENDS = ("auto", "llama-cpp", "transformers", "openai")
Kind = Literal["shipped", "gguf", "folder", "hub"]


@dataclass(frozen=True)
class ModelRef:
    """What a model name stands for, before anything is loaded or assembled."""

    name: str  # as the settings gave it
    kind: Kind
    shipped: ShippedModel | None = None
    path: Path | None = None  # the .gguf file or the model folder

    @property
    def is_gguf(self) -> bool:
        return self.kind in ("shipped", "gguf")


def parse_model(name: str) -> ModelRef:
    """Classify a model name without loading anything.

    >>> parse_model("smollm2-135m").kind
    'shipped'
    >>> parse_model("Qwen/Qwen2.5-1.5B-Instruct").kind
    'hub'
    >>> parse_model("gpt-9")
    Traceback (most recent call last):
    ...
    shopassist.errors.ModelNotFound: unknown model 'gpt-9' — known: smollm2-135m, qwen2.5-coder-0.5b, qwen2.5-coder-1.5b; or give a .gguf file, a model folder, or a hub id such as Qwen/Qwen2.5-1.5B-Instruct
    """
    if name in SHIPPED_LLMS:
        return ModelRef(name, "shipped", shipped=SHIPPED_LLMS[name])
    path = Path(name).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelNotFound(f"{path} is not a .gguf file — give a GGUF file or a folder with config.json")
        return ModelRef(name, "gguf", path=path)
    if path.is_dir():
        if (path / "config.json").is_file():
            return ModelRef(name, "folder", path=path)
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return ModelRef(name, "gguf", path=ggufs[0])
        raise ModelNotFound(f"{path} has no config.json and not exactly one .gguf file — point at the model file itself")
    parts = name.split("/")
    if len(parts) == 2 and all(parts) and not name.startswith((".", "~")):
        return ModelRef(name, "hub")
    raise ModelNotFound(
        f"unknown model {name!r} — known: {', '.join(SHIPPED_LLMS)}; or give a .gguf file, a model folder, "
        "or a hub id such as Qwen/Qwen2.5-1.5B-Instruct"
    )


BEST = "best"  # settings.llm's default: the best shipped model ready in the data directory


def model_name(settings: Settings) -> str:
    """The model `settings.llm` names, with "best" resolved to a shipped model that is ready.

    >>> import tempfile
    >>> model_name(Settings(home=Path(tempfile.mkdtemp())))
    'smollm2-135m'
    >>> model_name(Settings(llm="qwen2.5-coder-0.5b"))
    'qwen2.5-coder-0.5b'
    """
    if settings.llm != BEST:
        return settings.llm
    from shopassist.assistant.llm.assemble import best_installed

    return best_installed(settings.models_dir).name


def cuda_available() -> bool:
    """Whether torch sees a CUDA device (False where torch is missing).

    >>> isinstance(cuda_available(), bool)
    True
    """
    if shutil.which("nvidia-smi") is None:
        return False  # no NVIDIA driver: skip importing torch (seconds) just to hear "no"
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def choose_backend(settings: Settings, ref: ModelRef | None, cuda: Callable[[], bool] = cuda_available) -> str:
    """The backend that will run the model (`ref` is None when a server is named by URL).

    >>> choose_backend(Settings(llm_base_url="http://127.0.0.1:8080"), None)
    'openai'
    >>> choose_backend(Settings(), parse_model("smollm2-135m"), cuda=lambda: False)
    'llama-cpp'
    """
    backend = settings.llm_backend
    if backend not in BACKENDS:
        raise ConfigError(f"LLM backend {backend!r} is not one of {', '.join(BACKENDS)}")
    if backend != "auto":
        return backend
    if settings.llm_base_url:
        return "openai"
    assert ref is not None, "a model reference is needed unless a server URL is set"
    if not ref.is_gguf:
        return "transformers"
    from shopassist.assistant.llm.transformers_backend import gguf_support_missing

    return "transformers" if not gguf_support_missing() and cuda() else "llama-cpp"


def resolve_llm(settings: Settings, cuda: Callable[[], bool] = cuda_available) -> LLM:
    """The language model the settings name, loaded and ready (assembling a shipped model once).

    Raises ModelNotFound for a name that resolves to nothing, ConfigError for an impossible
    combination, LLMError when the runtime fails to load the model.

    >>> import tempfile
    >>> llm = resolve_llm(Settings(home=Path(tempfile.mkdtemp()), llm="smollm2-135m", threads=1))
    >>> llm.name
    'smollm2-135m'
    """
    prepare_libraries(settings.hub_offline)
    if settings.llm_backend == "openai" or (settings.llm_backend == "auto" and settings.llm_base_url):
        if not settings.llm_base_url:
            raise ConfigError("the openai backend needs a server URL — set SHOPASSIST_LLM_BASE_URL, e.g. http://127.0.0.1:8080")
        from shopassist.assistant.llm.openai_backend import OpenAICompatibleLLM

        if settings.llm == BEST:
            raise ConfigError("name the model the server serves — SHOPASSIST_LLM=<an id from its /v1/models>, e.g. qwen2.5-coder-1.5b")
        return OpenAICompatibleLLM(settings.llm_base_url, model=settings.llm)

    settings = settings.with_(llm=model_name(settings))
    ref = parse_model(settings.llm)
    backend = choose_backend(settings, ref, cuda)
    if backend == "llama-cpp":
        if not ref.is_gguf:
            raise ConfigError(f"llama.cpp runs GGUF files; {settings.llm!r} is a transformers model — use the transformers backend")
        from shopassist.assistant.llm.llama_cpp_backend import LlamaCppLLM

        return LlamaCppLLM(cpu_gguf_path(ref, settings), n_threads=settings.threads, name=ref.name)

    from shopassist.assistant.llm.transformers_backend import TransformersLLM

    if ref.is_gguf:
        path = gguf_path(ref, settings)
        return TransformersLLM(
            path.parent,
            gguf_file=path.name,
            convert_to=settings.models_dir / "transformers" / _conversion_name(ref, path),
            n_threads=settings.threads,
            name=ref.name,
        )
    return TransformersLLM(ref.path or ref.name, n_threads=settings.threads, local_files_only=settings.hub_offline, name=ref.name)


def cpu_copy_missing(settings: Settings) -> str | None:
    """The shipped model whose llama.cpp CPU copy loading would make now (minutes), or None when
    there is nothing to make: a server, transformers, another file, the copy made or turned off.

    >>> import tempfile
    >>> cpu_copy_missing(Settings(home=Path(tempfile.mkdtemp()), llm="smollm2-135m")) is None  # it has no CPU copy
    True
    """
    if not settings.llm_cpu_quant or settings.llm_backend in ("openai", "transformers") or settings.llm_base_url:
        return None
    name = model_name(settings)
    ref = parse_model(name)
    if ref.shipped is None or ref.shipped.cpu_quant is None or choose_backend(settings.with_(llm=name), ref) != "llama-cpp":
        return None
    from shopassist.assistant.llm.requant import is_made

    return None if is_made(gguf_path(ref, settings), ref.shipped.cpu_quant) else name


def gguf_path(ref: ModelRef, settings: Settings) -> Path:
    """The GGUF file on disk: a shipped model verified (and assembled if split), or the file given."""
    if ref.shipped is not None:
        from shopassist.assistant.llm.assemble import materialise

        return materialise(ref.shipped, settings.models_dir)
    assert ref.path is not None
    return ref.path


def cpu_gguf_path(ref: ModelRef, settings: Settings, say: Callable[[str], None] = log.info,
                  progress: Callable[[int, int], None] | None = None) -> Path:
    """The GGUF llama.cpp runs on the CPU: a shipped model in its `cpu_quant` type (made once),
    unless settings.llm_cpu_quant is off; any other file as given."""
    path = gguf_path(ref, settings)
    if ref.shipped is None or ref.shipped.cpu_quant is None or not settings.llm_cpu_quant:
        return path
    from shopassist.assistant.llm.requant import requantised

    return requantised(path, ref.shipped.cpu_quant, settings.threads, say, progress)


def _conversion_name(ref: ModelRef, path: Path) -> str:
    # Tied to the exact file: a changed GGUF must not reuse an old conversion.
    if ref.shipped is not None:
        return f"{ref.name}-{ref.shipped.sha256[:12]}"
    stat = path.stat()
    return f"{path.stem}-{stat.st_size}-{stat.st_mtime_ns}"
