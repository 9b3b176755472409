"""Prompts are data: templates shipped as package files, rendered strictly."""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

from shopassist.assistant.llm import Message
from shopassist.catalog.money import money
from shopassist.ranking.contract import Suggestion

# The last line of a turn's prompt for a shopper who did not write English, in their language: the
# 1.5B model answered Chinese questions in English when told "(Answer in Chinese.)" before the list.
LANGUAGE_NOTES = {"zh": "请用简体中文回答，用 [1] 这样的编号指代商品。"}
MAX_REASON_CHARS = 32  # "you bought this before", "popular with shoppers like you"


@cache
def template(name: str) -> Template:
    # Without the file's final newline: a token the model would read every turn for nothing.
    return Template((resources.files("shopassist.assistant") / "prompts" / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n"))


def render(name: str, **values: object) -> str:
    """Fill a template; a missing value is an error, never an empty string.

    >>> render("user", shopper="new", products="[1] Mug", message="hi", language_note="").splitlines()[0]
    'Shopper: new'
    """
    return template(name).substitute(**values)


def product_line(number: int, s: Suggestion) -> str:
    """One short line per product: every token here is read anew each turn, on the CPU at 32–38
    tokens/s for the 1.5B model, so only what the model can use to say why it suits the shopper,
    in the form that costs fewest tokens (" (£" is one token; ", £" two).

    >>> from shopassist.catalog.models import Product
    >>> mug = Product("1", "RED MUG", "Red Mug", price=2.95, currency="GBP")
    >>> product_line(1, Suggestion(mug, 1.0, "you bought this before; matches 'under £10'", {}))
    '[1] Red Mug (£2.95, you bought this before)'
    """
    p = s.product
    facts = [money(p.price, p.currency)]
    if p.brand:
        facts.append(f"by {p.brand}")
    facts.extend(f"{k}: {_short(v)}" for k, v in list(p.attributes.items())[:2])
    # "matches your search" and echoes of the shopper's own constraints tell the model nothing;
    # long reasons ("you bought A and B") repeat the shopper line and cost ~0.5 s each to read.
    facts.extend(part for part in s.reason.split("; ") if part and not part.startswith("matches") and len(part) <= MAX_REASON_CHARS)
    return f"[{number}] {p.display_title} ({', '.join(facts)})"


def _short(value: object, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stable_prefix(shopper: str) -> list[Message]:
    """The part of every prompt for this shopper that comes before the turn's own words: what
    `build_messages` starts with, character for character, to be read ahead of the question.
    It runs up to the opening quote of the message, so even "The shopper says" is read once.

    >>> stable_prefix("from France")[1].content.splitlines()[-1]
    'The shopper says: "'
    """
    user = render("user", shopper=shopper, products="", message="\0", language_note="")
    return [Message("system", render("system")), Message("user", user[: user.index("\0")])]


def build_messages(suggestions: list[Suggestion], message: str, shopper: str, language: str) -> list[Message]:
    """The system rules are the same for every turn and the shopper line for every turn of one
    shopper: llama.cpp reuses that prefix, so a turn only reads its message and products (the
    message first: a header between them would be read anew every turn), then, for a shopper
    who wrote Chinese, the instruction to answer in Chinese, read last.

    >>> build_messages([], "蓝牙音箱", "new", "zh")[1].content.splitlines()[-1]
    '请用简体中文回答，用 [1] 这样的编号指代商品。'
    """
    products = "\n".join(product_line(i, s) for i, s in enumerate(suggestions, 1))
    note = f"\n{LANGUAGE_NOTES[language]}" if language in LANGUAGE_NOTES else ""
    user = render("user", shopper=shopper, products=products, message=message, language_note=note)
    return [Message("system", render("system")), Message("user", user)]
