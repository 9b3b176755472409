"""Query understanding without an LLM: price bounds, brands wanted or excluded, colours, categories.

The parser is deterministic and table-tested; the assistant may add an LLM on top, never instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

MAX_QUERY_CHARS = 1000  # longer text is cut: no shopper types more, and it bounds the work per query

_MONEY = r"(?:£|\$|€|¥|usd|gbp|eur)?\s*(\d+(?:[.,]\d{1,2})?)\s*(?:£|\$|€|¥|pounds?|quid|dollars?|bucks|euros?|usd|gbp|eur|元|块钱|块|rmb)?"
_NUM = r"(\d+(?:[.,]\d{1,2})?)"

# (pattern, kind) — kind: max, min, range. Order matters: ranges before single bounds.
_PRICE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s+{_MONEY}\s+and\s+{_MONEY}", re.I), "range"),
    (re.compile(rf"\bfrom\s+{_MONEY}\s+to\s+{_MONEY}", re.I), "range"),
    (re.compile(rf"{_MONEY}\s*(?:-|–|to)\s*{_MONEY}(?=\s|$|[,.;!?])", re.I), "range_money"),
    (re.compile(rf"{_NUM}\s*(?:到|至|-|~)\s*{_NUM}\s*(?:元|块钱|块)(?:之间)?"), "range"),
    (re.compile(rf"\b(?:under|below|less\s+than|cheaper\s+than|up\s+to|max(?:imum)?|at\s+most|no\s+more\s+than|within|budget(?:\s+of)?|for\s+less\s+than)\s+{_MONEY}", re.I), "max"),
    (re.compile(rf"<\s*=?\s*{_MONEY}", re.I), "max"),
    (re.compile(rf"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|from)\s+{_MONEY}", re.I), "min_money"),
    (re.compile(rf">\s*=?\s*{_MONEY}", re.I), "min"),
    (re.compile(rf"(?:低于|少于|不超过|不到|最多|小于){_NUM}\s*(?:元|块钱|块)?"), "max"),
    (re.compile(rf"{_NUM}\s*(?:元|块钱|块)?\s*(?:以下|以内|之内)"), "max"),
    (re.compile(rf"(?:高于|超过|大于|至少){_NUM}\s*(?:元|块钱|块)?"), "min"),
    (re.compile(rf"{_NUM}\s*(?:元|块钱|块)\s*以上"), "min"),
]
_CHEAP = re.compile(r"\b(?:cheap|cheapest|inexpensive|budget|affordable|low[-\s]cost)\b|便宜|实惠|低价", re.I)

_WORDS = re.compile(r"[\w&'+]+(?:[-.][\w&'+]+)*")
_NEGATION_BEFORE = re.compile(r"(?:\bnot|\bno|\bwithout|\bexcept|\bexcluding|\banything\s+but|\bbut\s+not|\bavoid|\bnever|\bnon)[\s-]*(?:from\s+|by\s+|an?\s+|any\s+)?$", re.I)
_ONLY_BEFORE = re.compile(r"\bonly\s+(?:from\s+|by\s+)?$|\b(?:must|has\s+to)\s+be\s+(?:an?\s+)?$", re.I)
_LIST_JOINER = re.compile(r"^\s*(?:,|/|&|\bor\b|\band\b|\bnor\b)\s*$", re.I)
_ONLY_AFTER = re.compile(r"^\s+only\b", re.I)
_NEGATION_BEFORE_ZH = re.compile(r"(?:不要|不想要|除了|排除|别|非)$")
_ONLY_BEFORE_ZH = re.compile(r"(?:只要|只买|只看|仅限)$")
_AFTER_ZH = re.compile(r"^(?:以外|之外|品牌|牌子)?的?")

# Chinese names of brands common in electronics and gifts → the catalogue's spelling.
CHINESE_BRANDS = {
    "联想": "lenovo", "索尼": "sony", "惠普": "hp", "苹果": "apple", "三星": "samsung", "戴尔": "dell",
    "华为": "huawei", "小米": "xiaomi", "佳能": "canon", "爱普生": "epson", "兄弟": "brother",
    "罗技": "logitech", "飞利浦": "philips", "华硕": "asus", "宏碁": "acer", "东芝": "toshiba",
    "松下": "panasonic", "尼康": "nikon", "微软": "microsoft", "英特尔": "intel", "金士顿": "kingston",
    "希捷": "seagate", "西部数据": "western digital", "闪迪": "sandisk", "施乐": "xerox", "理光": "ricoh",
    "京瓷": "kyocera", "利盟": "lexmark", "奥林巴斯": "olympus", "博世": "bosch", "贝尔金": "belkin",
    "任天堂": "nintendo", "谷歌": "google", "亚马逊": "amazon", "富士": "fujifilm", "夏普": "sharp",
    "LG": "lg", "明基": "benq", "技嘉": "gigabyte", "微星": "msi", "海盗船": "corsair", "雷蛇": "razer",
}

COLOURS = {
    "red", "blue", "green", "yellow", "black", "white", "pink", "purple", "orange", "brown", "grey",
    "gray", "silver", "gold", "ivory", "cream", "navy", "turquoise", "beige",
}
CHINESE_COLOURS = {"红": "red", "蓝": "blue", "绿": "green", "黄": "yellow", "黑": "black", "白": "white", "粉": "pink", "紫": "purple", "橙": "orange", "棕": "brown", "灰": "grey", "银": "silver", "金": "gold"}

# "a birthday present for a kid who loves …": the shopper names the interest, not the product; the
# framing's words ("present", "kid") would otherwise out-score it (a "Christmas Present" ribbon).
_GIFT_FOR_A_FAN = re.compile(
    r"\b(?:(?:a|an|some)\s+)?(?:(?:birthday|christmas|xmas|wedding|anniversary|leaving|retirement)\s+)?(?:present|gift)s?\s+"
    r"for\s+(?:[\w'-]+\s+){1,4}?(?:who|that)\s+(?:really\s+)?(?:loves?|likes?|adores?|enjoys?|is\s+into|are\s+into|collects?)\s+",
    re.I,
)

# Words the parser may leave behind once a constraint is cut out of the text.
_FILLER = re.compile(r"^(?:and|but|,|;|please|pls|for|a|an|the)\s+|\s+(?:and|but|,|;|please|pls)$", re.I)


@dataclass(frozen=True)
class Vocabulary:
    """What the catalogue actually has: lower-cased brand and category names."""

    brands: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    @classmethod
    def from_products(cls, products: Iterable) -> "Vocabulary":
        brands, categories = set(), set()
        for p in products:
            if p.brand:
                brands.add(p.brand.lower())
            if p.category:
                categories.add(p.category.lower())
        return cls(frozenset(brands), frozenset(categories))


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    text: str  # what to search for, constraints cut out
    min_price: float | None = None
    max_price: float | None = None
    brands: frozenset[str] = frozenset()  # required (lower case); empty = any
    exclude_brands: frozenset[str] = frozenset()
    mentioned_brands: frozenset[str] = frozenset()  # named without "only"/"not": a preference, not a filter
    colours: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    cheap: bool = False  # "cheap" without a number: the retriever picks a bound from the results
    constraints: tuple[str, ...] = field(default=())  # the phrases understood, for reasons ("under £10")

    @property
    def has_filters(self) -> bool:
        return bool(self.min_price is not None or self.max_price is not None or self.brands or self.exclude_brands)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: no word in any script (emoji and punctuation are not words)."""
        return not self.has_words and not self.has_filters and not self.cheap

    @property
    def has_words(self) -> bool:
        return bool(re.search(r"[^\W_]", self.text))

    def refine(self, **changes) -> "ParsedQuery":
        return replace(self, **changes)


def parse_query(raw: str, vocabulary: Vocabulary = Vocabulary()) -> ParsedQuery:
    """Split a shopper's message into search text and exact constraints.

    >>> q = parse_query("a quiet laptop for travel, not Lenovo, under $800", Vocabulary(frozenset({"lenovo"})))
    >>> q.text, q.max_price, sorted(q.exclude_brands)
    ('quiet laptop for travel', 800.0, ['lenovo'])
    >>> parse_query("a birthday present for a kid who loves dinosaurs, under £10").text
    'dinosaurs'
    """
    text = unicodedata.normalize("NFKC", raw or "")[:MAX_QUERY_CHARS]
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    constraints: list[str] = []
    min_price = max_price = None

    for pattern, kind in _PRICE_RULES:
        match = pattern.search(text)
        if not match:
            continue
        numbers = [float(g.replace(",", ".")) for g in match.groups() if g]
        if kind.startswith("range") and len(numbers) == 2:
            if kind == "range_money" and not _has_currency(match.group(0)):
                continue  # "3-4 person tent" is not a price
            lo, hi = sorted(numbers)
            min_price, max_price = lo, hi
        elif kind.startswith("max"):
            max_price = numbers[0]
        elif kind.startswith("min"):
            if kind == "min_money" and match.group(0).lower().startswith("from") and not _has_currency(match.group(0)):
                continue
            min_price = numbers[0]
        constraints.append(match.group(0).strip())
        text = _cut(text, match)
        if min_price is not None and max_price is not None:
            break

    brands: set[str] = set()
    excluded: set[str] = set()
    mentioned: set[str] = set()
    for brand, start, end, kind in _brand_mentions(text, vocabulary):
        if kind == "exclude":
            excluded.add(brand)
        elif kind == "only":
            brands.add(brand)
        else:
            mentioned.add(brand)
            continue  # a plain mention ("sony headphones") stays in the search text
        constraints.append(f"not {_brand_label(brand)}" if kind == "exclude" else f"{_brand_label(brand)} only")
        text = text[:start] + " " * (end - start) + text[end:]  # keep later offsets valid

    if (gift := _GIFT_FOR_A_FAN.search(text)) and re.search(r"[^\W_]", text[gift.end():]):
        text = text[: gift.start()] + " " + text[gift.end():]

    cheap = False
    cheap_match = _CHEAP.search(text)
    if cheap_match and max_price is None:
        cheap = True
        constraints.append(cheap_match.group(0))
        text = _cut(text, cheap_match)

    lowered = text.lower()
    colours = {c for c in COLOURS if re.search(rf"\b{c}\b", lowered)}
    colours |= {en for zh, en in CHINESE_COLOURS.items() if zh + "色" in text}
    categories = {c for c in vocabulary.categories if len(c) > 2 and re.search(rf"\b{re.escape(c)}\b", lowered)}

    return ParsedQuery(
        raw=raw,
        text=_tidy(text),
        min_price=min_price,
        max_price=max_price,
        brands=frozenset(brands - excluded),
        exclude_brands=frozenset(excluded),
        mentioned_brands=frozenset(mentioned - excluded),
        colours=frozenset(colours),
        categories=frozenset(categories),
        cheap=cheap,
        constraints=tuple(constraints),
    )


def _has_currency(text: str) -> bool:
    return bool(re.search(r"[£$€¥元块]|pounds?|dollars?|euros?|quid|bucks|usd|gbp|eur|rmb", text, re.I))


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end():]


def _brand_mentions(text: str, vocabulary: Vocabulary) -> list[tuple[str, int, int, str]]:
    """(brand, start, end, kind) for each brand the catalogue has that the text names; kind is
    "exclude" ("not Lenovo", "non-Apple", "不要联想"), "only" ("Sony only", "只要索尼") or "mention".
    start..end covers the words to cut from the search text."""
    found = []
    lowered = re.sub(r"\b(non)-(?=\w)", r"\1 ", text.lower())  # same length: offsets still match text
    words = [(m.start(), m.end()) for m in _WORDS.finditer(lowered)]
    i = 0
    while i < len(words):
        for n in (4, 3, 2, 1):  # longest brand name first: "western digital" before "western"
            if i + n > len(words):
                continue
            start, end = words[i][0], words[i + n - 1][1]
            name = lowered[start:end]
            if name in vocabulary.brands:
                before, after = lowered[:start], lowered[end:]
                kind, cut_start, cut_end = "mention", start, end
                previous = found[-1] if found else None
                if previous and previous[3] != "mention" and _LIST_JOINER.match(lowered[previous[2]:start]):
                    kind, cut_start = previous[3], previous[2]  # "without HP or Lenovo": the list shares its verb
                elif m := _NEGATION_BEFORE.search(before):
                    kind, cut_start = "exclude", m.start()
                elif m := _ONLY_BEFORE.search(before):
                    kind, cut_start = "only", m.start()
                elif m := _ONLY_AFTER.match(after):
                    kind, cut_end = "only", end + m.end()
                found.append((name, cut_start, cut_end, kind))
                i += n - 1
                break
        i += 1
    for zh, name in CHINESE_BRANDS.items():
        for m in re.finditer(re.escape(zh), text):
            before, after = text[: m.start()], text[m.end():]
            tail = _AFTER_ZH.match(after).end()
            if n := _NEGATION_BEFORE_ZH.search(before):
                found.append((name, n.start(), m.end() + tail, "exclude"))
            elif n := _ONLY_BEFORE_ZH.search(before):
                found.append((name, n.start(), m.end() + tail, "only"))
            else:
                found.append((name, m.start(), m.end(), "mention"))
    return found


def _brand_label(brand: str) -> str:
    return brand.upper() if len(brand) <= 3 else brand.title()


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;.-，。的")
    for _ in range(3):
        text = _FILLER.sub("", text).strip(" ,;.-，。")
    if text.lower() in {"please", "pls", "and", "but", "a", "an", "the", "for"}:
        return ""
    return re.sub(r"\s+,", ",", text)
