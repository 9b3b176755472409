"""Is this app server able to answer? The parts a turn needs, each asked once, cheaply: the store's
catalogue, the vector store (Chroma), the event log's database and the language model.

A load balancer takes a server out of rotation on HTTP 503 (ui/app.py serves this as `/health`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from shopassist.assistant.core import Assistant
from shopassist.assistant.llm.openai_backend import chat_completions_url


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str  # what was found, or what failed and where
    ms: float


@dataclass(frozen=True)
class Health:
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks.values())

    def to_dict(self) -> dict:
        return {"ok": self.ok, "checks": {name: {"ok": c.ok, "detail": c.detail, "ms": round(c.ms, 1)} for name, c in self.checks.items()}}


def check_health(assistant: Assistant, timeout_s: float = 2.0) -> Health:
    """Each part asked in turn; a part that fails is reported with its error, never raised.

    >>> check_health(assistant).to_dict()["checks"]["store"]  # doctest: +SKIP
    {'ok': True, 'detail': 'demo: 3,895 products', 'ms': 0.0}
    """
    catalog, log, vectors, llm = assistant.catalog, assistant.event_log, assistant.retriever.vector_index, assistant.llm
    checks = {
        "store": lambda: _products(catalog.name, len(catalog.products)),
        "vector_store": lambda: f"{vectors.count():,} vectors" if vectors is not None else "not used (vectors in memory)",
        "database": lambda: f"{log.where}: {len(log.forgotten())} forget-requests" if log is not None else "none (events kept in memory)",
        "model": lambda: _model(llm, timeout_s),
    }
    return Health({name: _run(probe) for name, probe in checks.items()})


def _products(store: str, n: int) -> str:
    if n == 0:
        raise RuntimeError(f"{store}: the catalogue has no products — run `shopassist reindex --store {store}`")
    return f"{store}: {n:,} products"


def _model(llm, timeout_s: float) -> str:
    if llm is None:
        return "none (answers from templates)"
    base_url = getattr(llm, "base_url", None)  # a model server (OpenAI-compatible backend): is it answering?
    if base_url:
        models = chat_completions_url(base_url).removesuffix("/chat/completions") + "/models"
        httpx.get(models, timeout=timeout_s).raise_for_status()
    return llm.name  # in-process models are loaded before the app serves


def _run(probe: Callable[[], str]) -> Check:
    start = time.perf_counter()
    try:
        detail, ok = probe(), True
    except Exception as e:  # a health check reports every failure as it is; the caller decides
        detail, ok = f"{type(e).__name__}: {e}", False
    return Check(ok, detail, (time.perf_counter() - start) * 1000)
