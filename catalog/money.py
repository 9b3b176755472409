"""How prices are written for shoppers."""

SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}


def money(price: float, currency: str) -> str:
    """
    >>> money(1.5, "GBP"), money(20, "CNY")
    ('£1.50', '20.00 CNY')
    """
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{price:.2f}" if symbol else f"{price:.2f} {currency}"
