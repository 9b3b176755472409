"""A store's snapshot is one generation swapped in whole: a writer killed between any two of its
files leaves the previous generation serving; an assistant that is serving picks up a new
generation (and a newly trained ranker) at its next turn."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from shopassist.catalog import generations
from shopassist.catalog.source_spec import SourceSpec
from shopassist.catalog.store import Catalog, load_catalog, write_manifest
from shopassist.retrieval.factory import open_retriever
from shopassist.retrieval.indexing import build_store, catalog_fingerprint, reindex
from shopassist.retrieval.lexical import LexicalIndex
from shopassist.retrieval.vector_index import VectorIndex

# The snapshot writer in a child process that stops after the file named on its command line
# (and prints each file as it completes), so the test can SIGKILL it exactly there.
WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from shopassist.catalog import generations
    from shopassist.catalog.store import built_with, load_catalog
    from shopassist.retrieval.indexing import catalog_fingerprint, index_hashes
    from shopassist.retrieval.snapshot import write_snapshot
    from shopassist.retrieval.vector_index import VectorIndex
    from shopassist.settings import Settings

    folder, source, stop_after = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    catalog = load_catalog(source, "shop")
    model = built_with(folder)
    vectors = (VectorIndex.open(Settings.load(home=folder.parents[1]), "shop", model), index_hashes(catalog), model, None)

    def wrote(name):
        print(name, flush=True)
        if name == stop_after:
            time.sleep(600)

    generation = write_snapshot(folder, catalog, catalog_fingerprint(catalog), {"name": "shop", "source": str(source), "embedder": model},
                                wrote=wrote, vectors=vectors)
    generations.publish(folder, generation)
    print("published", flush=True)
    """
)
SNAPSHOT_FILES = ["bm25", "vectors.npy", "products.arrow", "shoppers.parquet", "events.parquet", "report.json", "store.json"]


def repriced(products_csv, tmp_path, price: float, title: str | None = None):
    """The same catalogue with its first product's price (and title) changed: (path, product id)."""
    frame = pd.read_csv(products_csv, dtype={"id": str})
    frame.loc[0, "price"] = price
    if title:
        frame.loc[0, "title"] = title
    path = tmp_path / f"shop-{price}.csv"
    frame.to_csv(path, index=False)
    return path, frame.loc[0, "id"]


def test_kill_9_between_any_two_snapshot_files_leaves_the_previous_generation(settings, products_csv, embedder, tmp_path):
    build_store(settings, SourceSpec("shop", products_csv), embedder)
    folder = settings.store_dir("shop")
    first = generations.current(folder)
    changed, pid = repriced(products_csv, tmp_path, 123.45)
    old_price = open_retriever(settings, "shop", embedder).catalog.products[pid].price

    for stop_after in SNAPSHOT_FILES:
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(changed), stop_after], stdout=subprocess.PIPE, text=True)
        done = [writer.stdout.readline().strip() for _ in range(SNAPSHOT_FILES.index(stop_after) + 1)]
        assert done == SNAPSHOT_FILES[: len(done)], done  # paused right after `stop_after`
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert writer.returncode == -signal.SIGKILL
        assert generations.current(folder) == first, f"killed after {stop_after}: the pointer moved"
        served = open_retriever(settings, "shop", embedder)  # loads cleanly, all from the old generation
        assert served.catalog.products[pid].price == old_price
        assert served.search(served.catalog.products[pid].title, 1)[0].product.id == pid

    finished = subprocess.run([sys.executable, "-c", WRITER, str(folder), str(changed), "never"], capture_output=True, text=True, check=True)
    assert finished.stdout.split()[-1] == "published"
    assert open_retriever(settings, "shop", embedder).catalog.products[pid].price == 123.45
    # The killed runs' halves were cleared before the new one was written; the old one is kept for readers.
    assert sorted(p.name for p in (folder / "generations").iterdir()) == [first.name, generations.current(folder).name]


def test_old_generations_are_removed_and_the_lexical_index_is_reused(settings, products_csv, embedder):
    for _ in range(3):
        build_store(settings, SourceSpec("shop", products_csv), embedder)
    folder = settings.store_dir("shop")
    kept = sorted((folder / "generations").iterdir())
    assert [p.name for p in kept] == ["000002", "000003"]
    # Unchanged products: the new generation links the previous lexical index instead of building it.
    assert (kept[0] / "bm25" / "ids.json").stat().st_ino == (kept[1] / "bm25" / "ids.json").stat().st_ino


def test_a_store_in_the_old_layout_loads_and_moves_to_generations_on_reindex(settings, products_csv, embedder):
    """Before generations the snapshot files lay directly in stores/<store>/."""
    folder = settings.store_dir("shop")
    catalog = load_catalog(products_csv, "shop")
    reindex(catalog, VectorIndex.open(settings, "shop", embedder.name), embedder)
    catalog.save(folder)
    LexicalIndex.build(list(catalog.products.values())).save(folder / "bm25", catalog_fingerprint(catalog))
    write_manifest(folder, name="shop", source=products_csv.resolve())
    assert len(open_retriever(settings, "shop", embedder).catalog.products) == 300

    said: list[str] = []
    build_store(settings, SourceSpec.resolve(settings, "shop", None), embedder, say=said.append)
    assert any("moved store 'shop' to generations" in line for line in said)
    assert generations.current(folder).name == "000001"
    assert not (folder / "products.parquet").exists() and not (folder / "bm25").exists()
    assert len(open_retriever(settings, "shop", embedder).catalog.products) == 300


def test_a_serving_assistant_answers_from_a_reindex_at_its_next_turn(settings, products_csv, tmp_path):
    """`shopassist reindex` (a real process) changes a product's title and price while the
    assistant serves; the next turn shows the new ones, with no restart."""
    from shopassist.assistant.factory import open_assistant

    env = dict(os.environ, SHOPASSIST_HOME=str(settings.home))
    command = [sys.executable, "-m", "shopassist.cli", "reindex", "--store", "shop", "--json"]
    subprocess.run([*command, "--catalog", str(products_csv)], env=env, check=True, capture_output=True)
    assistant = open_assistant(settings, "shop", without_llm=True)
    product = next(iter(assistant.catalog.products.values()))
    before = assistant.ask(None, product.title)
    assert product.id in [s.product.id for s in before.suggestions]
    assert not assistant.watch.changed()  # an unchanged store costs a stat, not a reload

    changed, pid = repriced(products_csv, tmp_path, 77.7, title="GOLDEN UMBRELLA STAND")
    assert pid == product.id
    result = json.loads(subprocess.run([*command, "--catalog", str(changed)], env=env, check=True, capture_output=True, text=True).stdout)
    assert result["updated"] == 1
    after = assistant.ask(None, "golden umbrella stand")
    top = after.suggestions[0].product
    assert (top.id, top.display_title, top.price) == (pid, "Golden Umbrella Stand", 77.7)
    assert assistant.catalog.products[pid].price == 77.7 and assistant.ranker.catalog is assistant.catalog


def test_a_trained_ranker_that_lands_is_used_from_the_next_ranking(settings):
    from shopassist.catalog.models import Product
    from shopassist.ranking import artefacts, load_ranker
    from shopassist.ranking.pipeline import toy_trained
    from shopassist.retrieval.candidate import Candidate

    shop = Catalog("toy", {p: Product(p, p.upper(), p.upper()) for p in "abc"})
    ranker = load_ranker(settings, "toy", shop)
    candidates = [Candidate(p, 1.0) for p in shop.products.values()]
    assert ranker.in_use() == "popularity"
    artefacts.save(toy_trained(), settings, "toy", {})
    assert len(ranker.rank(None, candidates)) == 3
    assert ranker.in_use() == "trained model v0001"
    time.sleep(0.01)  # a distinct modification time for the folder on coarse-clock file systems
    artefacts.save(toy_trained(), settings, "toy", {})
    assert ranker.in_use() == "trained model v0002"


def test_a_generation_serves_its_products_as_columns_and_its_vectors_from_its_own_file(settings, products_csv, embedder, tmp_path):
    """What a million-product store needs (issue #14): no Python object per product and no read of
    every vector out of Chroma at start — and the same answers as before."""
    import numpy as np

    from shopassist.catalog.product_table import ProductTable
    from shopassist.retrieval.dense import DenseIndex

    build_store(settings, SourceSpec("shop", products_csv), embedder)
    served = open_retriever(settings, "shop", embedder)
    loaded = load_catalog(products_csv, "shop")
    assert isinstance(served.catalog.products, ProductTable)
    assert dict(served.catalog.products) == loaded.products  # every field of every product, as loaded
    assert isinstance(served.dense.matrix, np.memmap)  # mapped from the generation, not copied
    from_chroma = DenseIndex.from_vector_index(VectorIndex.open(settings, "shop", embedder.name), served.dense.ids)
    assert np.allclose(np.asarray(served.dense.matrix), from_chroma.matrix, atol=1e-6)  # what was encoded is what Chroma holds

    # One product changed: its row is read again, the others are carried from the previous file.
    changed, pid = repriced(products_csv, tmp_path, 77.7, title="Completely different tea towel")
    build_store(settings, SourceSpec("shop", changed), embedder)
    again = open_retriever(settings, "shop", embedder)
    row = again.dense.ids.index(pid)
    assert np.allclose(again.dense.matrix[row], embedder.embed([again.catalog.products[pid].search_text()])[0], atol=1e-5)
    others = np.arange(len(again.dense.ids)) != row
    assert np.array_equal(np.asarray(again.dense.matrix)[others], np.asarray(served.dense.matrix)[others])
    assert again.search("different tea towel", 1)[0].product.id == pid

    # Served compact (as from 200k products up): the generation's own int8 codes, mapped, give the same answers.
    compact = open_retriever(settings.with_(compact_vectors=True), "shop", embedder)
    assert compact.dense.compact and isinstance(compact.dense.codes.codes, np.memmap)
    for query in ("different tea towel", "red mug under £5", "christmas decoration"):
        assert [c.product.id for c in compact.search(query, 10)] == [c.product.id for c in again.search(query, 10)]
