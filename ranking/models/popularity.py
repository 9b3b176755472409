"""Popularity, overall and within the shopper's segment: the cold-start answer and a baseline row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shopassist.ranking.interactions import Interactions
from shopassist.ranking.segments import Segments


@dataclass
class Popularity:
    """Score = log(1 + events of the item); the same list for everyone.

    >>> from shopassist.ranking.interactions import toy
    >>> Popularity().fit(toy(["ab", "b"])).score([np.array([0])]).argmax()
    np.int64(1)
    """

    name: str = "popularity"
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, data: Interactions) -> "Popularity":
        self.counts = data.counts().astype(np.float32)
        return self

    def score(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        return np.tile(np.log1p(self.counts), (len(histories), 1))


@dataclass
class SegmentPopularity:
    """Popularity among the shoppers of the same segment, shrunk towards overall popularity.

    A shopper without history has no segment and gets overall popularity.
    """

    segments: Segments
    shrink: float = 20.0  # pseudo-events of overall popularity: small segments do not overfit
    name: str = "popularity_segment"
    counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (segments, n_items)
    overall: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, data: Interactions) -> "SegmentPopularity":
        self.segments.fit(data)
        labels = self.segments.assign(data.sequences)
        self.counts = np.zeros((self.segments.k, data.n_items), np.float32)
        for label, seq in zip(labels, data.sequences):
            if label >= 0:
                np.add.at(self.counts[label], seq, 1.0)
        self.overall = data.counts().astype(np.float32)
        return self

    def score(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        overall = self.overall / max(self.overall.sum(), 1.0)
        labels = self.segments.assign(histories)
        out = np.empty((len(histories), len(overall)), np.float32)
        for row, label in enumerate(labels):
            if label < 0:
                out[row] = np.log(overall + 1e-9)
            else:
                c = self.counts[label]
                out[row] = np.log((c + self.shrink * overall) / (c.sum() + self.shrink) + 1e-9)
        return out
