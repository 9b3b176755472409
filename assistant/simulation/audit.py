"""Grounding as the shopper meets it: every shown product is the catalogue's, every price in the
text is some product's price (or the budget the shopper said), and every feature the text states (a
material, colour, size or capability) is in a shown product's catalogue text. Checked from outside
the assistant, so a bug in its own grounding shows here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopassist.assistant.claims import FEATURE_WORDS, product_words
from shopassist.catalog.money import MONEY, amount_of  # the one reader of an amount of money in text
from shopassist.retrieval.query import COLOURS
from shopassist.assistant.simulation.policy import View
from shopassist.catalog.models import Product


@dataclass(frozen=True)
class Audit:
    products: dict[str, Product]
    prices: frozenset[int]  # in cents: float prices compare exactly
    titled: dict[str, frozenset[str]]  # lower-case display title → that product's words

    @classmethod
    def of(cls, products: dict[str, Product]) -> "Audit":
        return cls(products, frozenset(round(p.price * 100) for p in products.values() if p.price is not None),
                   {p.display_title.lower(): product_words(p) for p in products.values()})

    def violations(self, view: View, said: tuple[float, ...] = (), asked: str = "") -> list[str]:
        """What in this answer the catalogue does not back. `said` are the budgets the shopper gave,
        `asked` their message: what they asked about may be named back ("the catalogue doesn't say
        whether it has a battery") without being a claim.

        >>> audit = Audit.of({"7": Product("7", "MUG", "Mug", price=4.5), "8": Product("8", "HP 2710p Notebook", "HP 2710p Notebook", price=99.0)})
        >>> from shopassist.assistant.simulation.policy import Shown
        >>> audit.violations(View("Mug — £4.50, or £3.99?", "fallback", (Shown("9", "Cup", None, 1.0),)))
        ['shown product 9 is not in the catalogue', 'price 3.99 in the text is no product’s price: “…Mug — £4.50, or £3.99?…”']
        >>> audit.violations(View("HP 2710p Notebook — $99.00", "fallback", (Shown("8", "HP 2710p Notebook", "HP", 99.0),)))
        []
        >>> audit.violations(View("The mug is waterproof.", "suggestions", (Shown("7", "Mug", None, 4.5),)))
        ["feature 'waterproof' is in no shown product's catalogue text"]
        >>> audit.violations(View("The catalogue doesn't say whether Mug is waterproof.", "answer", (Shown("7", "Mug", None, 4.5),)), asked="is it waterproof?")
        []
        >>> tin = Audit.of({"7": Product("7", "MUG", "Mug", price=4.5), "9": Product("9", "PINK TIN", "Pink Tin", price=2.0)})
        >>> tin.violations(View("1. Mug — £4.50: similar to Pink Tin, which you bought", "fallback", (Shown("7", "Mug", None, 4.5),)))
        []
        """
        found = [f"shown product {p.id} is not in the catalogue" for p in view.products if p.id not in self.products]
        allowed = self.prices | {round(x * 100) for x in said}
        # A shown product's own words may hold what reads as an amount ("Gift Voucher £100.00", a
        # model "2710p"): quoting the catalogue is no claim.
        quoted = " ".join(_catalogue_text(self.products[p.id]) for p in view.products if p.id in self.products)
        for match in MONEY.finditer(view.text):
            amount = amount_of(match)
            if round(amount * 100) not in allowed and match.group(0).strip() not in quoted:
                context = view.text[max(match.start() - 40, 0) : match.end() + 10].replace("\n", " ")
                found.append(f"price {amount:g} in the text is no product’s price: “…{context}…”")
        described = set().union(*(product_words(self.products[p.id]) for p in view.products if p.id in self.products))
        for named in _HISTORY.findall(view.text):  # a reason names the shopper's own purchases by title
            for title in _AND.split(named):
                described |= self._words_of(title.strip().lower())
        described |= set(re.findall(r"[a-z][a-z\-]*", asked.lower()))
        unquoted = re.sub(r"“[^”]*”", " ", view.text)  # the shopper's own words, echoed back, claim nothing
        for word in dict.fromkeys(re.findall(r"[a-z][a-z\-]*", unquoted.lower())):
            if (word in FEATURE_WORDS or word in COLOURS) and word not in described and word.rstrip("s") not in described:
                found.append(f"feature '{word}' is in no shown product's catalogue text")
        return found


    def _words_of(self, title: str) -> frozenset[str]:
        """A product's words by its title as a reason writes it (cut to 40 characters with "…")."""
        if not title.endswith("…"):
            return self.titled.get(title, frozenset())
        return next((words for full, words in self.titled.items() if full.startswith(title[:-1])), frozenset())


# Ranking reasons that name the shopper's history ("similar to Pink Felt Tin, which you bought",
# "you bought Tea Cup and Saucer", "goes with … in your cart", "often next after …").
_VERBS = r"(?:bought|viewed|liked|rated|chose|added to your cart)"
_HISTORY = re.compile(rf"(?:you {_VERBS}|similar to|goes with|often next after) (.+?)(?:, which you| in your cart|;|\n|$)", re.M)
_AND = re.compile(rf" and (?:{_VERBS} )?")


def _catalogue_text(product: Product) -> str:
    return " ".join((product.title, product.display_title, product.description, *product.attributes.values()))
