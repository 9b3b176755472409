"""Product cards as HTML: title, price, brand or category, the reason, a picture.

The page must make no request beyond the machine it is served from, so a picture is either a
local file inlined as a data URI or a neutral inline placeholder; remote image URLs are never put
in the page.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from shopassist.catalog.money import money
from shopassist.ranking.contract import Suggestion

_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
_MAX_INLINE_BYTES = 512 * 1024  # a card picture is a thumbnail; a larger file would bloat every answer's page update

# A neutral shopping-bag outline on grey: reads as "no picture" without looking broken.
_PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120">'
    '<rect width="120" height="120" fill="#eef0f3"/>'
    '<path d="M38 48h44l-4 40H42z" fill="none" stroke="#a3a9b3" stroke-width="4" stroke-linejoin="round"/>'
    '<path d="M50 48v-6a10 10 0 0 1 20 0v6" fill="none" stroke="#a3a9b3" stroke-width="4"/>'
    "</svg>"
)
PLACEHOLDER = "data:image/svg+xml;charset=utf-8," + quote(_PLACEHOLDER_SVG)

MARKS = {
    "like": "👍 Noted: more like this.",
    "dislike": "👎 Got it: this one will not be suggested again in this conversation.",
    "cart": "🛒 Added to your cart.",
}


def picture_src(image_url: str | None) -> str:
    """A data URI for a local image file (a path or file:// URL), else the inline placeholder.

    >>> picture_src("https://cdn.example.com/mug.jpg") == PLACEHOLDER
    True
    """
    path = _local_file(image_url)
    if path is None:
        return PLACEHOLDER
    mime = _IMAGE_TYPES.get(path.suffix.lower())
    if mime is None or path.stat().st_size > _MAX_INLINE_BYTES:
        return PLACEHOLDER
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _local_file(image_url: str | None) -> Path | None:
    if not image_url:
        return None
    parsed = urlparse(image_url)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
    elif parsed.scheme and len(parsed.scheme) > 1:  # http, https, data, …: never fetched by the page
        return None
    else:  # a plain path (a one-letter "scheme" is a Windows drive)
        path = Path(image_url)
    return path if path.is_file() else None


def card_html(suggestion: Suggestion, mark: str | None = None) -> str:
    """One product card; `mark` is the shopper's feedback on it so far (like | dislike | cart).

    >>> from shopassist.catalog.models import Product
    >>> "£4.95" in card_html(Suggestion(Product("7", "RED MUG", "Red Mug", price=4.95), 1.0, "matches your search", {}))
    True
    """
    p = suggestion.product
    e = html.escape
    kind = p.brand or p.category
    parts = [
        f'<div class="shop-card" data-product-id="{e(p.id)}" data-mark="{e(mark or "")}">',
        f'<img class="shop-card-picture" src="{e(picture_src(p.image_url))}" alt="" width="96" height="96">',
        '<div class="shop-card-body">',
        f'<div class="shop-card-title">{e(p.display_title)}</div>',
        f'<div class="shop-card-meta"><span class="shop-card-price">{e(money(p.price, p.currency))}</span>'
        + (f' · <span class="shop-card-kind">{e(kind)}</span>' if kind else "")
        + "</div>",
        f'<div class="shop-card-reason">{e(suggestion.reason)}</div>' if suggestion.reason else "",
        f'<div class="shop-card-mark">{e(MARKS[mark])}</div>' if mark in MARKS else "",
        "</div></div>",
    ]
    return "".join(parts)
