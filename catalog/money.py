"""How prices are written for shoppers, and read back out of text: the one place, so a card, the
prompt, a templated reply and the command line all show the same price the same way, and the
grounding verifier reads every way a model may write one ("£4.50", "¥20", "20元", "20.00 元",
"人民币20", "二十元") as the amount it is."""

import re

# The currencies written with a sign before the amount; any other code follows it ("12.00 SEK").
SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "CNY": "¥", "JPY": "¥"}
NO_PRICE = "price not listed"  # what the catalogue says of it: nothing, so nothing is promised


def money(price: float | None, currency: str) -> str:
    """The price as a shopper reads it. No thousands separator: the grounding verifier reads
    "1,234" as 1.23 (a decimal comma), so a price is written the one way it reads back.

    >>> money(1.5, "GBP"), money(20, "CNY"), money(1234.5, "eur"), money(3, "SEK"), money(None, "GBP")
    ('£1.50', '¥20.00', '€1234.50', '3.00 SEK', 'price not listed')
    """
    if price is None:
        return NO_PRICE
    code = currency.upper()
    symbol = SYMBOLS.get(code)
    return f"{symbol}{price:.2f}" if symbol else f"{price:.2f} {code}"


_NUMBER = r"\d{1,7}(?:[.,]\d{1,2})?"
_CHINESE_NUMBER = r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二两三四五六七八九]+)?"
# An amount of money in text: a sign or code before it, a sign, code or word after it, or a Chinese
# numeral before 元/块钱. Not a bare 块: it is also the measure word of a watch or a battery (一块手表).
MONEY = re.compile(
    rf"(?:[£$€¥￥]|(?<![A-Za-z])(?:GBP|USD|EUR|RMB|CNY)\s?|人民币\s?)\s?(?P<before>{_NUMBER})"
    rf"|(?P<after>{_NUMBER})\s?(?:[£$€¥￥元]|块钱|人民币|美元|英镑|欧元|\s?(?:GBP|USD|EUR|RMB|CNY|pounds?|dollars?|euros?|pence|p)\b)"
    rf"|(?P<chinese>{_CHINESE_NUMBER})(?:元|块钱|英镑|美元|欧元)",
    re.I,
)
_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9)))
_UNITS = {"十": 10, "百": 100, "千": 1000}


def amount_of(match: re.Match[str]) -> float:
    """The amount a `MONEY` match stands for.

    >>> [amount_of(m) for m in MONEY.finditer("¥20, 20元, 20.00 元, 人民币20, 4,50 €, 二十元, 一百二十元, 三万五千元, 九点九元")]
    [20.0, 20.0, 20.0, 20.0, 4.5, 20.0, 120.0, 35000.0, 9.9]
    >>> [m.group(0) for m in MONEY.finditer("一块手表, 2块电池, 型号ABC20")]
    []
    """
    written = match.group("before") or match.group("after")
    if written:
        return float(written.replace(",", "."))
    whole, _, fraction = match.group("chinese").partition("点")
    total = section = digit = 0
    for char in whole:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            total, section, digit = total + (section + digit) * 10000, 0, 0
        else:  # 十 百 千: "十五" is 15, so a unit with no digit before it counts once
            section, digit = section + (digit or 1) * _UNITS[char], 0
    return total + section + digit + float("0." + "".join(str(_DIGITS[c]) for c in fraction) if fraction else 0)
