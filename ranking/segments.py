"""Shopper segments: k-means over what shoppers buy (category, brand, price band, text topics).

Used for cold start (segment popularity) and for the reason "popular with shoppers like you".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans

from shopassist.ranking.interactions import Interactions
from shopassist.ranking.items import ItemEncoder


@dataclass
class Segments:
    encoder: ItemEncoder
    k: int = 8  # a handful of tastes: enough to split gift-ware from tools, few enough to stay well-populated
    last: int = 50  # recent events that define a shopper's taste
    centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    def vectors(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """(shoppers, n_attributes): mean attribute vector of each shopper's recent items, plus log activity."""
        attrs = self.encoder.attributes
        out = np.zeros((len(histories), attrs.shape[1] + 1), np.float32)
        for row, h in enumerate(histories):
            if len(h):
                out[row, :-1] = attrs[np.asarray(h[-self.last :])].mean(0)
                out[row, -1] = np.log1p(len(h)) / 10.0  # keeps heavy buyers apart without swamping taste
        return out

    def fit(self, data: Interactions) -> "Segments":
        """
        >>> from shopassist.ranking.interactions import toy
        >>> d = toy(["ab", "ab", "cd", "cd"])
        >>> s = Segments(ItemEncoder.fit(d.products), k=2).fit(d)
        >>> a = s.assign(d.sequences); bool(a[0] == a[1] != a[2] == a[3])
        True
        """
        vectors = self.vectors([h for h in data.sequences if len(h)])
        k = max(1, min(self.k, len(np.unique(vectors, axis=0))))  # never more segments than distinct tastes
        model = KMeans(k, n_init=3, random_state=0).fit(vectors)
        self.centroids = model.cluster_centers_.astype(np.float32)
        self.k = k
        return self

    def assign(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """Segment of each history; -1 for an empty one (a new shopper has no taste yet)."""
        v = self.vectors(histories)
        d = ((v[:, None, :] - self.centroids[None]) ** 2).sum(-1)
        labels = d.argmin(1)
        labels[[len(h) == 0 for h in histories]] = -1
        return labels
