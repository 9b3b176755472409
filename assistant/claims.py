"""Claims about products that a sentence makes beyond names and prices: features and comparisons.

A small model asked to say why a product suits a shopper fills the gaps in its list with
plausible detail — "made of a soft, breathable material", "available in a variety of sizes and
styles", "£0.29 is cheaper than … £0.29". Names and prices are checked elsewhere
(`grounding.Grounding`); this module finds the two other ways a sentence can state what the
catalogue does not say:

- a *feature word* (a material, colour, size, finish or capability) that the product's own
  catalogue text does not contain; generic praise ("lovely", "practical", "perfect for a party")
  is not a feature and stays allowed;
- a *comparison* between products ("cheaper than", "lighter than") that the catalogue's facts
  do not make true: prices are compared, anything else cannot be checked and is unsupported.

Chinese sentences make the same claims in other words: a feature (防水 "waterproof", 不锈钢,
红色) is supported by the product's text in either language, and "[1]比[2]便宜" is a price comparison.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shopassist.catalog.models import Product
from shopassist.retrieval.query import CHINESE_COLOURS, COLOURS

# Words that attribute a checkable property to a product (colours come from the query parser's list). Kept to properties a shopper would rely
# on and a catalogue would state; each is only a claim when the product's text lacks it (and its
# stem: "wooden" is supported by "wood", "stripes" by "striped").
FEATURE_WORDS = frozenset(
    """
    glass wood wooden metal metallic steel stainless iron tin aluminium aluminum copper brass silver gold golden
    ceramic porcelain stoneware enamel plastic acrylic vinyl rubber silicone resin paper cardboard card
    cotton linen wool woollen silk satin velvet felt leather suede denim canvas polyester nylon fleece lace jute
    bamboo wicker rattan cork marble stone slate crystal
    waterproof water-resistant windproof breathable insulated washable machine-washable dishwasher-safe
    dishwasher microwave microwave-safe oven-safe freezer-safe non-stick nonstick shatterproof unbreakable
    rechargeable battery batteries wireless bluetooth cordless usb solar electric digital magnetic
    adjustable foldable collapsible stackable reusable refillable portable lightweight heavy-duty durable sturdy
    handmade hand-painted handcrafted embroidered engraved personalised personalized organic eco-friendly
    recycled biodegradable vegan scented unscented fragranced soft padded cushioned quilted
    sizes styles colours colors designs patterns shapes variations versions
    """.split()
)

# Chinese feature words → the English feature they claim: supported by either word in the product's text.
CHINESE_FEATURES = {
    "防水": "waterproof", "防风": "windproof", "透气": "breathable", "保温": "insulated", "可水洗": "washable",
    "无线": "wireless", "蓝牙": "bluetooth", "可充电": "rechargeable", "充电式": "rechargeable", "太阳能": "solar",
    "便携": "portable", "轻便": "lightweight", "轻巧": "lightweight", "可折叠": "foldable", "可调节": "adjustable",
    "耐用": "durable", "结实": "sturdy", "手工": "handmade", "有机": "organic", "环保": "eco-friendly",
    "玻璃": "glass", "木制": "wood", "木质": "wood", "实木": "wood", "金属": "metal", "不锈钢": "stainless",
    "陶瓷": "ceramic", "塑料": "plastic", "硅胶": "silicone", "橡胶": "rubber", "皮革": "leather", "真皮": "leather",
    "纯棉": "cotton", "棉质": "cotton", "羊毛": "wool", "丝绸": "silk", "亚麻": "linen", "天鹅绒": "velvet",
    "多种尺寸": "sizes", "多种颜色": "colours", "多种款式": "styles",
} | {zh + "色": en for zh, en in CHINESE_COLOURS.items()}

# "available in a variety of sizes", "comes in many colours": a range the catalogue rarely lists.
_RANGE_CLAIM = re.compile(
    r"\b(?:available|comes?|coming|offered|made)\s+in\s+(?:a\s+)?(?:wide\s+)?(?:variety|range|choice|selection|number|lots?|many|several|different|various|multiple|all)\b",
    re.I,
)
_COMPARATIVE = re.compile(
    r"\b(?P<word>cheaper|less\s+expensive|more\s+affordable|better\s+value|more\s+expensive|pricier|dearer|costlier"
    r"|lighter|heavier|bigger|larger|smaller|longer|shorter|taller|wider|faster|slower|stronger|softer|warmer|brighter"
    r"|more\s+\w+|less\s+\w+)\s+than\b",
    re.I,
)
_CHEAPER = re.compile(r"cheaper|less\s+expensive|more\s+affordable|better\s+value", re.I)
_DEARER = re.compile(r"more\s+expensive|pricier|dearer|costlier", re.I)
_WORD = re.compile(r"[a-z][a-z\-]*")
# "[1]比[2]便宜", "价格比[2]低": X 比 Y + the quality compared; 比较 ("rather") and 比如 ("for example") compare nothing.
_COMPARATIVE_ZH = re.compile(
    r"(?<!对)比(?![较如例起赛分重])[^，。！？；,]{0,30}?(?:更|还|要|稍|略)?(?P<word>便宜|实惠|划算|贵|轻|重|大|小|长|短|高|低|快|慢|好|强|耐用|结实|安静)"
)


def product_words(product: Product) -> frozenset[str]:
    """Every lower-case word of the product's catalogue text, with simple stems.

    >>> sorted(product_words(Product("1", "WOODEN HEART", "Wooden Heart", attributes={"finish": "glass beads"})))
    ['bead', 'beads', 'finish', 'glass', 'heart', 'wood', 'wooden']
    """
    words = set(_WORD.findall(product_text(product)))
    return frozenset(words | {_stem(w) for w in words})


def product_text(product: Product) -> str:
    """The product's catalogue text in one lower-case string (a Chinese catalogue's words have no spaces to split on)."""
    return " ".join((product.title, product.display_title, product.brand or "", product.category or "", product.description,
                     *map(str, product.attributes.keys()), *map(str, product.attributes.values()))).lower()  # fmt: skip


def unsupported_feature(sentence: str, products: Sequence[Product]) -> str | None:
    """The first feature the sentence states that none of `products` has in its catalogue text
    (the products the sentence is about), or None when every feature it names is supported.

    >>> mug = Product("1", "RED CERAMIC MUG", "Red Ceramic Mug")
    >>> unsupported_feature("This ceramic mug is a cheerful pick.", [mug]) is None
    True
    >>> unsupported_feature("It is made of a soft, breathable material.", [mug])
    'soft'
    >>> unsupported_feature("It is available in a variety of sizes and styles.", [mug])
    'available in a variety'
    >>> unsupported_feature("这款陶瓷杯是红色的。", [mug]) is None, unsupported_feature("它是防水的。", [mug])
    (True, '防水')
    """
    known = set().union(*(product_words(p) for p in products)) if products else set()
    text = " ".join(product_text(p) for p in products)
    for zh, en in CHINESE_FEATURES.items():
        if zh in sentence and zh not in text and en not in known and _stem(en) not in known:
            # a colour is also written without 色 in a title ("黑白色", "玫瑰金")
            if not (zh.endswith("色") and zh[0] in text):
                return zh
    if (claim := _RANGE_CLAIM.search(sentence)) and not {"sizes", "colours", "colors", "styles", "assorted"} & known:
        return claim.group(0).lower()
    for word in _WORD.findall(sentence.lower()):
        if (word in FEATURE_WORDS or word in COLOURS) and word not in known and _stem(word) not in known:
            return word
    return None


def false_comparison(sentence: str, cited: Sequence[Product]) -> str | None:
    """The comparison the sentence makes that the catalogue does not make true, or None.

    Price comparisons between the first two products the sentence cites are checked against
    their prices; any other comparison ("lighter than") is not in the catalogue's facts.

    >>> a, b = Product("1", "A", "A", price=2.0), Product("2", "B", "B", price=3.0)
    >>> false_comparison("[1] is cheaper than [2].", [a, b]) is None
    True
    >>> false_comparison("[2] is cheaper than [1].", [b, a])
    'cheaper than'
    >>> false_comparison("[1] is lighter than [2].", [a, b])
    'lighter than'
    >>> false_comparison("[1]比[2]便宜。", [a, b]) is None, false_comparison("[2]比[1]便宜。", [b, a]), false_comparison("[1]比[2]轻。", [a, b])
    (True, '比[1]便宜', '比[2]轻')
    """
    for match in _COMPARATIVE_ZH.finditer(sentence):
        word, phrase = match.group("word"), match.group(0)
        priced = "价" in sentence and word in ("高", "低")
        cheaper, dearer = word in ("便宜", "实惠", "划算") or (priced and word == "低"), word == "贵" or (priced and word == "高")
        if not (cheaper or dearer) or not _price_order_holds(bool(cheaper), cited):
            return phrase
    for match in _COMPARATIVE.finditer(sentence):
        word, phrase = match.group("word"), match.group(0).lower()
        cheaper, dearer = _CHEAPER.fullmatch(word), _DEARER.fullmatch(word)
        if not (cheaper or dearer):
            if word.lower().startswith(("more ", "less ")) and word.split()[1].lower() in _NOT_A_CLAIM:
                continue  # "more than" phrases like "more fun than" praise, they do not measure
            return re.sub(r"\s+", " ", phrase)
        if not _price_order_holds(bool(cheaper), cited):
            return re.sub(r"\s+", " ", phrase)
    return None


def _price_order_holds(cheaper: bool, cited: Sequence[Product]) -> bool:
    """Whether the first product cited is cheaper (or, if not `cheaper`, dearer) than the second."""
    if len(cited) < 2 or cited[0].price is None or cited[1].price is None:
        return False
    first, second = cited[0].price, cited[1].price
    return first < second if cheaper else first > second


_NOT_A_CLAIM = frozenset("fun festive cheerful charming lovely special useful practical popular".split())


def _stem(word: str) -> str:
    """Enough stemming to match a claim with its catalogue wording ("wooden"/"wood", "glasses"/"glass")."""
    if word.endswith("ss"):
        return word
    for suffix in ("en", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
