"""What one turn returns: the text, the verified products, the session, the timings."""

from __future__ import annotations

from dataclasses import dataclass, field

from shopassist.ranking.contract import Suggestion


@dataclass(frozen=True)
class Answer:
    text: str
    suggestions: list[Suggestion]  # always catalogue products from the ranked list, never the LLM's words
    session: str
    timings: dict[str, float] = field(default_factory=dict)  # stage → milliseconds
    kind: str = "suggestions"  # suggestions | clarify | no_results | fallback | answer | not_carried
    language: str = "en"
    dropped: dict[str, int] = field(default_factory=dict)  # the model's sentences withheld, by reason (grounding.DROP_REASONS)
    reason: str = ""  # why the template answered instead of the model: llm busy | llm failed | not grounded | no llm

    @property
    def answered_by(self) -> str:
        """Who wrote the text: "model" (its verified sentences), "template" (the model was busy,
        failed or said nothing usable), or "code" (comparisons, product facts, cart, clarifying).

        >>> Answer("Try the mug.", [], "s1", kind="fallback", reason="llm busy").answered_by
        'template'
        """
        return {"suggestions": "model", "fallback": "template"}.get(self.kind, "code")

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "products": [
                {
                    "id": s.product.id,
                    "title": s.product.display_title,
                    "price": s.product.price,
                    "currency": s.product.currency,
                    "brand": s.product.brand,
                    "category": s.product.category,
                    "image_url": s.product.image_url,
                    "reason": s.reason,
                    "score": round(s.score, 6),
                }
                for s in self.suggestions
            ],
            "session": self.session,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "kind": self.kind,
            "language": self.language,
            "dropped": dict(self.dropped),
            "answered_by": self.answered_by,
            "reason": self.reason,
        }
