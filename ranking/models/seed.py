"""The seed's baseline, kept as a reference row: TF-IDF over the text of what the shopper did,
then a (multinomial) logistic regression that predicts the next item from it.

The shopper's "behaviour text" is the concatenated text of their last few items; TF-IDF weights
are fitted on those documents. The regression has one weight vector per item and is trained with
the full softmax in torch, which is what scikit-learn's multinomial LogisticRegression optimises
but fast enough for thousands of classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from shopassist.ranking.interactions import Interactions
from shopassist.ranking.items import product_text
from shopassist.ranking.models.base import SERVING_BATCH, recency_matrix, recent_weights, sum_rows


@dataclass
class SeedTfidfLogistic:
    """
    >>> from shopassist.ranking.interactions import toy
    >>> m = SeedTfidfLogistic(epochs=30).fit(toy(["ab", "ab", "ab", "cd"]))
    >>> int(m.score([np.array([0])])[0].argmax())
    1
    """

    words: int = 2048  # vocabulary kept: the most frequent words of the item texts
    last: int = 10  # items whose text makes the behaviour document
    positions: int = 10  # training prefixes per shopper (the most recent ones)
    epochs: int = 5  # the loss is flat after ~5 passes on Amazon Scientific
    l2: float = 1e-6  # weight decay; the documents are already sparse and normalised
    lr: float = 0.02
    seed: int = 0
    name: str = "seed_tfidf_lr"
    item_words: sp.csr_matrix | None = None  # (n_items, words) counts
    tfidf: TfidfTransformer | None = None
    weight: np.ndarray | None = None  # (words, n_items)
    bias: np.ndarray | None = None

    def documents(self, histories: Sequence[np.ndarray]) -> sp.csr_matrix:
        """(shoppers, words) TF-IDF of each shopper's behaviour text (sublinear tf, idf, unit rows:
        what the fitted TfidfTransformer does, without its per-call validation on the serving path)."""
        h = recency_matrix(histories, self.item_words.shape[0], self.last, 1.0)
        counts = (h @ self.item_words).tocsr().astype(np.float32)
        counts.data = (1.0 + np.log(counts.data)) * self.tfidf.idf_[counts.indices].astype(np.float32)
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(1)).ravel())
        return sp.diags(1.0 / np.maximum(norms, 1e-12)).astype(np.float32) @ counts

    def fit(self, data: Interactions) -> "SeedTfidfLogistic":
        counter = CountVectorizer(max_features=self.words)
        self.item_words = counter.fit_transform([product_text(p) for p in data.products]).tocsr().astype(np.float32)
        prefixes, targets = [], []
        for seq in data.sequences:
            for p in range(max(1, len(seq) - self.positions), len(seq)):
                prefixes.append(seq[:p])
                targets.append(seq[p])
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        h = recency_matrix(prefixes, data.n_items, self.last, 1.0)
        self.tfidf.fit(h @ self.item_words)
        x = self.documents(prefixes)
        y = torch.as_tensor(np.asarray(targets, np.int64))
        torch.manual_seed(self.seed)
        w = torch.zeros((x.shape[1], data.n_items), requires_grad=True)
        b = torch.zeros(data.n_items, requires_grad=True)
        opt = torch.optim.Adam([w, b], lr=self.lr, weight_decay=self.l2)
        rng = np.random.default_rng(self.seed)
        for _ in range(self.epochs):
            order = rng.permutation(len(targets))
            for start in range(0, len(order), 1024):
                rows = order[start : start + 1024]
                loss = F.cross_entropy(_sparse(x[rows]) @ w + b, y[rows])
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.weight, self.bias = w.detach().numpy(), b.detach().numpy()
        return self

    def score(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        if len(histories) <= SERVING_BATCH:  # one request: only the weight rows of its words
            return np.vstack([self._score_one(h) for h in histories] or [np.zeros((0, len(self.bias)), np.float32)])
        return np.asarray(self.documents(histories) @ self.weight + self.bias, np.float32)

    def _score_one(self, history: np.ndarray) -> np.ndarray:
        counts = sum_rows(self.item_words, *recent_weights(history, self.last, 1.0))
        words = np.flatnonzero(counts)
        tfidf = (1.0 + np.log(counts[words])) * self.tfidf.idf_[words]
        tfidf /= max(float(np.sqrt((tfidf**2).sum())), 1e-12)
        return (tfidf @ self.weight[words] + self.bias).astype(np.float32)


def _sparse(m: sp.csr_matrix) -> torch.Tensor:
    coo = m.tocoo()
    # From scipy, so already valid: skip torch's invariant checks (and their warning).
    return torch.sparse_coo_tensor(np.vstack([coo.row, coo.col]), coo.data, coo.shape, check_invariants=False).coalesce()
