"""Accessories of the thing asked for: "notebook" asks for a notebook, not a notebook case.

A bare product word matches its accessories' titles as well as (often better than) the product's
own: in Icecat, "notebook case", "notebook spare part Battery" and "Privacy Filter for Notebooks"
each hold the word, and for the query "notebook" the first eleven fused results were cases,
batteries and adapters, the first notebook twelfth. A title is an accessory of the query when it
names an accessory (case, battery, adapter, …) and the query's word is that accessory's modifier
(the accessory word follows it), or comes after "for", or is not in the title at all. A query
that itself names an accessory ("notebook case", "laptop charger") demotes nothing.

On the Icecat dev judgements, over the 58 queries that name no accessory, the rule flags 10 of
the 457 products rated 3 (a tripod's mount ring, privacy filters for "desktop") and 293 of the
822 rated 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from shopassist.retrieval.english import STOPWORDS, stemmer

# Things that go with a product rather than being one; a warranty sold with it counts too. Not
# "kit", "dock", "service" or "remote": a "USB hub kit", a "docking speaker", a phone with "Huawei
# Mobile Services" and a hub "with 4 Remote Ports" are the product itself.
ACCESSORY_WORDS = (
    "case bag backpack sleeve briefcase cover skin pouch holster battery charger adapter adaptor cable cord "
    "mount stand holder bracket replacement spare part accessory lock protector filter strap stylus "
    "cleaner cleaning warranty support supp extension"
).split()
MODIFIES_WITHIN = 2  # "notebook case", "notebook spare part": the accessory word within two words after
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only: sizes and model numbers modify nothing here


def title_words(text: str) -> list[str]:
    """The words of a title or query, stemmed, letters only.

    >>> title_words("Philips SHE9503 In-Ear Headphones")
    ['philip', 'she', 'in', 'ear', 'headphon']
    """
    stem = stemmer()
    return [stem(w) for w in _WORD.findall(text.lower())]


@lru_cache(maxsize=1)
def _accessories() -> frozenset[str]:
    return frozenset(stemmer()(w) for w in ACCESSORY_WORDS)


def asks_for(query: str) -> frozenset[str]:
    """The query's product words (stemmed), or none when it names an accessory itself.

    >>> sorted(asks_for("quiet notebooks for travel")), asks_for("notebook case")
    (['notebook', 'quiet', 'travel'], frozenset())
    """
    words = [w for w in title_words(query) if w not in STOPWORDS]
    accessories = _accessories()
    return frozenset() if any(w in accessories for w in words) else frozenset(words)


def is_accessory(title: str, wanted: frozenset[str]) -> bool:
    """Whether the title is an accessory of what `asks_for` found wanted.

    >>> wanted = asks_for("notebook")
    >>> [is_accessory(t, wanted) for t in ("HP Basic Backpack notebook case 39.6 cm", "HP AJ359ET notebook spare part Battery",
    ...     "3M Privacy Filter for Notebooks", "HP Extended Life Battery", "HP EliteBook 2730p Notebook PC", "Acer notebook Black")]
    [True, True, True, True, False, False]
    >>> is_accessory("Targus 7 Port USB Hub with AC Adapter", asks_for("usb hub")), is_accessory("Notebook case", frozenset())
    (False, False)
    """
    if not wanted:
        return False
    words = title_words(title)
    accessories = _accessories()
    if not any(w in accessories for w in words):
        return False
    places = [i for i, w in enumerate(words) if w in wanted]
    if not places:  # a battery or adapter found for its meaning alone
        return True
    return any(
        any(w in accessories for w in words[i + 1 : i + 1 + MODIFIES_WITHIN]) or "for" in words[:i]
        for i in places
    )


def demote_accessories(order: np.ndarray, fused: np.ndarray, titles: Callable[[list[int]], list[str]], query: str,
                       penalty: float) -> tuple[np.ndarray, np.ndarray]:
    """(product positions, scores) re-ordered once every accessory of what `query` asks for has
    lost `penalty`; `titles` gives the titles at positions (read only when the query asks for a
    product).

    >>> shown = ["notebook case", "Acer notebook"]
    >>> order, fused = demote_accessories(np.array([0, 1]), np.array([0.9, 0.6]), lambda rows: [shown[i] for i in rows], "notebook", 0.5)
    >>> order.tolist(), [round(f, 2) for f in fused.tolist()]
    ([1, 0], [0.6, 0.4])
    """
    wanted = asks_for(query)
    if not wanted or penalty == 0 or order.size == 0:
        return order, fused
    rows = order.tolist()
    lost = np.fromiter((penalty if is_accessory(title, wanted) else 0.0 for title in titles(rows)), dtype=np.float64, count=len(rows))
    if not lost.any():
        return order, fused
    demoted = fused - lost
    at = np.argsort(-demoted, kind="stable")
    return order[at], demoted[at]
