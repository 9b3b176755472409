"""The final ranker's learned part: features of (shopper, candidate) -> one score.

Trained on held-out next events (label 1 for the item the shopper really chose next, 0 for the rest
of their pool). The model family and its hyper-parameters are chosen by cross-validation over
shoppers on that training data only; the winner is refitted on all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from ranking.features import FEATURES
from ranking.metrics import ndcg_at_k


def default_choices() -> dict[str, Callable[[], object]]:
    """The families compared: a linear model (robust, explainable) and boosted trees (interactions)."""
    return {
        "logistic C=0.1": lambda: LogisticRegression(C=0.1, max_iter=300),
        "logistic C=1": lambda: LogisticRegression(C=1.0, max_iter=300),
        "gbdt 15 leaves": lambda: HistGradientBoostingClassifier(
            max_iter=150, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=200, l2_regularization=1.0, random_state=0
        ),
    }


@dataclass
class Combiner:
    features: tuple[str, ...] = FEATURES
    folds: int = 3
    negatives: float = 0.3  # share of each pool's non-targets kept for fitting (all are kept for scoring)
    seed: int = 0
    chosen: str = ""
    cv: dict[str, float] = field(default_factory=dict)  # choice -> mean NDCG@10 over held-out shoppers
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.ones(0))
    model: object | None = None

    def fit(self, pools: Sequence[np.ndarray], labels: Sequence[np.ndarray], choices: dict[str, Callable[[], object]] | None = None) -> "Combiner":
        """pools[u]: (k_u, features) for shopper u; labels[u]: (k_u,) 1 for their real next item(s).

        >>> rng = np.random.default_rng(0)
        >>> pools = [rng.normal(size=(20, len(FEATURES))).astype(np.float32) for _ in range(60)]
        >>> labels = [(p[:, 0] == p[:, 0].max()).astype(int) for p in pools]  # feature 0 knows
        >>> c = Combiner().fit(pools, labels); c.cv[c.chosen] > 0.9
        True
        """
        choices = choices or default_choices()
        x_all = np.concatenate(pools)
        self.mean = x_all.mean(0)
        self.scale = np.where(x_all.std(0) > 1e-9, x_all.std(0), 1.0)
        rng = np.random.default_rng(self.seed)
        group = rng.permutation(len(pools)) % self.folds
        self.cv = {}
        for name, make in choices.items():
            found = []
            for f in range(self.folds):
                model = make()
                x, y = self._training_rows([p for p, g in zip(pools, group) if g != f], [lab for lab, g in zip(labels, group) if g != f], rng)
                model.fit(x, y)
                held = [u for u in range(len(pools)) if group[u] == f]
                found += [_ndcg(_decision(model, self._standard(pools[u])), labels[u]) for u in held]
            self.cv[name] = float(np.mean(found))
        self.chosen = max(self.cv, key=self.cv.get)
        self.model = choices[self.chosen]()
        self.model.fit(*self._training_rows(pools, labels, rng))
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        """(k, features) -> (k,) higher = more likely the shopper's next choice."""
        return _decision(self.model, self._standard(x))

    def _standard(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.scale

    def _training_rows(self, pools, labels, rng) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for x, y in zip(pools, labels):
            if not y.any():
                continue  # the target is outside the pool: nothing to learn about ordering it
            keep = (y > 0) | (rng.random(len(y)) < self.negatives)
            xs.append(x[keep])
            ys.append(y[keep])
        return self._standard(np.concatenate(xs)), np.concatenate(ys)


def _decision(model, x: np.ndarray) -> np.ndarray:
    return model.decision_function(x) if hasattr(model, "decision_function") else model.predict_proba(x)[:, 1]


def _ndcg(scores: np.ndarray, labels: np.ndarray) -> float:
    if not labels.any():
        return 0.0
    order = np.argsort(-scores, kind="stable")
    ranks = np.flatnonzero(labels[order] > 0)
    return ndcg_at_k(ranks, 10)
