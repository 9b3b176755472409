"""Training: tune every model and fit the final ranker on held-out next events, then refit the
models on everything known.

`train(tune, full)` is used by both `shopassist train` and `shopassist eval recommend`:
- `tune` is a Fold whose targets are next events the models have not seen (the validation targets
  in an evaluation; each shopper's last event in production). Every hyper-parameter is chosen on
  those targets and the final ranker's combiner is fitted on them, with cross-validation over
  shoppers choosing its family.
- `full` is everything known at prediction time (training + validation events in an evaluation);
  the models are refitted on it with the chosen settings: the "shift by one step".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from shopassist.ranking import features
from shopassist.ranking.combiner import Combiner, default_choices
from shopassist.ranking.interactions import Interactions
from shopassist.ranking.items import ItemEncoder
from shopassist.metrics import MetricSums
from shopassist.ranking.models.base import Recommender
from shopassist.ranking.models.popularity import Popularity, SegmentPopularity
from shopassist.ranking.models.sasrec import SASRec, SASRecConfig
from shopassist.ranking.models.seed import SeedTfidfLogistic
from shopassist.ranking.models.similarity import ContentSimilarity, Cooccurrence
from shopassist.ranking.segments import Segments
from shopassist.ranking.split import Fold
from shopassist.errors import NotEnoughHistory

FINAL = "final_ranker"  # the combination of every model: what the assistant serves
Progress = Callable[[str, int, int], None]  # (stage, done, total)
MIN_TARGETS = 10  # held-out next events needed to tune anything at all


@dataclass(frozen=True)
class TrainConfig:
    sasrec: SASRecConfig = field(default_factory=SASRecConfig)
    cooc_windows: tuple[int | None, ...] = (None, 3)  # whole history vs. near neighbours in time
    recency_grid: tuple[tuple[int, float], ...] = ((1, 1.0), (3, 0.7), (5, 0.6), (10, 0.8))  # (last, decay)
    segments: int = 8
    pool_per_model: int = 50  # each model's top items pooled for the combiner to reorder
    pool_popular: int = 20
    seed_model: bool = True  # the reference baseline; also a feature of the final ranker
    combiners: tuple[str, ...] = ("logistic C=0.1", "logistic C=1", "gbdt 15 leaves")  # families the CV picks from
    chunk: int = 1024  # shoppers scored at once: bounds memory at chunk x n_items floats per model


@dataclass
class Trained:
    """Everything the final ranker needs at serving time (what `shopassist train` saves)."""

    item_ids: tuple[str, ...]
    encoder: ItemEncoder
    models: dict[str, Recommender]  # fitted on `full`, keyed by model name
    combiner: Combiner
    config: TrainConfig
    choices: dict[str, str] = field(default_factory=dict)  # model -> chosen hyper-parameters, for reports
    tune_metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # model -> metrics on tune targets
    train_s: dict[str, float] = field(default_factory=dict)  # model -> seconds of fitting (tuning included)


def train(tune: Fold, full: Interactions, config: TrainConfig = TrainConfig(), progress: Progress | None = None) -> Trained:
    """
    >>> from shopassist.ranking.interactions import toy
    >>> from shopassist.ranking.split import leave_last_out
    >>> data = toy(["abcd", "abce", "abcd", "xyz", "xyw", "xyz"] * 3)
    >>> cfg = TrainConfig(sasrec=SASRecConfig(dim=8, epochs=2), seed_model=False, combiners=("logistic C=1",))
    >>> t = train(leave_last_out(data, 1), data, cfg)
    >>> sorted(t.models)
    ['content', 'cooc', 'popularity', 'popularity_segment', 'sasrec']
    """
    say = progress or (lambda stage, done, total: None)
    if len(tune.evaluated) < MIN_TARGETS:
        raise NotEnoughHistory(
            f"only {len(tune.evaluated)} shoppers have a held-out next event to learn from (need {MIN_TARGETS}) — "
            "train on a store with more returning shoppers, or more of its history"
        )
    clock = _FitTimer()
    encoder = clock.time("encoder", lambda: ItemEncoder.fit(full.products))
    shared_s = clock.spent.pop("encoder")
    tuned: dict[str, Recommender] = {}
    choices: dict[str, str] = {}
    tune_metrics: dict[str, dict[str, float]] = {}
    histories, targets = _targets(tune)

    def quality(model: Recommender) -> dict[str, float]:
        return evaluate_model(model, histories, targets, config.chunk)

    say("popularity", 0, 1)
    tuned["popularity"] = clock.time("popularity", lambda: Popularity().fit(tune.history))
    tuned["popularity_segment"] = clock.time(
        "popularity_segment", lambda: SegmentPopularity(Segments(encoder, k=config.segments)).fit(tune.history)
    )
    say("popularity", 1, 1)
    say("co-occurrence", 0, len(config.cooc_windows))
    best = None
    for i, window in enumerate(config.cooc_windows):
        base = clock.time("cooc", lambda w=window: Cooccurrence(window=w).fit(tune.history))
        for last, decay in config.recency_grid:
            candidate = base.rescored(last, decay)
            got = quality(candidate)
            if best is None or got["ndcg@10"] > best[1]["ndcg@10"]:
                best = (candidate, got)
        say("co-occurrence", i + 1, len(config.cooc_windows))
    tuned["cooc"], tune_metrics["cooc"] = best
    choices["cooc"] = f"window={best[0].window} last={best[0].last} decay={best[0].decay}"
    content = clock.time("content", lambda: ContentSimilarity(encoder).fit(tune.history))
    best = max(((content.rescored(*p), None) for p in config.recency_grid), key=lambda c: quality(c[0])["ndcg@10"])
    tuned["content"] = best[0]
    choices["content"] = f"last={best[0].last} decay={best[0].decay}"

    def monitor(model: SASRec) -> float:
        return evaluate_model(model, histories, targets, config.chunk)["ndcg@10"]

    sasrec = clock.time("sasrec", lambda: SASRec(config.sasrec).fit(tune.history, monitor=monitor, progress=lambda e, n: say("sasrec (tuning)", e, n)))
    tuned["sasrec"] = sasrec
    choices["sasrec"] = f"epochs={sasrec.epochs_trained} (validation NDCG@10 by epoch: {', '.join(f'{e}:{v:.4f}' for e, v in sasrec.history)})"
    if config.seed_model:
        say("seed baseline", 0, 1)
        tuned["seed_tfidf_lr"] = clock.time("seed_tfidf_lr", lambda: SeedTfidfLogistic().fit(tune.history))
        say("seed baseline", 1, 1)
    for name, model in tuned.items():
        tune_metrics.setdefault(name, quality(model))

    say("final ranker", 0, 1)
    pools, labels = clock.time(FINAL, lambda: training_pools(tuned, encoder, histories, targets, config))
    choices_cv = {name: make for name, make in default_choices().items() if name in config.combiners}
    combiner = clock.time(FINAL, lambda: Combiner().fit(pools, labels, choices_cv))
    say("final ranker", 1, 1)
    choices[FINAL] = f"{combiner.chosen} (cross-validated NDCG@10: {', '.join(f'{k} {v:.4f}' for k, v in combiner.cv.items())})"

    final_models: dict[str, Recommender] = {}
    for name, model in tuned.items():
        stage = f"refit {name} on all events"
        say(stage, 0, 1)
        final_models[name] = clock.time(name, lambda m=model, st=stage: _refit(m, full, lambda e, n: say(st, e, n)))
        if not isinstance(model, SASRec):
            say(stage, 1, 1)
    for name in clock.spent:
        clock.spent[name] += shared_s if name in ("content", "popularity_segment") else 0.0
    clock.spent[FINAL] += sum(v for k, v in clock.spent.items() if k != FINAL) + shared_s
    return Trained(tuple(p.id for p in full.products), encoder, final_models, combiner, config, choices, tune_metrics, dict(clock.spent))


TOY_HISTORIES = ("abcd", "abce", "abcd", "xyz", "xyw", "xyz") * 3  # two tastes, a known next item each


def toy_trained(histories: Sequence[str] = TOY_HISTORIES) -> Trained:
    """A real bundle trained in seconds on `ranking.interactions.toy` data, for examples and tests."""
    from shopassist.ranking.interactions import toy
    from shopassist.ranking.split import leave_last_out

    data = toy(histories)
    config = TrainConfig(SASRecConfig(dim=8, epochs=3), recency_grid=((1, 1.0), (3, 0.7)), segments=2, combiners=("logistic C=1",))
    return train(leave_last_out(data, 1), data, config)


def training_pools(models, encoder, histories, targets, config: TrainConfig) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Feature matrices of each shopper's candidate pool, and 1/0 labels for their real next items."""
    pools, labels = [], []
    for start in range(0, len(histories), config.chunk):
        h = histories[start : start + config.chunk]
        signals = features.Signals.compute(models, h)
        cands = features.pool(signals, config.pool_per_model, config.pool_popular)
        pools += features.build(signals, cands, encoder.attributes)
        labels += [np.isin(c, t).astype(np.int8) for c, t in zip(cands, targets[start : start + config.chunk])]
    return pools, labels


def evaluate_model(model: Recommender, histories: Sequence[np.ndarray], targets: Sequence[np.ndarray], chunk: int = 1024) -> dict[str, float]:
    """Recall@10/50 and NDCG@10 of one model's full-catalogue ranking."""
    sums = MetricSums()
    for start in range(0, len(histories), chunk):
        sums.add(model.score(histories[start : start + chunk]), targets[start : start + chunk])
    return sums.means()


def _targets(fold: Fold) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rows = fold.evaluated
    return [fold.history.sequences[u] for u in rows], [fold.targets[u] for u in rows]


def _refit(model: Recommender, full: Interactions, epochs: Callable[[int, int], None]) -> Recommender:
    if isinstance(model, SASRec):  # the tuned number of epochs, no peeking at any target
        config = replace(model.config, epochs=max(1, model.epochs_trained))
        return SASRec(config).fit(full, progress=epochs)
    if isinstance(model, SegmentPopularity):
        return SegmentPopularity(Segments(model.segments.encoder, k=model.segments.k), model.shrink).fit(full)
    fresh = replace(model)  # same hyper-parameters; fit replaces everything learned
    return fresh.fit(full)


class _FitTimer:
    """Seconds of fitting per model, summed over its calls (tuning, then the final refit)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def time(self, name: str, work):
        start = time.perf_counter()
        result = work()
        self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - start
        return result
