"""What the shared event log costs a turn: a durable append (a 👍, a message) and the per-turn read
of the shopper's newest feedback, PostgreSQL over TCP on 127.0.0.1 vs the embedded SQLite file
(the baseline), measured in the same run on the same operations.

Without --database-url it starts a private PostgreSQL server (Debian's `initdb`/`pg_ctl`, as the
tests do) in a temporary folder and stops it at the end.

    .venv/bin/python benchmarks/event_log.py [--shoppers 200] [--events 20] [--database-url postgresql://…]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shopassist.catalog.event_log import EventLog, open_event_log
from shopassist.catalog.models import Event
from shopassist.settings import Settings


def measure(log: EventLog, shoppers: int, events: int) -> dict[str, np.ndarray]:
    """Milliseconds per append, per message and per feedback read (limit 200, as a turn reads)."""
    appends, messages, reads = [], [], []
    now = datetime.now(timezone.utc)
    for i in range(shoppers):
        shopper = f"bench-{i}"
        for j in range(events):
            start = time.perf_counter()
            log.append(Event(shopper, f"p{j}", "like", now), session=f"s{i}")
            appends.append(time.perf_counter() - start)
        start = time.perf_counter()
        log.add_message(f"s{i}", shopper, "user", "a red mug under [price], my email is [email]")
        messages.append(time.perf_counter() - start)
    for i in range(shoppers):
        start = time.perf_counter()
        log.events(f"bench-{i}", limit=200)
        reads.append(time.perf_counter() - start)
    return {name: np.array(v) * 1000 for name, v in (("append", appends), ("message", messages), ("read", reads))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--events", type=int, default=20, help="feedback events per shopper")
    parser.add_argument("--database-url", default=None, help="an existing PostgreSQL database (default: a private server)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        url = args.database_url
        if url is None:
            from tests.conftest import free_port
            from tests.postgres import new_database, postgres_server

            url = new_database(stack.enter_context(postgres_server(free_port())))
        home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        results = {}
        for label, settings in (("sqlite (baseline)", Settings(home=home)), ("postgresql", Settings(home=home, database_url=url))):
            log = open_event_log(settings, "bench")
            results[label] = measure(log, args.shoppers, args.events)
            log.close()
    print(f"{args.shoppers} shoppers × {args.events} events; ms per operation, p50 / p95")
    for label, figures in results.items():
        print(f"  {label:18s} " + "  ".join(f"{op} {np.percentile(v, 50):.2f} / {np.percentile(v, 95):.2f}" for op, v in figures.items()))


if __name__ == "__main__":
    main()
