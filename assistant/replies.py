"""Answers written by code, not the model: fallbacks, clarifying questions, product facts.

Each one only says what the catalogue says.
"""

from __future__ import annotations

import re

from shopassist.assistant.followup import TOPICS_ZH
from shopassist.assistant.grounding import _MONEY, _WORD, COMMON_WORDS
from shopassist.catalog.models import Product
from shopassist.catalog.money import money
from shopassist.ranking.contract import Suggestion


def language_of(text: str) -> str:
    """'zh' when the message is written in Chinese characters, else 'en'.

    >>> language_of("500元以下的耳机"), language_of("a red mug")
    ('zh', 'en')
    """
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


def suggestion_list(suggestions: list[Suggestion], language: str) -> str:
    sep = "：" if language == "zh" else ": "
    return "\n".join(f"{i}. {s.product.display_title} — {money(s.product.price, s.product.currency)}{sep}{s.reason}" for i, s in enumerate(suggestions, 1))


def quoted(what: str) -> str:
    """The shopper's words as echoed back, without amounts of money: an answer states only
    catalogue prices, even when quoting.

    >>> quoted("anything for £0.01?")
    'anything for …?'
    """
    return _MONEY.sub("…", what).strip()


def names_not_carried(what: str, suggestions: list[Suggestion]) -> list[str]:
    """Names the shopper asked for (capitalised words) that none of the suggestions contain.

    >>> mug = Suggestion(Product("1", "RED MUG", "Red Mug", price=4.5), 1.0, "", {})
    >>> names_not_carried("a Rolex Submariner", [mug]), names_not_carried("Red mug", [mug])
    (['Rolex', 'Submariner'], [])
    """
    carried = {w.lower() for s in suggestions for w in _WORD.findall(f"{s.product.title} {s.product.display_title} {s.product.brand or ''}")}
    return [w for w in _WORD.findall(what) if w[0].isupper() and w.lower() not in carried and w.lower() not in COMMON_WORDS]


def _extra(constraints: tuple[str, ...], language: str) -> str:
    """The constraints understood, in brackets: "（100元以下，not Philips）" reads as Chinese."""
    if not constraints:
        return ""
    return f"（{'，'.join(constraints)}）" if language == "zh" else f" ({', '.join(constraints)})"


def fallback(suggestions: list[Suggestion], what: str, constraints: tuple[str, ...], language: str) -> str:
    """The templated answer used when the model's output is unusable. When the shopper named
    something the suggestions are not, it says so instead of passing them off as a match.

    >>> mug = Suggestion(Product("1", "RED MUG", "Red Mug", price=4.5), 1.0, "匹配", {})
    >>> print(fallback([mug], "马克杯", ("5元以下",), "zh"))
    按“马克杯”（5元以下）为您找到这几款：
    1. Red Mug — £4.50：匹配
    >>> fallback([mug], "Rolex 手表", (), "zh").splitlines()[0]
    '没有找到“Rolex 手表”，最接近的是这几款：'
    """
    missing = names_not_carried(what, suggestions)
    what = quoted(what)
    extra = _extra(constraints, language)
    if language == "zh":
        head = f"没有找到“{what}”{extra}，最接近的是这几款：" if missing else f"按“{what}”{extra}为您找到这几款："
    elif missing:
        head = f"The shop doesn't carry “{what}”{extra}; the closest products it has:"
    else:
        head = f"Here is what I found for “{what}”{extra}:"
    return f"{head}\n{suggestion_list(suggestions, language)}"


def clarify(language: str) -> str:
    if language == "zh":
        return "想找什么样的东西呢？告诉我是给谁的、喜欢什么，或者预算多少，我来帮您挑。"
    return "Happy to help! What are you looking for — who is it for, what do they like, or what's your budget?"


def no_results(what: str, constraints: tuple[str, ...], language: str) -> str:
    """
    >>> no_results("飞机模型", ("10元以下",), "zh")
    '抱歉，没有找到符合“飞机模型”（10元以下）的商品。换个说法，或者放宽条件试试？'
    """
    what = quoted(what)
    extra = _extra(constraints, language)
    if language == "zh":
        return f"抱歉，没有找到符合“{what}”{extra}的商品。换个说法，或者放宽条件试试？"
    return f"Sorry, the shop has nothing that matches “{what}”{extra}. Try other words or fewer constraints?"


def comparison(products: list[Product], topic: str, language: str) -> str:
    """Shown products compared from their catalogue records: by price when the shopper asked
    which is cheaper (or dearer), else price, brand and listed attributes side by side.

    >>> a = Product("1", "RED MUG", "Red Mug", price=4.5)
    >>> b = Product("2", "BLUE MUG", "Blue Mug", price=3.0)
    >>> print(comparison([a, b], "price", "en"))
    Blue Mug (£3.00) is cheaper than Red Mug (£4.50), by £1.50.
    >>> print(comparison([a, b], "", "en"))
    Red Mug: £4.50.
    Blue Mug: £3.00.
    """
    priced = sorted((p for p in products if p.price is not None), key=lambda p: p.price)
    if topic == "price" and len(priced) >= 2:
        low, high = priced[0], priced[-1]
        if low.price == high.price:
            listed = ", ".join(f"{p.display_title} ({money(p.price, p.currency)})" for p in priced)
            return f"这几款价格一样：{'、'.join(f'{p.display_title}（{money(p.price, p.currency)}）' for p in priced)}。" if language == "zh" else f"They cost the same: {listed}."
        gap = money(high.price - low.price, low.currency)
        if language == "zh":  # "A（¥20.00）比B（¥35.00）便宜¥15.00。"
            return f"{low.display_title}（{money(low.price, low.currency)}）比{high.display_title}（{money(high.price, high.currency)}）便宜{gap}。"
        return f"{low.display_title} ({money(low.price, low.currency)}) is cheaper than {high.display_title} ({money(high.price, high.currency)}), by {gap}."
    lines = []
    for p in products:
        facts = [money(p.price, p.currency)] + ([p.brand] if p.brand else []) + [f"{k}: {v}" for k, v in list(p.attributes.items())[:4]]
        lines.append(f"{p.display_title}{'：' if language == 'zh' else ': '}{'; '.join(facts)}{'。' if language == 'zh' else '.'}")
    return "\n".join(lines)


def added_to_cart(product: Product, language: str) -> str:
    """The confirmation of an add-to-cart asked for in words.

    >>> added_to_cart(Product("1", "RED MUG", "Red Mug", price=4.5), "en")
    'Added Red Mug (£4.50) to your cart.'
    """
    if language == "zh":
        return f"已把{product.display_title}（{money(product.price, product.currency)}）加入购物车。"
    return f"Added {product.display_title} ({money(product.price, product.currency)}) to your cart."


def not_carried(brands: tuple[str, ...], language: str) -> str:
    """The shopper asked for a brand the catalogue does not list: say so, rather than search its name.

    >>> not_carried(("Acme",), "en")
    "The shop doesn't carry Acme. Another brand, or 'any brand'?"
    """
    names = " / ".join(brands)
    if language == "zh":
        return f"抱歉，店里没有{'、'.join(brands)}的商品。要不要看看别的品牌，或者不限品牌？"
    return f"The shop doesn't carry {names}. Another brand, or 'any brand'?"


# The Chinese word a question's topic was read from, to answer in it; the yes-or-no ones take 是否.
_ASKED_ZH = {en: zh for zh, en in reversed(TOPICS_ZH.items())}
_YES_NO = frozenset({"waterproof", "wireless", "bluetooth"})

# Words of a question that are not what it asks about: "is made of glass" is looked up as "glass".
_ASKING_WORDS = frozenset("is are has have comes come includes include with made of from in a an the it good for".split())


def product_facts(product: Product, topic: str, language: str) -> str:
    """Answer a question about one shown product from its catalogue record alone. `topic` is what
    was asked, worded to follow the product's name ("is made of glass", "has a battery", "colour").

    >>> crates = Product("7", "WOODEN CRATES", "Set of 2 Wooden Market Crates", price=12.75)
    >>> product_facts(crates, "is made of glass", "en")
    "The catalogue doesn't say whether Set of 2 Wooden Market Crates (£12.75) is made of glass — I'd rather not guess."
    """
    facts = {"title": product.display_title, "description": product.description, **product.attributes}
    terms = [w for w in re.findall(r"[\w\-]+", topic.lower()) if w not in _ASKING_WORDS] or [topic.lower()]
    found = [(k, v) for k, v in facts.items() if topic and all(t in k.lower() or t in str(v).lower() for t in terms)]
    if not found and language == "zh" and _ASKED_ZH.get(topic):  # a Chinese catalogue says 防水, not "waterproof"
        found = [(k, v) for k, v in facts.items() if _ASKED_ZH[topic] in str(v)]
    name, price = product.display_title, money(product.price, product.currency)
    if language == "zh":  # "目录里没有写明 X（¥40.95）是否防水，我不想乱猜。"
        if found:
            return f"{name}（{price}）：目录中写着 " + "；".join(f"{k}：{v}" for k, v in found[:3]) + "。"
        asked = _ASKED_ZH.get(topic, "")
        if not asked:
            return f"目录里没有写明 {name}（{price}）的这一点{('（' + topic + '）') if topic else ''}，我不想乱猜。"
        return f"目录里没有写明 {name}（{price}）{'是否' if topic in _YES_NO else '的'}{asked}，我不想乱猜。"
    if found:
        return f"{name} ({price}): the catalogue lists " + "; ".join(f"{k}: {v}" for k, v in found[:3]) + "."
    if topic.split(" ", 1)[0] in ("is", "are", "has", "comes", "includes"):
        return f"The catalogue doesn't say whether {name} ({price}) {topic} — I'd rather not guess."
    if topic:
        return f"The catalogue doesn't give the {topic} of {name} ({price}) — I'd rather not guess."
    known = "; ".join(f"{k}: {v}" for k, v in list(product.attributes.items())[:4])
    return f"{name} costs {price}." + (f" The catalogue lists {known}." if known else "")
