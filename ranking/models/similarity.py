"""Item-to-item models: a shopper's recent items vote for the items most similar to them.

`Cooccurrence` learns similarity from shoppers' histories (collaborative filtering); `ContentSimilarity`
from product text, so it also covers products nobody has bought yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from shopassist.ranking.interactions import Interactions
from shopassist.ranking.items import ItemEncoder
from shopassist.ranking.models.base import SERVING_BATCH, recency_matrix, recent_weights, sum_rows, tie_breaker


class _Neighbourhood:
    """Scoring shared by the item-to-item models: recent items (weighted by recency) sum their
    similarities. Subclasses provide `similarity` (items x items), `last`, `decay` and `counts`."""

    def rescored(self, last: int, decay: float):
        """The same neighbourhoods with another recency profile (tuning without refitting)."""
        return replace(self, last=last, decay=decay)

    def score(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        if len(histories) <= SERVING_BATCH:  # one request: read the few rows directly
            rows = [sum_rows(self.similarity, *recent_weights(h, self.last, self.decay)) for h in histories]
            return np.vstack(rows or [np.zeros((0, self.similarity.shape[1]), np.float32)]) + tie_breaker(self.counts)
        h = recency_matrix(histories, self.similarity.shape[0], self.last, self.decay)
        return np.asarray((h @ self.similarity).todense(), np.float32) + tie_breaker(self.counts)


@dataclass
class Cooccurrence(_Neighbourhood):
    """Item-kNN over the last few items: cosine-normalised co-occurrence in shoppers' histories.

    window=None counts two items together when one shopper has both; window=w only when they are at
    most w events apart (order-aware neighbourhoods for long histories).

    >>> from shopassist.ranking.interactions import toy
    >>> m = Cooccurrence(last=1).fit(toy(["ab", "ab", "cd"]))
    >>> int(m.score([np.array([0])])[0].argmax())  # after a: b
    1
    """

    window: int | None = None
    alpha: float = 0.5  # 0.5 = cosine; higher punishes popular items harder
    last: int = 5  # recent items that vote
    decay: float = 0.6  # weight of the item k events ago: decay**k
    max_history: int = 200  # most recent events per shopper used to count pairs (bounds the cost)
    neighbours: int = 200  # kept per item: a busy shop's co-purchase matrix is otherwise nearly dense
    name: str = "cooc"
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0)))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, data: Interactions) -> "Cooccurrence":
        histories = [s[-self.max_history :] for s in data.sequences]
        n = data.n_items
        if self.window is None:
            users = np.repeat(np.arange(len(histories)), [len(h) for h in histories])
            items = np.concatenate([np.zeros(0, np.int64), *histories])
            x = sp.csr_matrix((np.ones(len(items), np.float32), (users, items)), shape=(len(histories), n))
            x.data[:] = 1.0  # a shopper counts once per item, however often they bought it
            pairs = (x.T @ x).tocsr()
            support = np.asarray(x.sum(0)).ravel()
        else:
            pairs = _window_pairs(histories, n, self.window)
            support = data.counts().astype(np.float32)
        pairs.setdiag(0)
        pairs.eliminate_zeros()
        norm = sp.diags(1.0 / np.maximum(support, 1.0) ** self.alpha)
        self.similarity = keep_top((norm @ pairs @ norm).tocsr().astype(np.float32), self.neighbours)
        self.counts = data.counts()
        return self



def keep_top(m: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Each row's k largest entries (ties: lower column first).

    >>> keep_top(sp.csr_matrix(np.array([[3.0, 1.0, 2.0]], np.float32)), 2).toarray().tolist()
    [[3.0, 0.0, 2.0]]
    """
    m = m.tocsr()
    m.sort_indices()
    counts = np.diff(m.indptr)
    if counts.max(initial=0) <= k:
        return m
    keep = np.zeros(m.nnz, bool)
    for row in np.flatnonzero(counts > k):
        lo, hi = m.indptr[row], m.indptr[row + 1]
        keep[lo + np.argsort(-m.data[lo:hi], kind="stable")[:k]] = True
    keep[np.repeat(counts <= k, counts)] = True
    rows = np.repeat(np.arange(m.shape[0]), counts)
    return sp.csr_matrix((m.data[keep], (rows[keep], m.indices[keep])), shape=m.shape)


def _window_pairs(histories: Sequence[np.ndarray], n_items: int, window: int) -> sp.csr_matrix:
    flat = np.concatenate([np.zeros(0, np.int64), *histories])
    owner = np.repeat(np.arange(len(histories)), [len(h) for h in histories])
    rows, cols = [], []
    for d in range(1, window + 1):
        same = owner[d:] == owner[:-d]
        rows += [flat[:-d][same], flat[d:][same]]
        cols += [flat[d:][same], flat[:-d][same]]
    if not rows:
        return sp.csr_matrix((n_items, n_items), dtype=np.float32)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=(n_items, n_items))


@dataclass
class ContentSimilarity(_Neighbourhood):
    """TF-IDF cosine between a candidate and the shopper's recent items, over each item's `neighbours`
    most similar items (an item is not its own neighbour). Needs no events, so it also ranks a
    product nobody has bought yet.

    >>> from shopassist.ranking.interactions import toy
    >>> d = toy(["ab"])
    >>> ContentSimilarity(ItemEncoder.fit(d.products)).fit(d).score([np.array([0])]).shape
    (1, 2)
    """

    encoder: ItemEncoder
    last: int = 3
    decay: float = 0.6
    neighbours: int = 200  # kept per item: the far tail of text similarity is noise, and a dense
    # (items x items) matrix would not fit for large catalogues
    name: str = "content"
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0)))
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, data: Interactions) -> "ContentSimilarity":
        self.similarity = top_neighbours(self.encoder.tfidf, self.neighbours)
        self.counts = data.counts()
        return self

    def score_products(self, histories: Sequence[np.ndarray], tfidf: sp.csr_matrix) -> np.ndarray:
        """(shoppers, new products): the same score for products outside the trained catalogue."""
        h = recency_matrix(histories, self.encoder.tfidf.shape[0], self.last, self.decay)
        return np.asarray(((h @ self.encoder.tfidf) @ tfidf.T).todense(), np.float32)


def top_neighbours(vectors: sp.csr_matrix, k: int, chunk: int = 1024) -> sp.csr_matrix:
    """(n, n) sparse: each row's k largest cosine similarities to other rows (rows L2-normalised).

    >>> v = sp.csr_matrix(np.array([[1, 0], [0.8, 0.6], [0, 1]], np.float32))
    >>> top_neighbours(v, 1).toarray().astype(float).round(2).tolist()
    [[0.0, 0.8, 0.0], [0.8, 0.0, 0.0], [0.0, 0.6, 0.0]]
    """
    n = vectors.shape[0]
    k = min(k, n - 1)
    rows, cols, vals = [], [], []
    for start in range(0, n, chunk):
        block = np.asarray((vectors[start : start + chunk] @ vectors.T).todense(), np.float32)
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -np.inf  # not its own neighbour
        if k <= 0:
            continue
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        val = np.take_along_axis(block, top, axis=1)
        keep = val > 0
        rows.append(np.repeat(np.arange(start, start + len(block)), k)[keep.ravel()])
        cols.append(top[keep])
        vals.append(val[keep])
    if not rows:
        return sp.csr_matrix((n, n), dtype=np.float32)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n), dtype=np.float32)
