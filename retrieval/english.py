"""English words as search reads them: the stopwords and the stemmer.

The lexical index and the accessory rule both use these, so "notebooks" in a title and "notebook"
in a query are one word to both, and a word one of them ignores the other ignores too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN

STOPWORDS = frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def stemmer() -> Callable[[str], str]:
    """Snowball's English stemmer (PyStemmer; its stemWord runs under the GIL, so threads may share it).

    >>> stemmer()("headphones"), stemmer()("batteries")
    ('headphon', 'batteri')
    """
    import Stemmer

    return Stemmer.Stemmer("english").stemWord
