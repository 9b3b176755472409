"""UCI Online Retail invoice lines → products, shoppers and purchase events.

Every invoice line is counted twice: once in the products ledger (it names a product) and once
in the events ledger (it may record a shopper's purchase).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from shopassist.catalog.cleaning import display_form, normalise_text
from shopassist.catalog.events import empty_events
from shopassist.catalog.report import LoadReport, Rejection

COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")

# Stock codes that are services or bookkeeping, not things a shopper can buy.
_NON_PRODUCT_CODES = {
    "POST": "postage",
    "DOT": "postage",
    "C2": "carriage",
    "M": "manual adjustment",
    "BANK CHARGES": "bank charges",
    "AMAZONFEE": "marketplace fee",
    "S": "samples",
    "PADS": "padding",
    "D": "discount",
    "CRUK": "charity commission",
    "B": "bad-debt adjustment",
}
_NON_PRODUCT_PATTERNS = ((re.compile(r"^gift_", re.I), "gift voucher"), (re.compile(r"^DCGS", re.I), "marketplace listing code"))
_PLACEHOLDER_DESCRIPTIONS = {"missing_description", "?", ""}


def looks_like_online_retail(columns: list[str]) -> bool:
    return {"InvoiceNo", "StockCode", "UnitPrice"} <= set(columns)


def non_product_reason(code: str) -> str | None:
    """Why a stock code is not a product, or None if it is one.

    >>> non_product_reason("POST"), non_product_reason("85123A")
    ('not a product: postage', None)
    """
    upper = code.strip().upper()
    if upper in _NON_PRODUCT_CODES:
        return f"not a product: {_NON_PRODUCT_CODES[upper]}"
    for pattern, label in _NON_PRODUCT_PATTERNS:
        if pattern.match(code):
            return f"not a product: {label}"
    return None


def load_online_retail(path: Path, frame: pd.DataFrame, report: LoadReport):
    """(products frame, shoppers frame, events frame); every line is accounted for in `report`."""
    source = path.name
    df = frame.copy()
    df["StockCode"] = df["StockCode"].astype("string").str.strip()
    # ~4k distinct descriptions over 500k lines: clean each distinct value once.
    descriptions = df["Description"].astype("string")
    df["Description"] = descriptions.map({d: normalise_text(d) for d in descriptions.dropna().unique()})
    price = pd.to_numeric(df["UnitPrice"], errors="coerce")
    quantity = pd.to_numeric(df["Quantity"], errors="coerce")
    when = pd.to_datetime(df["InvoiceDate"], errors="coerce", format="ISO8601")
    customer = pd.to_numeric(df["CustomerID"], errors="coerce")
    n = len(df)
    report.products.read += n
    report.events.read += n

    # Row status, decided in order: the first rule that matches explains the row.
    rules: list[tuple[str, str, str]] = []  # (reject|drop, reason, message); status k → rules[k-1]
    status = np.zeros(n, dtype=np.int16)  # 0 = accepted

    def mark(mask, kind: str, reason: str, message: str) -> None:
        rules.append((kind, reason, message))
        status[np.asarray(mask, dtype=bool) & (status == 0)] = len(rules)

    code = df["StockCode"].fillna("")
    mark(code == "", "reject", "missing id", "StockCode is empty")
    mark(price.isna(), "reject", "price is not a number", "UnitPrice is not a number")
    mark(price < 0, "reject", "negative price", "UnitPrice is negative")
    mark(quantity.isna() | when.isna(), "reject", "bad quantity or date", "Quantity or InvoiceDate unreadable")
    why_not_product = code.map({c: non_product_reason(c) or "" for c in code.unique()})
    for reason in sorted(set(why_not_product.unique()) - {""}):
        mark(why_not_product == reason, "drop", reason, reason)
    mark(quantity <= 0, "drop", "return or cancellation", "quantity ≤ 0")
    mark(price == 0, "drop", "zero-price line (stock adjustment or free item)", "UnitPrice is 0")

    counts = np.bincount(status, minlength=len(rules) + 1)
    for k, (kind, reason, _) in enumerate(rules, start=1):
        for ledger in (report.products, report.events):
            if counts[k]:
                (ledger.rejected if kind == "reject" else ledger.dropped)[reason] += int(counts[k])
    for position in np.flatnonzero(status > 0):
        kind, reason, message = rules[status[position] - 1]
        if kind == "reject":
            report.rejections.append(_rejection(source, int(position) + 1, reason, message, df.iloc[position]))

    ok = df[status == 0].assign(price=price, quantity=quantity, when=when, customer=customer)

    # One product per stock code: the most frequent real description, the most frequent price.
    described = ok[~ok["Description"].fillna("").str.lower().isin(_PLACEHOLDER_DESCRIPTIONS)]
    title = most_frequent(described, "StockCode", "Description")
    typical_price = most_frequent(ok.assign(price=ok["price"].round(2)), "StockCode", "price")
    products = pd.DataFrame({"price": typical_price}).join(title.rename("title"), how="left")
    untitled = products["title"].isna()
    for stock_code in products.index[untitled]:
        report.products.filled["no description: titled by stock code"] += 1
        products.loc[stock_code, "title"] = f"Item {stock_code}"
    report.products.accepted += len(products)
    report.products.merged += len(ok) - len(products)
    report.products.filled["no brand"] += len(products)
    report.products.filled["no category"] += len(products)
    products = products.reset_index(names="id")
    products["display_title"] = products["title"].map(display_form)
    products["currency"] = "GBP"

    # Events: purchases by identified customers.
    anonymous = ok["customer"].isna() | (ok["customer"] <= 0)
    report.events.dropped["no customer id (anonymous sale)"] += int(anonymous.sum())
    bought = ok[~anonymous]
    report.events.accepted += len(bought)
    events = empty_events(len(bought))
    if len(bought):
        events = pd.DataFrame(
            {
                "shopper_id": bought["customer"].astype("int64").astype("string"),
                "product_id": bought["StockCode"].astype("string"),
                "kind": "purchase",
                "timestamp": bought["when"],
                "quantity": bought["quantity"].astype("int64"),
                "value": (bought["quantity"] * bought["price"]).round(2),
            }
        ).reset_index(drop=True)
    with_id = bought.assign(id=bought["customer"].astype("int64").astype("string"))
    shoppers = most_frequent(with_id, "id", "Country").rename("country").reset_index()
    return products, shoppers, events


def most_frequent(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    """Per `key`, its most frequent `value` (ties → the smallest), vectorised.

    >>> most_frequent(pd.DataFrame({"k": [1, 1, 1, 2], "v": ["b", "a", "b", "c"]}), "k", "v").tolist()
    ['b', 'c']
    """
    counts = frame.groupby([key, value], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values([key, "n", value], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates(key).set_index(key)[value]


def _rejection(source, row_number, reason, detail, row) -> Rejection:
    raw = {k: (None if pd.isna(v) else (v if isinstance(v, (int, float, str)) else str(v))) for k, v in row.items()}
    return Rejection(source, row_number, reason, f"{detail} — fix or remove the line", raw)
