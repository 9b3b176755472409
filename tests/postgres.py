"""A private PostgreSQL server for the tests: Debian's server binaries (`initdb`, `pg_ctl`), a data
folder of its own under /tmp, 127.0.0.1 on a free port, stopped at the end.

`initdb` refuses to run as root, so as root (CI) the server runs as the `nobody` user; its folder is
made under /tmp, not under pytest's root-only temporary folders, so that user can enter it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_binaries() -> Path | None:
    """The folder holding initdb/pg_ctl: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    if pg_config := shutil.which("pg_config"):
        folder = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip())
        if (folder / "initdb").exists():
            return folder
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@contextmanager
def postgres_server(port: int) -> Iterator[str]:
    """Start a server on 127.0.0.1:`port`; yields the URL of its `postgres` database (user `shopassist`, no password)."""
    bindir = server_binaries()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="shopassist-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
        as_user = ["runuser", "-u", "nobody", "--"]
    data, log = folder / "data", folder / "server.log"

    def run(*args: str) -> None:
        proc = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            extra = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{Path(args[0]).name} failed ({proc.returncode}): {proc.stderr[-2000:]}\n{extra}")

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "shopassist", "--auth=trust", "-E", "UTF8", "--no-sync")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
            "-o", f"-h 127.0.0.1 -p {port} -k {folder}", "start")  # fmt: skip
        try:
            yield f"postgresql://shopassist@127.0.0.1:{port}/postgres"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")  # thrown away: no shutdown checkpoint
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server_url: str) -> str:
    """A fresh, empty database on the server; its URL (each test starts from nothing)."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name
