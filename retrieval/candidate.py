"""What retrieval hands to ranking."""

from __future__ import annotations

from dataclasses import dataclass, field

from shopassist.catalog.models import Product


@dataclass(frozen=True, slots=True)
class Candidate:
    product: Product
    score: float  # the fused retrieval score; higher is better
    scores: dict[str, float] = field(default_factory=dict)  # per source: {"bm25": 7.1, "dense": 0.62}

    def to_dict(self) -> dict:
        p = self.product
        return {
            "id": p.id,
            "title": p.display_title,
            "price": p.price,
            "currency": p.currency,
            "brand": p.brand,
            "category": p.category,
            "score": round(self.score, 6),
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
        }
