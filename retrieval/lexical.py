"""Lexical search with bm25s: field-weighted, stemmed BM25 over the whole catalogue; a Chinese
catalogue's text is cut into words first (retrieval/segment.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import bm25s
import numpy as np
from bm25s.tokenization import Tokenizer

from shopassist.catalog.models import Product
from shopassist.retrieval import english
from shopassist.retrieval.language import HAN, catalogue_language
from shopassist.retrieval.segment import Segmenter
from shopassist.files import atomic_folder

MAX_QUERY_TOKENS = 64  # a 10,000-character paste must not cost more than a sentence


@dataclass(frozen=True)
class LexicalConfig:
    """How a product becomes a BM25 document. Weights repeat a field's tokens (BM25F-lite)."""

    # Chosen on the Icecat dev judgements by benchmarks/tune_search.py (titles ×4, low length
    # normalisation: short titles are the best evidence of what a product is).
    title_weight: int = 4
    brand_weight: int = 1
    category_weight: int = 1
    description_weight: int = 1
    attribute_weight: int = 1  # 0 leaves the text attributes out
    stem: bool = True  # "laptops" finds "laptop"
    k1: float = 0.9
    b: float = 0.3

    def document(self, p: Product) -> str:
        attributes = " ".join(f"{v}" for v in p.attributes.values()) if self.attribute_weight else ""
        parts = [
            (p.title, self.title_weight),
            (p.brand or "", self.brand_weight),
            (p.category or "", self.category_weight),
            (p.description, self.description_weight),
            (attributes, self.attribute_weight),
        ]
        return " ".join(" ".join([text] * weight) for text, weight in parts if text and weight)


# The fixed reference row of `eval search`: bm25s defaults over title + description + brand.
REFERENCE = LexicalConfig(title_weight=1, brand_weight=1, category_weight=0, description_weight=1, attribute_weight=0, stem=False, k1=1.5, b=0.75)


class LexicalIndex:
    """BM25 scores for every product, aligned with `ids`. `segmenter` is set for a Chinese
    catalogue, whose documents and queries are both cut into words."""

    def __init__(self, ids: list[str], model: bm25s.BM25, config: LexicalConfig, segmenter: Segmenter | None = None):
        self.ids, self._model, self.config, self.segmenter = ids, model, config, segmenter
        self._stem = _stemmer(config)
        self._vocab: dict[str, int] = model.vocab_dict

    @classmethod
    def build(cls, products: Sequence[Product], config: LexicalConfig = LexicalConfig()) -> "LexicalIndex":
        """
        >>> from shopassist.catalog.models import Product
        >>> index = LexicalIndex.build([Product("1", "Red mug", "Red mug"), Product("2", "Blue plate", "Blue plate")])
        >>> index.ids[int(index.scores("mugs").argmax())]
        '1'
        """
        segmenter = Segmenter() if catalogue_language(p.title for p in products) == "zh" else None
        documents = [config.document(p) for p in products]
        if segmenter:
            documents = [segmenter.cut(d) for d in documents]
        tokens = _tokenizer(config, segmenter is not None).tokenize(documents, return_as="tuple", show_progress=False)
        model = bm25s.BM25(k1=config.k1, b=config.b)
        model.index(tokens, show_progress=False)
        return cls([p.id for p in products], model, config, segmenter)

    def scores(self, text: str) -> np.ndarray:
        """float32 (len(ids),): 0 where nothing matches."""
        known = [self._vocab[s] for s in dict.fromkeys(self._terms(text)) if s in self._vocab][:MAX_QUERY_TOKENS]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self._model.get_scores_from_ids(known).astype(np.float32, copy=False)

    def document_frequencies(self, text: str) -> list[int]:
        """How many products hold each word of `text` (stopwords left out), as BM25 sees it.

        >>> from shopassist.catalog.models import Product
        >>> index = LexicalIndex.build([Product("1", "Red mug", "Red mug"), Product("2", "Blue mugs", "")])
        >>> index.document_frequencies("a mug or a plate")
        [2, 0]
        """
        indptr = self._model.scores["indptr"]  # CSC over terms: a term's column holds the products that have it
        return [int(indptr[t + 1] - indptr[t]) if (t := self._vocab.get(s)) is not None else 0 for s in self._terms(text)]

    def _terms(self, text: str) -> list[str]:
        # The same analysis as bm25s.Tokenizer (its splitter, stopwords, stemmer), without a vocabulary
        # that would grow with every query.
        if self.segmenter:
            text = self.segmenter.cut(text)
        split = _SPLIT_WORDS if self.segmenter else _SPLIT
        words = (w for w in split.findall(text.lower()) if w not in english.STOPWORDS)
        return [self._stem(w) if self._stem else w for w in words]

    def save(self, folder: Path, fingerprint: str) -> None:
        """Replace the folder whole: written beside it, then swapped in by renames, so a process
        killed at any point leaves either the old index, the new one, or none (rebuilt on load) —
        never model files of one build with ids of another."""
        with atomic_folder(folder) as staging:
            self._model.save(str(staging), show_progress=False)
            (staging / "ids.json").write_text(json.dumps(self.ids))
            meta = {"fingerprint": fingerprint, "config": asdict(self.config), "segmented": self.segmenter is not None}
            (staging / "lexical.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path, fingerprint: str | None = None, config: LexicalConfig = LexicalConfig(), mmap: bool = False) -> "LexicalIndex | None":
        """The saved index, or None when it is missing, was built from other products, or with
        other settings. `mmap`: the score matrix stays on disk, memory-mapped (a serving process
        reads only the columns of the words searched for)."""
        meta_path = folder / "lexical.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text())
        if fingerprint is not None and meta["fingerprint"] != fingerprint:
            return None
        if LexicalConfig(**meta["config"]) != config:
            return None
        model = bm25s.BM25.load(str(folder), show_progress=False, mmap=mmap)
        segmenter = Segmenter() if meta.get("segmented") else None
        return cls(json.loads((folder / "ids.json").read_text()), model, LexicalConfig(**meta["config"]), segmenter)


_SPLIT = re.compile(r"(?u)\b\w\w+\b")  # bm25s.Tokenizer's default splitter
# Segmented Chinese: a one-character word is a word (包 bag, 壳 case), not noise.
_SPLIT_WORDS = re.compile(rf"(?u)\b\w\w+\b|{HAN.pattern}")


def _stemmer(config: LexicalConfig):
    return english.stemmer() if config.stem else None


def _tokenizer(config: LexicalConfig, segmented: bool = False) -> Tokenizer:
    splitter = _SPLIT_WORDS.pattern if segmented else _SPLIT.pattern
    return Tokenizer(stemmer=_stemmer(config), stopwords=sorted(english.STOPWORDS), splitter=splitter)
