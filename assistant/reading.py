"""A language model's reading of a follow-up the rules cannot tell (issue #12).

The rules (`followup.interpret`) come first. When they read a message sent while a search is in
force as a new search, a `FollowUpReader` asks a model what the message changes, as one JSON object
of a fixed schema (constrained decoding: a llama.cpp grammar, or `response_format` on a server),
validated with pydantic. A reading that refines is said again in the words the rules know ("only
Lenovo, under 500") and the rules take it from there, so merging, persistence and "any brand" stay
one piece of code. A brand, colour or price the message does not contain is dropped (a small
model invents them), and any failure — an error, a timeout, JSON that does not validate — leaves
the rules' reading.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from shopassist.assistant.followup import Intent, interpret
from shopassist.assistant.llm import LLM, GenerationOptions, Message, generate
from shopassist.assistant.prompt import render
from shopassist.catalog.models import Product
from shopassist.errors import LLMError
from shopassist.retrieval.query import CHINESE_BRANDS, CHINESE_COLOURS, COLOURS, ParsedQuery

log = logging.getLogger(__name__)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class Reading(BaseModel):
    """What a follow-up asks for, in the structure the rules produce."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["refine", "new_search"]
    # Names a small model does not mix up: with "brands"/"exclude_brands" and "min_price"/"max_price"
    # the 1.5B model put "I only trust Dell" under exclude_brands and "around 500" under min_price.
    brands_wanted: list[Name] = Field(default_factory=list, max_length=3)
    brands_refused: list[Name] = Field(default_factory=list, max_length=3)
    price_at_most: float | None = Field(default=None, ge=0)
    price_at_least: float | None = Field(default=None, ge=0)
    colour: Annotated[str, StringConstraints(max_length=20)] | None = None
    size: Annotated[str, StringConstraints(max_length=20)] | None = None
    more: bool = False


SCHEMA = Reading.model_json_schema()
# A reading is ~20-40 tokens; the bound stops a model that loops inside a string. The timeout keeps
# a slow read from costing the shopper more than the rules' answer would.
OPTIONS = GenerationOptions(max_tokens=96, timeout_s=15.0, json_schema=SCHEMA)


def grounded(reading: Reading, message: str) -> Reading:
    """The reading without the values the message does not contain.

    >>> r = Reading(kind="refine", brands_wanted=["Lenovo", "Dell"], price_at_most=500, colour="red")
    >>> grounded(r, "got anything by lenovo for 500 or so?").model_dump(exclude_defaults=True)
    {'kind': 'refine', 'brands_wanted': ['Lenovo'], 'price_at_most': 500.0}
    """
    said = message.lower()
    digits = set(re.findall(r"\d+(?:\.\d+)?", said.replace(",", "")))

    def named(brand: str) -> bool:
        key = brand.lower()
        return key in said or any(zh in message for zh, en in CHINESE_BRANDS.items() if en == key)

    def priced(value: float | None) -> float | None:
        return value if value is not None and f"{value:g}" in digits else None

    colour = (reading.colour or "").lower()
    colour_said = colour in COLOURS and (colour in said or any(zh in message for zh, en in CHINESE_COLOURS.items() if en == colour))
    size = reading.size if reading.size and reading.size.lower() in said else None
    return reading.model_copy(update={
        "brands_wanted": [b for b in reading.brands_wanted if named(b)],
        "brands_refused": [b for b in reading.brands_refused if named(b)],
        "price_at_least": priced(reading.price_at_least),
        "price_at_most": priced(reading.price_at_most),
        "colour": colour if colour_said else None,
        "size": size,
    })


def as_rules_say_it(reading: Reading) -> str:
    """The reading in the phrasings the follow-up rules know ("" when it changes nothing).

    >>> as_rules_say_it(Reading(kind="refine", brands_wanted=["Lenovo"], brands_refused=["HP"], price_at_most=500, more=True))
    'show me more, only Lenovo, not HP, under 500'
    """
    parts = ["show me more"] if reading.more else []
    if reading.brands_wanted:
        parts.append("only " + " or ".join(reading.brands_wanted))
    if reading.brands_refused:
        parts.append("not " + " or ".join(reading.brands_refused))
    if reading.price_at_least is not None:
        parts.append(f"over {reading.price_at_least:g}")
    if reading.price_at_most is not None:
        parts.append(f"under {reading.price_at_most:g}")
    if reading.colour:
        parts.append(f"in {reading.colour}")
    if reading.size:
        parts.append(reading.size)
    return ", ".join(parts)


class FollowUpReader:
    """Asks `llm` about the messages the rules read as a new search while one is in force.

    >>> from shopassist.assistant.llm.fakes import ScriptedLLM
    >>> from shopassist.retrieval.query import Vocabulary, parse_query
    >>> parse = lambda m: parse_query(m, Vocabulary(frozenset({"lenovo"})))
    >>> reader = FollowUpReader(ScriptedLLM(['{"kind": "refine", "brands_wanted": ["Lenovo"]}']))
    >>> rules = interpret("could you whittle it down to Lenovo", parse, parse("laptop"), [], set())
    >>> intent = reader.reconsider("could you whittle it down to Lenovo", rules, parse, parse("laptop"), [], set())
    >>> rules.kind, intent.kind, intent.query.text, sorted(intent.query.brands)
    ('search', 'refine', 'laptop', ['lenovo'])
    """

    def __init__(self, llm: LLM, options: GenerationOptions = OPTIONS):
        self.llm, self.options = llm, options

    def prompt(self, message: str, previous: ParsedQuery) -> list[Message]:
        """The rules first (the same every time: llama.cpp reads them once), then the search in force and the message.

        >>> from shopassist.assistant.llm.fakes import ScriptedLLM
        >>> FollowUpReader(ScriptedLLM([])).prompt("Lenovo?", ParsedQuery("laptop under 500", "laptop", constraints=("under 500",)))[1].content
        'search "laptop, under 500", message "Lenovo?"'
        """
        search = previous.text + "".join(f", {c}" for c in previous.constraints)
        return [Message("system", render("read_followup")), Message("user", render("read_followup_user", search=search, message=message))]

    def read(self, message: str, previous: ParsedQuery) -> Reading | None:
        """The model's reading of `message`, grounded in it; None when the model fails."""
        try:
            raw = generate(self.llm, self.prompt(message, previous), self.options)
            return grounded(Reading.model_validate_json(raw), message)
        except LLMError as e:
            log.info("follow-up reading failed, the rules decide: %s", e)
        except ValidationError as e:
            log.info("follow-up reading was not a valid reading, the rules decide: %s", e.errors()[:2])
        return None

    def reconsider(self, message: str, rules: Intent, parse: Callable[[str], ParsedQuery], previous: ParsedQuery | None,
                   shown: list[Product], seen: set[str]) -> Intent:
        """The rules' intent, or — where they read a new search while one is in force and the model
        reads a refinement — the rules' reading of that refinement."""
        if rules.kind != "search" or previous is None:
            return rules
        reading = self.read(message, previous)
        if reading is None or reading.kind != "refine":
            return rules
        said = as_rules_say_it(reading)
        if not said:
            return rules
        intent = interpret(said, parse, previous, shown, seen)
        return intent if intent.kind in ("refine", "not_carried") else rules


class TimedReader(FollowUpReader):
    """A reader that times and counts its model calls, for a benchmark's report.

    >>> from shopassist.assistant.llm.fakes import FailingLLM
    >>> reader = TimedReader(FailingLLM())
    >>> reader.read("Lenovo?", ParsedQuery("laptop", "laptop")), reader.figures()["reads_failed"]
    (None, 1)
    """

    def __init__(self, llm: LLM, options: GenerationOptions = OPTIONS):
        super().__init__(llm, options)
        self.ms: list[float] = []
        self.failed = 0

    def read(self, message: str, previous: ParsedQuery) -> Reading | None:
        started = time.perf_counter()
        reading = super().read(message, previous)
        self.ms.append((time.perf_counter() - started) * 1000)
        self.failed += reading is None
        return reading

    def figures(self) -> dict[str, float | int | None]:
        """Reads, failed reads (left to the rules), and the reads' p50/p95 in ms."""
        def at(q: float) -> float | None:
            return round(float(np.percentile(self.ms, q)), 1) if self.ms else None

        return {"reads": len(self.ms), "reads_failed": self.failed, "read_p50_ms": at(50), "read_p95_ms": at(95)}
