"""The assistant's entry point: the store's latest trained ranker, loaded on first use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from shopassist.catalog.store import Catalog
from shopassist.ranking import artefacts
from shopassist.ranking.contract import RankContext, Ranker, Suggestion
from shopassist.ranking.ranker import Blend, PopularityRanker, TrainedRanker
from shopassist.retrieval.candidate import Candidate
from shopassist.settings import Settings

log = logging.getLogger(__name__)


class LazyRanker:
    """Finds and loads the store's latest artefacts on the first `rank` call (not at start-up), or
    falls back to the untrained ranker when `shopassist train` has never run for the store.

    >>> import tempfile
    >>> from shopassist.catalog.models import Product
    >>> shop = Catalog("toy", {"a": Product("a", "A", "A")})
    >>> r = LazyRanker(Settings.load(home=tempfile.mkdtemp()), "toy", shop)
    >>> r.rank(None, [Candidate(shop.products["a"], 1.0)])[0].product.id, r.describe()
    ('a', 'untrained: query relevance + popularity (run: shopassist train --store toy)')
    """

    def __init__(self, settings: Settings, store: str, catalog: Catalog, blend: Blend = Blend()):
        self.settings, self.store, self.catalog, self.blend = settings, store, catalog, blend
        self._ranker: Ranker | None = None
        self._about = ""
        self._lock = threading.Lock()

    @property
    def ranker(self) -> Ranker:
        if self._ranker is None:
            with self._lock:
                if self._ranker is None:
                    self._ranker = self._load()
        return self._ranker

    def _load(self) -> Ranker:
        folder = artefacts.latest(self.settings, self.store)
        if folder is None:
            self._about = f"untrained: query relevance + popularity (run: shopassist train --store {self.store})"
            return PopularityRanker(self.catalog, self.blend)
        about = artefacts.manifest(folder)
        self._about = f"trained {folder.name} ({about.get('created', '?')}, {len(about.get('models', []))} models)"
        log.info("ranking %s with %s", self.store, self._about)
        return TrainedRanker(artefacts.load(folder), self.catalog, self.blend)

    def forget(self, catalog: Catalog) -> None:
        """Serve `catalog`, a version that has forgotten some shoppers (see `shopassist forget-user`),
        whether or not the ranker has been loaded yet.

        >>> import tempfile
        >>> from shopassist.catalog.models import Product
        >>> shop = Catalog("toy", {"a": Product("a", "A", "A")})
        >>> r = LazyRanker(Settings.load(home=tempfile.mkdtemp()), "toy", shop)
        >>> r.forget(shop.forget({"ann"})); r.ranker.catalog is r.catalog
        True
        """
        with self._lock:  # a load under way would otherwise finish on the old version
            self.catalog = catalog
            if self._ranker is not None and (forget := getattr(self._ranker, "forget", None)):
                forget(catalog)

    def describe(self) -> str:
        """Which ranker serves the store (loads it if that has not happened yet)."""
        _ = self.ranker
        return self._about

    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]:
        return self.ranker.rank(shopper_id, candidates, context)
