"""Which language a query or a catalogue is in — as far as search needs to know: Chinese or not."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice

# CJK Unified Ideographs, Extension A and the compatibility block: the characters of Chinese words.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHINESE_SHARE = 0.3  # a catalogue is Chinese when this share of its titles has Chinese characters
SAMPLE = 2000  # titles looked at: the share is stable long before 19,406


def is_chinese(text: str) -> bool:
    """A query is Chinese when it has any Chinese character (a model number beside it is common).

    >>> is_chinese("iPhone 11 手机壳"), is_chinese("iphone case")
    (True, False)
    """
    return HAN.search(text) is not None


def catalogue_language(titles: Iterable[str]) -> str:
    """'zh' when the catalogue's titles are Chinese, else 'other' (an empty catalogue is 'other').

    >>> catalogue_language(["联想 ThinkPad 笔记本电脑", "Sony WH-1000XM4"]), catalogue_language(["Red mug"])
    ('zh', 'other')
    """
    sample = list(islice(titles, SAMPLE))
    chinese = sum(1 for title in sample if is_chinese(title))
    return "zh" if sample and chinese / len(sample) >= CHINESE_SHARE else "other"
