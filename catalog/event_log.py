"""The durable record of what shoppers do and say through the assistant — feedback events, (masked)
chat messages and forget-requests — as one small contract with two stores behind it:

- `SQLiteEventLog` (catalog/event_log_sqlite.py): a file in the store's folder, the embedded default;
- `PostgresEventLog` (catalog/event_log_postgres.py): a PostgreSQL database, chosen when
  `Settings.database_url` is set, so several app servers share one record.

Both promise the same: once `append` returns, the row survives a kill -9 of the writer; `forget`
deletes the shopper's rows and remembers the id (and nothing else) so a reload of the store from its
source files can leave them out again. Text is stored as given: the assistant masks personal data
(assistant/privacy.py) before it calls `add_message`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from shopassist.catalog.models import Event
from shopassist.settings import Settings


@runtime_checkable
class EventLog(Protocol):
    where: str  # for /health and errors: a file path, or host:port/database (never a password)

    def append(self, event: Event, session: str | None = None) -> int:
        """Store one event durably; returns its row id."""
        ...

    def add_message(self, session: str, shopper_id: str | None, role: str, text: str) -> None: ...

    def events(self, shopper_id: str, limit: int | None = None) -> list[Event]:
        """The shopper's events, oldest first; with `limit`, only the newest `limit` of them."""
        ...

    def messages(self, shopper_id: str) -> list[dict]: ...

    def sessions(self, shopper_id: str) -> list[str]: ...

    def forget(self, shopper_id: str) -> dict[str, int]:
        """Delete everything held about the shopper and remember that they asked (one transaction)."""
        ...

    def forgotten(self) -> frozenset[str]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


def open_event_log(settings: Settings, store: str) -> EventLog:
    """The store's event log: PostgreSQL when `settings.database_url` is set, else SQLite in the store's folder.

    >>> import pathlib, tempfile
    >>> open_event_log(Settings(home=pathlib.Path(tempfile.mkdtemp())), "demo").where.endswith("stores/demo/events.db")
    True
    """
    if settings.database_url:
        from shopassist.catalog.event_log_postgres import PostgresEventLog  # psycopg only where it is used

        return PostgresEventLog(settings.database_url, store)
    from shopassist.catalog.event_log_sqlite import SQLiteEventLog

    return SQLiteEventLog(settings.store_dir(store) / "events.db")
