"""A store's snapshot written as one new generation (catalog/generations.py): the lexical index,
the cleaned catalogue and the manifest, every file the serving side reads. Nothing here is served
until `generations.publish` switches the pointer, so a writer killed between two files leaves the
previous generation serving."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from shopassist.catalog import generations
from shopassist.catalog.store import Catalog, write_manifest
from shopassist.retrieval.lexical import LexicalIndex
from shopassist.retrieval.snapshot_vectors import MATRIX, FreshVectors, write_vectors
from shopassist.retrieval.vector_index import VectorIndex

LEXICAL = "bm25"


def write_snapshot(
    store_folder: Path,
    catalog: Catalog,
    fingerprint: str,
    about: dict,
    say: Callable[[str], None] = lambda _: None,
    wrote: Callable[[str], None] = lambda _: None,
    vectors: tuple[VectorIndex, Mapping[str, str], str, FreshVectors | None] | None = None,
) -> Path:
    """Write a new, unpublished generation of the store; returns its folder. The lexical index is
    built again only when the products changed (`fingerprint`): else the current one is linked in.
    `say` hears each stage, `wrote(name)` each file or folder once it is complete. `vectors`
    (the vector index, each product's content hash, the model's name, what the reindex just
    encoded) adds the serving copy of the product vectors (retrieval/snapshot_vectors.py).

    >>> import tempfile; from shopassist.catalog.models import Product
    >>> folder = Path(tempfile.mkdtemp()); shop = Catalog("toy", {"1": Product("1", "Red mug", "Red mug")})
    >>> generation = write_snapshot(folder, shop, "f1", {"name": "toy"})
    >>> generations.publish(folder, generation); Catalog.open("toy", generations.current(folder)).products["1"].title
    'Red mug'
    """
    previous = generations.current(store_folder)
    generation = generations.start(store_folder)
    if LexicalIndex.load(previous / LEXICAL, fingerprint) is not None:
        generations.carry(previous, generation, (LEXICAL,))
    else:  # products or lexical settings changed
        say("writing the lexical index …")
        LexicalIndex.build(list(catalog.products.values())).save(generation / LEXICAL, fingerprint)
    wrote(LEXICAL)
    if vectors is not None:
        index, hashes, embedder, fresh = vectors
        write_vectors(generation, previous, list(catalog.products), hashes, index, embedder, fresh, say)
        wrote(MATRIX)
    say("writing the store snapshot …")
    catalog.save(generation, wrote)
    write_manifest(generation, **about)
    wrote("store.json")
    return generation
