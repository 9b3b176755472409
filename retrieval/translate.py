"""Chinese questions over a catalogue in another language: the search words, translated.

Each Chinese word is looked up in CC-CEDICT and given the sense the catalogue itself uses: of a
word's glosses, the one whose words the catalogue has most (手柄 is "handle" in a dictionary but
"controller" in an electronics shop; 平板 "slab" or "tablet"). Latin-script words, model numbers
and brands already in the catalogue's spelling stay as they are; Chinese brand names come from
the parser's table (联想 → lenovo).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from shopassist.retrieval.cedict import Cedict, longest_match
from shopassist.retrieval.language import HAN
from shopassist.retrieval.query import CHINESE_BRANDS

# A run of Chinese with any Latin letters or digits glued to it: U盘 and T恤 are dictionary words.
_HAN_RUN = re.compile(rf"[A-Za-z0-9]*(?:{HAN.pattern})+(?:[A-Za-z0-9]+(?:{HAN.pattern})+)*")
_LATIN = re.compile(r"[A-Za-z0-9]+")

# gloss → document frequency in the catalogue of each of its words (stopwords left out), e.g.
# LexicalIndex.document_frequencies. Sense choice and nothing else: no catalogue text is read.
Frequencies = Callable[[str], Sequence[int]]


class QueryTranslator:
    """Built by the retriever factory for a catalogue that is not Chinese; the dictionary it is
    given is read on the first Chinese query."""

    def __init__(self, dictionary: Cedict, frequencies: Frequencies):
        self.dictionary, self.frequencies = dictionary, frequencies
        self._brands = {zh: en for zh, en in CHINESE_BRANDS.items() if HAN.search(zh)}
        self._longest_brand = max(map(len, self._brands), default=1)

    def translate(self, text: str) -> str:
        """The text with every run of Chinese characters replaced by English words.

        >>> d = Cedict.from_lines(["手柄 手柄 [shou3 bing3] /handle/video game controller/",
        ...                        "無線 无线 [wu2 xian4] /wireless/"])
        >>> shop = {"wireless": 40, "controller": 12, "game": 30, "video": 25}
        >>> QueryTranslator(d, lambda gloss: [shop.get(w, 0) for w in gloss.lower().split()]).translate("Xbox 无线手柄")
        'Xbox wireless video game controller'
        """
        return " ".join(_HAN_RUN.sub(lambda m: f" {self._translate_run(m.group(0))} ", text).split())

    def words(self, run: str) -> list[str]:
        """A run of Chinese characters cut into the longest dictionary (or brand) words, left to
        right; a character the dictionary lacks is its own word.

        >>> QueryTranslator(Cedict.from_lines(["耳機 耳机 [er3 ji1] /headphones/"]), lambda g: []).words("索尼耳机")
        ['索尼', '耳机']
        """
        words, i = [], 0
        while i < len(run):
            word = longest_match(run, i, self._brands, self._longest_brand) or self.dictionary.longest_word(run, i)
            if word is None or not HAN.search(word):  # Latin-only "words" (A, 3C) are the shopper's, kept
                word = latin.group(0) if (latin := _LATIN.match(run, i)) else run[i]
            words.append(word)
            i += len(word)
        return words

    def sense(self, word: str) -> str | None:
        """The English for one Chinese word: a brand's catalogue spelling, else the gloss whose
        rarest word is commonest in the catalogue (ties: the dictionary's order); None if unknown.

        >>> QueryTranslator(Cedict.from_lines(["包 包 [bao1] /to include/bag/"]), lambda g: [9] * len(g.split())).sense("包")
        'bag'
        """
        if word in self._brands:
            return self._brands[word]
        glosses = self.dictionary.glosses(word)
        if not glosses:
            return None
        return max(glosses, key=self._support)  # max keeps the first of equals: the dictionary's order

    def _support(self, gloss: str) -> tuple[bool, float]:
        # Shoppers name things: a noun sense beats a verb ("to include", common in descriptions) for
        # 包 "bag". Then a gloss is as good as its rarest word: "video game controller" must not win on "game".
        counts = self.frequencies(gloss)
        return not gloss.startswith("to "), min((math.log1p(c) for c in counts), default=0.0)

    def _translate_run(self, run: str) -> str:
        english = (word if _LATIN.fullmatch(word) else self.sense(word) for word in self.words(run))
        return " ".join(e for e in english if e)

