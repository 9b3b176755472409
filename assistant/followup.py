"""What a message means given the conversation so far: a new search, a refinement of the last
one, more of the same, a question about a shown product, or too vague to search."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from shopassist.catalog.models import Product
from shopassist.catalog.money import money
from shopassist.retrieval.query import COLOURS, ParsedQuery

Kind = Literal["search", "refine", "question", "clarify"]

_CHEAPER = re.compile(r"\b(?:cheaper|less\s+expensive|lower\s+price|too\s+expensive|more\s+affordable)\b|便宜一?点|更便宜|太贵", re.I)
_MORE = re.compile(r"^\s*(?:show\s+me\s+|any\s+|got\s+any\s+)?(?:some\s+)?(?:more|others?)\b|\b(?:other\s+(?:ones|options)|anything\s+else|something\s+else)\b|再来|更多|还有别的|换一批", re.I)
_OTHER_BRAND = re.compile(r"\b(?:not\s+(?:that|this|those)\s+brand|(?:a\s+)?different\s+brand|other\s+brands?|another\s+brand)\b|不要这个牌子|换个牌子|别的牌子", re.I)
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "last": -1, "第一": 1, "第二": 2, "第三": 3, "第四": 4, "第五": 5, "最后": -1,
}
_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\s+(?:one|item|product)?|#\s*(\d)\b|\bnumber\s+(\d)\b|(第[一二三四五]|最后)(?:个|款|件)?", re.I)
_QUESTION = re.compile(r"\?|？|^\s*(?:is|are|does|do|has|have|can|what|how|which|will)\b|吗|是否|有没有|多少", re.I)
_ASKED_TOPIC = re.compile(r"\b(?:is|are)\s+(?:it|(?:the\s+)?\w+\s+one)\s+(?P<a>[\w\-]+)|\b(?:does|do)\s+(?:it|(?:the\s+)?\w+\s+one)\s+(?:have|come\s+with|include)\s+(?:an?\s+)?(?P<b>[\w\- ]+?)\s*\??$|\bwhat\s+(?P<c>[\w\-]+)\b|\bhow\s+(?P<d>big|heavy|long|tall|wide|large|small)\b", re.I)
_VAGUE = frozenset(
    """something anything nice good great cool lovely gift gifts present presents stuff thing things recommend recommendation
    suggest suggestion suggestions show want need looking look find help buy get me please hi hello hey some idea ideas
    can could you would like i a an the for to of and or what do have got any best popular interesting special about
    it one is are does""".split()
)
_VAGUE_ZH = re.compile(r"推荐|东西|好的|好|一些|一点|什么|有|吗|礼物|点|我|想|要|买|请|给|个|些|的|呢|吧|你|们")


@dataclass(frozen=True)
class Intent:
    kind: Kind
    query: ParsedQuery | None = None
    exclude_ids: frozenset[str] = frozenset()
    product: Product | None = None  # the product a question is about
    topic: str = ""  # what the question asks ("waterproof")


def interpret(message: str, parse: Callable[[str], ParsedQuery], previous: ParsedQuery | None, shown: list[Product], seen: set[str]) -> Intent:
    """
    >>> from shopassist.retrieval.query import parse_query
    >>> last = parse_query("red mug")
    >>> mug = Product("1", "RED MUG", "Red Mug", price=4.0)
    >>> interpret("cheaper?", parse_query, last, [mug], {"1"}).query.max_price
    3.99
    >>> interpret("something nice", parse_query, None, [], set()).kind
    'clarify'
    """
    parsed = parse(message)
    if shown and previous is not None:
        ordinal = _ordinal(message, len(shown))
        if ordinal is not None:
            product = shown[ordinal]
            colours = parsed.colours - set(_words(product.title))
            if colours:  # "the second one in blue": more like it, in that colour
                text = " ".join(sorted(colours)) + " " + _strip_colours(product.display_title)
                return Intent("refine", replace(previous, text=text, colours=frozenset(colours)), frozenset({product.id}))
            if _QUESTION.search(message):
                return Intent("question", previous, product=product, topic=_topic(message))
        if _CHEAPER.search(message):
            priced = [p for p in shown if p.price is not None]
            if priced and min(p.price for p in priced) > 0.01:
                cheapest = min(priced, key=lambda p: p.price)
                bound = round(cheapest.price - 0.01, 2)
                label = f"under {money(cheapest.price, cheapest.currency)}"
                return Intent("refine", replace(previous, max_price=bound, cheap=False, constraints=previous.constraints + (label,)), frozenset(seen))
        if _OTHER_BRAND.search(message):
            brands = {p.brand.lower() for p in shown if p.brand}
            if brands:
                return Intent("refine", replace(previous, exclude_brands=previous.exclude_brands | brands, brands=previous.brands - brands), frozenset(seen))
            return Intent("refine", previous, frozenset(seen))  # the store lists no brands: show other products
        if _MORE.search(message) and not _has_new_words(parsed):
            return Intent("refine", _merge(previous, parsed), frozenset(seen))
        if not parsed.has_words and parsed.has_filters:  # "under £5", "not Sony": tighten the last search
            return Intent("refine", _merge(previous, parsed))
    if _is_vague(parsed):
        return Intent("clarify", parsed)
    return Intent("search", parsed)


def _ordinal(message: str, count: int) -> int | None:
    match = _ORDINAL.search(message)
    if not match:
        return None
    token = next(g for g in match.groups() if g)
    if token.isdigit():
        n = int(token)
    else:
        n = _ORDINALS.get(token.lower().rstrip("个款件"), _ORDINALS.get(token[:2], 0))
    index = count - 1 if n == -1 else n - 1
    return index if 0 <= index < count else None


_TOPICS_ZH = {"防水": "waterproof", "无线": "wireless", "蓝牙": "bluetooth", "颜色": "colour", "尺寸": "size", "大小": "size", "重量": "weight", "材料": "material", "材质": "material", "电池": "battery", "保修": "warranty"}


def _topic(message: str) -> str:
    for zh, en in _TOPICS_ZH.items():
        if zh in message:
            return en
    match = _ASKED_TOPIC.search(message)
    if match:
        return next(g for g in match.groups() if g).strip().lower()
    words = [w for w in _words(message) if w not in _VAGUE and w not in _ORDINALS and len(w) > 2]
    return words[-1] if words else ""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9\-]+", text.lower())


def _strip_colours(title: str) -> str:
    return " ".join(w for w in title.split() if w.lower() not in COLOURS)


def _has_new_words(parsed: ParsedQuery) -> bool:
    return any(w not in _VAGUE and w not in ("more", "other", "others", "ones", "options", "else", "show") for w in _words(parsed.text))


def _merge(previous: ParsedQuery, new: ParsedQuery) -> ParsedQuery:
    return replace(
        previous,
        min_price=new.min_price if new.min_price is not None else previous.min_price,
        max_price=new.max_price if new.max_price is not None else previous.max_price,
        brands=new.brands or previous.brands,
        exclude_brands=previous.exclude_brands | new.exclude_brands,
        cheap=previous.cheap or new.cheap,
        constraints=previous.constraints + new.constraints,
    )


def _is_vague(parsed: ParsedQuery) -> bool:
    """No word that could find a product ("something nice", "推荐点东西") and no constraint."""
    if parsed.has_filters:
        return False
    latin = [w for w in _words(parsed.text) if w not in _VAGUE]
    cjk = _VAGUE_ZH.sub("", "".join(re.findall(r"[\u4e00-\u9fff]", parsed.text)))
    return not latin and not cjk
