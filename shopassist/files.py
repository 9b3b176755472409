"""Writing files so a reader never sees half of one: the new content is written beside the old,
flushed to disk, and swapped in by a rename; a crash or an error at any point leaves the old file
(or folder) as it was and no temporary behind.

Temporaries are named `.<name>.<random>.tmp` (a folder: `.<name>.partial`), next to their target,
so they are on the same file system (a rename, not a copy) and easy to recognise.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` for something else to write (a library, a subprocess); it
    replaces `path` when the block ends without an error and is removed when it does not.

    >>> import tempfile; target = Path(tempfile.mkdtemp()) / "model.gguf"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_bytes(b"GGUF")
    >>> target.read_bytes(), [p.name for p in target.parent.iterdir()]
    (b'GGUF', ['model.gguf'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb") as f:
            os.fsync(f.fileno())  # the rename must not publish a file still in the page cache only
        tmp.chmod(0o644)  # mkstemp makes it private; the data directory's files are for its every user
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_write(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """An open file ("w" text in UTF-8, or "wb") whose content replaces `path` when the block ends
    without an error.

    >>> import tempfile; target = Path(tempfile.mkdtemp()) / "rejects.jsonl"
    >>> with atomic_write(target) as f:
    ...     _ = f.write("{}\\n")
    >>> target.read_text()
    '{}\\n'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write writes a whole file: mode 'w' or 'wb', not {mode!r}")
    with atomic_path(path) as tmp, tmp.open(mode, encoding=None if "b" in mode else "utf-8") as f:
        yield f


def write_text(path: Path, text: str) -> None:
    """`Path.write_text`, atomically, in UTF-8.

    >>> import tempfile; target = Path(tempfile.mkdtemp()) / "store.json"
    >>> write_text(target, "{}"); target.read_text()
    '{}'
    """
    with atomic_write(path) as f:
        f.write(text)


def write_bytes(path: Path, data: bytes) -> None:
    """`Path.write_bytes`, atomically.

    >>> import tempfile; target = Path(tempfile.mkdtemp()) / "verified.json"
    >>> write_bytes(target, b"{}"); target.read_bytes()
    b'{}'
    """
    with atomic_write(path, "wb") as f:
        f.write(data)


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """An empty folder beside `path` to fill; when the block ends without an error it takes the
    place of `path` (an old folder there is moved aside by a rename and then removed), else it is
    removed. A process killed between the two renames leaves no folder at `path`: callers treat
    that as "not built yet" and build again.

    >>> import tempfile; target = Path(tempfile.mkdtemp()) / "bm25"
    >>> with atomic_folder(target) as staging:
    ...     _ = (staging / "ids.json").write_text("[]")
    >>> [p.name for p in target.iterdir()], [p.name for p in target.parent.iterdir()]
    (['ids.json'], ['bm25'])
    """
    path = Path(path)
    # Fixed names, not random ones: the next run clears a killed run's half (a converted model is
    # gigabytes). So two writers of one folder at once may spoil each other's half: callers write
    # a folder from one process at a time, or treat a failed write as "again next time".
    staging, retired = path.with_name(f".{path.name}.partial"), path.with_name(f".{path.name}.old")
    for leftover in (staging, retired):  # a killed run's
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
        if path.exists():
            path.rename(retired)
        staging.rename(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
