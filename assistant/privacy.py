"""Personal data typed into the chat is masked before anything else sees the message: logs, the
LLM prompt, the session's turns and stored events only ever hold the masked text."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d ().-]{7,}\d(?![\w])")
_STREET = re.compile(
    r"\b\d{1,5}[a-z]?,?\s+(?:[A-Z][\w'.-]*\s+){1,4}"
    r"(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|close|crescent|terrace|square|sq|gardens|grove|hill)\b\.?",
    re.I,
)
_POSTCODE_UK = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
_ADDRESS_ZH = re.compile(r"[\u4e00-\u9fff]{2,}(?:路|街|道)\d+号(?:[\u4e00-\u9fff\d]*(?:室|楼|单元))?")


def _luhn_ok(digits: str) -> bool:
    total, double = 0, False
    for ch in reversed(digits):
        d = int(ch)
        if double:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        double = not double
    return total % 10 == 0


def mask_pii(text: str) -> str:
    """Replace e-mail addresses, payment card numbers, phone numbers and street addresses.

    >>> mask_pii("mail ann@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958, 221B Baker Street")
    'mail [email], card [card], call [phone], [address]'
    """
    text = _EMAIL.sub("[email]", text)

    def card(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return "[card]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else match.group(0)

    text = _CARD.sub(card, text)
    text = _PHONE.sub(lambda m: "[phone]" if len(re.sub(r"\D", "", m.group(0))) >= 9 else m.group(0), text)
    text = _STREET.sub("[address]", text)
    text = _POSTCODE_UK.sub("[postcode]", text)
    return _ADDRESS_ZH.sub("[address]", text)
