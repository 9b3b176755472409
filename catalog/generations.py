"""A store's snapshot as generations: each reindex writes a whole new folder, then one pointer
switches to it.

    stores/<store>/generations/000042/   products, shoppers, events, report, bm25/, store.json
    stores/<store>/current               "000042" — the generation readers load

The pointer is a small text file replaced with `os.replace` (atomic on POSIX): a reader sees the
old name or the new one, never half of either, and a writer killed before the switch leaves the
old generation serving. A file rather than a symlink: it is replaced by the same atomic-write
helper as every other file here, works where symlinks do not (some shares, Windows), and its
content is checked before anything is read. A serving process stats it at the start of a turn
(`stamp`) and reloads only when it has changed.

Generations other than the current one and the one before it are removed when a new one is
published; the previous one stays for a process still loading it. A store built before
generations (its snapshot files directly in `stores/<store>/`) is read as it is, and moved to this
layout by its next reindex (`publish` removes the old files).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from shopassist.errors import CatalogError
from shopassist.files import write_text

POINTER = "current"
GENERATIONS = "generations"
_NAME = re.compile(r"^\d{6}$")  # 000001 …: sorted by name is sorted by age
# What a store folder held before generations; removed once a generation has been published.
LEGACY_FILES = ("products.parquet", "shoppers.parquet", "events.parquet", "report.json", "store.json", "bm25")

Stamp = tuple[int, int, int] | None  # (inode, mtime ns, size) of the pointer; None: no pointer


def stamp(store_folder: Path) -> Stamp:
    """What a serving process compares at the start of a turn: one stat, no read.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> stamp(folder) is None
    True
    """
    try:
        st = (store_folder / POINTER).stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size  # os.replace gives a new inode: a swap always shows


def current(store_folder: Path) -> Path:
    """The folder to load the store's snapshot from: its current generation; a store from before
    generations (or not built yet) is read from the store folder itself.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> current(folder) == folder
    True
    """
    pointer = store_folder / POINTER
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return store_folder
    if not _NAME.match(name) or not (store_folder / GENERATIONS / name).is_dir():
        raise CatalogError(f"{pointer} names generation {name!r}, which is not there — run the store's reindex again to write a new one")
    return store_folder / GENERATIONS / name


def start(store_folder: Path) -> Path:
    """A new, empty generation folder to write the next snapshot into (not served until `publish`).
    Leftovers of a killed writer (folders newer than the current generation) are removed first.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> start(folder).name, start(folder).name  # the first, unpublished, is cleared for the second
    ('000001', '000001')
    """
    root = store_folder / GENERATIONS
    live = current(store_folder)
    for old in _all(root):
        if old.name > live.name or live == store_folder:  # never published: a killed writer's half
            shutil.rmtree(old)
    existing = _all(root)
    number = int(existing[-1].name) + 1 if existing else 1
    folder = root / f"{number:06d}"
    folder.mkdir(parents=True)
    return folder


def carry(source: Path, generation: Path, names: tuple[str, ...]) -> None:
    """Give `generation` the named files or folders of `source` unchanged, as hard links (no
    copy: snapshot files are only ever replaced, never edited, so sharing them is safe).

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); _ = (folder / "store.json").write_text("{}")
    >>> new = start(folder); carry(folder, new, ("store.json",)); (new / "store.json").read_text()
    '{}'
    """
    for name in names:
        src, dst = source / name, generation / name
        if not src.exists():  # e.g. a lexical index never built: readers build it when missing
            continue
        if src.is_dir():
            shutil.copytree(src, dst, copy_function=_link)
        else:
            _link(src, dst)


def _link(src, dst) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links
        shutil.copy2(src, dst)


def publish(store_folder: Path, generation: Path, say=lambda _: None) -> None:
    """Switch readers to `generation` (one atomic rename), then remove what no reader needs: every
    generation older than the one it replaces, and a pre-generation snapshot.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> for _ in range(3):
    ...     publish(folder, start(folder))
    >>> current(folder).name, [p.name for p in _all(folder / GENERATIONS)]
    ('000003', ['000002', '000003'])
    """
    previous = current(store_folder)
    write_text(store_folder / POINTER, generation.name + "\n")
    if previous != store_folder:
        for old in _all(store_folder / GENERATIONS):
            if old.name < previous.name:
                shutil.rmtree(old, ignore_errors=True)
    elif any((store_folder / f).exists() for f in LEGACY_FILES):
        say(f"moved store {store_folder.name!r} to generations ({store_folder / GENERATIONS}); removing its old snapshot files")
        for name in LEGACY_FILES:
            path = store_folder / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _all(root: Path) -> list[Path]:
    """Generation folders, oldest first."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and _NAME.match(p.name))
