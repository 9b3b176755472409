"""Shared fixtures: real models loaded once per session, a fresh data directory per test."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings whose data directory is this test's own; nothing touches ~/.local."""
    from shopassist.settings import Settings

    monkeypatch.setenv("SHOPASSIST_HOME", str(tmp_path / "home"))
    return Settings.load()


@pytest.fixture(scope="session")
def embedder():
    from retrieval.embedder import load_embedder

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
    from catalog.store import demo_source

    frame = pd.read_parquet(demo_source()).head(6000)
    path = tmp_path_factory.mktemp("retail") / "online_retail_slice.parquet"
    frame.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="session")
def products_csv(retail_slice, tmp_path_factory) -> Path:
    """A plain product CSV of 300 real demo-store products (id, title, price)."""
    from catalog.store import load_catalog

    products = list(load_catalog(retail_slice).products.values())[:300]
    frame = pd.DataFrame([{"id": p.id, "title": p.title, "price": p.price} for p in products])
    path = tmp_path_factory.mktemp("csv") / "shop.csv"
    frame.to_csv(path, index=False)
    return path


def build_retriever(catalog, home: Path, embedder):
    """A real hybrid retriever over `catalog`: embedded Chroma under `home`, BM25 in memory."""
    from catalog.reindex import reindex
    from retrieval.dense import DenseIndex
    from retrieval.lexical import LexicalIndex
    from retrieval.retriever import Retriever
    from retrieval.vector_index import VectorIndex
    from shopassist.settings import Settings

    index = VectorIndex.open(Settings.load(home=home), catalog.name, embedder.name)
    reindex(catalog, index, embedder)
    lexical = LexicalIndex.build(list(catalog.products.values()))
    return Retriever(catalog, embedder, lexical, DenseIndex.from_vector_index(index, lexical.ids))


@pytest.fixture(scope="session")
def demo_retriever(retail_slice, embedder, tmp_path_factory):
    """Hybrid retrieval over a real slice of the demo store (its shoppers and purchases included)."""
    from catalog.store import load_catalog

    return build_retriever(load_catalog(retail_slice, "demo-slice"), tmp_path_factory.mktemp("demo-index"), embedder)


@pytest.fixture(scope="session")
def small_llm(tmp_path_factory):
    """SmolLM2-135M through llama.cpp — the real small model of the test suite, loaded once."""
    from assistant.llm import resolve_llm
    from shopassist.settings import Settings

    return resolve_llm(Settings(home=tmp_path_factory.mktemp("llm"), llm="smollm2-135m", llm_backend="llama-cpp", threads=2))
