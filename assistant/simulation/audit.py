"""Grounding as the shopper meets it: every shown product is the catalogue's, every price in the
text is some product's price (or the budget the shopper said). Checked from outside the assistant,
so a bug in its own grounding shows here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopassist.assistant.grounding import _MONEY  # the one pattern for an amount of money in text
from shopassist.assistant.simulation.policy import View
from shopassist.catalog.models import Product


@dataclass(frozen=True)
class Audit:
    ids: frozenset[str]
    prices: frozenset[int]  # in cents: float prices compare exactly

    @classmethod
    def of(cls, products: dict[str, Product]) -> "Audit":
        return cls(frozenset(products), frozenset(round(p.price * 100) for p in products.values() if p.price is not None))

    def violations(self, view: View, said: tuple[float, ...] = ()) -> list[str]:
        """What in this answer the catalogue does not back.

        >>> audit = Audit.of({"7": Product("7", "MUG", "Mug", price=4.5)})
        >>> from shopassist.assistant.simulation.policy import Shown
        >>> audit.violations(View("Mug — £4.50, or £3.99?", "fallback", (Shown("9", "Cup", None, 1.0),)))
        ['shown product 9 is not in the catalogue', 'price 3.99 in the text is no product’s price: “…Mug — £4.50, or £3.99?…”']
        >>> audit.violations(View("1. Gift Voucher £100.00 — £4.50", "fallback", (Shown("7", "Gift Voucher £100.00", None, 4.5),)))
        []
        """
        found = [f"shown product {p.id} is not in the catalogue" for p in view.products if p.id not in self.ids]
        # A title may itself hold an amount ("Gift Voucher £100.00"): naming the product is no claim.
        titled = {round(_amount(m) * 100) for p in view.products for m in _MONEY.finditer(p.title)}
        allowed = self.prices | titled | {round(x * 100) for x in said}
        for match in _MONEY.finditer(view.text):
            amount = _amount(match)
            if round(amount * 100) not in allowed:
                context = view.text[max(match.start() - 40, 0) : match.end() + 10].replace("\n", " ")
                found.append(f"price {amount:g} in the text is no product’s price: “…{context}…”")
        return found


def _amount(match: re.Match) -> float:
    return float((match.group(1) or match.group(2)).replace(",", "."))
