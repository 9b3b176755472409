"""Everything held about one shopper: export it, or forget it (and keep it forgotten)."""

from __future__ import annotations

from contextlib import closing

from shopassist.catalog import generations
from shopassist.catalog.event_log import EventLog, open_event_log
from shopassist.catalog.store import Catalog, open_store
from shopassist.settings import Settings


def export_shopper(settings: Settings, store: str, shopper_id: str) -> dict:
    """Profile, store events, feedback events, sessions and (masked) messages as one object."""
    folder = settings.store_dir(store)
    catalog = open_store(folder, store)
    with closing(open_event_log(settings, store)) as log:
        return _export(catalog, log, store, shopper_id)


def _export(catalog: Catalog, log: EventLog, store: str, shopper_id: str) -> dict:
    shopper = catalog.shoppers.get(shopper_id)
    events = [
        {"product_id": e.product_id, "kind": e.kind, "timestamp": e.timestamp.isoformat(), "quantity": e.quantity, "value": e.value, "source": "store"}
        for e in catalog.shopper_events.of(shopper_id)
    ] + [
        {"product_id": e.product_id, "kind": e.kind, "timestamp": e.timestamp.isoformat(), "quantity": e.quantity, "value": e.value, "source": "assistant"}
        for e in log.events(shopper_id)
    ]
    return {
        "shopper": shopper_id,
        "store": store,
        "profile": {"country": shopper.country, **shopper.attributes} if shopper else {},
        "events": events,
        "sessions": log.sessions(shopper_id),
        "messages": log.messages(shopper_id),
        "forgotten": shopper_id in log.forgotten(),
    }


def forget_shopper(settings: Settings, store: str, shopper_id: str) -> dict:
    """Delete the shopper's events, sessions and messages from the store's snapshot and event log,
    and record the request so reloading or reindexing from the source files leaves them out.

    Trained rankers keep no per-shopper rows (a shopper's events are read from the snapshot when
    it is opened), so the next ranking no longer reflects the shopper; their share in aggregate
    model statistics goes at the next `shopassist train`.
    """
    folder = settings.store_dir(store)
    snapshot = generations.current(folder)
    catalog = Catalog.open(store, snapshot)
    kept = catalog.forget({shopper_id})
    # A new generation like a reindex's: the same products, so the lexical index and manifest are linked in.
    generation = generations.start(folder)
    generations.carry(snapshot, generation, ("bm25", "store.json"))
    kept.save(generation)
    generations.publish(folder, generation)
    removed = len(catalog.events) - len(kept.events)
    with closing(open_event_log(settings, store)) as log:
        deleted = log.forget(shopper_id)  # app servers sharing this log honour it from their next turn
    return {"shopper": shopper_id, "store": store, "store_events": removed, "assistant_events": deleted["events"], "messages": deleted["messages"]}
