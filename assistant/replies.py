"""Answers written by code, not the model: fallbacks, clarifying questions, product facts.

Each one only says what the catalogue says.
"""

from __future__ import annotations

import re

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


def fallback(suggestions: list[Suggestion], what: str, constraints: tuple[str, ...], language: str) -> str:
    """The templated answer used when the model's output is unusable. When the shopper named
    something the suggestions are not, it says so instead of passing them off as a match."""
    missing = names_not_carried(what, suggestions)
    what = quoted(what)
    extra = f" ({', '.join(constraints)})" if constraints else ""
    if language == "zh":
        head = f"店里没有“{what}”{extra}，最接近的商品：" if missing else f"为您找到这些商品（{what}{extra}）："
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
    what = quoted(what)
    extra = f" ({', '.join(constraints)})" if constraints else ""
    if language == "zh":
        return f"抱歉，店里没有符合“{what}”{extra}的商品。换个说法或放宽条件试试？"
    return f"Sorry, the shop has nothing that matches “{what}”{extra}. Try other words or fewer constraints?"


def product_facts(product: Product, topic: str, language: str) -> str:
    """Answer a question about one shown product from its catalogue record alone."""
    facts = {"title": product.display_title, "description": product.description, **product.attributes}
    found = [(k, v) for k, v in facts.items() if topic and (topic in k.lower() or topic in str(v).lower())]
    name, price = product.display_title, money(product.price, product.currency)
    if language == "zh":
        if found:
            return f"{name}（{price}）：目录中写着 " + "；".join(f"{k}：{v}" for k, v in found[:3]) + "。"
        return f"目录里没有写明 {name}（{price}）的这一点{('（' + topic + '）') if topic else ''}。"
    if found:
        return f"{name} ({price}): the catalogue lists " + "; ".join(f"{k}: {v}" for k, v in found[:3]) + "."
    if topic:
        return f"The catalogue doesn't say whether {name} ({price}) is {topic} — I'd rather not guess."
    known = "; ".join(f"{k}: {v}" for k, v in list(product.attributes.items())[:4])
    return f"{name} costs {price}." + (f" The catalogue lists {known}." if known else "")
