"""A ranker that knows a store only as it stood at a cutoff: trained on the events before it.

Evaluating on held-out purchases with the store's served ranker would leak: `shopassist train`
learns from every event, the held-out ones included. Here the same pipeline trains on the
catalogue as it stood at the cutoff (its own last 10% of time tunes, as `shopassist train` does),
and the result is kept under the data directory, keyed by cutoff, events and settings, so a second
run loads it instead of training again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from shopassist.catalog.store import Catalog
from shopassist.ranking import artefacts
from shopassist.ranking.models.sasrec import SASRecConfig
from shopassist.ranking.pipeline import Progress, TrainConfig, train
from shopassist.ranking.ranker import TrainedRanker
from shopassist.ranking.sources import from_catalog
from shopassist.ranking.split import production_fold
from shopassist.ranking.threads import compute_threads
from shopassist.settings import Settings

# The served config trains SASRec up to 30 epochs twice (~40 min on 2 cores for the demo store);
# an evaluation run needs a ranker of the same kind in minutes: a smaller SASRec, fewer epochs.
QUICK = TrainConfig(sasrec=SASRecConfig(dim=32, epochs=6))


def cache_root(settings: Settings, store: str, cutoff: int, events: int, config: TrainConfig) -> Path:
    """Where the ranker trained before `cutoff` is kept: beside the store's served rankers.

    >>> cache_root(Settings.load(home="/h"), "demo", 5, 10, QUICK).parent
    PosixPath('/h/stores/demo/models')
    """
    key = hashlib.sha256(f"{cutoff} {events} {config!r}".encode()).hexdigest()[:12]
    return artefacts.ranking_dir(settings, store).parent / f"ranking-before-{key}"


def trained_before(settings: Settings, store: str, catalog: Catalog, cutoff: int, config: TrainConfig = QUICK,
                   progress: Progress | None = None) -> TrainedRanker:
    """The trained ranker for `catalog` — the store as it stood at `cutoff` (ns since the epoch),
    every event before it — loaded if an earlier run trained it, else trained and saved now.

    A catalogue holding an event at or after the cutoff is refused: the ranker must not see it.
    """
    times = catalog.events["timestamp"].to_numpy(dtype="datetime64[ns]").astype("int64")
    if (times >= cutoff).any():
        raise ValueError(f"{catalog.name}: {(times >= cutoff).sum()} events at or after the cutoff — pass the catalogue as it stood before it")
    data, _ = from_catalog(catalog)
    root = cache_root(settings, store, cutoff, data.n_events, config)
    found = artefacts.versions(root)
    if found:
        return TrainedRanker(artefacts.load(found[-1]), catalog)
    with compute_threads(settings.threads):
        trained = train(production_fold(data, "time"), data, config, progress)
    about = {"protocol": "time", "cutoff": cutoff, "shoppers": data.n_shoppers, "events": data.n_events, "config": repr(config)}
    artefacts.save(trained, settings, store, about, root)
    return TrainedRanker(trained, catalog)
