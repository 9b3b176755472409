"""The one settings object. The environment is read in `Settings.load` and nowhere else, and written
only by `prepare_libraries` (tests/test_settings.py checks both)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

from shopassist.errors import ConfigError


def _default_home() -> Path:
    # XDG-style per-user data dir: indices and models are large and rebuildable, not config.
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "shopassist"


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=_default_home)  # every built artefact lives under here
    chroma_url: str | None = None  # None = embedded Chroma under home; else a `chroma run` server
    embedder: str = "all-minilm-l6-v2"  # short name, local folder, or hub id
    embed_batch_size: int = 256  # large enough to amortise the forward pass, small enough for progress
    reindex_batch_size: int = 1024  # products upserted per Chroma write: the unit lost on a kill
    llm: str = "best"  # the best shipped model ready here (the demo's 1.5B once assembled); or a shipped short name, a GGUF path, a hub id
    llm_backend: str = "auto"  # auto | llama-cpp | transformers | openai
    llm_base_url: str | None = None  # for the OpenAI-compatible backend (vLLM, Ollama, llama.cpp server)
    llm_cpu_quant: bool = True  # llama.cpp runs a shipped model re-quantised for its CPU kernels (assistant/llm/requant.py)
    hub_offline: bool = True  # a hub id fails at once instead of retrying ~70 s where the hub is unreachable; HF_HUB_OFFLINE=0 allows downloads
    threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))

    @classmethod
    def load(cls, **overrides: object) -> "Settings":
        """Settings from SHOPASSIST_* environment variables, then explicit overrides (CLI flags).

        >>> Settings.load(home="/tmp/x").home
        PosixPath('/tmp/x')
        """
        env = os.environ
        values: dict[str, object] = {}
        if env.get("SHOPASSIST_HOME"):
            values["home"] = env["SHOPASSIST_HOME"]
        for name in ("chroma_url", "embedder", "llm", "llm_backend", "llm_base_url"):
            if env.get(f"SHOPASSIST_{name.upper()}"):
                values[name] = env[f"SHOPASSIST_{name.upper()}"]
        for name in ("embed_batch_size", "reindex_batch_size", "threads"):
            raw = env.get(f"SHOPASSIST_{name.upper()}")
            if raw:
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise ConfigError(f"SHOPASSIST_{name.upper()}={raw!r} is not a whole number") from None
        # HF_HUB_OFFLINE is the Hugging Face libraries' own variable: a user's HF_HUB_OFFLINE=0 keeps meaning what it says.
        for name, variable in (("llm_cpu_quant", "SHOPASSIST_LLM_CPU_QUANT"), ("hub_offline", "HF_HUB_OFFLINE")):
            raw = env.get(variable)
            if raw:
                if raw.strip().lower() not in _BOOLEANS:
                    raise ConfigError(f"{variable}={raw!r} is not one of {', '.join(_BOOLEANS)}")
                values[name] = _BOOLEANS[raw.strip().lower()]
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "home" in values:
            values["home"] = Path(str(values["home"])).expanduser()
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def with_(self, **changes: object) -> "Settings":
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> None:
        if self.chroma_url:
            url = urlparse(self.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ConfigError(
                    f"chroma url {self.chroma_url!r} is not http(s)://host:port — "
                    "give e.g. --chroma-url http://127.0.0.1:8000"
                )

    def store_dir(self, store: str) -> Path:
        """Where one store lives: its snapshot generations and the `current` pointer
        (catalog/generations.py), rejects, event log and trained rankers."""
        return self.home / "stores" / store

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"


def prepare_libraries(hub_offline: bool) -> None:
    """Set the variables the Hugging Face libraries read when they load; call it before they do.

    The project's one write to the environment, here beside its one read: huggingface_hub reads
    HF_HUB_OFFLINE once, when it is first imported, so no argument can tell it later. (Gradio and
    Chroma take their telemetry switches as arguments, so they need no variable.) Called where a
    model is loaded: `load_embedder` and `resolve_llm`, with `Settings.hub_offline`.

    >>> prepare_libraries(hub_offline=True)
    >>> os.environ["HF_HUB_OFFLINE"], os.environ["TRANSFORMERS_OFFLINE"]
    ('1', '1')
    """
    flag = "1" if hub_offline else "0"
    os.environ["HF_HUB_OFFLINE"] = flag
    os.environ["TRANSFORMERS_OFFLINE"] = flag  # older transformers releases read only this one
