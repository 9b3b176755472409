"""The ranking contract: what the assistant calls to order candidates for one shopper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from shopassist.catalog.models import Event, Product
from shopassist.retrieval.candidate import Candidate


@dataclass(frozen=True, slots=True)
class Suggestion:
    product: Product
    score: float
    reason: str  # short, human, from real signals: "you bought X and Y", "matches 'under £10'"
    signals: dict[str, float] = field(default_factory=dict)  # feature values behind the score


@dataclass(frozen=True)
class RankContext:
    recent: Sequence[Event] = ()  # the shopper's feedback through the assistant (every session, every app server sharing the log), not in the stored history
    constraints: Sequence[str] = ()  # phrases the query parser matched, for reasons


@runtime_checkable
class Ranker(Protocol):
    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]: ...
