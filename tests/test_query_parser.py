"""The deterministic query parser on real phrasings: price, brands, colours — English and Chinese."""

import pytest

from shopassist.retrieval.query import Vocabulary, parse_query

VOCAB = Vocabulary(frozenset({"lenovo", "sony", "hp", "apple", "samsung", "dell", "western digital", "logitech", "canon", "asus"}))

# (query, text, min_price, max_price, required brands, excluded brands)
TABLE = [
    # a gift for someone who loves X: X is what to search for ("present" would find a ribbon called "Christmas Present")
    ("a birthday present for a kid who loves dinosaurs, under £10", "dinosaurs", None, 10, set(), set()),
    ("gift for my mum who likes gardening", "gardening", None, None, set(), set()),
    ("christmas gifts for someone who is into baking, not Sony", "baking", None, None, set(), {"sony"}),
    ("a present for my dad", "present for my dad", None, None, set(), set()),
    ("a quiet laptop for travel, not Lenovo", "quiet laptop for travel", None, None, set(), {"lenovo"}),
    ("headphones below 50 dollars", "headphones", None, 50, set(), set()),
    ("mug between 20 and 40", "mug", 20, 40, set(), set()),
    ("between £5 and £15 candle holder", "candle holder", 5, 15, set(), set()),
    ("Sony only headphones", "headphones", None, None, {"sony"}, set()),
    ("only Sony", "", None, None, {"sony"}, set()),
    ("printer, no HP", "printer", None, None, set(), {"hp"}),
    ("no HP printers please", "printers", None, None, set(), {"hp"}),
    ("laptop without HP or Lenovo", "laptop", None, None, set(), {"hp", "lenovo"}),
    ("monitor except Dell", "monitor", None, None, set(), {"dell"}),
    ("non-Apple tablet", "tablet", None, None, set(), {"apple"}),
    ("phone anything but Samsung", "phone", None, None, set(), {"samsung"}),
    ("gaming mouse under $30", "gaming mouse", None, 30, set(), set()),
    ("keyboard less than 25 pounds", "keyboard", None, 25, set(), set()),
    ("external hard drive up to 100", "external hard drive", None, 100, set(), set()),
    ("tv over 300", "tv", 300, None, set(), set()),
    ("camera above $200", "camera", 200, None, set(), set()),
    ("speaker at least 50 euros", "speaker", 50, None, set(), set()),
    ("bag 20-40 pounds", "bag", 20, 40, set(), set()),
    ("usb hub $10 to $20", "usb hub", 10, 20, set(), set()),
    ("3-4 person tent", "3-4 person tent", None, None, set(), set()),
    ("iphone 11 case", "iphone 11 case", None, None, set(), set()),
    ("western digital drive over $50", "western digital drive", 50, None, set(), set()),
    ("not western digital, external drive", "external drive", None, None, set(), {"western digital"}),
    ("Logitech mouse, under £20", "Logitech mouse", None, 20, set(), set()),
    ("Canon only camera under 500", "camera", None, 500, {"canon"}, set()),
    ("cheap red mug", "red mug", None, None, set(), set()),
    ("max 15 quid teapot", "teapot", None, 15, set(), set()),
    ("lunch box <5", "lunch box", None, 5, set(), set()),
    ("notebook no more than 700 dollars, not Asus", "notebook", None, 700, set(), {"asus"}),
    ("christmas decorations", "christmas decorations", None, None, set(), set()),
    ("", "", None, None, set(), set()),
    ("   ", "", None, None, set(), set()),
    # Chinese: the same intents
    ("500元以下的耳机", "耳机", None, 500, set(), set()),
    ("不要联想的笔记本", "笔记本", None, None, set(), {"lenovo"}),
    ("只要索尼的耳机", "耳机", None, None, {"sony"}, set()),
    ("笔记本电脑，不要联想，3000元以内", "笔记本电脑", None, 3000, set(), {"lenovo"}),
    ("除了苹果以外的平板", "平板", None, None, set(), {"apple"}),
    ("蓝色杯子 100到200元", "蓝色杯子", 100, 200, set(), set()),
    ("低于50元的鼠标", "鼠标", None, 50, set(), set()),
    ("200元以上的音箱", "音箱", 200, None, set(), set()),
    ("便宜的键盘", "键盘", None, None, set(), set()),
]


@pytest.mark.parametrize(("query", "text", "lo", "hi", "brands", "excluded"), TABLE, ids=[row[0] or "empty" for row in TABLE])
def test_parse(query, text, lo, hi, brands, excluded):
    parsed = parse_query(query, VOCAB)
    assert parsed.text == text
    assert parsed.min_price == (None if lo is None else float(lo))
    assert parsed.max_price == (None if hi is None else float(hi))
    assert set(parsed.brands) == brands
    assert set(parsed.exclude_brands) == excluded


def test_cheap_and_colours_and_constraint_phrases():
    parsed = parse_query("cheap red mug, not Sony", VOCAB)
    assert parsed.cheap and parsed.colours == {"red"}
    assert parsed.constraints == ("not Sony", "cheap")
    assert parse_query("便宜的红色杯子").colours == {"red"}


def test_brand_words_unknown_to_the_catalogue_are_not_filters():
    parsed = parse_query("not Acme", VOCAB)  # the store has no Acme: nothing to exclude
    assert not parsed.exclude_brands


@pytest.mark.parametrize("query", ["", "   ", "🎁🎁🎁", "!!!", "x" * 10_000, "рюкзак для ноутбука", "ノートパソコン"])
def test_odd_queries_never_crash(query):
    parsed = parse_query(query, VOCAB)
    assert len(parsed.text) <= 1000
    assert parsed.is_empty == (query.strip() in ("", "🎁🎁🎁", "!!!"))
