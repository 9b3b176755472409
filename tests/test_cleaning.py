"""Row-level cleaning rules."""

import pytest

from shopassist.catalog.cleaning import RowProblem, clean_id, clean_title, display_form, normalise_text, parse_price


@pytest.mark.parametrize(
    ("shouted", "readable"),
    [
        ("WHITE HANGING HEART T-LIGHT HOLDER", "White Hanging Heart T-Light Holder"),
        ("SET OF 3 CAKE TINS PANTRY DESIGN", "Set of 3 Cake Tins Pantry Design"),
        ("DOLLY GIRL'S LUNCH BOX", "Dolly Girl's Lunch Box"),
        ("Logitech K120 keyboard", "Logitech K120 keyboard"),  # mixed case is kept as written
    ],
)
def test_display_form_makes_shouted_titles_readable(shouted, readable):
    assert display_form(shouted) == readable


def test_normalise_text_collapses_whitespace_and_nan():
    assert normalise_text("  a \t b\n") == "a b"
    assert normalise_text(float("nan")) == ""
    assert normalise_text(None) == ""


@pytest.mark.parametrize(("raw", "price"), [("12.50", 12.5), ("£1,200", 1200.0), ("", None), (3, 3.0), ("$9.99", 9.99)])
def test_parse_price(raw, price):
    assert parse_price(raw) == price


@pytest.mark.parametrize(("raw", "reason"), [("abc", "price is not a number"), ("-2", "negative price"), ("inf", "price is not a number")])
def test_parse_price_rejects_with_reason(raw, reason):
    with pytest.raises(RowProblem) as e:
        parse_price(raw)
    assert e.value.reason == reason
    assert raw in str(e.value)  # the message shows the value to fix


def test_ids_and_titles():
    assert clean_id(" 85123A ") == "85123A"
    assert clean_id(12.0) == "12"
    for bad in ("", "two words", None):
        with pytest.raises(RowProblem):
            clean_id(bad)
    with pytest.raises(RowProblem, match="title is empty"):
        clean_title("   ")
