"""Item attributes as numbers: text (TF-IDF, and a small LSA embedding of it), category, brand, price band.

Fitted on the catalogue alone (no events), so a product nobody has bought is encoded like any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from shopassist.catalog.models import Product


def product_text(p: Product) -> str:
    """What the text encoders read: the words a shopper would recognise the product by."""
    return " ".join(x for x in (p.display_title, p.brand or "", p.category or "", p.description[:200]) if x)


@dataclass
class ItemEncoder:
    vectorizer: TfidfVectorizer
    svd: TruncatedSVD | None
    categories: tuple[str, ...]  # the most common ones; the rest share one "other" column
    brands: tuple[str, ...]
    price_edges: np.ndarray  # quantile edges of the known prices: bands 0..len(edges), plus "no price"
    tfidf: sp.csr_matrix  # (n_items, vocabulary), rows L2-normalised
    attributes: np.ndarray  # (n_items, n_attributes) float32, rows L2-normalised

    @classmethod
    def fit(cls, products: Sequence[Product], top: int = 30, text_dims: int = 24, price_bands: int = 5) -> "ItemEncoder":
        """
        >>> from shopassist.ranking.interactions import toy
        >>> enc = ItemEncoder.fit(toy(["abc"]).products)
        >>> enc.tfidf.shape[0], enc.attributes.shape[0]
        (3, 3)
        """
        texts = [product_text(p) for p in products]
        # Word unigrams and bigrams: "80 grit", "tea light" name a product family better than single words.
        vectorizer = TfidfVectorizer(min_df=1 if len(products) < 50 else 2, ngram_range=(1, 2), sublinear_tf=True, max_features=50_000)
        tfidf = vectorizer.fit_transform(texts).tocsr().astype(np.float32)
        dims = min(text_dims, tfidf.shape[1] - 1, len(products) - 1)
        svd = TruncatedSVD(dims, random_state=0).fit(tfidf) if dims >= 2 else None
        categories = tuple(c for c, _ in Counter(p.category for p in products if p.category).most_common(top))
        brands = tuple(b for b, _ in Counter(p.brand for p in products if p.brand).most_common(top))
        prices = np.array([p.price for p in products if p.price is not None], float)
        edges = np.quantile(prices, np.linspace(0, 1, price_bands + 1)[1:-1]) if len(prices) else np.zeros(0)
        enc = cls(vectorizer, svd, categories, brands, edges, tfidf, np.zeros((0, 0), np.float32))
        enc.attributes = enc._attributes(products, tfidf)
        return enc

    def encode(self, products: Sequence[Product]) -> tuple[sp.csr_matrix, np.ndarray]:
        """(tfidf rows, attribute rows) for products the encoder was not fitted on."""
        tfidf = self.vectorizer.transform([product_text(p) for p in products]).tocsr().astype(np.float32)
        return tfidf, self._attributes(products, tfidf)

    def price_band(self, price: float | None) -> int:
        """0 = cheapest band … len(edges) = dearest; -1 = no price."""
        return -1 if price is None else int(np.searchsorted(self.price_edges, price, side="right"))

    def _attributes(self, products: Sequence[Product], tfidf: sp.csr_matrix) -> np.ndarray:
        cat_col = {c: i for i, c in enumerate(self.categories)}
        brand_col = {b: i for i, b in enumerate(self.brands)}
        n_cat, n_brand, n_price = len(self.categories) + 1, len(self.brands) + 1, len(self.price_edges) + 2
        onehot = np.zeros((len(products), n_cat + n_brand + n_price), np.float32)
        for row, p in enumerate(products):
            if p.category:
                onehot[row, cat_col.get(p.category, n_cat - 1)] = 1
            if p.brand:
                onehot[row, n_cat + brand_col.get(p.brand, n_brand - 1)] = 1
            onehot[row, n_cat + n_brand + self.price_band(p.price) + 1] = 1
        text = self.svd.transform(tfidf).astype(np.float32) if self.svd is not None else np.zeros((len(products), 0), np.float32)
        text /= np.maximum(np.linalg.norm(text, axis=1, keepdims=True), 1e-9)
        # Equal say for the text embedding and the one-hot groups; rows unit length for cosine use.
        out = np.hstack([onehot, text])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
