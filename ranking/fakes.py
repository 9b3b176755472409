"""A stand-in ranker for orchestration tests: keeps retrieval's order, explains with the query."""

from __future__ import annotations

from collections.abc import Sequence

from shopassist.ranking.contract import RankContext, Suggestion
from shopassist.retrieval.candidate import Candidate


class RetrievalOrderRanker:
    """
    >>> from shopassist.catalog.models import Product
    >>> RetrievalOrderRanker().rank(None, [Candidate(Product("1", "MUG", "Mug"), 0.9)])[0].reason
    'matches your search'
    """

    def rank(self, shopper_id: str | None, candidates: Sequence[Candidate], context: RankContext | None = None) -> list[Suggestion]:
        constraints = tuple(context.constraints) if context else ()
        reason = "matches " + ", ".join(f"'{c}'" for c in constraints) if constraints else "matches your search"
        disliked = {e.product_id for e in (context.recent if context else ()) if e.kind == "dislike"}
        return [Suggestion(c.product, c.score, reason, dict(c.scores)) for c in candidates if c.product.id not in disliked]
