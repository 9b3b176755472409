"""Incremental reindex with the real embedding model and real embedded Chroma."""

import dataclasses

import pytest

from shopassist.retrieval.indexing import reindex
from shopassist.catalog.store import load_catalog
from shopassist.retrieval.vector_index import VectorIndex


@pytest.fixture
def catalog(products_csv):
    return load_catalog(products_csv, "shop")


@pytest.fixture
def index(settings, embedder):
    return VectorIndex.open(settings, "shop", embedder.name)


def test_first_run_adds_everything_second_run_nothing(catalog, index, embedder):
    first = reindex(catalog, index, embedder, batch_size=128)
    assert (first.added, first.updated, first.deleted, first.unchanged) == (300, 0, 0, 0)
    assert index.count() == 300
    second = reindex(catalog, index, embedder, batch_size=128)
    assert (second.added, second.updated, second.deleted, second.unchanged) == (0, 0, 0, 300)


def test_changed_products_are_reembedded_and_removed_ones_deleted(catalog, index, embedder):
    reindex(catalog, index, embedder)
    ids = list(catalog.products)
    old = catalog.products[ids[0]]
    catalog.products[ids[0]] = dataclasses.replace(old, title="BRIGHT ORANGE UMBRELLA", display_title="Bright Orange Umbrella")
    del catalog.products[ids[1]]
    result = reindex(catalog, index, embedder)
    assert (result.added, result.updated, result.deleted, result.unchanged) == (0, 1, 1, 298)
    assert index.count() == 299
    hit = index.query(embedder.embed(["orange umbrella"], query=True)[0], 1)[0]
    assert hit.id == ids[0]


def test_interrupted_run_is_completed_by_the_next(catalog, index, embedder):
    class Interrupted(Exception):
        pass

    def stop_after_first_batch(done, total):
        if done >= 100:
            raise Interrupted

    with pytest.raises(Interrupted):
        reindex(catalog, index, embedder, batch_size=100, progress=stop_after_first_batch)
    assert index.count() == 100
    resumed = reindex(catalog, index, embedder, batch_size=100)
    assert (resumed.added, resumed.unchanged) == (200, 100)
    assert sorted(index.fingerprints()) == sorted(catalog.products)


def test_brute_force_agrees_with_chroma(catalog, index, embedder):
    """The HNSW top-5 is the exact cosine top-5 on a catalogue this small."""
    reindex(catalog, index, embedder)
    ids, matrix = index.vectors()
    query = embedder.embed(["heart shaped decoration"], query=True)[0]
    exact = [ids[i] for i in (matrix @ query).argsort()[::-1][:5]]
    assert [h.id for h in index.query(query, 5)] == exact


def test_asking_for_more_neighbours_than_there_are_gives_all_of_them(catalog, index, embedder):
    query = embedder.embed(["heart shaped decoration"], query=True)[0]
    assert index.query(query, 10) == []  # an empty collection
    reindex(catalog, index, embedder)
    assert len(index.query(query, 1000)) == 300
