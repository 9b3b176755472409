"""`shopassist eval conversation`: simulated shoppers against the real assistant on a real slice."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import pkgutil
import subprocess
import sys

import pandas as pd
import pytest

import shopassist.assistant.simulation
from shopassist.assistant.core import Assistant
from shopassist.assistant.simulation.audit import Audit
from shopassist.assistant.simulation.baseline import search_list
from shopassist.assistant.simulation.ceiling import ceiling
from shopassist.assistant.simulation.goals import Goal, from_judgements
from shopassist.assistant.simulation.phrasings import ACTS, HALVES, LANGUAGES, load, split
from shopassist.assistant.simulation.policy import Shopper, Shown, View
from shopassist.assistant.simulation.report import Report
from shopassist.assistant.simulation.runner import converse, conversations
from shopassist.catalog.models import Product
from shopassist.ranking.fakes import RetrievalOrderRanker
from shopassist.retrieval.evaluation import Judgements


@pytest.fixture(scope="session")
def assistant(demo_retriever):
    """The real assistant without a model (templated answers) on the demo slice."""
    return Assistant(demo_retriever, RetrievalOrderRanker(), None)


@pytest.fixture(scope="session")
def audit(demo_retriever):
    return Audit.of(demo_retriever.catalog.products)


@pytest.mark.parametrize("name", sorted(m.name for m in pkgutil.walk_packages(shopassist.assistant.simulation.__path__, "shopassist.assistant.simulation.")))
def test_docstring_examples(name):
    assert doctest.testmod(importlib.import_module(name)).failed == 0


def _goal_at(retriever, query: str, rank: int) -> Goal:
    product = retriever.search(query, rank + 1)[rank].product
    return Goal(f"{query} → {product.id}", product, query)


def test_phrasing_halves_are_disjoint_non_empty_and_the_rules_not_hand_picked():
    tuned, held_out = load("tuned"), load("held_out")
    for act in ACTS:
        for language in LANGUAGES:
            a, b = tuned.of(act, language), held_out.of(act, language)
            assert a and b, (act, language)
            assert not set(a) & set(b), (act, language)
            by_rule = split(act, language, [*a, *b])
            assert (set(by_rule[0]), set(by_rule[1])) == (set(a), set(b)), f"{act}/{language}: a phrasing sits in the wrong half"


def test_the_policy_is_deterministic_per_seed_and_seeds_differ(demo_retriever):
    products = [p for p in demo_retriever.catalog.products.values() if p.price][:40]
    shown = View("", "fallback", tuple(Shown(p.id, p.display_title, p.brand, p.price) for p in products[-3:]))

    def acts(seed: int) -> list[tuple[str, str]]:
        out = []
        for p in products[:-3]:
            shopper = Shopper(Goal(f"x → {p.id}", p, "gift"), load("tuned"), seed)
            out.append([(a.name, a.message) for a in (shopper.next(None), shopper.next(shown), shopper.next(shown))])
        return out

    assert acts(0) == acts(0)
    assert acts(0) != acts(1)


def test_an_answer_about_one_shown_product_leaves_the_list_the_shopper_chooses_from():
    """After a question or a comparison the cards are still there (the assistant keeps them as what
    "the second one" means): the shopper's next act reads what that list lacks, not the one answer card."""
    goal = Goal("mug → 7", Product("7", "Acme mug", "Acme mug", brand="Acme", price=4.5), "mug")
    shopper = Shopper(goal, load("tuned"), seed=0, told={"ask", "compare"})  # no asides: only the narrowing acts
    shopper.next(None)
    listing = View("", "fallback", (Shown("1", "Big mug", "Other", 9.0), Shown("2", "Acme cup", "Acme", 3.0), Shown("3", "Tall mug", "Other", 9.0)))
    first = shopper.next(listing).name  # brand or budget: the list lacks both
    about_the_acme_cup = View("Acme cup — £3.00 …", "answer", (listing.products[1],))
    assert {first, shopper.next(about_the_acme_cup).name} == {"brand", "budget"}  # not "more": the list still lacks one


def test_a_goal_shown_at_turn_one_is_success_at_1(assistant, demo_retriever, audit):
    goal = _goal_at(demo_retriever, "hanging heart", 0)
    talk = converse(assistant, goal, load("tuned"), 0, audit, turns=5)
    assert talk.success_turn == 1 and len(talk.turns) == 1
    report = Report.of([talk], {goal.key: 1}, turns=5, seeds=1)
    assert report.halves["tuned"].success == [1.0] * 5


def test_a_goal_found_later_counts_from_its_turn(assistant, demo_retriever, audit):
    goal = _goal_at(demo_retriever, "bag", 20)  # far down the list: the shopper must narrow or ask for more
    talk = converse(assistant, goal, load("tuned"), 0, audit, turns=5)
    assert talk.turns[0].act == "open" and not talk.turns[0].goal_shown
    if talk.success_turn is not None:
        assert talk.turns[talk.success_turn - 1].goal_shown
        assert not any(t.goal_shown for t in talk.turns[: talk.success_turn - 1])
    else:
        assert len(talk.turns) == 5


def test_the_search_list_reads_exactly_three_products_per_look():
    asked = []

    def search(query: str, k: int) -> list[str]:
        asked.append(k)
        return [str(i) for i in range(100)]  # more than asked for: only 3 per look may count

    from shopassist.catalog.models import Product

    goals = [Goal(f"q → {i}", Product(str(i), "P", "P"), "q") for i in (2, 3, 14, 15)]
    assert search_list(search, goals, looks=5) == {"q → 2": 1, "q → 3": 2, "q → 14": 5, "q → 15": None}
    assert asked == [15]  # one search per opening


class _Watched:
    """Wraps an object and records every attribute read on it (and on what those return)."""

    def __init__(self, inner, name: str, log: set[str]):
        self._inner, self._name, self._log = inner, name, log

    def __getattr__(self, attr):
        self._log.add(f"{self._name}.{attr}")
        value = getattr(self._inner, attr)
        if attr == "ask":
            return lambda *a, **k: _Watched(value(*a, **k), "answer", self._log)
        if attr == "suggestions":
            return [_Watched(s, "suggestion", self._log) for s in value]
        if attr == "product":
            return _Watched(value, "product", self._log)
        return value


def test_the_runner_sees_only_what_a_shopper_sees(assistant, demo_retriever, audit):
    log: set[str] = set()
    goal = _goal_at(demo_retriever, "candle", 12)
    for seed in range(3):
        converse(_Watched(assistant, "assistant", log), goal, load("held_out"), seed, audit, turns=5)
    public = {"assistant.ask", "assistant.feedback", "answer.text", "answer.kind", "answer.session", "answer.suggestions",
              "suggestion.product", "product.id", "product.display_title", "product.brand", "product.price"}
    assert "answer.suggestions" in log and "product.price" in log
    assert log <= public, log - public


def test_a_tiny_end_to_end_run(assistant, demo_retriever, audit):
    products = list(demo_retriever.catalog.products.values())
    queries = {"hanging heart": 0, "bag": 8, "christmas decorations": 4}
    judged = {q: {demo_retriever.search(q, r + 1)[r].product.id: 3} for q, r in queries.items()}
    found = from_judgements(Judgements(judged, []), demo_retriever.catalog)
    assert len(found.goals) == 3 and found.missing == 0 and len(products) > 100
    talks = list(conversations(assistant, found.goals, [load(h) for h in HALVES], 2, audit, turns=4))
    assert len(talks) == 3 * 2 * 2
    baseline = search_list(lambda q, k: [c.product.id for c in demo_retriever.search(q, k)], found.goals, 4)
    report = Report.of(talks, baseline, turns=4, seeds=2)
    out = json.loads(json.dumps(report.to_dict()))
    assert set(out["halves"]) == {"tuned", "held_out"}
    for half in out["halves"].values():
        assert half["conversations"] == 6 and half["violations"] == 0
        assert half["success@1"] <= half["success@4"]  # success can only grow with more turns
        assert sum(a["uses"] for a in half["acts"].values()) == sum(half["kinds"].values())
    assert out["search_list"]["success@1"] == pytest.approx(1 / 3, abs=1e-4)  # the first goal is on top; the others lower
    assert report.lines()[0].startswith("3 goals")


def test_the_command_runs_on_a_small_catalogue(settings, products_csv, tmp_path):
    frame = pd.read_csv(products_csv)
    judgments = tmp_path / "judgments.csv"
    pd.DataFrame({"query": ["lunch bag", "lunch bag", "candle"], "docid": [frame.id[0], frame.id[1], frame.id[2]],
                  "rating": [3, 1, 3]}).to_csv(judgments, index=False)
    env = dict(os.environ, SHOPASSIST_HOME=str(settings.home))
    proc = subprocess.run([sys.executable, "-m", "shopassist.cli", "eval", "conversation", "--catalog", str(products_csv),
                           "--judgments", str(judgments), "--no-llm", "--turns", "3", "--seeds", "1", "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    (run,) = out["runs"]
    assert out["llm"] is None and run["goals"] == 2 and run["halves"]["tuned"]["conversations"] == 2
    assert "talking" in proc.stderr  # the progress bar
    assert "held_out" in run["halves"]  # both halves by default
    # Each goal is the only product rated 3 for its query: knowing the judgements finds it at once.
    assert run["ceiling"]["tuned"]["success@1"] == 1.0 and set(run["ceiling"]) == {"tuned", "held_out"}


def test_the_ceiling_cannot_tell_apart_products_that_fit_the_same_facts():
    """30 same-brand, same-price mugs rated 3: five looks of three show half of them at most."""
    mugs = {str(i): Product(str(i), f"Acme mug {i}", f"Acme mug {i}", brand="Acme", price=4.0) for i in range(30)}
    goals = [Goal(f"mug → {i}", mugs[i], "mug") for i in mugs]
    found = ceiling(goals, {"mug": {i: 3 for i in mugs}}, mugs, [load("tuned")], seeds=2, turns=5)["tuned"]
    assert 0 < sum(t is not None for t in found) <= len(found) // 2


def test_halves_tuned_talks_with_the_tuned_phrasings_only(settings, products_csv, tmp_path):
    frame = pd.read_csv(products_csv)
    judgments = tmp_path / "judgments.csv"
    pd.DataFrame({"query": ["lunch bag"], "docid": [frame.id[0]], "rating": [3]}).to_csv(judgments, index=False)
    env = dict(os.environ, SHOPASSIST_HOME=str(settings.home))
    command = [sys.executable, "-m", "shopassist.cli", "eval", "conversation", "--catalog", str(products_csv),
               "--judgments", str(judgments), "--no-llm", "--turns", "2", "--seeds", "1", "--json"]
    proc = subprocess.run([*command, "--halves", "tuned"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert set(json.loads(proc.stdout)["runs"][0]["halves"]) == {"tuned"}


def test_an_unknown_half_says_which_halves_there_are():
    from shopassist.assistant.simulation.cli import chosen_halves
    from shopassist.errors import ConfigError

    with pytest.raises(ConfigError, match="held_out"):
        chosen_halves("tuned,heldout")
    with pytest.raises(ConfigError, match="--halves"):
        chosen_halves(" , ")


def test_purchase_goals_open_with_the_kind_never_the_title(demo_retriever):
    from shopassist.assistant.simulation.goals import from_purchases

    found = from_purchases(demo_retriever.catalog)
    assert found.goals  # the slice spans a few weeks: few shoppers come back after its cutoff
    for goal in found.goals:
        assert goal.shopper and goal.opening
        assert goal.opening != goal.product.title.lower() and goal.opening != goal.product.display_title.lower()
        assert set(goal.opening.split()) <= set(goal.product.title.lower().split())
        bought_later = demo_retriever.catalog.events
        mine = bought_later[(bought_later.shopper_id == goal.shopper) & (bought_later.product_id == goal.product.id)]
        assert len(mine), f"{goal.key}: not a purchase of this shopper"


def test_the_shop_before_the_cutoff_holds_no_held_out_purchase(demo_retriever):
    from shopassist.assistant.simulation.goals import before, from_purchases

    found = from_purchases(demo_retriever.catalog)
    past = before(demo_retriever.catalog, found.cutoff)
    assert 0 < len(past.events) < len(demo_retriever.catalog.events)
    assert (past.events.timestamp.astype("int64") < found.cutoff).all()
    for goal in found.goals:  # each returning shopper still has the history that personalises
        assert (past.events.shopper_id == goal.shopper).any()


def _shop_over_weeks(catalog, shoppers: int = 80, visits: int = 7):
    """Ten real products; each shopper comes back weekly and buys the next one of their half (known
    tastes, enough returning shoppers to tune on — the real slice spans too few weeks)."""
    from dataclasses import replace
    from datetime import datetime, timedelta

    from shopassist.catalog.events import events_table
    from shopassist.catalog.models import Event

    products = [p for p in catalog.products.values() if p.price][:10]
    events = [Event(f"s{s}", products[(s % 2) * 5 + (s // 2 + k) % 5].id, "purchase", datetime(2024, 1, 1) + timedelta(weeks=k, hours=s))
              for s in range(shoppers) for k in range(visits)]
    return replace(catalog, products={p.id: p for p in products}, events=events_table(events), shopper_events=None)


def test_the_ranker_of_a_purchase_run_never_saw_an_event_at_or_after_the_cutoff(demo_retriever, settings):
    """The served ranker learned from every event, the held-out purchases included; the one a
    purchase run measures is trained on the shop as it stood at the goals' cutoff."""
    from shopassist.assistant.simulation.cli import ranker_before
    from shopassist.assistant.simulation.goals import before, from_purchases
    from shopassist.ranking.held_out import trained_before
    from shopassist.ranking.sources import from_catalog

    everything = _shop_over_weeks(demo_retriever.catalog)
    found = from_purchases(everything)
    assert found.goals
    past = before(everything, found.cutoff)
    ranker = ranker_before(settings, "demo-slice", past, found.cutoff)
    learned = ranker.trained.models["popularity"].counts  # events per product the models were fitted on
    known, _ = from_catalog(past)
    full, _ = from_catalog(everything)
    assert learned.sum() == known.n_events < full.n_events
    code = {p.id: i for i, p in enumerate(full.products)}
    assert ranker.trained.item_ids == tuple(code)
    for goal in found.goals:  # a held-out purchase counts only as often as it was bought before the cutoff
        assert learned[code[goal.product.id]] < full.counts()[code[goal.product.id]]
    assert (ranker.catalog.events.timestamp.astype("int64") < found.cutoff).all()  # nor does its shoppers' history
    with pytest.raises(ValueError, match="at or after the cutoff"):
        trained_before(settings, "demo-slice", everything, found.cutoff)
    again = ranker_before(settings, "demo-slice", past, found.cutoff)  # the second run loads what the first trained
    assert again.trained.item_ids == ranker.trained.item_ids and again.trained.choices == ranker.trained.choices
