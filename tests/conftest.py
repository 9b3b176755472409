"""Shared fixtures: real models loaded once per session, a fresh data directory per test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    parser.addoption(
        "--screenshot", metavar="PATH", default=None,
        help="where the browser test saves its picture of the page (default: a temporary folder); "
        "`make screenshot` passes docs/screenshot.png",
    )  # fmt: skip


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings whose data directory is this test's own; nothing touches ~/.local."""
    from shopassist.settings import Settings

    monkeypatch.setenv("SHOPASSIST_HOME", str(tmp_path / "home"))
    return Settings.load()


@pytest.fixture(scope="session")
def embedder():
    from shopassist.retrieval.embedder import load_embedder

    return load_embedder("all-minilm-l6-v2")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data sets beside the project (../shared/data)."""
    path = REPO.parent / "shared" / "data"
    if not path.exists():
        pytest.skip("../shared/data is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def retail_slice(tmp_path_factory) -> Path:
    """The first 6,000 real invoice lines of the demo store (a few hundred products)."""
    from shopassist.catalog.store import demo_source

    frame = pd.read_parquet(demo_source()).head(6000)
    path = tmp_path_factory.mktemp("retail") / "online_retail_slice.parquet"
    frame.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="session")
def products_csv(retail_slice, tmp_path_factory) -> Path:
    """A plain product CSV of 300 real demo-store products (id, title, price)."""
    from shopassist.catalog.store import load_catalog

    products = list(load_catalog(retail_slice).products.values())[:300]
    frame = pd.DataFrame([{"id": p.id, "title": p.title, "price": p.price} for p in products])
    path = tmp_path_factory.mktemp("csv") / "shop.csv"
    frame.to_csv(path, index=False)
    return path


def build_retriever(catalog, home: Path, embedder, translate: bool = False):
    """A real hybrid retriever over `catalog`: embedded Chroma under `home`, BM25 in memory (its
    vector index attached, so the same parts also serve `dense_mode="chroma"`); with `translate`,
    Chinese questions are searched in the catalogue's words, as `open_retriever` does."""
    from shopassist.retrieval.indexing import reindex
    from shopassist.retrieval.dense import DenseIndex
    from shopassist.retrieval.factory import translator_for
    from shopassist.retrieval.lexical import LexicalIndex
    from shopassist.retrieval.retriever import Retriever
    from shopassist.retrieval.vector_index import VectorIndex
    from shopassist.settings import Settings

    index = VectorIndex.open(Settings.load(home=home), catalog.name, embedder.name)
    reindex(catalog, index, embedder)
    lexical = LexicalIndex.build(list(catalog.products.values()))
    return Retriever(catalog, embedder, lexical, DenseIndex.from_vector_index(index, lexical.ids), vector_index=index,
                     translator=translator_for(catalog, lexical) if translate else None)


@pytest.fixture(scope="session")
def demo_retriever(retail_slice, embedder, tmp_path_factory):
    """Hybrid retrieval over a real slice of the demo store (its shoppers and purchases included)."""
    from shopassist.catalog.store import load_catalog

    return build_retriever(load_catalog(retail_slice, "demo-slice"), tmp_path_factory.mktemp("demo-index"), embedder)


@pytest.fixture(scope="session")
def icecat_notebooks(shared_data, embedder, tmp_path_factory):
    """A real Icecat slice where a brand and a product kind cross: every notebook/laptop product and
    every Lenovo product of the first Icecat file, and 250 others."""
    from shopassist.catalog.store import Catalog, load_catalog

    full = load_catalog(shared_data / "icecat" / "products-1.json.zip", "icecat-notebooks")
    keep = {}
    for i, (pid, p) in enumerate(full.products.items()):
        title = p.title.lower()
        if i < 250 or "notebook" in title or "laptop" in title or (p.brand or "").lower() == "lenovo":
            keep[pid] = p
    return build_retriever(Catalog("icecat-notebooks", keep), tmp_path_factory.mktemp("icecat-notebooks"), embedder)


@pytest.fixture(scope="session")
def small_llm(tmp_path_factory):
    """SmolLM2-135M through llama.cpp — the real small model of the test suite, loaded once."""
    from shopassist.assistant.llm import resolve_llm
    from shopassist.settings import Settings

    return resolve_llm(Settings(home=tmp_path_factory.mktemp("llm"), llm="smollm2-135m", llm_backend="llama-cpp", threads=2))


def tokens_evaluated(llm) -> int:
    """How many tokens llama.cpp has run through the model so far (prompt and generated), from its
    own performance counters: a prompt prefix it reuses from its cache is not counted again."""
    import llama_cpp

    data = llama_cpp.llama_perf_context(llm._llama._ctx.ctx)
    return data.n_p_eval + data.n_eval


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """A real llama-cpp-python OpenAI-compatible server with SmolLM2 on 127.0.0.1; its base URL."""
    import httpx

    from shopassist.assistant.llm.shipped import SHIPPED_LLMS

    port = free_port()
    model = SHIPPED_LLMS["smollm2-135m"].parts[0].locate()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(port), "--n_threads", "1", "--n_threads_batch", "1", "--n_ctx", "4096",
             "--verbose", "False",
             # Its default cuts a streaming answer short when another request arrives.
             "--interrupt_requests", "False"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer within 90 s:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def openai_small_llm(llama_server):
    """The OpenAI-compatible backend talking to that real server."""
    from shopassist.assistant.llm.openai_backend import OpenAICompatibleLLM

    llm = OpenAICompatibleLLM(llama_server, model="smollm2-135m")
    yield llm
    llm.close()
