"""Held-out next events: what a model may learn from, and what it must then predict.

A `Fold` is the world as it stood at prediction time: `history` holds only events before each
shopper's targets, so fitting on `fold.history` can never see the future.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopassist.ranking.interactions import Interactions

_EMPTY = np.zeros(0, np.int64)


@dataclass(frozen=True)
class Fold:
    history: Interactions  # row u: shopper u's events before their targets; all a model may fit on
    targets: tuple[np.ndarray, ...]  # row u: item codes to predict next (empty: shopper not evaluated)

    @property
    def evaluated(self) -> np.ndarray:
        """Rows that have something to predict."""
        return np.flatnonzero([len(t) > 0 for t in self.targets])


def leave_last_out(data: Interactions, position: int = 1, min_events: int = 3) -> Fold:
    """Target = the shopper's `position`-th event from the end; history = everything before it.

    position=1 is the test fold, position=2 the validation fold of the usual protocol. Shoppers with
    fewer than `min_events` events are not evaluated; only their events before the cut remain, so
    nothing at or after any target position is ever in the history.

    >>> from shopassist.ranking.interactions import toy
    >>> fold = leave_last_out(toy(["abc", "abcd"]), position=2)
    >>> [h.tolist() for h in fold.history.sequences], [t.tolist() for t in fold.targets]
    ([[0], [0, 1]], [[1], [2]])
    """
    histories, times, targets = [], [], []
    for seq, when in zip(data.sequences, data.times):
        cut = max(len(seq) - position, 0)
        histories.append(seq[:cut])
        times.append(when[:cut])
        targets.append(seq[cut : cut + 1] if len(seq) >= min_events else _EMPTY)
    return Fold(data.replace(histories, times), tuple(targets))


def time_split(data: Interactions, cutoff: int, until: int | None = None) -> Fold:
    """History = events before `cutoff`; target = the items of each shopper's first basket (all events
    at their first timestamp) in [cutoff, until). Shoppers with no history before the cutoff are not
    evaluated: a next-basket prediction needs someone to personalise for.

    >>> from shopassist.ranking.interactions import toy
    >>> fold = time_split(toy(["abc", "ab"]), cutoff=2)
    >>> [h.tolist() for h in fold.history.sequences], [t.tolist() for t in fold.targets]
    ([[0, 1], [0, 1]], [[2], []])
    """
    histories, times, targets = [], [], []
    for seq, when in zip(data.sequences, data.times):
        before = when < cutoff
        histories.append(seq[before])
        times.append(when[before])
        later = (when >= cutoff) & (when < until if until is not None else True)
        if before.any() and later.any():
            first = when[later].min()
            targets.append(np.unique(seq[later & (when == first)]))
        else:
            targets.append(_EMPTY)
    return Fold(data.replace(histories, times), tuple(targets))


def time_cutoffs(data: Interactions, test_share: float = 0.1, valid_share: float = 0.1) -> tuple[int, int]:
    """(validation cutoff, test cutoff): the times leaving `test_share` of events for testing and the
    `valid_share` before them for validation.

    >>> from shopassist.ranking.interactions import toy
    >>> time_cutoffs(toy(["abcdefghij"]), 0.1, 0.1)
    (8, 9)
    """
    when = np.sort(np.concatenate(data.times))
    test = int(when[int(len(when) * (1 - test_share))])
    valid = int(when[int(len(when) * (1 - test_share - valid_share))])
    return valid, test


def production_fold(data: Interactions, protocol: str) -> Fold:
    """The fold `shopassist train` tunes on when everything is known: each shopper's last event
    (leave-last-out), or each shopper's first basket in the last 10% of the store's time (time).

    >>> from shopassist.ranking.interactions import toy
    >>> [t.tolist() for t in production_fold(toy(["abc"]), "leave-last-out").targets]
    [[2]]
    """
    if protocol == "leave-last-out":
        return leave_last_out(data, position=1)
    if protocol == "time":
        return time_split(data, time_cutoffs(data, test_share=0.1, valid_share=0.0)[1])
    raise ValueError(f"protocol {protocol!r} is not leave-last-out or time")
