"""Row-level cleaning rules shared by every source: text, ids, prices."""

from __future__ import annotations

import math
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
_ID = re.compile(r"^[\w.\-/:#+]{1,128}$")
_SURROGATE = re.compile("[\udc80-\udcff]")  # undecodable bytes, as read with surrogateescape
_CURRENCY_SIGNS = re.compile(r"^[£$€¥]|\s*(GBP|USD|EUR)$", re.IGNORECASE)


class RowProblem(ValueError):
    """One row is invalid. `reason` is the counted category, the message says what to fix."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def normalise_text(value: object) -> str:
    """Trim, collapse whitespace, NFC-normalise; None and NaN become "".

    >>> normalise_text("  WHITE   HANGING\\tHEART ")
    'WHITE HANGING HEART'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if not text.isprintable():  # rare: the per-character pass was a tenth of loading Icecat
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


def display_form(title: str) -> str:
    """A readable form of a shouted title; titles already in mixed case are kept.

    >>> display_form("SET OF 3 CAKE TINS PANTRY DESIGN")
    'Set of 3 Cake Tins Pantry Design'
    >>> display_form("DOLLY GIRL'S T-LIGHT HOLDER")
    "Dolly Girl's T-Light Holder"
    """
    letters = [c for c in title if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) / len(letters) < 0.8:
        return title
    words = iter(range(10**9))

    def case(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        first = next(words) == 0
        if not first and word in _SMALL_WORDS:
            return word
        return word[0].upper() + word[1:]

    return _WORD.sub(case, title)


def clean_id(value: object) -> str:
    text = normalise_text(value)
    if text.endswith(".0") and text[:-2].isdigit():  # ids read back from float columns
        text = text[:-2]
    if not text:
        raise RowProblem("missing id", "the id is empty — every product needs a unique id")
    if not _ID.match(text):
        raise RowProblem(
            "bad id",
            f"id {text[:40]!r} has spaces or symbols — use letters, digits and . - _ / : # + only",
        )
    return text


def clean_title(value: object) -> str:
    text = normalise_text(value)
    if not text:
        raise RowProblem("empty title", "the title is empty — give the product a name")
    return text


def parse_price(value: object, *, minor_units: bool = False) -> float | None:
    """Price in major units, or None when the source left it empty.

    >>> parse_price("£1,250.50"), parse_price(""), parse_price(4995, minor_units=True)
    (1250.5, None, 49.95)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        raise RowProblem("price is not a number", f"price {value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = normalise_text(value)
        if not text:
            return None
        stripped = _CURRENCY_SIGNS.sub("", text).replace(",", "").strip()
        try:
            number = float(stripped)
        except ValueError:
            raise RowProblem(
                "price is not a number",
                f"price {text[:40]!r} is not a number — write it like 12.50, or leave it empty",
            ) from None
    if not math.isfinite(number):
        raise RowProblem("price is not a number", f"price {value!r} is not a finite number")
    if number < 0:
        raise RowProblem("negative price", f"price {number} is negative — prices must be ≥ 0")
    return round(number / 100, 2) if minor_units else round(number, 2)


def parse_bool(value: object, default: bool = True) -> bool:
    text = normalise_text(value).lower()
    if not text:
        return default
    if text in ("1", "true", "yes", "y", "in stock", "t"):
        return True
    if text in ("0", "false", "no", "n", "out of stock", "f"):
        return False
    raise RowProblem("bad in_stock", f"in_stock {text!r} is not yes/no")


def find_invalid_utf8(row: dict) -> str | None:
    """Name of the first column holding bytes that were not valid UTF-8 (read as surrogates)."""
    for key, value in row.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            return str(key)
    return None
