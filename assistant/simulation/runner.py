"""One simulated conversation through the Assistant's public API: `ask` and `feedback` only."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from shopassist.assistant.simulation.audit import Audit
from shopassist.assistant.simulation.goals import Goal
from shopassist.assistant.simulation.phrasings import Phrasings
from shopassist.assistant.simulation.policy import Shopper, View, obeyed


class Talks(Protocol):
    """What a shopper can do with the assistant: say something, press a button on a product."""

    def ask(self, user: str | None, query: str, session: str | None = None): ...

    def feedback(self, session: str, product_id: str, kind: str): ...


@dataclass(frozen=True)
class TurnRecord:
    act: str
    template: str
    message: str
    kind: str  # the answer's kind
    shown: tuple[str, ...]
    ms: float  # wall time of `ask`
    goal_shown: bool
    obeyed: bool | None
    violations: tuple[str, ...]


@dataclass(frozen=True)
class Conversation:
    goal: str
    seed: int
    half: str
    turns: tuple[TurnRecord, ...]
    success_turn: int | None  # the first turn (1-based) whose answer showed the goal


def converse(assistant: Talks, goal: Goal, phrasings: Phrasings, seed: int, audit: Audit, turns: int = 5) -> Conversation:
    """Up to `turns` messages; the shopper adds the goal to the cart as soon as it is shown.

    >>> converse(assistant, goal, load("tuned"), 0, audit).success_turn  # doctest: +SKIP
    2
    """
    shopper = Shopper(goal, phrasings, seed)
    records: list[TurnRecord] = []
    session, view, said = None, None, []
    success = None
    while True:
        act = shopper.next(view)
        if act.name == "cart":
            assistant.feedback(session, goal.product.id, "cart")
            break
        if len(records) == turns:
            break
        if act.bound is not None:
            said.append(act.bound)
        seen_before = set(shopper.seen)
        started = time.perf_counter()
        answer = assistant.ask(goal.shopper, act.message, session)
        ms = (time.perf_counter() - started) * 1000
        session, view = answer.session, View.of(answer)
        shown = tuple(p.id for p in view.products)
        hit = goal.product.id in shown
        if hit and success is None:
            success = len(records) + 1
        records.append(TurnRecord(act.name, act.template, act.message, view.kind, shown, ms, hit,
                                  obeyed(act, goal, view, seen_before), tuple(audit.violations(view, tuple(said), act.message))))
    return Conversation(goal.key, seed, phrasings.half, tuple(records), success)


def conversations(assistant: Talks, goals: Sequence[Goal], halves: Sequence[Phrasings], seeds: int, audit: Audit,
                  turns: int = 5) -> Iterator[Conversation]:
    """One conversation per goal × seed × phrasing half, in that nesting order."""
    for goal in goals:
        for seed in range(seeds):
            for phrasings in halves:
                yield converse(assistant, goal, phrasings, seed, audit, turns)
