"""The embedded event log (the `EventLog` contract of catalog/event_log.py): SQLite with a
write-ahead log, one file per store.

Each append is one committed transaction with synchronous=FULL: once `append` returns, the row
survives a kill -9 or a power cut; a process killed mid-write loses at most that one row and the
file stays consistent. Forgotten shoppers are remembered by id only, so a reload of the store from
its source files can leave them out again.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

from shopassist.catalog.models import Event

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, shopper_id TEXT NOT NULL, product_id TEXT NOT NULL, kind TEXT NOT NULL,
    timestamp TEXT NOT NULL, quantity INTEGER NOT NULL, value REAL, session TEXT);
CREATE INDEX IF NOT EXISTS events_by_shopper ON events(shopper_id);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY, session TEXT NOT NULL, shopper_id TEXT, role TEXT NOT NULL, text TEXT NOT NULL,
    timestamp TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_shopper ON messages(shopper_id);
CREATE TABLE IF NOT EXISTS forgotten (shopper_id TEXT PRIMARY KEY, at TEXT NOT NULL);
"""


class SQLiteEventLog:
    """
    >>> import tempfile, pathlib
    >>> log = SQLiteEventLog(pathlib.Path(tempfile.mkdtemp()) / "events.db")
    >>> log.append(Event("17850", "85123A", "like", datetime(2026, 1, 1)), session="s1")
    1
    >>> [e.kind for e in log.events("17850")]
    ['like']
    """

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.where = str(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a returned append is on disk
        self._db.executescript(_SCHEMA)
        # One connection shared by the assistant's threads: every statement takes the lock, reads
        # too, else a read on this connection inside another thread's `forget` transaction would see
        # its deletes half done (a connection sees its own uncommitted writes).
        self._lock = threading.Lock()

    def append(self, event: Event, session: str | None = None) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO events (shopper_id, product_id, kind, timestamp, quantity, value, session) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (event.shopper_id, event.product_id, event.kind, event.timestamp.isoformat(), event.quantity, event.value, session),
            )
            return int(cursor.lastrowid)

    def add_message(self, session: str, shopper_id: str | None, role: str, text: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO messages (session, shopper_id, role, text, timestamp) VALUES (?, ?, ?, ?, ?)",
                (session, shopper_id, role, text, datetime.now(timezone.utc).isoformat()),
            )

    def events(self, shopper_id: str, limit: int | None = None) -> list[Event]:
        with self._lock:  # read on every turn now, while other threads write
            rows = self._db.execute(
                "SELECT shopper_id, product_id, kind, timestamp, quantity, value FROM events WHERE shopper_id = ? ORDER BY id DESC LIMIT ?",
                (shopper_id, -1 if limit is None else limit),  # SQLite: a negative limit is none
            ).fetchall()
        return [Event(s, p, k, datetime.fromisoformat(t), q, v) for s, p, k, t, q, v in reversed(rows)]

    def messages(self, shopper_id: str) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT session, role, text, timestamp FROM messages WHERE shopper_id = ? ORDER BY id", (shopper_id,)).fetchall()
        return [{"session": s, "role": r, "text": t, "timestamp": ts} for s, r, t, ts in rows]

    def sessions(self, shopper_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT DISTINCT session FROM (SELECT session FROM messages WHERE shopper_id = ? UNION SELECT session FROM events WHERE shopper_id = ? AND session IS NOT NULL)",
                (shopper_id, shopper_id),
            ).fetchall()
        return sorted(r[0] for r in rows)

    def forget(self, shopper_id: str) -> dict[str, int]:
        """Delete everything held about the shopper and remember that they asked."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            events = self._db.execute("DELETE FROM events WHERE shopper_id = ?", (shopper_id,)).rowcount
            messages = self._db.execute("DELETE FROM messages WHERE shopper_id = ?", (shopper_id,)).rowcount
            self._db.execute("INSERT OR REPLACE INTO forgotten VALUES (?, ?)", (shopper_id, datetime.now(timezone.utc).isoformat()))
            self._db.execute("COMMIT")
        return {"events": events, "messages": messages}

    def forgotten(self) -> frozenset[str]:
        with self._lock:
            return frozenset(r[0] for r in self._db.execute("SELECT shopper_id FROM forgotten"))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def close(self) -> None:
        self._db.close()
