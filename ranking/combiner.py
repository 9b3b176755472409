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

from shopassist.ranking.features import FEATURES
from shopassist.metrics import ndcg_at_k


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
    _trees: TreeEnsemble | None = field(default=None, repr=False)  # the fitted trees as arrays, built on first use

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
        self.model, self._trees = choices[self.chosen](), None
        self.model.fit(*self._training_rows(pools, labels, rng))
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        """(k, features) -> (k,) higher = more likely the shopper's next choice."""
        if isinstance(self.model, HistGradientBoostingClassifier):
            if getattr(self, "_trees", None) is None:
                self._trees = TreeEnsemble.of(self.model)
            return self._trees.decision(self._standard(x))
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


@dataclass(frozen=True)
class TreeEnsemble:
    """A fitted HistGradientBoostingClassifier (binary, numeric features, no missing values) as
    flat arrays of every tree's nodes.

    scikit-learn walks its trees one Python call per tree: ~3 ms for 150 trees even for 100 rows,
    most of a request's budget. Here all trees walk all rows together, one level per step; a leaf
    points to itself, so rows that reached one simply stay.
    """

    feature: np.ndarray  # (all nodes,) int: the feature a node splits on
    threshold: np.ndarray  # (all nodes,): go left when x <= threshold
    left: np.ndarray  # (all nodes,) global index of the left child (itself for a leaf)
    right: np.ndarray
    value: np.ndarray  # (all nodes,) leaf values (raw log-odds contributions)
    roots: np.ndarray  # (trees,) global index of each tree's root
    baseline: float
    depth: int

    @classmethod
    def of(cls, model: HistGradientBoostingClassifier) -> "TreeEnsemble":
        trees = [p[0].nodes for p in model._predictors]  # binary: one tree per iteration
        offsets = np.cumsum([0] + [len(t) for t in trees[:-1]])
        nodes = np.concatenate(trees)
        own = np.arange(len(nodes))
        shift = np.repeat(offsets, [len(t) for t in trees])
        leaf = nodes["is_leaf"].astype(bool)
        return cls(
            feature=np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64),
            threshold=nodes["num_threshold"].astype(np.float64),
            left=np.where(leaf, own, nodes["left"].astype(np.int64) + shift),
            right=np.where(leaf, own, nodes["right"].astype(np.int64) + shift),
            value=np.where(leaf, nodes["value"], 0.0),
            roots=offsets.astype(np.int64),
            baseline=float(np.ravel(model._baseline_prediction)[0]),
            depth=int(nodes["depth"].max()),
        )

    def decision(self, x: np.ndarray) -> np.ndarray:
        """(rows, features) -> (rows,) the model's decision_function.

        >>> from sklearn.ensemble import HistGradientBoostingClassifier
        >>> rng = np.random.default_rng(0); x = rng.normal(size=(300, 3)); y = (x[:, 0] + x[:, 1] > 0).astype(int)
        >>> m = HistGradientBoostingClassifier(max_iter=20).fit(x, y)
        >>> bool(np.allclose(TreeEnsemble.of(m).decision(x), m.decision_function(x)))
        True
        """
        x = np.ascontiguousarray(x, np.float64)
        flat, width = x.ravel(), x.shape[1]
        base = (np.arange(len(x)) * width)[None, :]  # (1, rows): where each row starts in `flat`
        node = np.repeat(self.roots[:, None], len(x), axis=1)  # (trees, rows)
        for _ in range(self.depth):
            go_left = flat.take(base + self.feature.take(node)) <= self.threshold.take(node)
            step = np.where(go_left, self.left.take(node), self.right.take(node))
            if np.array_equal(step, node):  # every row has reached a leaf in every tree
                break
            node = step
        return self.baseline + self.value.take(node).sum(0)


def _decision(model, x: np.ndarray) -> np.ndarray:
    return model.decision_function(x) if hasattr(model, "decision_function") else model.predict_proba(x)[:, 1]


def _ndcg(scores: np.ndarray, labels: np.ndarray) -> float:
    if not labels.any():
        return 0.0
    order = np.argsort(-scores, kind="stable")
    ranks = np.flatnonzero(labels[order] > 0)
    return ndcg_at_k(ranks, 10)
