"""The simulated shopper: the next act, from what the shown products lack compared with the goal.

The shopper sees what a person sees (`View`: the answer's text and kind, each shown product's
title, brand and price) and knows what they want (the goal product). Deterministic per seed: the
same goal, seed and phrasings give the same conversation.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

from shopassist.assistant.replies import language_of
from shopassist.assistant.simulation.goals import Goal, colour_of, kind_words, size_of
from shopassist.assistant.simulation.phrasings import Phrasings
from shopassist.catalog.money import SYMBOLS
from shopassist.retrieval.query import CHINESE_COLOURS

# The acts that narrow the search by a fact of the goal; "more" and "rephrase" are what is left.
NARROWING = ("brand", "budget", "colour", "size")
SIDE_CHANCE = 0.15  # how often a shopper stops to ask about or compare shown products (once each)
ORDINALS = {"en": ("first", "second", "third", "fourth", "fifth"), "zh": ("一", "二", "三", "四", "五")}
TOPICS = {"en": ("weight", "warranty", "battery life", "colour", "size"), "zh": ("重量", "保修", "电池", "颜色", "尺寸")}
_COLOUR_ZH = {en: zh for zh, en in CHINESE_COLOURS.items()}


@dataclass(frozen=True)
class Shown:
    """One shown product, as the shopper sees it."""

    id: str
    title: str
    brand: str | None
    price: float | None


@dataclass(frozen=True)
class View:
    """One answer, as the shopper sees it: never scores, reasons' internals or timings."""

    text: str
    kind: str
    products: tuple[Shown, ...]

    @classmethod
    def of(cls, answer) -> "View":
        """From an `Answer`, reading only what the shopper is shown.

        >>> from shopassist.assistant.answer import Answer
        >>> from shopassist.catalog.models import Product
        >>> from shopassist.ranking.contract import Suggestion
        >>> mug = Product("7", "RED MUG", "Red Mug", brand="Acme", price=4.5)
        >>> View.of(Answer("Here:", [Suggestion(mug, 0.9, "", {})], "s1")).products
        (Shown(id='7', title='Red Mug', brand='Acme', price=4.5),)
        """
        shown = tuple(Shown(s.product.id, s.product.display_title, s.product.brand, s.product.price) for s in answer.suggestions)
        return cls(answer.text, answer.kind, shown)


@dataclass(frozen=True)
class Act:
    name: str  # open | brand | budget | colour | size | more | rephrase | ask | compare | cart
    message: str = ""  # what the shopper types ("" for cart: a button, not words)
    template: str = ""  # the phrasing used
    about: tuple[str, ...] = ()  # ids of the shown products an ask/compare/cart refers to
    bound: float | None = None  # the budget said


def budget_for(price: float) -> float:
    """A price bound just above `price`, rounded as a person says it.

    >>> budget_for(437.0), budget_for(120.0), budget_for(9.99), budget_for(500.0), budget_for(0.85)
    (500.0, 150.0, 10.0, 600.0, 1.0)
    """
    scale = 10 ** math.floor(math.log10(price))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 10):
        if step * scale > price:
            return float(round(step * scale, 2))
    return 10.0 * scale


def has_size(title: str, size: str) -> bool:
    """Whether a title states this size, however it is spaced or marked — read as a person reads
    it: 22", 22-inch, 22 inches and 22in are one size; 160-GB is 160 GB; PD1600 is no 160.
    Written apart from the assistant's `followup.states` on purpose: the judge must not share the
    reading of the assistant it judges.

    >>> has_size('Acer 15.6" laptop', "15.6 inch"), has_size("Acer 14 inch laptop", "15.6 inch")
    (True, False)
    >>> has_size("HP L2245wg 22-inch Monitor", "22 inch"), has_size("StarTech.com 3.5in eSATA", "3.5 inch")
    (True, True)
    >>> has_size("HP 160-GB SATA Hard Drive", "160 gb"), has_size("Drive for PD1600", "160 gb"), has_size("Acer 15.6 inch", "5.6 inch")
    (True, False, False)
    """
    return bool(re.search(rf"(?<![\d.]){re.escape(_spelled(size))}(?![a-z\d])", _spelled(title)))


def _spelled(text: str) -> str:
    """Sizes written one way: quote marks and "inches" as "inch", number and unit joined."""
    text = re.sub(r'"|”|\'\'|\binches\b', " inch", text.lower())
    text = re.sub(r"(?<=\d)in\b", "inch", text)  # "3.5in"; "3 in 1" stays
    return re.sub(r"(?<=\d)[\s-]+(?=[a-z])", "", text)


def _amount(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


@dataclass
class Shopper:
    """One simulated shopper with a hidden goal, speaking one half's phrasings.

    >>> from shopassist.assistant.simulation.phrasings import load
    >>> from shopassist.catalog.models import Product
    >>> goal = Goal("mug → 7", Product("7", "Acme mug Red", "Acme mug Red", brand="Acme", price=4.5), "mug")
    >>> shopper = Shopper(goal, load("tuned"), seed=0)
    >>> shopper.next(None).message
    'mug'
    >>> shopper.next(View("", "suggestions", (Shown("7", "Acme mug Red", "Acme", 4.5),))).name
    'cart'
    """

    goal: Goal
    phrasings: Phrasings
    seed: int
    told: set[str] = field(default_factory=set)  # narrowing acts already said, and the asides taken
    seen: set[str] = field(default_factory=set)  # every product id shown so far
    # The list the shopper is choosing from: an answer about one or two of its products (kind
    # "answer": a question, a comparison) does not replace it — the cards are still there, and the
    # assistant keeps them as what "the second one" means.
    listing: "View | None" = None

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}|{self.goal.key}")  # str seeds are stable across runs
        self.language = language_of(self.goal.opening)

    def next(self, view: View | None) -> Act:
        """The act after `view` (None: the conversation has not started)."""
        if view is None:
            return Act("open", self.goal.opening)
        ids = [p.id for p in view.products]
        self.seen.update(ids)
        if self.goal.product.id in ids:
            return Act("cart", about=(self.goal.product.id,))
        if view.kind != "answer" or self.listing is None:
            self.listing = view
        view = self.listing
        aside = self._aside(view)
        if aside is not None:
            return aside
        lacking = [act for act in (*NARROWING, "rephrase") if act not in self.told and self._lacks(act, view)]
        name = self.rng.choice(lacking) if lacking else "more"
        if name != "more":
            self.told.add(name)
        return self._say(name, self._slots(name))

    # -- what is missing ---------------------------------------------------------------
    def _lacks(self, act: str, view: View) -> bool:
        goal, shown = self.goal.product, view.products
        if act == "brand":
            return bool(goal.brand) and (not shown or any((p.brand or "").lower() != goal.brand.lower() for p in shown))
        if act == "budget":
            return goal.price is not None and goal.price > 0 and (not shown or any(p.price is None or p.price > budget_for(goal.price) for p in shown))
        if act == "colour":
            colour = colour_of(goal.title)
            return colour is not None and (not shown or any(colour not in p.title.lower() for p in shown))
        if act == "size":
            size = size_of(goal.title)
            return size is not None and (not shown or any(not has_size(p.title, size) for p in shown))
        if act == "rephrase":  # the kind in other words, when the list shows nothing or not that kind
            words = self._rephrasing()
            return bool(words) and (not shown or not any(w in p.title.lower() for p in shown for w in words.split()))
        raise ValueError(f"unknown act {act!r}")

    def _rephrasing(self) -> str:
        said = set(self.goal.opening.lower().split())
        words = kind_words(self.goal.product)
        return words if set(words.split()) - said else ""

    # -- asides: a shopper also asks about and compares what they are shown --------------
    def _aside(self, view: View) -> Act | None:
        shown = view.products
        if "ask" not in self.told and shown and self.rng.random() < SIDE_CHANCE:
            self.told.add("ask")
            i = self.rng.randrange(len(shown))
            topic = self.rng.randrange(len(TOPICS["en"]))
            return self._say("ask", {"nth": ORDINALS[self.language][i], "n": str(i + 1), "topic": TOPICS[self.language][topic]}, (shown[i].id,))
        if "compare" not in self.told and len(shown) >= 2 and self.rng.random() < SIDE_CHANCE:
            self.told.add("compare")
            i, j = sorted(self.rng.sample(range(len(shown)), 2))
            slots = {"nth": ORDINALS[self.language][i], "nth2": ORDINALS[self.language][j], "n": str(i + 1), "n2": str(j + 1)}
            return self._say("compare", slots, (shown[i].id, shown[j].id))
        return None

    # -- words ----------------------------------------------------------------------------
    def _slots(self, act: str) -> dict[str, str]:
        goal = self.goal.product
        if act == "brand":
            return {"brand": goal.brand or ""}
        if act == "budget":
            bound = _amount(budget_for(goal.price))
            symbol = SYMBOLS.get(goal.currency)
            return {"price": bound, "money": f"{symbol}{bound}" if symbol else f"{bound} {goal.currency}"}
        if act == "colour":
            colour = colour_of(goal.title) or ""
            return {"colour": _COLOUR_ZH.get(colour, colour) if self.language == "zh" else colour}
        if act == "size":
            return {"size": size_of(goal.title) or ""}
        if act == "rephrase":
            return {"words": self._rephrasing()}
        return {}

    def _say(self, act: str, slots: dict[str, str], about: tuple[str, ...] = ()) -> Act:
        template = self.rng.choice(self.phrasings.of(act, self.language))
        bound = budget_for(self.goal.product.price) if act == "budget" else None
        return Act(act, template.format_map(slots), template, about, bound)  # a missing slot raises


def obeyed(act: Act, goal: Goal, view: View, seen_before: set[str]) -> bool | None:
    """Did the answer do what the act asked? (None for acts that ask nothing of the list.)

    >>> from shopassist.catalog.models import Product
    >>> goal = Goal("mug → 7", Product("7", "Acme mug", "Acme mug", brand="Acme", price=4.5), "mug")
    >>> obeyed(Act("brand", "only Acme"), goal, View("", "suggestions", (Shown("8", "Acme cup", "Acme", 3.0),)), set())
    True
    >>> obeyed(Act("more", "more"), goal, View("", "suggestions", (Shown("8", "Acme cup", "Acme", 3.0),)), {"8"})
    False
    """
    shown = view.products
    ids = [p.id for p in shown]
    if act.name in ("open", "cart"):
        return None
    if act.name == "ask":
        return view.kind == "answer" and ids == list(act.about)
    if act.name == "compare":
        return set(act.about) <= set(ids)
    if not shown:
        return False
    product = goal.product
    if act.name == "brand":
        return all((p.brand or "").lower() == (product.brand or "").lower() for p in shown)
    if act.name == "budget":
        return all(p.price is not None and p.price <= act.bound for p in shown)
    if act.name == "colour":
        return all((colour_of(product.title) or "") in p.title.lower() for p in shown)
    if act.name == "size":
        return all(has_size(p.title, size_of(product.title) or "") for p in shown)
    if act.name == "more":
        return not (set(ids) & seen_before)
    if act.name == "rephrase":
        return bool(set(ids) - seen_before)
    raise ValueError(f"unknown act {act.name!r}")
