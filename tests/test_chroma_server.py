"""The same index code against a real `chroma run` server on 127.0.0.1."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shopassist.catalog.source_spec import SourceSpec
from shopassist.retrieval.indexing import build_store
from shopassist.retrieval.factory import open_retriever
from tests.conftest import free_port

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma")), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma server did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_reindex_and_search_through_a_chroma_server(settings, chroma_server, products_csv, embedder):
    remote = settings.with_(chroma_url=chroma_server)
    spec = SourceSpec("shop", products_csv)
    _, first = build_store(remote, spec, embedder)
    assert first.added == 300
    _, second = build_store(remote, spec, embedder)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 300)
    assert not (settings.home / "chroma").exists()  # nothing went to the embedded directory
    results = open_retriever(remote, "shop", embedder).search("christmas decoration", 3)
    assert len(results) == 3 and all("dense" in c.scores for c in results)
