"""Shared fixtures: real models loaded once per session, a fresh data directory per test."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from shopassist.assistant.llm.llama_server import free_port  # noqa: F401 — the tests' one free-port helper

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


@contextmanager
def model_held_busy(llm) -> Iterator[threading.Thread]:
    """One long generation holds the model — llama.cpp's lock, or a server's one slot — from its
    first token until the block ends (then it is closed, which frees the model); yields its thread."""
    from shopassist.assistant.llm import GenerationOptions, Message

    counting = [Message("user", "Write the numbers from 1 to 1000, separated by commas.")]  # runs to max_tokens
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        for _ in llm.stream(counting, GenerationOptions(max_tokens=1000, timeout_s=300)):
            started.set()
            if release.is_set():
                break

    thread = threading.Thread(target=hold, name="holds-the-model")
    thread.start()
    try:
        assert started.wait(120), "the generation meant to hold the model never started"
        yield thread
    finally:
        release.set()
        thread.join(60)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """A real llama-cpp-python OpenAI-compatible server with SmolLM2 on 127.0.0.1; its base URL."""
    from shopassist.assistant.llm.llama_server import llama_server
    from shopassist.assistant.llm.shipped import SHIPPED_LLMS
    from shopassist.errors import LLMError

    model = SHIPPED_LLMS["smollm2-135m"].parts[0].locate()
    try:
        server = llama_server(model, threads=1, log=tmp_path_factory.mktemp("server") / "server.log")
        with server as base:
            yield base
    except LLMError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def embeddings_server(tmp_path_factory):
    """A real OpenAI-compatible embeddings server process (tests/embeddings_server.py, serving the
    shipped all-MiniLM-L6-v2) on 127.0.0.1; its base URL."""
    from shopassist.assistant.llm.llama_server import server_process
    from shopassist.errors import LLMError

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(REPO / "tests" / "embeddings_server.py"), "--port", str(port)]
    try:
        with server_process(command, f"{base}/v1/models", tmp_path_factory.mktemp("embed-server") / "server.log", "embeddings server"):
            yield base
    except LLMError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def openai_small_llm(llama_server):
    """The OpenAI-compatible backend talking to that real server."""
    from shopassist.assistant.llm.openai_backend import OpenAICompatibleLLM

    llm = OpenAICompatibleLLM(llama_server, model="smollm2-135m")
    yield llm
    llm.close()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A real PostgreSQL server on 127.0.0.1 for the whole session (tests/postgres.py); its base URL."""
    from tests.postgres import postgres_server, server_binaries

    if server_binaries() is None:
        pytest.skip("no PostgreSQL server binaries here (apt-get install postgresql; .ci/run does)")
    with postgres_server(free_port()) as url:
        yield url


@pytest.fixture
def database_url(postgres):
    """A fresh, empty database on the session's server: this test's SHOPASSIST_DATABASE_URL."""
    from tests.postgres import new_database

    return new_database(postgres)


@pytest.fixture(params=["sqlite", "postgresql"])
def log_settings(request, settings):
    """`settings` whose event log is SQLite in the data directory, then (second run) a fresh
    PostgreSQL database: the durability, privacy and forget tests run against both."""
    if request.param == "sqlite":
        return settings
    return settings.with_(database_url=request.getfixturevalue("database_url"))


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on 127.0.0.1 for the session; its URL."""
    from shopassist.assistant.llm.llama_server import server_process
    from shopassist.errors import LLMError

    chroma = [sys.executable, "-c", "from chromadb.cli.cli import app; app()"]  # the `chroma` command of this interpreter's chromadb
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma")), "--host", "127.0.0.1", "--port", str(port)]
    try:
        with server_process(command, f"{url}/api/v2/heartbeat", tmp_path_factory.mktemp("chroma-log") / "chroma.log", "chroma server", 60):
            yield url
    except LLMError as e:
        pytest.fail(str(e))
