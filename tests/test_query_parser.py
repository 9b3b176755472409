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
    # a correction's frame is cut, the product it names kept
    ("nope, a tablet stand", "tablet stand", None, None, set(), set()),
    ("what we want is a webcam", "webcam", None, None, set(), set()),
    ("the sort of item I'm after is a desk lamp", "desk lamp", None, None, set(), set()),
    ("I mean a stylus, not those", "stylus", None, None, set(), set()),
    ("no frost freezer", "no frost freezer", None, None, set(), set()),  # "no" with no comma is a word of the product
    ("我是说平板支架", "平板支架", None, None, set(), set()),
    ("是平板支架，不是那些", "平板支架", None, None, set(), set()),
    ("是否防水", "是否防水", None, None, set(), set()),
    ("", "", None, None, set(), set()),
    ("   ", "", None, None, set(), set()),
    # Chinese: the same intents
    ("500元以下的耳机", "耳机", None, 500, set(), set()),
    ("不要联想的笔记本", "笔记本", None, None, set(), {"lenovo"}),
    ("只要索尼的耳机", "耳机", None, None, {"sony"}, set()),
    ("只要Sony的耳机", "耳机", None, None, {"sony"}, set()),  # the catalogue's Latin name inside Chinese
    ("不要Sony的耳机", "耳机", None, None, set(), {"sony"}),
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


# Follow-ups in the shopper's own words (issue #12): the constraint is understood and no framing word
# is left to search for ("my budget is 500" must not search "my is 500").
# (message, text, min_price, max_price, required brands, excluded brands)
CHAT = [
    ("my budget is 500", "", None, 500, set(), set()),
    ("budget 500", "", None, 500, set(), set()),
    ("budget of £40 for a teapot", "teapot", None, 40, set(), set()),
    ("keep it below 500", "", None, 500, set(), set()),
    ("keep it under 500", "", None, 500, set(), set()),
    ("can you keep it below 500?", "", None, 500, set(), set()),
    ("something for a christmas party, not more than 5 pounds", "christmas party", None, 5, set(), set()),
    ("no more than 300", "", None, 300, set(), set()),
    ("max 500", "", None, 500, set(), set()),
    ("500 max", "", None, 500, set(), set()),
    ("£20 tops", "", None, 20, set(), set()),
    ("500 or less", "", None, 500, set(), set()),
    ("under 500 please", "", None, 500, set(), set()),
    ("less than 5 quid", "", None, 5, set(), set()),
    ("can't spend more than 50", "", None, 50, set(), set()),
    ("I don't want to spend more than 80 on a mouse", "mouse", None, 80, set(), set()),
    ("up to 50", "", None, 50, set(), set()),
    ("something cheaper, max 500", "cheaper", None, 500, set(), set()),
    ("more than 50", "", 50, None, set(), set()),
    ("galaxy s20 max", "galaxy s20 max", None, None, set(), set()),  # a model name, not "at most 20"
    ("预算500", "", None, 500, set(), set()),
    ("预算是300块的耳机", "耳机", None, 300, set(), set()),
    ("我只有300块预算", "", None, 300, set(), set()),
    ("500以内", "", None, 500, set(), set()),
    ("不超过500块", "", None, 500, set(), set()),
    ("别超过500", "", None, 500, set(), set()),
    ("500块以下", "", None, 500, set(), set()),
    # a brand wrapped in a question or a polite frame is a filter, and the frame is no search
    ("do you have anything from Lenovo?", "", None, None, {"lenovo"}, set()),
    ("I'd prefer Lenovo", "", None, None, {"lenovo"}, set()),
    ("Lenovo please", "", None, None, {"lenovo"}, set()),
    ("show me Lenovo ones", "", None, None, {"lenovo"}, set()),
    ("got any Lenovo?", "", None, None, {"lenovo"}, set()),
    ("something by Lenovo", "", None, None, {"lenovo"}, set()),
    ("what about Lenovo?", "", None, None, {"lenovo"}, set()),
    ("any from Lenovo?", "", None, None, {"lenovo"}, set()),
    ("HP or Dell please", "", None, None, {"hp", "dell"}, set()),
    ("a laptop by Lenovo under 700", "laptop", None, 700, {"lenovo"}, set()),
    ("有联想的吗", "", None, None, {"lenovo"}, set()),
    ("我想要联想的", "", None, None, {"lenovo"}, set()),
    ("有索尼的耳机吗", "索尼的耳机", None, None, set(), set()),  # a product named: the brand stays in the words
    # a brand named with a product, or alone, is searched as words (the dev judgements' "apple", "huawei")
    ("Lenovo", "Lenovo", None, None, set(), set()),
    ("do you have lenovo chargers?", "lenovo chargers", None, None, set(), set()),
    ("I need a quiet laptop", "quiet laptop", None, None, set(), set()),
    ("made by hand", "made by hand", None, None, set(), set()),
    # requests for more carry nothing to search for
    ("what else do you have?", "", None, None, set(), set()),
    ("anything else?", "", None, None, set(), set()),
    ("other options?", "", None, None, set(), set()),
    ("more please", "", None, None, set(), set()),
    ("还有吗", "", None, None, set(), set()),
    ("还有别的吗", "", None, None, set(), set()),
]


@pytest.mark.parametrize(("query", "text", "lo", "hi", "brands", "excluded"), CHAT, ids=[row[0] for row in CHAT])
def test_parse_chat_phrasings(query, text, lo, hi, brands, excluded):
    test_parse(query, text, lo, hi, brands, excluded)


@pytest.mark.parametrize(("query", "lifts_brand", "lifts_price"), [
    ("any brand is fine", True, False), ("any brand", True, False), ("doesn't matter which brand", True, False),
    ("不限品牌", True, False), ("any price", False, True), ("price doesn't matter", False, True), ("价格不限", False, True),
    ("any brand, any price", True, True), ("laptop", False, False), ("any branded mugs", False, False),
])
def test_lifting_a_constraint_is_understood_and_leaves_nothing_to_search(query, lifts_brand, lifts_price):
    parsed = parse_query(query, VOCAB)
    assert (parsed.any_brand, parsed.any_price) == (lifts_brand, lifts_price)
    if lifts_brand or lifts_price:
        assert parsed.text == "" and not parsed.has_filters


@pytest.mark.parametrize(("query", "missing", "text"), [
    ("do you have anything from Acme?", ("Acme",), ""),
    ("something by Acme", ("Acme",), ""),
    ("any from acme?", ("acme",), ""),
    ("the Acme brand", ("Acme",), ""),
    ("只要小米的笔记本", ("小米",), "笔记本"),  # a Chinese brand name the shop has no products of
    ("有小米的吗", ("小米",), ""),
    ("gift from Santa", (), "gift from Santa"),
    ("made by hand", (), "made by hand"),
])
def test_brands_the_catalogue_does_not_carry_are_reported_not_searched(query, missing, text):
    parsed = parse_query(query, VOCAB)
    assert parsed.missing_brands == missing
    assert parsed.text == text and not parsed.brands


@pytest.mark.parametrize(("query", "colours"), [("red ones please", {"red"}), ("do you have it in blue?", {"blue"}), ("白色的", {"white"}), ("laptop", set())])
def test_colours_in_follow_ups(query, colours):
    assert parse_query(query, VOCAB).colours == colours


def test_plain_brand_mentions_are_kept_for_follow_ups_to_read():
    assert parse_query("Lenovo", VOCAB).mentioned_brands == {"lenovo"}
    assert parse_query("sony headphones, not Lenovo", VOCAB).mentioned_brands == {"sony"}
    assert not parse_query("only Sony", VOCAB).mentioned_brands
