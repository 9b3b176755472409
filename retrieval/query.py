"""Query understanding without an LLM: price bounds, brands wanted or excluded, colours, and the
chat framing around them ("do you have anything from …?", "my budget is …") cut from the search text.

The parser is deterministic and table-tested; the assistant may add an LLM on top, never instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1000  # longer text is cut: no shopper types more, and it bounds the work per query

# A number with a unit of size is never money: "at least 500 GB", "under 15.6 inch", "2000 mAh or more".
_UNIT_AFTER = r"(?![\d.,]*\s*(?:\"|”|''|-?inch(?:es)?\b|in\b|[cm]?m\b|[mgkt]b\b|ml\b|litres?\b|liters?\b|l\b|mah\b|k?w\b|k?g\b|[gmk]?hz\b|ft\b|feet\b|pcs\b|%))"
_MONEY = rf"(?:£|\$|€|¥|usd|gbp|eur)?\s*(\d+(?:[.,]\d{{1,2}})?){_UNIT_AFTER}\s*(?:£|\$|€|¥|pounds?|quid|dollars?|bucks|euros?|usd|gbp|eur|元|块钱|块|rmb)?"
_NUM = r"(\d+(?:[.,]\d{1,2})?)"

# Words that cap a price when they come before the amount: "under 500", "not more than 5 pounds",
# "can't spend more than 50". The negated forms must be tried before the "more than" of a minimum.
_MAX_BEFORE = (
    r"(?:(?:keep|stay)\s+(?:it\s+)?)?"  # "keep it below 500": the verb is part of the bound, not a search word
    r"(?:(?:under|below)(?:\s+the)?|less\s+than|cheaper\s+than|up\s+to|max(?:imum)?|at\s+most|within|for\s+less\s+than"
    r"|(?:(?:my|our|a|the)\s+)?spending\s+(?:limit|cap|budget)(?:\s+is|'s|\s+of|\s*:)?"  # "spending limit $500"
    r"|(?:no|not|nothing)\s+(?:more\s+than|over|above|higher\s+than|dearer\s+than)"
    r"|(?:(?:i\s+)?(?:can'?t|cannot|can\s+not|don'?t\s+want\s+to|do\s+not\s+want\s+to|won'?t|wouldn'?t\s+like\s+to)\s+"
    r"(?:spend|pay|go)\s+(?:more\s+than|over|above|beyond))"
    r"|(?:(?:my|our|the|a|on\s+a)\s+)?budget(?:\s+is|'s|\s+of|\s*:)?(?:\s+(?:about|around|roughly|max|up\s+to))?"
    r"|(?:my|our|the)\s+(?:max(?:imum)?|limit|cap|ceiling)(?:\s+is|'s|\s*:)?|cap\s+(?:it\s+)?at)"  # "my max is 40", "cap it at 40"
)
# Words that cap a price when they follow it: "500 max", "£20 tops", "5 pounds or less".
_MAX_AFTER = r"(?:max(?:imum)?|tops|at\s+(?:the\s+)?most|or\s+(?:less|under|below|cheaper)|(?:is\s+)?(?:my|our|the)\s+(?:max(?:imum)?|limit|budget|ceiling))\b"
_NOT_IN_A_WORD = r"(?<![\w.,])"  # "500 max", but not the "20" of "S20 max"

# (pattern, kind) — kind: max, min, range. Order matters: ranges before single bounds, caps before minimums.
_PRICE_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\bbetween\s+{_MONEY}\s+and\s+{_MONEY}", re.I), "range"),
    (re.compile(rf"\bfrom\s+{_MONEY}\s+to\s+{_MONEY}", re.I), "range"),
    (re.compile(rf"{_MONEY}\s*(?:-|–|to)\s*{_MONEY}(?=\s|$|[,.;!?])", re.I), "range_money"),
    (re.compile(rf"{_NUM}\s*(?:到|至|-|~)\s*{_NUM}\s*(?:元|块钱|块)(?:之间)?"), "range"),
    (re.compile(rf"\b{_MAX_BEFORE}\s*{_MONEY}(?:\s*\bmark\b)?", re.I), "max"),  # "under the 60 mark"
    (re.compile(rf"{_NOT_IN_A_WORD}{_MONEY}\s+{_MAX_AFTER}", re.I), "max"),
    (re.compile(rf"{_NOT_IN_A_WORD}{_MONEY}\s+budget\b", re.I), "max_money"),  # "a $500 budget" — not "3 budget laptops"
    # "keep it to $500" (with a currency: "stick to 15.6 inch" is a size) — and "I've got $60", "I can afford
    # 40 pounds": money the shopper has is a cap, with a currency only ("I have 2 kids").
    (re.compile(rf"\b(?:(?:keep|stick)\s+(?:it\s+)?(?:to|at)|i'?ve\s+(?:only\s+)?got|i\s+(?:only\s+)?have|i\s+can\s+(?:only\s+)?(?:spend|afford))"
                rf"\s+(?:about\s+|around\s+)?{_MONEY}", re.I), "max_money"),
    (re.compile(rf"<\s*=?\s*{_MONEY}", re.I), "max"),
    (re.compile(rf"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|from)\s+{_MONEY}", re.I), "min_money"),
    (re.compile(rf">\s*=?\s*{_MONEY}", re.I), "min"),
    (re.compile(rf"(?:预算(?:是|为|在|有|大概|最多)?|低于|少于|不超过|别超过|不要超过|不能超过|不高于|不多于|不到|最多|小于)\s*{_NUM}\s*(?:元|块钱|块)?(?:以下|以内|之内|左右)?"), "max"),
    (re.compile(rf"{_NUM}\s*(?:元|块钱|块)?\s*(?:以下|以内|之内)"), "max"),
    (re.compile(rf"(?:只有|就)?{_NUM}\s*(?:元|块钱|块)的?预算"), "max"),  # "我只有50块预算": a budget of 50
    (re.compile(rf"(?:高于|超过|大于|至少){_NUM}\s*(?:元|块钱|块)?"), "min"),
    (re.compile(rf"{_NUM}\s*(?:元|块钱|块)\s*以上"), "min"),
]
# "any brand is fine", "price doesn't matter": the shopper lifts a constraint they set before.
_ANY_BRAND = re.compile(
    r"\b(?:(?:any|whatever|whichever)\s+brands?|(?:(?:it\s+)?(?:doesn'?t|does\s+not|don'?t)\s+matter\s+(?:which|what)\s+brand)"
    r"|brands?\s+(?:doesn'?t|does\s+not|don'?t)\s+matter|no\s+brand\s+preference)"
    r"(?:\s+(?:is|are|would\s+do|will\s+do|does)?\s*(?:fine|ok|okay|good|great|alright|do)?)?\b"
    r"|不限品牌|品牌不限|什么牌子都(?:行|可以)|(?:牌子|品牌)无所谓",
    re.I,
)
_ANY_PRICE = re.compile(
    r"\b(?:any\s+price|price\s+(?:doesn'?t|does\s+not|don'?t)\s+matter|(?:it\s+)?(?:doesn'?t|does\s+not)\s+matter\s+how\s+much"
    r"|money\s+is\s+no\s+object|no\s+budget|whatever\s+it\s+costs)(?:\s+(?:is\s+)?(?:fine|ok|okay))?\b"
    r"|价格不限|不限价格|多少钱都(?:行|可以)|价格无所谓|(?:钱|价钱)无所谓",
    re.I,
)
_CHEAP = re.compile(r"\b(?:cheap|cheapest|inexpensive|budget|affordable|low[-\s]cost)\b|便宜|实惠|低价", re.I)

_WORDS = re.compile(r"[\w&'+]+(?:[-.][\w&'+]+)*")
# Words as a brand name is looked up: Latin runs only, so "只要Lenovo的" still names Lenovo.
_NAME_WORDS = re.compile(r"(?:(?![\u3000-\u9fff])[\w&'+])+(?:[-.](?:(?![\u3000-\u9fff])[\w&'+])+)*")
_NEGATION_BEFORE = re.compile(r"(?:\bnot|\bno|\bwithout|\bexcept|\bexcluding|\banything\s+but|\bbut\s+not|\bavoid|\bnever|\bnon)[\s-]*(?:from\s+|by\s+|an?\s+|any\s+)?$", re.I)
_ONLY_BEFORE = re.compile(r"\bonly\s+(?:from\s+|by\s+)?$|\b(?:must|has\s+to)\s+be\s+(?:an?\s+)?$", re.I)
_MAKER_BEFORE = re.compile(r"\b(?:(?:made|sold)\s+)?(?:from|by)\s+$", re.I)  # "something by Lenovo": the maker is wanted
_LIST_JOINER = re.compile(r"^\s*(?:,|/|&|\bor\b|\band\b|\bnor\b)\s*$", re.I)
_ONLY_AFTER = re.compile(r"^\s+(?:only|brand)\b", re.I)
_NEGATION_BEFORE_ZH = re.compile(r"(?:不要|不想要|除了|排除|别|非)$")
_ONLY_BEFORE_ZH = re.compile(r"(?:只要|只买|只看|仅限)$")
_AFTER_ZH = re.compile(r"^(?:以外|之外|品牌|牌子)?的?")

# How people wrap a request in a chat: greetings, questions, polite frames. Cut from the search text
# ("can you keep it below 500?" must not search for "can you keep it ?").
_FRAME_LEAD = re.compile(
    r"^(?:(?:hi|hello|hey|ok(?:ay)?|so|well|and|but|also|then|hmm+|actually|rather|instead)\b|(?:no|nope)(?=\s*[,.!])"
    # a correction names the product after its frame: "I meant …", "what I need is …", "the kind of thing I want is …"
    r"|(?:i\s+)?mean[t]?\b|try\b|(?:what|the\s+(?:kind|sort|type)\s+of\s+(?:thing|product|item)s?)\s+(?:i|we)(?:'m|\s+am)?\s+"
    r"(?:need|want|mean|meant|looking\s+for|after)\s+(?:is|are)\b"
    r"|(?:can|could|would|will)\s+(?:you|u)\b(?:\s+please)?"
    r"|(?:please\s+)?(?:show|find|get|give)\s+me\b"
    r"|do\s+you\s+(?:have|sell|stock|carry|do)\b|have\s+you\s+got\b|(?:you\s+)?got\b|(?:is|are)\s+there\b"
    r"|i'?d\s+(?:prefer|like|rather\s+have|love)\b|i\s+(?:would\s+)?(?:prefer|want|need|like)\b"
    r"|(?:i'?m|i\s+am)\s+(?:looking\s+for|after)\b|looking\s+for\b"
    r"|(?:what|how)\s+about\b|maybe\b|perhaps\b|please\b|(?:any|some)(?:thing|\s+ones?)?\b)[\s,!]*",
    re.I,
)
_FRAME_LEAD_ZH = re.compile(r"^(?:请问|请|麻烦|帮我|给我)*(?:你们)?(?:还?有没有|我想要|我想买|我要找?|想要|我在找|我需要|我是说|应该是|具体(?:来说|地说|是)|是(?![否不]))|^(?:你们)?还?有(?![线机趣声效用])(?=.+吗\s*[?？]?$)")  # "有X吗": do you have X? ("有线" is "wired")
_FRAME_TRAIL_ZH = re.compile(r"的?[吗呢吧啊呀嘛]+\s*[?？]*$|[,，]?\s*不是(?:这些|那些|这个|那个)$")
_FRAME_TRAIL = re.compile(
    r"(?:[\s,]+(?:please|pls|thanks|thank\s+you|ones?|then|instead|too|as\s+well|not\s+(?:these|those|them|this|that)(?:\s+ones?)?))+[\s?!.]*$"
    r"|[\s?!？！]+$",
    re.I,
)
# Words that alone are no search: what is left of "can you keep it below 500?" once the bound is cut.
_FILLER_WORDS = frozenset(
    """a an the and or but so then also too just only really maybe perhaps please pls thanks it its is are be was
    i i'd i'm id im me my we our you your u can could would will do does did have has got get show see let find
    give any anything something some one ones that this those these them there what how about else more other
    others options of for from by with to in on want need prefer like looking spend much ok price prices
    stick loyal range favourite favorite colour color
    okay yes hi hello hey""".split()
)
_FILLER_ZH = re.compile(r"[请麻烦帮给我你们想要有没吗呢吧啊呀嘛的看个些点还别]")
# "do you have anything from Acme?": a maker the catalogue does not have, asked for by name — a
# capitalised name, or any name in a question about stock ("any from acme?", not "made by hand").
_ASKING_FOR_STOCK = re.compile(r"\b(?:any|anything|something|have|got|stock|sell|carry)\b", re.I)
_UNKNOWN_MAKER = re.compile(r"^(?:from|by)\s+(?P<a>[^\W\d_][\w&'+.-]*(?:\s+[^\W\d_][\w&'+.-]*)?)$|^(?P<b>[^\W\d_][\w&'+.-]*)\s+brand$", re.I)

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
_FILLER = re.compile(r"^(?:and|but|,|;|please|pls|for|on|a|an|the)\s+|\s+(?:and|but|,|;|please|pls)$", re.I)


@dataclass(frozen=True)
class Vocabulary:
    """What the catalogue actually has: lower-cased brand names."""

    brands: frozenset[str] = frozenset()

    @classmethod
    def from_products(cls, products: Iterable) -> "Vocabulary":
        return cls(frozenset(p.brand.lower() for p in products if p.brand))


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    text: str  # what to search for, constraints and chat framing cut out
    min_price: float | None = None
    max_price: float | None = None
    # Whether max_price is a cap the shopper named ("my budget is 70"), which results within it lean
    # towards — not one "cheaper" took from the products shown (a shopper asking to pay less does
    # not want the dearest that fits).
    cap_is_budget: bool = True
    brands: frozenset[str] = frozenset()  # required (lower case); empty = any
    exclude_brands: frozenset[str] = frozenset()
    mentioned_brands: frozenset[str] = frozenset()  # named plainly ("sony headphones"): kept in the text, not a filter
    missing_brands: tuple[str, ...] = ()  # asked for by name, not in the catalogue, as written ("Acme", "联想")
    colours: frozenset[str] = frozenset()
    cheap: bool = False  # "cheap" without a number: the retriever picks a bound from the results
    any_brand: bool = False  # "any brand is fine": lifts brand constraints set earlier in the conversation
    any_price: bool = False  # "price doesn't matter": lifts price bounds set earlier
    constraints: tuple[str, ...] = field(default=())  # the phrases understood, for reasons ("under £10")

    @property
    def budget(self) -> float | None:
        """The price level results lean towards: the cap, when the shopper named it."""
        return self.max_price if self.cap_is_budget else None

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


def parse_query(raw: str, vocabulary: Vocabulary = Vocabulary()) -> ParsedQuery:
    """Split a shopper's message into search text and exact constraints.

    >>> q = parse_query("a quiet laptop for travel, not Lenovo, under $800", Vocabulary(frozenset({"lenovo"})))
    >>> q.text, q.max_price, sorted(q.exclude_brands)
    ('quiet laptop for travel', 800.0, ['lenovo'])
    >>> parse_query("a birthday present for a kid who loves dinosaurs, under £10").text
    'dinosaurs'
    >>> q = parse_query("do you have anything from Lenovo?", Vocabulary(frozenset({"lenovo"})))
    >>> q.text, sorted(q.brands)
    ('', ['lenovo'])
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
            if kind == "max_money" and not _has_currency(match.group(0)):
                continue
            max_price = numbers[0]
        elif kind.startswith("min"):
            if kind == "min_money" and match.group(0).lower().startswith("from") and not _has_currency(match.group(0)):
                continue
            min_price = numbers[0]
        constraints.append(match.group(0).strip())
        text = _cut(text, match)
        if min_price is not None and max_price is not None:
            break

    lifts = []
    for pattern in (_ANY_BRAND, _ANY_PRICE):
        match = pattern.search(text)
        lifts.append(bool(match))
        if match:
            text = _cut(text, match)
    any_brand, any_price = lifts

    brands: set[str] = set()
    excluded: set[str] = set()
    missing: list[str] = []
    mentions: list[tuple[str, int, int, str]] = []
    for brand, start, end, kind, label in _brand_mentions(text, vocabulary):
        if kind == "mention":
            mentions.append((brand, start, end, label))
            continue  # a plain mention ("sony headphones") stays in the search text
        if kind == "exclude":
            excluded.add(brand)
            constraints.append(f"not {brand_label(brand)}")
        elif brand in vocabulary.brands:
            brands.add(brand)
            constraints.append(f"{brand_label(brand)} only")
        else:
            missing.append(label)  # "只要索尼" in a shop without Sony
        text = text[:start] + " " * (end - start) + text[end:]  # keep later offsets valid
    if mentions:
        # Brands that are the message's only content ("Lenovo please", "got any Lenovo?", "有联想的吗") are
        # what the shopper wants, a filter; a bare "Lenovo" stays a search for the word, as a search box would.
        rest = text
        for _, start, end, _ in mentions:
            rest = rest[:start] + " " * (end - start) + rest[end:]
        if re.search(r"[^\W_]", rest) and not _tidy(rest):
            for brand, _, _, label in mentions:
                if brand in vocabulary.brands:
                    brands.add(brand)
                    constraints.append(f"{brand_label(brand)} only")
                else:
                    missing.append(label)
            text, mentions = rest, []

    if (gift := _GIFT_FOR_A_FAN.search(text)) and re.search(r"[^\W_]", text[gift.end():]):
        text = text[: gift.start()] + " " + text[gift.end():]

    cheap = False
    cheap_match = _CHEAP.search(text)
    if cheap_match and max_price is None:
        cheap = True
        constraints.append(cheap_match.group(0))
        text = _cut(text, cheap_match)

    text = _tidy(text)
    if unknown := _UNKNOWN_MAKER.match(text):
        name = unknown.group("a") or unknown.group("b")
        named = name[0].isupper() or _ASKING_FOR_STOCK.search(raw or "")
        if named and not set(_WORDS.findall(name.lower())) & (_FILLER_WORDS | COLOURS):
            missing.append(name)
            text = ""

    lowered = text.lower()
    colours = {c for c in COLOURS if re.search(rf"\b{c}\b", lowered)}
    colours |= {en for zh, en in CHINESE_COLOURS.items() if zh + "色" in text}

    return ParsedQuery(
        raw=raw,
        text=text,
        min_price=min_price,
        max_price=max_price,
        brands=frozenset(brands - excluded),
        exclude_brands=frozenset(excluded),
        mentioned_brands=frozenset(b for b, *_ in mentions if b in vocabulary.brands) - excluded,
        missing_brands=tuple(dict.fromkeys(missing)),
        colours=frozenset(colours),
        cheap=cheap,
        any_brand=any_brand,
        any_price=any_price,
        constraints=tuple(constraints),
    )


def _has_currency(text: str) -> bool:
    return bool(re.search(r"[£$€¥元块]|pounds?|dollars?|euros?|quid|bucks|usd|gbp|eur|rmb", text, re.I))


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end():]


def _brand_mentions(text: str, vocabulary: Vocabulary) -> list[tuple[str, int, int, str, str]]:
    """(brand, start, end, kind, as written) for each brand the text names; kind is "exclude" ("not
    Lenovo", "non-Apple", "不要联想"), "only" ("Sony only", "by Sony", "只要索尼") or "mention".
    start..end covers the words to cut from the search text. English names are matched against the
    catalogue's brands; Chinese names against a table, so a wanted one may be missing from the shop."""
    found = []
    lowered = re.sub(r"\b(non)-(?=\w)", r"\1 ", text.lower())  # same length: offsets still match text
    words = [(m.start(), m.end()) for m in _NAME_WORDS.finditer(lowered)]
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
                elif m := _ONLY_BEFORE.search(before) or _MAKER_BEFORE.search(before):
                    kind, cut_start = "only", m.start()
                elif m := _ONLY_AFTER.match(after):
                    kind, cut_end = "only", end + m.end()
                elif m := _NEGATION_BEFORE_ZH.search(before):  # "不要Lenovo的": a Latin name in a Chinese sentence
                    kind, cut_start, cut_end = "exclude", m.start(), end + _AFTER_ZH.match(text[end:]).end()
                elif m := _ONLY_BEFORE_ZH.search(before):
                    kind, cut_start, cut_end = "only", m.start(), end + _AFTER_ZH.match(text[end:]).end()
                found.append((name, cut_start, cut_end, kind, text[start:end]))
                i += n - 1
                break
        i += 1
    for zh, name in CHINESE_BRANDS.items():
        for m in re.finditer(re.escape(zh), text):
            before, after = text[: m.start()], text[m.end():]
            tail = _AFTER_ZH.match(after).end()
            if n := _NEGATION_BEFORE_ZH.search(before):
                found.append((name, n.start(), m.end() + tail, "exclude", zh))
            elif n := _ONLY_BEFORE_ZH.search(before):
                found.append((name, n.start(), m.end() + tail, "only", zh))
            else:
                found.append((name, m.start(), m.end() + tail, "mention", zh))
    return found


def brand_label(brand: str) -> str:
    """A brand as a constraint names it.

    >>> brand_label("hp"), brand_label("western digital")
    ('HP', 'Western Digital')
    """
    return brand.upper() if len(brand) <= 3 else brand.title()


def _tidy(text: str) -> str:
    """The search text without chat framing and left-over fillers; "" when nothing else is left."""
    text = re.sub(r"\s+", " ", text).strip(" ,;.-，。的")
    for _ in range(6):  # "hi, can you show me anything …": one frame per pass
        before = text
        text = _FRAME_TRAIL.sub("", _FRAME_LEAD.sub("", text))
        text = _FRAME_TRAIL_ZH.sub("", _FRAME_LEAD_ZH.sub("", text))
        text = _FILLER.sub("", text).strip(" ,;.-，。的")
        if text == before:
            break
    if not _has_content(text):
        return ""
    return re.sub(r"\s+,", ",", text)


def _has_content(text: str) -> bool:
    for word in _WORDS.findall(text.lower()):
        if word not in _FILLER_WORDS and _FILLER_ZH.sub("", word):
            return True
    return False
