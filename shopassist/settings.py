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


# The settings read from SHOPASSIST_<NAME> (home and llm_budget_s besides), and the on/off ones with their variable.
_TEXTS = ("chroma_url", "database_url", "embedder", "embed_url", "llm", "llm_backend", "llm_base_url")
_WHOLE_NUMBERS = ("embed_batch_size", "reindex_batch_size", "threads")
_FROM_ENVIRONMENT = ("home", *_TEXTS, *_WHOLE_NUMBERS, "llm_budget_s")
# HF_HUB_OFFLINE is the Hugging Face libraries' own variable: a user's HF_HUB_OFFLINE=0 keeps meaning what it says.
_SWITCHES = (("llm_cpu_quant", "SHOPASSIST_LLM_CPU_QUANT"), ("compact_vectors", "SHOPASSIST_COMPACT_VECTORS"), ("hub_offline", "HF_HUB_OFFLINE"))
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=_default_home)  # every built artefact lives under here
    chroma_url: str | None = None  # None = embedded Chroma under home; else a `chroma run` server
    database_url: str | None = None  # None = each store's events in SQLite under home; else postgresql://… shared by app servers
    embedder: str | None = None  # short name, local folder, or hub id; None: the store's own, else by its catalogue's language (retrieval.embedder.DEFAULT_EMBEDDERS)
    embed_batch_size: int = 256  # large enough to amortise the forward pass, small enough for progress
    embed_url: str | None = None  # an OpenAI-compatible /v1/embeddings server (vLLM, TEI, llama.cpp) instead of embedding here
    embed_timeout_s: float = 120.0  # one batch on a busy CPU server takes seconds; a dead server must not hang a reindex
    reindex_batch_size: int = 1024  # products upserted per Chroma write: the unit lost on a kill
    compact_vectors: bool | None = None  # score int8 codes, the top of each query re-scored exactly (retrieval/dense.py); None: from 200k products up
    llm: str = "best"  # the best shipped model ready here (the demo's 1.5B once assembled); or a shipped short name, a GGUF path, a hub id
    llm_backend: str = "auto"  # auto | llama-cpp | transformers | openai
    llm_base_url: str | None = None  # for the OpenAI-compatible backend (vLLM, Ollama, llama.cpp server)
    # The longest a shopper waits for the model's first words — the queue for the model included —
    # before the template answers instead: the cards are already shown, and 5 s is ~3× the 1.5B
    # model's p95 first token on 2 cores (1.7 s), yet less than one whole answer (~6 s), so a turn
    # gives up rather than wait out another shopper's whole answer (README, load row).
    llm_budget_s: float = 5.0
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
        for name in _TEXTS:
            if env.get(f"SHOPASSIST_{name.upper()}"):
                values[name] = env[f"SHOPASSIST_{name.upper()}"]
        for name in _WHOLE_NUMBERS:
            raw = env.get(f"SHOPASSIST_{name.upper()}")
            if raw:
                try:
                    values[name] = int(raw)
                except ValueError:
                    raise ConfigError(f"SHOPASSIST_{name.upper()}={raw!r} is not a whole number") from None
        if raw := env.get("SHOPASSIST_LLM_BUDGET_S"):
            try:
                values["llm_budget_s"] = float(raw)
            except ValueError:
                raise ConfigError(f"SHOPASSIST_LLM_BUDGET_S={raw!r} is not a number of seconds — e.g. 5 or 2.5") from None
        for name, variable in _SWITCHES:
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

    def environment(self) -> dict[str, str]:
        """This process's environment with these settings written into it, for a child process
        (`shopassist ui`'s background training): its `Settings.load` then gives these same settings,
        flags included, without a database password appearing on a command line.

        >>> child = Settings(home=Path("/srv/shop"), chroma_url="http://10.0.0.5:8000", compact_vectors=False).environment()
        >>> child["SHOPASSIST_HOME"], child["SHOPASSIST_CHROMA_URL"], child["SHOPASSIST_COMPACT_VECTORS"], "SHOPASSIST_DATABASE_URL" in child
        ('/srv/shop', 'http://10.0.0.5:8000', 'false', False)
        """
        written = {f"SHOPASSIST_{name.upper()}" for name in _FROM_ENVIRONMENT} | {variable for _, variable in _SWITCHES}
        env = {k: v for k, v in os.environ.items() if k not in written}  # a setting now unset must not reach the child
        for name in _FROM_ENVIRONMENT:
            value = getattr(self, name)
            if value is not None:
                env[f"SHOPASSIST_{name.upper()}"] = str(value)
        for name, variable in _SWITCHES:
            value = getattr(self, name)
            if value is not None:
                env[variable] = "true" if value else "false"
        return env

    def with_(self, **changes: object) -> "Settings":
        return replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> None:
        if not self.llm_budget_s > 0:  # `not >` also refuses NaN
            raise ConfigError(f"the LLM wait budget must be a positive number of seconds, not {self.llm_budget_s!r} — set SHOPASSIST_LLM_BUDGET_S to e.g. 5")
        for value, flag, example in (
            (self.chroma_url, "--chroma-url", "http://127.0.0.1:8000"),
            (self.embed_url, "--embed-url", "http://127.0.0.1:8080"),
        ):
            if value:
                url = urlparse(value)
                if url.scheme not in ("http", "https") or not url.hostname:
                    raise ConfigError(f"{flag} {value!r} is not http(s)://host:port — give e.g. {flag} {example}")
        if self.database_url:
            url = urlparse(self.database_url)
            if url.scheme not in ("postgresql", "postgres") or not (url.hostname or "host=" in url.query):
                raise ConfigError(
                    f"database url {url.scheme or '(no scheme)'}://{url.hostname or ''}… is not postgresql://user:password@host:port/database — "
                    "give e.g. --database-url postgresql://shopassist@127.0.0.1:5432/shopassist"
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


def openai_endpoint(base_url: str, path: str) -> str:
    """An OpenAI-compatible server's endpoint, for a base URL given with or without its `/v1`.

    >>> openai_endpoint("http://127.0.0.1:8080", "embeddings")
    'http://127.0.0.1:8080/v1/embeddings'
    >>> openai_endpoint("http://gpu-box:8000/v1/", "chat/completions")
    'http://gpu-box:8000/v1/chat/completions'
    """
    base = base_url.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    return f"{base}/{path}"


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
