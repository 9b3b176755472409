"""Features of (shopper, candidate) pairs: what the final ranker combines.

The same code builds them for training (pools of likely items around held-out next events), for the
evaluation and for serving one shopper, so the three can never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopassist.ranking.models.base import Recommender

# Models whose full-catalogue rank is a feature too: a rank compares across shoppers where raw
# scores (a heavy buyer's co-occurrence sums, a logit) do not.
RANKED = ("cooc", "content", "sasrec", "seed_tfidf_lr")

FEATURES = (
    "cooc", "cooc_rank", "cooc_last", "content", "content_rank", "sasrec", "sasrec_logp", "sasrec_rank",
    "seed_tfidf_lr", "seed_tfidf_lr_rank", "popularity", "popularity_segment", "attribute_match",
    "seen", "seen_recency", "history_length",
)  # fmt: skip


@dataclass(frozen=True)
class Signals:
    """Every model's full-catalogue scores for a batch of histories (one row per history)."""

    histories: Sequence[np.ndarray]
    scores: Mapping[str, np.ndarray]  # model name -> (shoppers, n_items) float32

    @classmethod
    def compute(cls, models: Mapping[str, Recommender], histories: Sequence[np.ndarray]) -> "Signals":
        return cls(histories, {name: m.score(histories) for name, m in models.items()})



def ranks_of(row: np.ndarray, items: np.ndarray) -> np.ndarray:
    """0-based rank of each of `items` in the full ranking by `row` (ties by code, as a stable sort
    would order them).

    One sort of integer keys (score bits, then code) and binary searches: a few times faster than a
    stable argsort, which matters when serving one shopper.

    >>> ranks_of(np.array([0.5, 0.9, 0.5, 0.1]), np.array([2, 1, 0, 3])).tolist()
    [2, 0, 1, 3]
    """
    bits = (np.asarray(row, np.float32) + np.float32(0.0)).view(np.int32).astype(np.int64)  # + 0.0: no -0.0
    ordered_bits = np.where(bits < 0, -(bits & 0x7FFFFFFF), bits)  # float order as integer order
    keys = (ordered_bits << 32) + (0xFFFFFFFF - np.arange(len(bits)))  # equal scores: lower code = larger key
    return len(keys) - np.searchsorted(np.sort(keys), keys[items], side="right")


def build(signals: Signals, candidates: Sequence[np.ndarray], attributes: np.ndarray) -> list[np.ndarray]:
    """One (len(candidates[u]), len(FEATURES)) float32 matrix per history, columns in FEATURES order.

    `attributes` are the items' encoded attributes (`ItemEncoder.attributes`, one row per score
    column). Models missing from the signals give constant columns.
    """
    n_items = attributes.shape[0]
    ranked = [name for name in RANKED if name in signals.scores]
    out = []
    for u, (history, cand) in enumerate(zip(signals.histories, candidates)):
        cand = np.asarray(cand, np.int64)
        f = np.zeros((len(cand), len(FEATURES)), np.float32)
        col = {name: j for j, name in enumerate(FEATURES)}
        for name, s in signals.scores.items():
            if name in col:
                f[:, col[name]] = s[u, cand]
        for name in ranked:
            f[:, col[name + "_rank"]] = np.log1p(ranks_of(signals.scores[name][u], cand))
        if "sasrec" in signals.scores:
            row = signals.scores["sasrec"][u]
            f[:, col["sasrec_logp"]] = row[cand] - _logsumexp(row)
        for name in RANKED:
            if name not in signals.scores:
                f[:, col[name + "_rank"]] = np.log1p(n_items)
        h = np.asarray(history, np.int64)
        if len(h):
            taste = attributes[h[-10:]].mean(0)
            f[:, col["attribute_match"]] = attributes[cand] @ taste
            seen = np.bincount(h, minlength=n_items)
            f[:, col["seen"]] = np.log1p(seen[cand])
            last_at = np.full(n_items, -1, np.int64)
            last_at[h] = np.arange(len(h))  # later positions overwrite earlier ones
            age = len(h) - last_at[cand]
            f[:, col["seen_recency"]] = np.where(last_at[cand] >= 0, 1.0 / age, 0.0)
        f[:, col["history_length"]] = np.log1p(len(h))
        out.append(f)
    return out


def pool(signals: Signals, per_model: int = 50, popular: int = 20) -> list[np.ndarray]:
    """Candidate codes per history: the union of each model's top `per_model` and the segment's
    `popular` most popular items. What the final ranker reorders when no retriever is in front of it."""
    tops = []
    for name, s in signals.scores.items():
        k = popular if name.startswith("popularity") else per_model
        if k:
            tops.append(np.argpartition(-s, min(k, s.shape[1] - 1), axis=1)[:, :k])
    joined = np.concatenate(tops, axis=1)
    return [np.unique(row) for row in joined]


def _logsumexp(x: np.ndarray) -> float:
    m = float(x.max())
    return m + float(np.log(np.exp(x - m).sum()))
