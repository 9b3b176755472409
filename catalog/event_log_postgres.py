"""The event log in PostgreSQL (the `EventLog` contract of catalog/event_log.py), through psycopg 3:
several app servers write to one database and each reads what the others wrote.

Every call is its own transaction in autocommit mode, so a returned `append` is committed (with the
server's default synchronous_commit=on, flushed to its WAL). One database can hold several stores:
every row carries its store's name, as each store has its own SQLite file in the embedded setup.

The schema is created on first use by the numbered migrations below, recorded in
`shopassist_migrations`; an advisory lock lets app servers that start together apply them once.
(Alembic would bring SQLAlchemy, an ini file and a scripts folder for three tables; a list of SQL
strings in one transaction does the same job here.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar
from urllib.parse import urlparse

import psycopg

from shopassist.catalog.models import Event
from shopassist.errors import DatabaseError

# (version, SQL). Append new ones; never edit one that has shipped.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
    CREATE TABLE events (
        id BIGSERIAL PRIMARY KEY, store TEXT NOT NULL, shopper_id TEXT NOT NULL, product_id TEXT NOT NULL,
        kind TEXT NOT NULL, timestamp TIMESTAMPTZ NOT NULL, quantity INTEGER NOT NULL, value DOUBLE PRECISION, session TEXT);
    CREATE INDEX events_by_shopper ON events (store, shopper_id, id);
    CREATE TABLE messages (
        id BIGSERIAL PRIMARY KEY, store TEXT NOT NULL, session TEXT NOT NULL, shopper_id TEXT, role TEXT NOT NULL,
        text TEXT NOT NULL, timestamp TIMESTAMPTZ NOT NULL);
    CREATE INDEX messages_by_shopper ON messages (store, shopper_id, id);
    CREATE TABLE forgotten (store TEXT NOT NULL, shopper_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, PRIMARY KEY (store, shopper_id));
    """),
)
_MIGRATION_LOCK = 0x73686F70  # any fixed number: the advisory lock that serialises migrating app servers

T = TypeVar("T")


def redacted(url: str) -> str:
    """host:port/database of a database URL, for messages and /health: never the password.

    >>> redacted("postgresql://shop:s3cret@db.internal:5433/shopassist")
    'db.internal:5433/shopassist'
    """
    parsed = urlparse(url)
    return f"{parsed.hostname or 'localhost'}:{parsed.port or 5432}{parsed.path or '/'}"


class PostgresEventLog:
    """
    >>> log = PostgresEventLog("postgresql://shopassist@127.0.0.1:5432/shopassist", "demo")  # doctest: +SKIP
    >>> log.append(Event("17850", "85123A", "like", datetime(2026, 1, 1, tzinfo=timezone.utc)), session="s1")  # doctest: +SKIP
    1
    """

    def __init__(self, url: str, store: str, connect_timeout_s: int = 5):
        self.url, self.store, self.where = url, store, redacted(url)
        self._timeout = connect_timeout_s  # an unreachable database fails a turn in seconds, not minutes
        self._lock = threading.Lock()  # one connection shared by the assistant's threads
        self._db: psycopg.Connection | None = None
        self._run(self._migrate)

    # -- connection ------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        if self._db is None or self._db.closed or self._db.broken:
            try:
                self._db = psycopg.connect(self.url, autocommit=True, connect_timeout=self._timeout, options="-c TimeZone=UTC")
            except psycopg.OperationalError as e:
                raise DatabaseError(
                    f"cannot reach the database at {self.where}: {str(e).strip().splitlines()[-1]} — "
                    "check SHOPASSIST_DATABASE_URL / --database-url and that PostgreSQL is running"
                ) from None
        return self._db

    def _run(self, work: Callable[[psycopg.Connection], T]) -> T:
        """`work` on the connection under the lock; a dropped connection is made again on the next call."""
        with self._lock:
            db = self._connect()
            try:
                return work(db)
            except psycopg.OperationalError as e:
                raise DatabaseError(f"the database at {self.where} failed: {str(e).strip()} — the write may not have happened; retry") from None

    def _migrate(self, db: psycopg.Connection) -> None:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS shopassist_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            done = {row[0] for row in db.execute("SELECT version FROM shopassist_migrations")}
            for version, sql in MIGRATIONS:
                if version not in done:
                    db.execute(sql)
                    db.execute("INSERT INTO shopassist_migrations (version) VALUES (%s)", (version,))

    def schema_version(self) -> int:
        return self._run(lambda db: int(db.execute("SELECT COALESCE(MAX(version), 0) FROM shopassist_migrations").fetchone()[0]))

    # -- the contract ----------------------------------------------------------
    def append(self, event: Event, session: str | None = None) -> int:
        at = event.timestamp if event.timestamp.tzinfo else event.timestamp.replace(tzinfo=timezone.utc)
        return self._run(lambda db: int(db.execute(
            "INSERT INTO events (store, shopper_id, product_id, kind, timestamp, quantity, value, session) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (self.store, event.shopper_id, event.product_id, event.kind, at, event.quantity, event.value, session),
        ).fetchone()[0]))  # fmt: skip

    def add_message(self, session: str, shopper_id: str | None, role: str, text: str) -> None:
        self._run(lambda db: db.execute(
            "INSERT INTO messages (store, session, shopper_id, role, text, timestamp) VALUES (%s, %s, %s, %s, %s, %s)",
            (self.store, session, shopper_id, role, text, datetime.now(timezone.utc)),
        ))  # fmt: skip

    def events(self, shopper_id: str, limit: int | None = None) -> list[Event]:
        rows = self._run(lambda db: db.execute(
            "SELECT shopper_id, product_id, kind, timestamp, quantity, value FROM events "
            "WHERE store = %s AND shopper_id = %s ORDER BY id DESC LIMIT %s",
            (self.store, shopper_id, limit),  # LIMIT NULL is no limit
        ).fetchall())  # fmt: skip
        return [Event(s, p, k, t, q, v) for s, p, k, t, q, v in reversed(rows)]

    def messages(self, shopper_id: str) -> list[dict]:
        rows = self._run(lambda db: db.execute(
            "SELECT session, role, text, timestamp FROM messages WHERE store = %s AND shopper_id = %s ORDER BY id",
            (self.store, shopper_id),
        ).fetchall())  # fmt: skip
        return [{"session": s, "role": r, "text": t, "timestamp": ts.isoformat()} for s, r, t, ts in rows]

    def sessions(self, shopper_id: str) -> list[str]:
        rows = self._run(lambda db: db.execute(
            "SELECT session FROM messages WHERE store = %s AND shopper_id = %s "
            "UNION SELECT session FROM events WHERE store = %s AND shopper_id = %s AND session IS NOT NULL",
            (self.store, shopper_id, self.store, shopper_id),
        ).fetchall())  # fmt: skip
        return sorted(r[0] for r in rows)

    def forget(self, shopper_id: str) -> dict[str, int]:
        def work(db: psycopg.Connection) -> dict[str, int]:
            with db.transaction():
                events = db.execute("DELETE FROM events WHERE store = %s AND shopper_id = %s", (self.store, shopper_id)).rowcount
                messages = db.execute("DELETE FROM messages WHERE store = %s AND shopper_id = %s", (self.store, shopper_id)).rowcount
                db.execute(
                    "INSERT INTO forgotten VALUES (%s, %s, %s) ON CONFLICT (store, shopper_id) DO UPDATE SET at = EXCLUDED.at",
                    (self.store, shopper_id, datetime.now(timezone.utc)),
                )
            return {"events": events, "messages": messages}

        return self._run(work)

    def forgotten(self) -> frozenset[str]:
        return self._run(lambda db: frozenset(r[0] for r in db.execute("SELECT shopper_id FROM forgotten WHERE store = %s", (self.store,))))

    def count(self) -> int:
        return self._run(lambda db: int(db.execute("SELECT COUNT(*) FROM events WHERE store = %s", (self.store,)).fetchone()[0]))

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
