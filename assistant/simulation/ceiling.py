"""The ceiling of the conversation benchmark: what an assistant that knew the human judgements would score.

It talks to the same simulated shoppers (the real `Shopper` policy, the same seeds and phrasings),
but reads their acts instead of their words and shows only products rated 3 for the opening query
that fit every fact the shopper has stated (brand, budget, colour, size), unseen ones first, three
at a time. Among products that fit the same facts it cannot tell the goal from the others, so it
shows them in a seeded random order — as any assistant must that is told nothing more. The gap
between a run and this ceiling is what better understanding and relevance could still win; the
gap between the ceiling and 1.0 is goals no assistant finds in time from what the shopper says.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from shopassist.assistant.simulation.baseline import PER_LOOK
from shopassist.assistant.simulation.goals import Goal, colour_of, size_of
from shopassist.assistant.simulation.phrasings import Phrasings
from shopassist.assistant.simulation.policy import Act, Shopper, Shown, View, has_size
from shopassist.catalog.models import Product


def _fits(product: Product, facts: Mapping[str, object]) -> bool:
    if "brand" in facts and (product.brand or "").lower() != str(facts["brand"]).lower():
        return False
    if "budget" in facts and (product.price is None or product.price > facts["budget"]):  # type: ignore[operator]
        return False
    if "colour" in facts and str(facts["colour"]) not in product.title.lower():
        return False
    return not ("size" in facts and not has_size(product.title, str(facts["size"])))


def _learn(act: Act, goal: Product, facts: dict[str, object]) -> None:
    """What the act told: the goal's fact it names (the ceiling reads acts, not words)."""
    if act.name == "brand":
        facts["brand"] = goal.brand or ""
    elif act.name == "budget":
        facts["budget"] = act.bound
    elif act.name == "colour":
        facts["colour"] = colour_of(goal.title) or ""
    elif act.name == "size":
        facts["size"] = size_of(goal.title) or ""


def _view(products: Sequence[Product], kind: str) -> View:
    return View("", kind, tuple(Shown(p.id, p.display_title, p.brand, p.price) for p in products))


def ceiling_turn(goal: Goal, relevant: Sequence[Product], phrasings: Phrasings, seed: int, turns: int = 5) -> int | None:
    """The turn (1-based) at which the ceiling shows the goal, or None within `turns`.

    >>> from shopassist.assistant.simulation.phrasings import load
    >>> mugs = [Product(str(i), f"Acme mug {i}", f"Acme mug {i}", brand="Acme", price=4.0) for i in range(9)]
    >>> goal = Goal("mug → 8", mugs[8], "mug")
    >>> ceiling_turn(goal, mugs, load("tuned"), seed=0) in (1, 2, 3)
    True
    """
    order = list(relevant)
    random.Random(f"{seed}|{goal.key}|ceiling").shuffle(order)
    shopper = Shopper(goal, phrasings, seed)
    facts: dict[str, object] = {}
    seen: set[str] = set()
    view = None
    for turn in range(1, turns + 1):
        act = shopper.next(view)
        if act.name in ("ask", "compare"):  # answered about the products named; the list stays
            view = _view([p for p in relevant if p.id in act.about], "answer")
            continue
        _learn(act, goal.product, facts)
        fitting = [p for p in order if _fits(p, facts)]
        shown = ([p for p in fitting if p.id not in seen] or fitting)[:PER_LOOK]
        seen.update(p.id for p in shown)
        view = _view(shown, "suggestions")
        if any(p.id == goal.product.id for p in shown):
            return turn
    return None


def ceiling(goals: Sequence[Goal], ratings: Mapping[str, Mapping[str, int]], products: Mapping[str, Product],
            halves: Sequence[Phrasings], seeds: int, turns: int = 5) -> dict[str, list[int | None]]:
    """Per phrasing half, the ceiling's success turn of every goal × seed (the runs' nesting order)."""
    relevant = {query: [products[pid] for pid, rating in rated.items() if rating >= 3 and pid in products]
                for query, rated in ratings.items()}
    return {half.half: [ceiling_turn(goal, relevant.get(goal.opening, [goal.product]), half, seed, turns)
                        for goal in goals for seed in range(seeds)]
            for half in halves}
