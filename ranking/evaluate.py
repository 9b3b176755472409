"""The next-item evaluation protocol, every model and the final ranker in one run.

Generic layout (../shared/data/README.md): per shopper, events ordered by time (stable); the last is
the test target, the one before it the validation target, the rest training; shoppers with fewer
than 3 events are skipped. All items are ranked (no sampled negatives, seen items stay in), and
everything is tuned on validation targets only. A store's own events use a time-ordered split
instead: the last 10% of events (by time) for testing, the 10% before for validation, and each
shopper's first basket in a period as their targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shopassist.ranking import features
from shopassist.ranking.interactions import Interactions
from shopassist.metrics import MetricSums
from shopassist.ranking.pipeline import FINAL, Progress, TrainConfig, Trained, train
from shopassist.ranking.split import Fold, leave_last_out, time_cutoffs, time_split

PROTOCOLS = ("leave-last-out", "time")


@dataclass
class EvalResult:
    protocol: str
    shoppers: int  # shoppers with a test target
    rows: dict[str, dict[str, float]]  # model -> recall@10, ndcg@10, recall@50, train_s
    choices: dict[str, str] = field(default_factory=dict)
    validation: dict[str, dict[str, float]] = field(default_factory=dict)

    def table(self) -> str:
        """The table a person reads (the JSON is `rows`)."""
        lines = [f"{'model':<22} {'recall@10':>9} {'ndcg@10':>8} {'recall@50':>9} {'train_s':>8}"]
        for name, r in self.rows.items():
            lines.append(f"{name:<22} {r['recall@10']:>9.4f} {r['ndcg@10']:>8.4f} {r['recall@50']:>9.4f} {r['train_s']:>8.1f}")
        return "\n".join(lines)


def folds(data: Interactions, protocol: str) -> tuple[Fold, Fold]:
    """(validation fold, test fold) for the protocol."""
    if protocol == "leave-last-out":
        return leave_last_out(data, position=2), leave_last_out(data, position=1)
    if protocol == "time":
        valid_cut, test_cut = time_cutoffs(data)
        return time_split(data, valid_cut, until=test_cut), time_split(data, test_cut)
    raise ValueError(f"protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}")


def evaluate(data: Interactions, protocol: str, config: TrainConfig = TrainConfig(), progress: Progress | None = None) -> EvalResult:
    """Train on the validation fold (tuning) and everything before the test targets, then score the
    test targets with every model and with the final ranker.

    >>> from shopassist.ranking.interactions import toy
    >>> from shopassist.ranking.models.sasrec import SASRecConfig
    >>> data = toy(["abcd", "abce", "abcd", "xyzw"] * 3)
    >>> cfg = TrainConfig(sasrec=SASRecConfig(dim=8, epochs=2), seed_model=False, combiners=("logistic C=1",))
    >>> sorted(evaluate(data, "leave-last-out", cfg).rows)[:2]
    ['content', 'cooc']
    """
    valid, test = folds(data, protocol)
    trained = train(valid, test.history, config, progress)
    rows = test.evaluated
    histories = [test.history.sequences[u] for u in rows]
    targets = [test.targets[u] for u in rows]
    sums = {name: MetricSums() for name in [*trained.models, FINAL]}
    say = progress or (lambda stage, done, total: None)
    for start in range(0, len(histories), config.chunk):
        say("scoring test shoppers", start, len(histories))
        h, t = histories[start : start + config.chunk], targets[start : start + config.chunk]
        signals = features.Signals.compute(trained.models, h)
        for name, s in signals.scores.items():
            sums[name].add(s, t)
        sums[FINAL].add(rank_all(trained, signals), t)
    say("scoring test shoppers", len(histories), len(histories))
    table = {}
    for name, s in sums.items():
        m = s.means()
        table[name] = {"recall@10": m["recall@10"], "ndcg@10": m["ndcg@10"], "recall@50": m["recall@50"], "train_s": trained.train_s.get(name, 0.0)}
    return EvalResult(protocol, len(rows), table, trained.choices, trained.tune_metrics)


def rank_all(trained: Trained, signals: features.Signals) -> np.ndarray:
    """(shoppers, n_items) final-ranker scores over the whole catalogue: the combiner orders each
    shopper's pool; the items outside it follow, by popularity."""
    n_items = len(trained.item_ids)
    pop = np.log1p(trained.models["popularity"].counts)
    below = -1e6 + pop / (pop.max() + 1.0)  # always under any pool score, ordered by popularity
    out = np.tile(below.astype(np.float64), (len(signals.histories), 1))
    cands = features.pool(signals, trained.config.pool_per_model, trained.config.pool_popular)
    for u, (c, x) in enumerate(zip(cands, features.build(signals, cands, trained.encoder.attributes))):
        out[u, c] = trained.combiner.score(x)
    assert out.shape[1] == n_items
    return out

