"""Chinese word segmentation for the lexical index: 无线鼠标 is two words, 无线 and 鼠标.

Chinese has no spaces, so without this BM25 would see a whole phrase as one token and a query
matches only a title with exactly that phrase. jieba cuts in search mode: a long word yields its
shorter dictionary words too (笔记本电脑 → 笔记本, 电脑, 笔记本电脑), so a title and a query cut
differently still share words.
"""

from __future__ import annotations

import logging

from shopassist.retrieval.language import HAN


class Segmenter:
    """
    >>> Segmenter().cut("罗技 M185 无线鼠标")
    '罗技 M185 无线 鼠标'
    """

    def __init__(self) -> None:
        self._jieba = None  # built on first use: its prefix dictionary takes ~1 s, once per segmenter

    def cut(self, text: str) -> str:
        """`text` with a space between words; text without Chinese comes back unchanged."""
        if not HAN.search(text):
            return text
        return " ".join(w for w in self._tokenizer().cut_for_search(text) if not w.isspace())

    def _tokenizer(self):
        if self._jieba is None:
            import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)  # it announces each dictionary load on stderr
            self._jieba = jieba.Tokenizer()
            self._jieba.initialize()
        return self._jieba
