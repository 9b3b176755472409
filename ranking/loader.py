"""The assistant's entry point: the store's latest trained ranker, loaded on first use and again
whenever `shopassist train` lands a newer version."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from shopassist.catalog.store import Catalog
from shopassist.errors import ModelNotFound
from shopassist.ranking import artefacts
from shopassist.ranking.contract import RankContext, Ranker, Suggestion
from shopassist.ranking.pipeline import Trained
from shopassist.ranking.ranker import Blend, PopularityRanker, TrainedRanker
from shopassist.retrieval.candidate import Candidate
from shopassist.settings import Settings

log = logging.getLogger(__name__)

POPULARITY = "popularity"  # what `in_use` says before any training


class LazyRanker:
    """Finds and loads the store's latest artefacts on the first `rank` call (not at start-up), or
    falls back to the untrained ranker when `shopassist train` has never run for the store. Each
    call checks the artefacts folder (one stat): a version that landed since is loaded and swapped
    in, so a serving process needs no restart after training.

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
        self._folder: Path | None = None  # the artefact version serving; None: untrained
        self._trained: Trained | None = None  # its models, kept to serve a new catalogue version
        self._stamp: tuple[int, int] | None = None
        self._about = ""
        self._lock = threading.Lock()

    @property
    def ranker(self) -> Ranker:
        stamp = artefacts.stamp(self.settings, self.store)
        if self._ranker is None or stamp != self._stamp:
            with self._lock:
                if self._ranker is None or stamp != self._stamp:
                    self._refresh(stamp)
        return self._ranker  # type: ignore[return-value]

    def _refresh(self, stamp) -> None:
        # The stamp is taken before the folder is listed: a version landing in between is seen next time.
        folder = artefacts.latest(self.settings, self.store)
        if self._ranker is None or folder != self._folder:
            try:
                trained = artefacts.load(folder) if folder is not None else None
            except ModelNotFound:
                if self._ranker is None:
                    raise
                log.warning("ranking %s: %s could not be loaded, still serving %s", self.store, folder, self._label(), exc_info=True)
                self._stamp = stamp
                return
            self._folder, self._trained = folder, trained
            self._ranker = self._build(self.catalog)
            log.info("ranking %s with %s", self.store, self._about)
        self._stamp = stamp

    def _build(self, catalog: Catalog) -> Ranker:
        if self._trained is None:
            self._about = f"untrained: query relevance + popularity (run: shopassist train --store {self.store})"
            return PopularityRanker(catalog, self.blend)
        about = artefacts.manifest(self._folder)  # type: ignore[arg-type]
        self._about = f"trained {self._folder.name} ({about.get('created', '?')}, {len(about.get('models', []))} models)"  # type: ignore[union-attr]
        return TrainedRanker(self._trained, catalog, self.blend)

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

    def serve(self, catalog: Catalog) -> None:
        """Serve a new generation of the store (a reindex: products may differ): the ranker is
        built again for it from the models already loaded, then swapped in with one assignment.

        >>> import tempfile
        >>> from shopassist.catalog.models import Product
        >>> r = LazyRanker(Settings.load(home=tempfile.mkdtemp()), "toy", Catalog("toy", {"a": Product("a", "A", "A")}))
        >>> r.serve(Catalog("toy", {"b": Product("b", "B", "B")})); sorted(r.ranker.index)
        ['b']
        """
        with self._lock:
            self.catalog = catalog
            if self._ranker is not None:
                self._ranker = self._build(catalog)

    def describe(self) -> str:
        """Which ranker serves the store (loads it if that has not happened yet)."""
        _ = self.ranker
        return self._about

    def in_use(self) -> str:
        """A short name for a page: 'popularity', or 'trained model v0002'."""
        _ = self.ranker
        return self._label()

    def _label(self) -> str:
        return f"trained model {self._folder.name}" if self._folder is not None else POPULARITY

    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]:
        return self.ranker.rank(shopper_id, candidates, context)
