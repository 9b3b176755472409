"""Stage 3: score candidates for this shopper from their history, with reasons.

The assistant calls `load_ranker(settings, store, catalog).rank(shopper_id, candidates, context)`
(the contract is in `ranking.contract`). Models are trained by `shopassist train` and measured by
`shopassist eval recommend`; nothing heavy is imported until a ranker is first used.
"""

from __future__ import annotations


def load_ranker(settings, store: str, catalog):
    """The store's latest trained ranker (loaded lazily), or the untrained one before any training.

    >>> import tempfile
    >>> from shopassist.catalog.store import Catalog
    >>> from shopassist.settings import Settings
    >>> load_ranker(Settings.load(home=tempfile.mkdtemp()), "demo", Catalog("demo", {})).describe()[:9]
    'untrained'
    """
    from shopassist.ranking.loader import LazyRanker

    return LazyRanker(settings, store, catalog)
