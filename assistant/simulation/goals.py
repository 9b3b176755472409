"""What each simulated shopper secretly wants, and the need they open with (never the title).

Icecat: each product rated 3 for a judged query is its own goal; the shopper opens with the query.
A store with purchases (the demo): each evaluated shopper's held-out next purchase (the ranking
stage's time split); the shopper opens with the product's kind — its head words, without colour,
size or brand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from shopassist.catalog.models import Product
from shopassist.catalog.store import Catalog
from shopassist.ranking.sources import from_catalog
from shopassist.ranking.split import time_cutoffs, time_split
from shopassist.retrieval.evaluation import Judgements
from shopassist.retrieval.query import COLOURS


@dataclass(frozen=True)
class Goal:
    key: str  # unique per goal: "query → product id"
    product: Product  # hidden from the assistant; the shopper recognises it when shown
    opening: str  # the need the shopper opens with
    shopper: str | None = None  # whose history the assistant may use (None: a new shopper)


@dataclass(frozen=True)
class Goals:
    goals: list[Goal]
    missing: int = 0  # judged or held-out products the catalogue does not list (left out, counted)
    cutoff: int | None = None  # purchase goals: ns since the epoch; the shop may know only events before it


def before(catalog: Catalog, cutoff: int | None) -> Catalog:
    """The store as it stood at `cutoff`: the same products, only the events before it — so no
    ranker or prompt learns a held-out purchase from the shopper's history.

    >>> before(Catalog("empty", {}), None).events.empty
    True
    """
    if cutoff is None:
        return catalog
    events = catalog.events
    kept = events[events["timestamp"].to_numpy(dtype="datetime64[ns]").astype("int64") < cutoff].reset_index(drop=True)
    return replace(catalog, events=kept, shopper_events=None)  # type: ignore[arg-type]  # rebuilt for these events


# Words that say how big or what shape, not what the product is.
SIZE_WORDS = frozenset("small large big mini medium jumbo giant tiny xl xxl xs extra set of pack".split())
_SIZE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:\"|''|inch(?:es)?|in\b|cm\b|mm\b|m\b|tb\b|gb\b|mb\b|mah\b|w\b|l\b|ml\b|g\b|kg\b)", re.I)
_STOP = frozenset("a an the of and with for in on to by set pack piece pcs assorted colour colours design designs".split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_PLAIN = re.compile(r"[a-z][a-z\-]+")  # a word, not a model code, number or unit with digits
_UNITS = frozenset("cm mm in inch gb tb mb mah pixels channels dpi rpm bit".split())


def size_of(title: str) -> str | None:
    """The first size or capacity the title states, as a shopper would say it.

    >>> size_of('Lenovo IdeaPad 15.6" 8 GB'), size_of("JUMBO BAG RED RETROSPOT"), size_of("Mug")
    ('15.6 inch', 'jumbo', None)
    """
    match = _SIZE.search(title)
    if match:
        text = match.group(0).replace('"', " inch").replace("''", " inch")
        return re.sub(r"\s+", " ", text).strip().lower()
    words = {w.lower() for w in _TOKEN.findall(title)}
    return next((w for w in ("mini", "small", "medium", "large", "jumbo", "giant") if w in words), None)


def colour_of(title: str) -> str | None:
    """The first colour word of the title (lower case).

    >>> colour_of("Alienware backpack Black/gray"), colour_of("Mouse")
    ('black', None)
    """
    return next((w.lower() for w in _TOKEN.findall(title) if w.lower() in COLOURS), None)


def kind_words(product: Product, most: int = 3) -> str:
    """What kind of thing the product is, in a shopper's words: its category when the store has
    one; else from the title. Icecat titles write the kind as a run of lower-case words after the
    model ("… AA451815 backpack Black/gray", "… docking speaker 1.0 channels"); retail titles are
    all capitals with the kind at the end ("… T-LIGHT HOLDER"). "" when the title names no kind.

    >>> kind_words(Product("1", "Alienware AA451815 backpack Black/gray", "", brand="Alienware"))
    'backpack'
    >>> kind_words(Product("2", "ASUS DRW-24B1ST optical disc drive Internal Black", ""))
    'optical disc drive'
    >>> kind_words(Product("3", "WHITE HANGING HEART T-LIGHT HOLDER", "White Hanging Heart T-Light Holder"))
    't-light holder'
    >>> kind_words(Product("4", "HP FB037AA handheld mobile computer spare part Battery", "", brand="HP"))
    'computer spare part'
    >>> kind_words(Product("5", "Sony MSMT4GN", "Sony MSMT4GN", brand="Sony"))
    ''
    """
    if product.category:
        return product.category.lower()
    brand = {w.lower() for w in (product.brand or "").split()}
    tokens = product.title.split()
    if product.title.isupper():
        plain = [w.lower() for w in tokens if _PLAIN.fullmatch(w.lower())]
        kept = [w for w in plain if w not in brand and w not in COLOURS and w not in SIZE_WORDS and w not in _STOP]
        return " ".join(kept[-2:])
    run: list[str] = []
    for token in tokens:
        if _PLAIN.fullmatch(token) and token not in _UNITS and token not in COLOURS and token not in _STOP:
            run.append(token)
        elif run:
            break
    # The kind is the run's end: English names a thing by its last noun ("handheld mobile computer
    # spare part" is a spare part, not a computer), so a long run loses its first words, not its last.
    return " ".join(run[-most:])


def from_judgements(judgements: Judgements, catalog: Catalog) -> Goals:
    """Each product rated 3 for a query is one goal; the shopper opens with the query.

    >>> shop = Catalog("toy", {"7": Product("7", "Acme mug Red", "Acme mug Red", brand="Acme")})
    >>> found = from_judgements(Judgements({"red mug": {"7": 3, "8": 3, "9": 1}}, []), shop)
    >>> [g.key for g in found.goals], found.missing
    (['red mug → 7'], 1)
    """
    goals, missing = [], 0
    for query, ratings in judgements.by_query.items():
        for pid, rating in ratings.items():
            if rating < 3:
                continue
            if pid not in catalog.products:
                missing += 1
                continue
            goals.append(Goal(f"{query} → {pid}", catalog.products[pid], query))
    return Goals(goals, missing)


def from_purchases(catalog: Catalog) -> Goals:
    """Each evaluated shopper's first basket after the store's last-10%-of-time cutoff: the basket's
    first product (in catalogue order) is the goal, opened with its kind.

    >>> from_purchases(Catalog("empty", {})).goals
    []
    """
    data, _ = from_catalog(catalog)
    if data.n_events == 0:
        return Goals([])
    cutoff = time_cutoffs(data, test_share=0.1, valid_share=0.0)[1]
    fold = time_split(data, cutoff)
    goals = []
    for row in fold.evaluated:
        product = data.products[int(fold.targets[row][0])]
        opening = kind_words(product)
        if opening:
            goals.append(Goal(f"{data.shoppers[row]} → {product.id}", product, opening, data.shoppers[row]))
    return Goals(goals, cutoff=cutoff)
