"""One way to write a price: a card, the prompt, the templated text and the grounding verifier agree."""

from __future__ import annotations

import doctest

import pytest

from shopassist.assistant.grounding import Grounding
from shopassist.assistant.prompt import product_line
from shopassist.assistant.replies import fallback, product_facts
from shopassist.catalog import money as money_module
from shopassist.catalog.models import Product
from shopassist.catalog.money import NO_PRICE, money
from shopassist.ranking.contract import Suggestion
from shopassist.ui.cards import card_html

CASES = [
    (1234.5, "GBP", "£1234.50"),
    (20, "CNY", "¥20.00"),
    (3.5, "EUR", "€3.50"),
    (0.99, "usd", "$0.99"),
    (12, "SEK", "12.00 SEK"),  # a code without a sign of its own follows the amount
    (None, "GBP", NO_PRICE),
]


def test_doctests():
    assert doctest.testmod(money_module).failed == 0


@pytest.mark.parametrize("price, currency, written", CASES)
def test_money(price, currency, written):
    assert money(price, currency) == written


@pytest.mark.parametrize("price, currency, written", CASES)
def test_card_prompt_and_text_write_the_same_price(price, currency, written):
    mug = Product("1", "RED MUG", "Red Mug", price=price, currency=currency)
    shown = Suggestion(mug, 1.0, "matches your search", {})
    assert f">{written}<" in card_html(shown)
    assert f"({written}" in product_line(1, shown)
    assert f"— {written}:" in fallback([shown], "a red mug", (), "en")
    assert product_facts(mug, "", "en") == f"Red Mug costs {written}."


@pytest.mark.parametrize("price, currency, written", [c for c in CASES if c[0] is not None])
def test_grounding_accepts_a_price_as_written_and_no_other(price, currency, written):
    grounding = Grounding([Product("1", "RED MUG", "Red Mug", price=price, currency=currency)])
    assert grounding.check(f"[1] costs {written}.") == f"Red Mug costs {written}."
    if not written[0].isdigit():  # a sign the verifier reads: a price off by a penny is caught
        assert grounding.check(f"[1] costs {money(price + 0.01, currency)}.") is None
