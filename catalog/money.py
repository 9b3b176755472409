"""How prices are written for shoppers: the one place, so a card, the prompt, a templated reply
and the command line all show the same price the same way (and the grounding verifier, which
reads prices back out of the model's text, sees them as the model was shown them)."""

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
