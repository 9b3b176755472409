"""Prompts are data: templates shipped as package files, rendered strictly."""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template

from assistant.llm import Message
from catalog.money import money
from ranking.contract import Suggestion

LANGUAGES = {"en": "English", "zh": "Chinese (简体中文)"}


@cache
def template(name: str) -> Template:
    return Template((resources.files("assistant") / "prompts" / f"{name}.txt").read_text(encoding="utf-8"))


def render(name: str, **values: object) -> str:
    """Fill a template; a missing value is an error, never an empty string.

    >>> render("user", shopper="new", products="[1] Mug", message="hi").splitlines()[0]
    'Shopper: new'
    """
    return template(name).substitute(**values)


def product_line(number: int, s: Suggestion) -> str:
    p = s.product
    price = f"{money(p.price, p.currency)}" if p.price is not None else "price not listed"
    facts = [f"[{number}] {p.display_title}", price]
    if p.brand:
        facts.append(f"brand {p.brand}")
    facts.extend(f"{k}: {v}" for k, v in list(p.attributes.items())[:3])
    if s.reason:
        facts.append(f"why: {s.reason}")
    return " | ".join(facts)


def build_messages(suggestions: list[Suggestion], message: str, shopper: str, language: str) -> list[Message]:
    """System rules first and identical for every turn (llama.cpp reuses that prefix), then the
    turn's products and message."""
    system = render("system", max_sentences=len(suggestions) + 1, language=LANGUAGES[language])
    products = "\n".join(product_line(i, s) for i, s in enumerate(suggestions, 1))
    user = render("user", shopper=shopper, products=products, message=message)
    return [Message("system", system), Message("user", user)]


