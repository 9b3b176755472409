"""The product vectors as a file of the store's generation, in the catalogue's order, memory-mapped
when served.

Reading a million vectors back out of Chroma at every start takes minutes and holds them twice
while it runs; a `.npy` matrix beside the catalogue opens at once, and the OS pages in what is
read. Chroma stays the store of record (a reindex diffs against it; the `chroma` search path and a
Chroma server use it); this file is the serving copy, written by the reindex that publishes the
generation: what it just encoded, rows whose product is unchanged carried from the previous
generation's file, and only what is left (the first run after an upgrade) read from Chroma.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from shopassist.catalog import generations
from shopassist.files import atomic_write, write_text
from shopassist.retrieval.int8_vectors import CODES, SCALES, Int8Vectors
from shopassist.retrieval.vector_index import VectorIndex

MATRIX = "vectors.npy"  # float32 (products, dim), the catalogue's order
KEYS = "vectors.json"  # the model, and each row's product id and content hash (for the next carry)
# Beside the matrix: its int8 codes (retrieval/int8_vectors.py) for the compact path, written once
# here rather than by every serving process (quantising 1M rows reads the whole 1.5 GB file).


class FreshVectors:
    """The vectors a reindex encoded, kept by product id until the snapshot is written, so the
    generation's vectors file is not read back out of Chroma (at 1M products that read is minutes).

    >>> import numpy as np
    >>> fresh = FreshVectors(); fresh.add(["a", "b"], np.eye(2, dtype=np.float32)); "b" in fresh, fresh.row("b").tolist()
    (True, [0.0, 1.0])
    """

    def __init__(self) -> None:
        self._batches: list[np.ndarray] = []
        self._at: dict[str, tuple[int, int]] = {}

    def add(self, ids: list[str], vectors) -> None:
        self._batches.append(np.asarray(vectors, dtype=np.float32))
        self._at.update({pid: (len(self._batches) - 1, row) for row, pid in enumerate(ids)})

    def __contains__(self, pid: object) -> bool:
        return pid in self._at

    def row(self, pid: str) -> np.ndarray:
        batch, row = self._at[pid]
        return self._batches[batch][row]


def write_vectors(generation: Path, previous: Path | None, ids: Sequence[str], hashes: Mapping[str, str], index: VectorIndex,
                  embedder: str, fresh: FreshVectors | None = None, say: Callable[[str], None] = lambda _: None) -> None:
    """Write the generation's matrix: what the reindex just encoded (`fresh`), unchanged rows from
    `previous`, and whatever is left (the first run after an upgrade) read from `index`.

    A product Chroma has no vector for (never after a whole reindex) gets a row of zeros: it scores
    0, as the in-memory path always scored it.
    """
    carried: dict[str, int] = {}
    old = None
    if previous is not None and (previous / KEYS).exists() and (previous / MATRIX).exists():
        keys = json.loads((previous / KEYS).read_text())
        if keys.get("embedder") == embedder:
            old = np.load(previous / MATRIX, mmap_mode="r")
            carried = {pid: row for row, (pid, h) in enumerate(zip(keys["ids"], keys["hashes"])) if hashes.get(pid) == h}
    if fresh is not None:
        carried = {pid: row for pid, row in carried.items() if pid not in fresh}
    if old is not None and len(carried) == len(ids) == len(keys["ids"]) and keys["ids"] == list(ids):
        say("the vectors are unchanged: linked from the previous generation")
        generations.carry(previous, generation, (MATRIX, KEYS, CODES, SCALES))  # type: ignore[arg-type]
        if not (generation / CODES).exists():  # the previous generation was written before codes were
            Int8Vectors.quantize(np.load(generation / MATRIX, mmap_mode="r")).save(generation)
        return
    encoded = [pid for pid in ids if fresh is not None and pid in fresh]
    fetch = [pid for pid in ids if pid not in carried and (fresh is None or pid not in fresh)]
    say(f"writing the vectors: {len(encoded):,} just encoded, {len(carried):,} carried, {len(fetch):,} read from the vector index …")
    got_ids, got = index.vectors(fetch) if fetch else ([], np.zeros((0, 0), np.float32))
    dim = old.shape[1] if old is not None else got.shape[1] if got.size else len(fresh.row(encoded[0])) if encoded else 1
    fetched = {pid: row for row, pid in enumerate(got_ids)}
    out = np.zeros((len(ids), dim), dtype=np.float32)
    rows = np.arange(len(ids))
    mine = np.array([pid in carried for pid in ids], dtype=bool)
    if mine.any():
        out[rows[mine]] = old[[carried[pid] for pid in np.asarray(ids, dtype=object)[mine]]]  # type: ignore[index]
    new = np.array([pid in fetched for pid in ids], dtype=bool)
    if new.any():
        out[rows[new]] = got[[fetched[pid] for pid in np.asarray(ids, dtype=object)[new]]]
    for row, pid in enumerate(ids):
        if fresh is not None and pid in fresh:
            out[row] = fresh.row(pid)
    with atomic_write(generation / MATRIX, "wb") as f:
        np.save(f, out)
    Int8Vectors.quantize(out).save(generation)
    write_text(generation / KEYS, json.dumps({"embedder": embedder, "dim": dim, "ids": list(ids), "hashes": [hashes.get(p, "") for p in ids]}))


def open_vectors(generation: Path, embedder: str, count: int) -> np.ndarray | None:
    """The generation's matrix, memory-mapped, or None when it has none for this model (written
    before vectors were part of a generation, or by another model): then Chroma is read."""
    if not (generation / MATRIX).exists() or not (generation / KEYS).exists():
        return None
    with (generation / KEYS).open() as f:
        head = f.read(4096)  # the model's name leads the file: no need to parse a million ids
    if f'"embedder": {json.dumps(embedder)}' not in head:
        return None
    matrix = np.load(generation / MATRIX, mmap_mode="r")
    return matrix if matrix.shape[0] == count else None
