"""The everyday words of each act, in English and Chinese, in two halves: `tuned` and `held_out`.

The halves are the two package files phrasings/tuned.toml and phrasings/held_out.toml. Which half
a phrasing lands in is decided by a fixed rule, not by hand (`split`): within one act and language,
phrasings are ordered by the sha256 of "act|language|text" and the first half (rounded up) is
tuned. Adding a phrasing moves at most one other across the line. Understanding may be tuned
against `tuned` only; `held_out` is never read while tuning, so its figure says how well the
assistant understands words nobody fitted it to.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources

ACTS = ("brand", "budget", "colour", "size", "more", "rephrase", "ask", "compare")
LANGUAGES = ("en", "zh")
HALVES = ("tuned", "held_out")


@dataclass(frozen=True)
class Phrasings:
    half: str
    by_act: dict[str, dict[str, tuple[str, ...]]]  # act → language → templates ("only {brand}")

    def of(self, act: str, language: str) -> tuple[str, ...]:
        """
        >>> "show me more" in load("tuned").of("more", "en") + load("held_out").of("more", "en")
        True
        """
        return self.by_act[act][language]


def split(act: str, language: str, texts: list[str]) -> tuple[list[str], list[str]]:
    """(tuned, held_out) by the fixed rule: sha256 order, first half (rounded up) tuned.

    >>> tuned, held_out = split("more", "en", ["more", "others", "next"])
    >>> len(tuned), len(held_out), sorted(tuned + held_out)
    (2, 1, ['more', 'next', 'others'])
    """
    ordered = sorted(texts, key=lambda t: hashlib.sha256(f"{act}|{language}|{t}".encode()).hexdigest())
    cut = (len(ordered) + 1) // 2
    return ordered[:cut], ordered[cut:]


def load(half: str) -> Phrasings:
    """One half's templates for every act and language (a missing act or language is an error).

    >>> len(load("tuned").of("brand", "zh")) > 5
    True
    """
    if half not in HALVES:
        raise ValueError(f"phrasing half {half!r} is not one of {', '.join(HALVES)}")
    text = (resources.files("shopassist.assistant.simulation") / "phrasings" / f"{half}.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    by_act = {}
    for act in ACTS:
        if act not in data or any(not data[act].get(lang) for lang in LANGUAGES):
            raise ValueError(f"phrasings/{half}.toml: act {act!r} needs phrasings for {' and '.join(LANGUAGES)}")
        by_act[act] = {lang: tuple(data[act][lang]) for lang in LANGUAGES}
    return Phrasings(half, by_act)
