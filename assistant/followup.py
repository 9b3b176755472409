"""What a message means given the conversation so far: a new search, a refinement of the last
one, more of the same, a question about a shown product, a brand the shop does not carry, or too
vague to search.

A follow-up is read against the search in force: a message whose only content is a brand, a
budget, a colour, a size or a request for more ("do you have anything from Lenovo?", "my budget is
500", "what else do you have?") refines it, and constraints persist until lifted ("any brand").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from shopassist.catalog.models import Product
from shopassist.catalog.money import money
from shopassist.retrieval.query import CHINESE_BRANDS, CHINESE_COLOURS, COLOURS, ParsedQuery, brand_label

Kind = Literal["search", "refine", "question", "compare", "cart", "clarify", "not_carried"]

_CHEAPER = re.compile(r"\b(?:cheaper|less\s+expensive|lower\s+price|too\s+expensive|more\s+affordable)\b|便宜一?点|更便宜|太贵", re.I)
_MORE = re.compile(
    r"^\s*(?:show\s+me\s+|any\s+|got\s+any\s+)?(?:some\s+)?(?:more|others?)\b(?!\s+than)"
    r"|\b(?:other\s+(?:ones|options)|(?:anything|something|what)\s+else)\b|再来|更多|还有(?:别的|其他|吗|没有)|别的呢|其他的呢|换一批"
    # paging through the same list: "next", "next page", "keep going", "different ones", "下一批", "再找找"
    r"|^\s*(?:next|continue|go\s+on)\b|\b(?:keep|carry)\s+(?:going|looking|searching)\b|\b(?:different|new)\s+ones\b|下一[批页组个]|再找|别的|其他"
    # "a few more", "can I see more?", "the rest", "any alternatives?", "another three", "something different" — not "2000 mAh or more"
    r"|\b(?<!or\s)(?:more|others|alternatives?|rest)\b(?!\s+(?:than|expensive|pricey|costly))|\banother\b|\b(?:something|anything)\s+different\b"
    # passing over what is shown: "not these", "none of these work", "I don't like any of them", "keep them coming"
    r"|^\s*not\s+(?:these|those|them)\b|\bnone\s+of\s+(?:these|those|them)\b|\bdon'?t\s+like\s+(?:any\s+of\s+)?(?:these|those|them)\b"
    r"|\bkeep\s+(?:them|'em)\s+coming\b",
    re.I,
)
_OTHER_BRAND = re.compile(r"\b(?:not\s+(?:that|this|those)\s+brand|(?:a\s+)?different\s+brand|other\s+brands?|another\s+brand)\b|不要这个牌子|换个牌子|别的牌子", re.I)
# A correction names the product again in other words ("no, I need a notebook", "I meant a backpack",
# "a docking station, not these", "我是说…"): the words are new, the brand, budget, colour and size the
# shopper gave still stand. A plain new product ("a mouse") starts a new search.
_CORRECTION = re.compile(
    r"^\s*(?:no|nope|not\s+quite|wrong|sorry)\b|^\s*try\b"
    r"|\b(?:i\s+mean[t]?|actually|rather|instead|what\s+i\s+(?:need|want|mean[t]?|am\s+after|'m\s+after)"
    r"|(?:kind|sort|type)\s+of\s+(?:thing|product|item)s?\s+(?:i|we)|not\s+(?:these|those|them|this|that|what\s+i))\b"
    r"|我是说|应该是|不是这些|不是那些|不是这个|具体(?:来说|地说|是)|我想要的是|我要的是|其实",
    re.I,
)
# Sizes a shopper narrows by ("15 inch", "XL", "a large one"); bare letters only after "size".
_SIZE = re.compile(
    r"\bsize\s+(?:x{0,3}[sl]|m|\d+(?![\d.,]*\s*(?:\"|”|-?inch|[cm]?m\b|[mgkt]b|ml|lit|mah|k?w\b|k?g\b|l\b)))\b"
    r"|\b(?:x{1,3}[sl]|small|medium|large|extra[\s-]large|mini|compact|jumbo|giant|tiny)\b"
    # a capacity or weight is a size too: "2000 mAh", "500 W", "1.5 kg", "64 MB", "2 m" (a cable's length)
    r"|(?<![\w.])\d+(?:[.,]\d+)?\s*(?:\"|”|-?inch(?:es)?\b|[cm]?m\b|[mgkt]b\b|ml\b|litres?\b|liters?\b|l\b|mah\b|k?w\b|k?g\b)|[大中小]号"
    r"|(?<![\w.])\d+(?:[.,]\d+)?in\b",  # "2.5in" (written together: "3 in 1" is no size)
    re.I,
)
# Words of a follow-up that ask for a change, not for a product ("something cheaper", "other options"),
# and the words people wrap a wish in ("make it Lenovo", "black would be best", "the 15 inch version",
# "I need it in red"): said beside a constraint, none of them names a product to search for.
_FOLLOW_UP_WORDS = frozenset(
    """more other others ones options else show cheaper less expensive instead different brand brands in with
    make prefer preferably preferred ideally rather would should must has have needs need be best better fine ok okay
    version versions model models variant variants kind type style colour color coloured colored size sized
    only just really definitely go going keep next new also too then that those this these please maybe
    none nope no not wrong quite those these mine few see let rest alternative alternatives another continue on
    three two don dont t like pay spend afford come comes made they is my if possible trust switch change swap around roughly about
    page pages result results coming work works stick loyal range favourite favorite them em
    ideal ideally perfect bigger smaller larger we exactly sized nothing sizes size-wise search available interested
    hope hoping hoped hopefully wish wishing was were am been fancy finish shade looks nicer prettier makes stock stocks carry
    narrow filter though chance at least most up minimum min max maximum over under than approximately suit
    option same but or so capacity suits list limit restrict
    m s d ll re ve""".split()  # the pieces of "I'm", "budget's", "I'd" once split into words
)
_FOLLOW_UP_ZH = re.compile(r"还有|别的|其他|更多|再来|换一批|下一[批页组个]|再找找?|便宜|品牌|牌子|规格|尺寸|尺码|型号|款式?|颜色|色|只|需要|必须|应该|换成?|看看|就|都不是|不太?对|不是这些")
# A shopper's loyalty to a maker is a wish for the brand, not for a product: "I'm a Sony fan", "big fan of Sony".
_FAN = r"(?:fan|lover|loyalist|person|guy|girl)s?"
_FAN_ADJ = r"(?:(?:big|huge|great|loyal|long[-\s]?time|die[-\s]?hard)\s+)?"
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "last": -1, "第一": 1, "第二": 2, "第三": 3, "第四": 4, "第五": 5, "最后": -1,
}
_ORD = r"(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)"
# An ordinal that points at a shown product: "the second", "second one", "… the last?" — not "a first aid kit".
_ORDINAL = re.compile(
    rf"\b(?:the|that|this)\s+{_ORD}\b|\b{_ORD}\s+(?:one|item|product)\b|\b{_ORD}(?=\s*[?？.!,]?\s*$)|^\s*{_ORD}\s*[:,\-–—]"
    r"|#\s*(\d)\b|\b(?:number|item|product|option|no\.)\s*(\d)\b|(第[一二三四五]|最后)(?:个|款|件)?",
    re.I,
)
# "which is cheaper, the first or the second?", "compare them", "哪个更便宜" — answered by code from catalogue facts.
_COMPARE = re.compile(
    r"\bwhich\s+(?:one\s+)?(?:is|'s)\s+(?:the\s+)?(?:cheaper|cheapest|more\s+expensive|pricier|better\s+value)\b"
    r"|\b(?:compare|comparison|difference\s+between|differences\s+between|versus|vs\.?)\b|哪个更?(?:便宜|贵|好)|比较|区别|对比",
    re.I,
)
_PRICE_ASPECT = re.compile(r"cheap|expensive|pric|cost|value|便宜|贵|价", re.I)
# "add the second one to my cart", "I'll take the first", "把第二个加入购物车".
_CART = re.compile(
    r"\b(?:add|put|pop|place)\b.*\b(?:cart|basket|bag|trolley)\b|\bi(?:'ll| will)\s+take\b|\bi(?:'d| would)\s+like\s+to\s+buy\b"
    r"|\bbuy\s+(?:the|it|that|this)\b|加入购物车|放进购物车|加到购物车|我要买|就要",
    re.I,
)
# In a comparison or a cart request the ordinals stand alone ("the first or the second?").
_ORDINAL_WORD = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\b|#\s*(\d)\b|\bnumber\s+(\d)\b|(第[一二三四五]|最后)", re.I)
_QUESTION = re.compile(r"\?|？|^\s*(?:is|are|does|do|has|have|can|what|how|which|will)\b|吗|是否|有没有|多少", re.I)
_SUBJECT = r"(?:it|they|this|that|(?:the\s+)?\w+\s+one)"
# The predicate is kept with its verb, so an answer can say exactly what was asked ("whether … is made of glass").
_ASKED_TOPIC = re.compile(
    rf"\b(?:is|are)\s+{_SUBJECT}\s+(?P<is>[\w\-]+(?:\s+[\w\-]+){{0,3}}?)\s*[?？.!]*$"
    rf"|\b(?:does|do)\s+{_SUBJECT}\s+(?P<has>(?:have|come\s+with|include)\s+(?:an?\s+)?[\w\- ]+?)\s*[?？.!]*$"
    r"|\bwhat\s+(?P<what>[\w\-]+)\b|\bhow\s+(?P<how>big|heavy|long|tall|wide|large|small)\b"
    r"|\bthe\s+(?P<of>[a-z]+(?:\s+[a-z]+)?)\s+(?:of|on|for)\s+(?:(?:the|that|this|it|item|option|number|product)\b|#)",  # "… the battery life of the first one / of item 2"
    re.I,
)
# What shoppers ask about a product by name, longest first: found anywhere in a question, whatever its frame.
_KNOWN_TOPIC = re.compile(
    r"\b(?:battery\s+life|screen\s+size|warranty|weight|colou?r|dimensions|size|material|capacity|resolution|memory|storage"
    r"|power|speed|height|width|length|noise)\b",
    re.I,
)
_THIRD_PERSON = {"have": "has", "come": "comes", "include": "includes"}
_HOW = {"big": "size", "large": "size", "small": "size", "heavy": "weight", "long": "length", "tall": "height", "wide": "width"}
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
    query: ParsedQuery | None = None  # the search to run; for "not_carried", the one in force after it
    exclude_ids: frozenset[str] = frozenset()
    product: Product | None = None  # the product a question is about, or the one put in the cart
    compared: tuple[Product, ...] = ()  # the shown products a comparison is between
    topic: str = ""  # what the question asks, with its verb ("is made of glass", "has a battery", "colour")
    missing: tuple[str, ...] = ()  # brands asked for that the shop does not carry ("Acme")
    # A narrower search shows what the shopper has not seen first: those already shown were passed over.
    # Lifting a constraint ("any brand is fine") brings back the wider list as it was.
    unseen_first: bool = False


def interpret(message: str, parse: Callable[[str], ParsedQuery], previous: ParsedQuery | None, shown: list[Product], seen: set[str]) -> Intent:
    """
    >>> from shopassist.retrieval.query import Vocabulary, parse_query
    >>> parse = lambda m: parse_query(m, Vocabulary(frozenset({"lenovo"})))
    >>> last = parse("laptop")
    >>> mug = Product("1", "RED MUG", "Red Mug", price=4.0)
    >>> interpret("cheaper?", parse, last, [mug], {"1"}).query.max_price
    3.99
    >>> intent = interpret("do you have anything from Lenovo?", parse, last, [mug], {"1"})
    >>> intent.kind, intent.query.text, sorted(intent.query.brands)
    ('refine', 'laptop', ['lenovo'])
    >>> interpret("something nice", parse, None, [], set()).kind
    'clarify'
    """
    parsed = parse(message)
    picked = [shown[i] for i in _ordinals(message, len(shown))] if shown else []
    if shown and (_COMPARE.search(message) or _CART.search(message) or len(picked) >= 2):
        if _CART.search(message) and (picked or len(shown) == 1):
            return Intent("cart", previous, product=(picked or shown)[0])
        # "which of the first and third?", "the second or the third one?": two shown products named together
        if _COMPARE.search(message) or len(picked) >= 2:
            compared = tuple(picked) if len(picked) >= 2 else tuple(shown)
            return Intent("compare", previous, compared=compared, topic="price" if _PRICE_ASPECT.search(message) else "")
    if shown and previous is not None:
        ordinal = _ordinal(message, len(shown))
        if ordinal is not None:
            product = shown[ordinal]
            colours = parsed.colours - set(_words(product.title))
            if colours:  # "the second one in blue": more like it, in that colour
                text = " ".join(sorted(colours)) + " " + _strip_colours(product.display_title)
                return Intent("refine", replace(previous, text=text, colours=frozenset(colours)), frozenset({product.id}))
            if _QUESTION.search(message) or not _narrows(parsed):
                return Intent("question", previous, product=product, topic=_topic(message))
    new_words = _has_new_words(parsed)
    if parsed.missing_brands:  # "anything from Acme?": say so, and keep the search that was in force
        return Intent("not_carried", parsed if new_words else previous, missing=parsed.missing_brands)
    if previous is not None and not new_words:
        if _CHEAPER.search(message) and parsed.max_price is None and shown:  # an explicit number beats "cheaper"
            priced = [p for p in shown if p.price is not None]
            if priced and min(p.price for p in priced) > 0.01:
                cheapest = min(priced, key=lambda p: p.price)
                bound = replace(parsed, max_price=round(cheapest.price - 0.01, 2), cap_is_budget=False,
                                constraints=parsed.constraints + (f"under {money(cheapest.price, cheapest.currency)}",))
                return Intent("refine", _merge(previous, bound, parse), frozenset(seen))
        if _OTHER_BRAND.search(message):
            brands = {p.brand.lower() for p in shown if p.brand}
            if brands:
                return Intent("refine", replace(previous, exclude_brands=previous.exclude_brands | brands, brands=previous.brands - brands), frozenset(seen))
            return Intent("refine", previous, frozenset(seen))  # the store lists no brands: show other products
        more = bool(_MORE.search(message))
        if more or _narrows(parsed):
            lifts = parsed.any_brand or parsed.any_price
            return Intent("refine", _merge(previous, parsed, parse), frozenset(seen) if more else frozenset(), unseen_first=not lifts)
    if previous is not None and new_words and _CORRECTION.search(message):
        return Intent("refine", _reworded(previous, parsed, parse), unseen_first=True)
    if _is_vague(parsed):
        return Intent("clarify", parsed)
    return Intent("search", parsed)


def stated(query: ParsedQuery) -> tuple[str, ...]:
    """The colours and sizes a refined search asks of a product's title ("black", "15.6 inch").

    >>> stated(ParsedQuery("", "red laptop bag 15 inch", colours=frozenset({"red"})))
    ('red', '15 inch')
    """
    return tuple(sorted(query.colours)) + tuple(dict.fromkeys(s.lower() for s in _SIZE.findall(query.text)))


def states(title: str, phrase: str) -> bool:
    """Whether a title states a colour or size, however the size is spaced or marked.

    >>> states('Acer 15.6" laptop Black', "15.6 inch"), states("Acer 15.6 inch laptop", "15 inch"), states("Black", "black")
    (True, False, True)
    >>> states('StarTech.com 2.5" SATA enclosure', "2.5in"), states("StarTech.com 2.5in SATA enclosure", "2.5 inch")
    (True, True)
    """
    if phrase in COLOURS:
        return phrase in _words(title)
    spelled, wanted = (re.sub(r"(?<=\d)in\b", "inch", re.sub(r"(?<=\d)[\s-]+(?=[a-z])", "", re.sub(r'"|”|\'\'|\binches\b', " inch", t.lower())))
                       for t in (title, phrase))
    return bool(re.search(rf"(?<![\d.]){re.escape(wanted)}(?![a-z])", spelled))


def _narrows(parsed: ParsedQuery) -> bool:
    """The message sets or lifts something: a bound, a brand, a colour, a size."""
    return bool(
        parsed.has_filters or parsed.cheap or parsed.any_brand or parsed.any_price or parsed.mentioned_brands
        or parsed.colours or _SIZE.search(parsed.text)
    )


def _ordinal(message: str, count: int) -> int | None:
    found = _ordinals(message, count, _ORDINAL)
    return found[0] if found else None


def _ordinals(message: str, count: int, pattern: re.Pattern[str] = _ORDINAL_WORD) -> list[int]:
    """Positions (0-based) of the shown products a message points at, in its order, each once.

    >>> _ordinals("which is cheaper, the first or the second?", 3), _ordinals("第三个和第一个", 3), _ordinals("the 5th", 3)
    ([0, 1], [2, 0], [])
    """
    found: list[int] = []
    for match in pattern.finditer(message):
        token = next(g for g in match.groups() if g)
        n = int(token) if token.isdigit() else _ORDINALS.get(token.lower().rstrip("个款件"), _ORDINALS.get(token[:2], 0))
        index = count - 1 if n == -1 else n - 1
        if 0 <= index < count and index not in found:
            found.append(index)
    return found


TOPICS_ZH = {"防水": "waterproof", "无线": "wireless", "蓝牙": "bluetooth", "颜色": "colour", "尺寸": "size", "大小": "size", "重量": "weight", "材料": "material", "材质": "material", "电池": "battery", "保修": "warranty"}


def _topic(message: str) -> str:
    """What a question about a product asks, worded to follow its name.

    >>> _topic("is the second one made of glass?"), _topic("does it have a battery?"), _topic("how heavy is it?")
    ('is made of glass', 'has a battery', 'weight')
    """
    for zh, en in TOPICS_ZH.items():
        if zh in message:
            return en
    match = _ASKED_TOPIC.search(message)
    if match is not None and (asked := match.group("is")):
        return "is " + asked.strip().lower()
    if match is not None and (asked := match.group("has")):
        verb, _, rest = re.sub(r"\s+", " ", asked.strip().lower()).partition(" ")
        return f"{_THIRD_PERSON.get(verb, verb)} {rest}".strip()
    if match is not None and (asked := match.group("how")):
        return _HOW[asked.lower()]
    if known := _KNOWN_TOPIC.search(message):  # "what can you tell me about the weight of the second?"
        return known.group(0).lower().replace("color", "colour")
    if match is None:
        words = [w for w in _words(message) if w not in _VAGUE and w not in _ORDINALS and len(w) > 2]
        return words[-1] if words else ""
    if asked := match.group("of"):
        return asked.lower()
    return match.group("what").lower()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9\-]+", text.lower())


def _strip_colours(title: str) -> str:
    return " ".join(w for w in title.split() if w.lower() not in COLOURS)


def _has_new_words(parsed: ParsedQuery) -> bool:
    """Words that name something to search for — beyond framing, follow-up words, colours, sizes and
    the brands the catalogue knows ("Lenovo ones", "red please", "15 inch" have none)."""
    text = _SIZE.sub(" ", parsed.text.lower())
    for brand in parsed.mentioned_brands:  # Latin names inside Chinese ("有lenovo的吗") have no word boundary
        name = re.escape(brand)
        text = re.sub(rf"(?:\b{_FAN_ADJ}{_FAN}\s+of\s+|\b{_FAN_ADJ})?(?<![a-z0-9]){name}(?![a-z0-9])(?:\s+{_FAN}\b)?", " ", text)
    known = _VAGUE | _FOLLOW_UP_WORDS | COLOURS
    if any(any(part not in known for part in w.split("-")) for w in _words(text)):  # "black-coloured", "my go-to"
        return True
    cjk = "".join(re.findall(r"[\u4e00-\u9fff]+", text))
    for zh, brand in CHINESE_BRANDS.items():
        if brand in parsed.mentioned_brands:
            cjk = cjk.replace(zh, "")
    for zh in CHINESE_COLOURS:
        cjk = cjk.replace(zh + "色", "")
    return bool(_VAGUE_ZH.sub("", _FOLLOW_UP_ZH.sub("", cjk)))


def _merge(previous: ParsedQuery, new: ParsedQuery, parse: Callable[[str], ParsedQuery]) -> ParsedQuery:
    """The search in force, narrowed (or widened) by a follow-up. A new bound or brand replaces the
    old one; "any brand" / "any price" lift them; everything else persists."""
    wanted = new.brands | new.mentioned_brands  # "Lenovo?" after "laptop": the brand is the refinement
    brands = set() if new.any_brand else set(previous.brands)
    excluded = set() if new.any_brand else set(previous.exclude_brands)
    if wanted:
        brands = set(wanted)
    excluded = (excluded - wanted) | new.exclude_brands
    brands -= new.exclude_brands

    lo, hi = (None, None) if new.any_price else (previous.min_price, previous.max_price)
    if new.min_price is not None:
        lo = new.min_price
        hi = hi if hi is None or hi >= lo or new.max_price is not None else None  # "over 300" after "under 200"
    if new.max_price is not None:
        hi = new.max_price
        lo = lo if lo is None or lo <= hi or new.min_price is not None else None
    cheap = new.cheap or (previous.cheap and not new.any_price and hi is None)
    # Whether the cap in force is one the shopper named (not one "cheaper" took): the new cap's say, else the old one's.
    cap_is_budget = new.cap_is_budget if new.max_price is not None else previous.cap_is_budget

    def holds(label: str) -> bool:  # a phrase of the earlier search that still describes this one
        said = parse(label)
        if (said.max_price is not None or said.cheap) and (new.any_price or new.max_price is not None):
            return False
        if said.min_price is not None and (new.any_price or new.min_price is not None):
            return False
        if said.brands and (new.any_brand or wanted or said.brands & new.exclude_brands):
            return False
        return not (said.exclude_brands and (new.any_brand or said.exclude_brands & wanted))

    kept = tuple(c for c in previous.constraints if holds(c))
    named = tuple(f"{brand_label(b)} only" for b in sorted(new.mentioned_brands - new.brands))  # "Lenovo?" says no "only"
    text, colours = previous.text, previous.colours
    if new.colours:  # "in red", "blue ones": the colour replaces the one asked for before
        text = " ".join(sorted(new.colours)) + " " + _strip_colours(text)
        colours = new.colours
    if sizes := _SIZE.findall(new.text):
        text = _SIZE.sub(" ", text).strip() + " " + " ".join(sizes)
    return replace(
        previous,
        text=re.sub(r"\s+", " ", text).strip(),
        min_price=lo,
        max_price=hi,
        cap_is_budget=cap_is_budget,
        brands=frozenset(brands),
        exclude_brands=frozenset(excluded),
        colours=colours,
        cheap=cheap,
        constraints=kept + tuple(c for c in new.constraints + named if c not in kept),
    )


def _reworded(previous: ParsedQuery, new: ParsedQuery, parse: Callable[[str], ParsedQuery]) -> ParsedQuery:
    """The search in force with the product named again: the new words replace the old ones, the
    constraints (and the colour and size asked for) stay unless the correction changes them.

    >>> from shopassist.retrieval.query import Vocabulary, parse_query
    >>> parse = lambda m: parse_query(m, Vocabulary(frozenset({"lenovo"})))
    >>> q = _reworded(parse("black laptop bag 15 inch, only Lenovo, under 80"), parse("a backpack"), parse)
    >>> q.text, sorted(q.brands), q.max_price
    ('black backpack 15 inch', ['lenovo'], 80.0)
    >>> _reworded(q, parse("I meant a red sleeve"), parse).text
    'red sleeve 15 inch'
    """
    merged = _merge(previous, new, parse)
    colours = new.colours or previous.colours
    sizes = [] if _SIZE.search(new.text) else _SIZE.findall(previous.text)
    text = " ".join([*sorted(colours), _strip_colours(new.text), *sizes])
    return replace(merged, text=re.sub(r"\s+", " ", text).strip(), colours=colours)


def _is_vague(parsed: ParsedQuery) -> bool:
    """No word that could find a product ("something nice", "推荐点东西") and no constraint."""
    if parsed.has_filters:
        return False
    latin = [w for w in _words(parsed.text) if w not in _VAGUE]
    cjk = _VAGUE_ZH.sub("", "".join(re.findall(r"[\u4e00-\u9fff]", parsed.text)))
    return not latin and not cjk
