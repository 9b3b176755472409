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
