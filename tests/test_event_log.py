"""The EventLog contract, which the SQLite and the PostgreSQL log both pass (`log_settings` runs each
test once per store), and what only the PostgreSQL one has: migrations, errors, stores side by side."""

from datetime import datetime, timedelta, timezone

import pytest

from shopassist.catalog.event_log import EventLog, open_event_log
from shopassist.catalog.models import Event
from shopassist.errors import ConfigError, DatabaseError
from shopassist.settings import Settings

DAY = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_the_contract(log_settings):
    log = open_event_log(log_settings, "shop")
    assert isinstance(log, EventLog)
    for i, kind in enumerate(["like", "dislike", "cart", "like"]):
        log.append(Event("ann", f"p{i}", kind, DAY + timedelta(minutes=i)), session="s1" if i < 2 else "s2")
    log.append(Event("bob", "p9", "like", DAY), session="s3")
    log.add_message("s1", "ann", "user", "a red mug, my email is [email]")
    log.add_message("s1", "ann", "assistant", "Try the red mug.")

    again = open_event_log(log_settings, "shop")  # another process's view: only what was committed
    assert [(e.product_id, e.kind) for e in again.events("ann")] == [("p0", "like"), ("p1", "dislike"), ("p2", "cart"), ("p3", "like")]
    assert [e.product_id for e in again.events("ann", limit=2)] == ["p2", "p3"]  # the newest two, oldest first
    assert again.events("ann")[0].timestamp.replace(tzinfo=timezone.utc) == DAY
    assert [(m["role"], m["text"]) for m in again.messages("ann")] == [("user", "a red mug, my email is [email]"), ("assistant", "Try the red mug.")]
    assert again.sessions("ann") == ["s1", "s2"] and again.count() == 5

    assert log.forget("ann") == {"events": 4, "messages": 2}
    assert again.events("ann") == [] and again.messages("ann") == [] and again.sessions("ann") == []
    assert again.forgotten() == {"ann"} and [e.product_id for e in again.events("bob")] == ["p9"]
    assert log.forget("ann") == {"events": 0, "messages": 0} and again.forgotten() == {"ann"}  # asking twice is fine


def test_stores_sharing_a_database_keep_apart(log_settings):
    shop, other = open_event_log(log_settings, "shop"), open_event_log(log_settings, "other")
    shop.append(Event("ann", "p1", "like", DAY))
    shop.forget("bob")
    assert other.events("ann") == [] and other.forgotten() == frozenset() and other.count() == 0


def test_migrations_run_once_for_servers_starting_together(database_url):
    import psycopg

    from shopassist.catalog.event_log_postgres import MIGRATIONS, PostgresEventLog

    logs = [PostgresEventLog(database_url, "shop") for _ in range(3)]
    assert {log.schema_version() for log in logs} == {MIGRATIONS[-1][0]}
    with psycopg.connect(database_url) as db:
        assert db.execute("SELECT COUNT(*) FROM shopassist_migrations").fetchone()[0] == len(MIGRATIONS)


def test_an_unreachable_database_says_where_without_the_password():
    from tests.conftest import free_port

    url = f"postgresql://shop:s3cret@127.0.0.1:{free_port()}/shopassist"
    with pytest.raises(DatabaseError, match=r"cannot reach the database at 127\.0\.0\.1:\d+/shopassist") as e:
        open_event_log(Settings(database_url=url), "shop")
    assert "s3cret" not in str(e.value)


def test_a_database_url_that_is_not_postgresql_is_refused():
    with pytest.raises(ConfigError, match="give e.g. --database-url postgresql://"):
        Settings.load(database_url="mysql://root@localhost/shop")
