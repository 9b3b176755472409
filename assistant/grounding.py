"""Grounding, enforced in code: every sentence the model writes is checked against the products it
was given before a shopper sees it.

The model names products only as [1], [2] … (the numbered list in its prompt); code turns those
into catalogue titles. A sentence is dropped when it cites a number not in the list, states a
price no listed product has, names a catalogue id or a brand not in the list, or names something
(a capitalised word) that the listed products do not contain.

Chinese answers pass the same checks: sentences end at 。！？ as at .!?, "¥20" / "20元" / "人民币20" /
"二十元" are prices (catalog.money reads them), a brand written in Chinese (华为) is the brand it
names, and a name in Chinese quotation marks (《…》, 「…」, “…”) must be a listed product's own words.

The shopper's own words license nothing: asked for "a Rolex Submariner" in a shop with no Rolex, a
model that writes "the Rolex Submariner is a classic" has named a product the shop does not sell.
Features and comparisons are checked too (`claims`): "made of soft, breathable fabric" about a mug
whose catalogue text says nothing of the kind is dropped; "[2] is cheaper than [1]" must be true.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from shopassist.assistant.claims import false_comparison, unsupported_feature
from shopassist.catalog.models import Product
from shopassist.catalog.money import MONEY, SYMBOLS, amount_of
from shopassist.retrieval.query import CHINESE_BRANDS

_REF = re.compile(r"\[(\d{1,3})\]")
# Why a sentence was dropped: a number not in the list, a price, catalogue id, brand or name that is
# not the listed products', a feature or comparison their catalogue text does not support; and, by
# the filter, a repeat or a second sentence about no product.
DROP_REASONS = ("number", "price", "id", "brand", "name", "feature", "comparison", "repeat", "uncited")
_MONEY = MONEY
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'&\-]*")
# Latin-script boundaries, not \b: in "型号ABC123" the Chinese character before the id is a word character too.
_ID_LIKE = re.compile(r"(?<![A-Za-z0-9\-])[A-Za-z0-9][A-Za-z0-9\-]{3,}(?<!-)(?![A-Za-z0-9])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A name set off in Chinese quotation marks: 《哈利波特》魔杖, 「龙猫」抱枕, “超能”保温杯.
_QUOTED_ZH = re.compile(r"《([^》]+)》|「([^」]+)」|『([^』]+)』|“([^”]*[\u4e00-\u9fff][^”]*)”")
# 兄弟 (Brother) is also "brother": "a gift for your brother" names no printer maker.
_CHINESE_BRANDS = {zh: en for zh, en in CHINESE_BRANDS.items() if _HAN.search(zh) and zh != "兄弟"}
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+")

# Capitalised words a shop assistant uses that name nothing.
COMMON_WORDS = frozenset(
    """i you we they he she it this that these those here there the a an and or but if so as for to of in on at by
    with from your my our their its yes no not also just only great good nice lovely perfect ideal fun cute classic
    stylish practical beautiful charming handy useful popular best top ideas idea option options choice choices pick
    picks try consider check take look see enjoy buy get love like want need gift gifts present presents birthday
    christmas xmas mother father mum mom dad kid kids child children friend friends family home kitchen garden party
    sorry unfortunately however happy merry also both each all any some more other another first second third these those one
    two three four five based since because which what who why how when where hi hello thanks thank please welcome
    item items product products price prices cheap cheaper affordable budget under below above over around about
    shopper customer store shop catalogue catalog recommendation recommendations suggestion suggestions
    i'm i'd i'll i've you're you'll you'd it's that's there's here's let's we're we'll don't can't won't isn't""".split()
)


@dataclass(frozen=True)
class Grounding:
    """What an answer may speak of: the numbered products; besides them, the price bounds the
    search enforced ("under £3" is true of every listed product) and the names of the products the
    prompt says the shopper bought ("since you bought …") — never as suggestions or with prices."""

    products: Sequence[Product]
    catalogue_ids: frozenset[str] = frozenset()
    known_brands: frozenset[str] = frozenset()  # lower case: the catalogue's and well-known ones
    bounds: tuple[float, ...] = ()
    mentionable: Sequence[Product] = ()
    _allowed: frozenset[str] = field(init=False, default=frozenset())
    _prices: tuple[float, ...] = field(init=False, default=())
    _coded: re.Pattern[str] | None = field(init=False, default=None)  # "12.00 SEK": amounts in the listed codes
    _text: str = field(init=False, default="")  # the listed products' own text, lower case: Chinese names are found in it

    def __post_init__(self) -> None:
        words: set[str] = set()
        texts: list[str] = []
        for p in (*self.products, *self.mentionable):
            for text in (p.title, p.display_title, p.brand or "", p.category or "", p.description, *p.attributes.values()):
                words.update(w.lower() for w in _WORD.findall(text))
                texts.append(text.lower())
        object.__setattr__(self, "_text", "\n".join(texts))
        # A currency with no sign is written after the amount, as its code (catalog.money): the
        # code names nothing, and the amount before it is a price to check like "£4.50".
        codes = sorted({p.currency.upper() for p in self.products if p.currency.upper() not in SYMBOLS})
        words.update(c.lower() for c in codes)
        object.__setattr__(self, "_allowed", frozenset(words))
        object.__setattr__(self, "_prices", tuple(p.price for p in self.products if p.price is not None))
        if codes:
            coded = rf"(\d{{1,7}}(?:[.,]\d{{1,2}})?)\s?(?:{'|'.join(map(re.escape, codes))})\b"
            object.__setattr__(self, "_coded", re.compile(coded, re.I))

    def check(self, sentence: str) -> str | None:
        """The sentence with [n] rendered as product titles, or None when it must be dropped.

        >>> g = Grounding([Product("1", "RED MUG", "Red Mug", price=4.5)])
        >>> g.check("[1] is a cheerful choice at £4.50.")
        'Red Mug is a cheerful choice at £4.50.'
        >>> g.check("[2] costs £3.") is None, g.check("The Nike Air is great.") is None
        (True, True)
        >>> g.check("Rolex Watches at £4.50.") is None  # a name at the start of a line counts too
        True
        >>> g = Grounding([Product("1", "RED MUG", "Red Mug", price=4.5)], bounds=(5.0,),
        ...               mentionable=[Product("2", "BLUE BOWL", "Blue Bowl", price=3.0)])
        >>> g.check("Since you bought the Blue Bowl, [1] at £4.50 is under £5.")
        'Since you bought the Blue Bowl, Red Mug at £4.50 is under £5.'
        >>> g.check("The Blue Bowl is £3.") is None  # a purchase, not a suggestion: no price
        True
        >>> g = Grounding([Product("1", "RED MUG", "Red Mug", price=45, currency="SEK")])
        >>> g.check("[1] costs 45.00 SEK."), g.check("[1] costs 4.00 SEK.")
        ('Red Mug costs 45.00 SEK.', None)
        >>> g = Grounding([Product("1", "索尼 蓝牙音箱", "索尼 蓝牙音箱", brand="Sony", price=40.95, currency="CNY")])
        >>> g.check("[1]只要¥40.95，很适合您。"), g.check("[1]只要20元。"), g.check("华为音箱也不错。")
        ('索尼 蓝牙音箱只要¥40.95，很适合您。', None, None)
        >>> g.check("[1] 索尼 蓝牙音箱 (¥40.95)")
        '索尼 蓝牙音箱 (¥40.95)'
        """
        return self.judge(sentence)[0]

    def judge(self, sentence: str) -> tuple[str | None, str]:
        """(the sentence rendered, "") when it may be shown, else (None, why it is dropped): one of
        DROP_REASONS.

        >>> g = Grounding([Product("1", "RED MUG", "Red Mug", price=4.5), Product("2", "TIN", "Tin", price=2.0)])
        >>> g.judge("[1] is made of soft, breathable fabric.")
        (None, 'feature')
        >>> g.judge("[1] is cheaper than [2].")
        (None, 'comparison')
        >>> g.judge("[2] is cheaper than [1], at £2.00.")
        ('Tin is cheaper than Red Mug, at £2.00.', '')
        >>> Grounding([Product("9", "HP COMPAQ 2710P", "HP Compaq 2710p", price=95.0)]).judge("The HP Compaq 2710p is £95.00.")[1]
        ''
        """
        refs = [int(n) for n in _REF.findall(sentence)]
        if any(not 1 <= n <= len(self.products) for n in refs):
            return None, "number"
        # A listed product's own title is no price claim: "HP Compaq 2710p" is a model, not 2,710 pence.
        priced = sentence
        for p in (*self.products, *self.mentionable):
            for title in {p.display_title, p.title}:
                priced = re.sub(re.escape(title), " ", priced, flags=re.I) if title else priced
        amounts = [amount_of(m) for m in _MONEY.finditer(priced)]
        amounts += [float(written.replace(",", ".")) for written in self._coded.findall(priced)] if self._coded else []
        for amount in amounts:
            if not any(abs(amount - price) < 0.005 for price in (*self._prices, *self.bounds)):
                return None, "price"
        listed_ids = {p.id.lower() for p in self.products}
        for token in _ID_LIKE.findall(sentence):
            low = token.lower()
            if low in self.catalogue_ids and low not in listed_ids and low not in self._allowed:
                return None, "id"
        plain = _REF.sub(" ", sentence)
        lowered = plain.lower()
        listed_brands = {(p.brand or "").lower() for p in self.products}
        for brand in self.known_brands:
            if brand not in listed_brands and brand not in self._allowed and re.search(rf"(?<![A-Za-z0-9]){re.escape(brand)}(?![A-Za-z0-9])", lowered):
                return None, "brand"
        for zh, brand in _CHINESE_BRANDS.items():  # "华为" names Huawei as surely as "Huawei" does
            if zh in plain and brand not in listed_brands and brand not in self._allowed and zh not in self._text:
                return None, "brand"
        chinese = bool(_HAN.search(plain))
        words = [w.group(0) for w in _WORD.finditer(plain)]
        for position, text in enumerate(words):
            if not any(c.isupper() for c in text):
                continue  # lower-case words name nothing by themselves; "iPhone" does
            # Every English sentence starts with a capital; one that starts a Title Case name does
            # not, and Chinese has no capitals, so a capital there is always a name.
            if position == 0 and not chinese and not any(c.isupper() for c in text[1:]) and not (len(words) > 1 and words[1][0].isupper()):
                continue
            low = text.lower()
            if low not in self._allowed and low not in COMMON_WORDS:
                return None, "name"
        for quoted in _QUOTED_ZH.finditer(plain):
            name = next(g for g in quoted.groups() if g).strip().lower()
            if name and name not in self._text:
                return None, "name"
        about = self.about(sentence)
        if unsupported_feature(plain, [*(about or self.products), *self.mentionable]) is not None:
            return None, "feature"
        if false_comparison(sentence, about) is not None:
            return None, "comparison"
        rendered = _REF.sub(lambda m: self.products[int(m.group(1)) - 1].display_title, sentence)
        for n in set(refs):  # "[1] Red Mug (£4.50)" copied from the list names it once
            title = re.escape(self.products[n - 1].display_title)
            rendered = re.sub(rf"({title})\s*{title}", r"\1", rendered, flags=re.I)
        return rendered.strip(), ""

    def about(self, sentence: str) -> list[Product]:
        """The listed products a sentence speaks of, in the order it names them ([n] or full title).

        >>> g = Grounding([Product("1", "RED MUG", "Red Mug"), Product("2", "TIN", "Tin")])
        >>> [p.id for p in g.about("[2] beats the red mug.")], g.about("[7] is not listed.")
        (['2', '1'], [])
        """
        lowered = sentence.lower()
        found: list[tuple[int, Product]] = [
            (m.start(), self.products[int(m.group(1)) - 1]) for m in _REF.finditer(sentence) if 1 <= int(m.group(1)) <= len(self.products)
        ]
        for product in self.products:
            at = lowered.find(product.display_title.lower())
            if at >= 0:
                found.append((at, product))
        ordered: list[Product] = []
        for _, product in sorted(found, key=lambda pair: pair[0]):
            if product not in ordered:
                ordered.append(product)
        return ordered

    def cites(self, sentence: str) -> bool:
        """Whether the sentence is about a listed product: by its [n], or by its full title, which
        models often write out despite being asked for the number.

        >>> g = Grounding([Product("1", "RED MUG", "Red Mug", price=4.5)])
        >>> g.cites("[1] suits you."), g.cites("The red mug suits you."), g.cites("Mugs suit you.")
        (True, True, False)
        """
        return bool(self.about(sentence))


class SentenceFilter:
    """Streams verified sentences: feed model chunks in, get whole checked sentences out.

    Beyond grounding it keeps the answer short and on point: repeated sentences are dropped (small
    models loop), at most one sentence may cite no product (an opening line, held back until a
    sentence about a product follows, dropped if none does), and once `max_sentences` are kept the
    filter is `full` and the caller stops generating.
    """

    def __init__(self, grounding: Grounding, max_sentences: int = 4, max_uncited: int = 1):
        self.grounding = grounding
        self.max_sentences, self.max_uncited = max_sentences, max_uncited
        self._buffer = ""
        self.kept: list[str] = []
        self.dropped: list[str] = []
        self.reasons: Counter[str] = Counter()  # DROP_REASONS → sentences dropped for it
        self.cited = 0  # kept sentences that referred to a listed product
        self._held: list[str] = []  # an uncited opening line, released with the first cited sentence

    @property
    def full(self) -> bool:
        return len(self.kept) >= self.max_sentences

    def feed(self, chunk: str) -> Iterator[str]:
        self._buffer += chunk
        parts = _SENTENCE_END.split(self._buffer)
        self._buffer = parts.pop()  # the unfinished tail waits for more text
        yield from self._judge(parts)

    def flush(self) -> Iterator[str]:
        tail, self._buffer = self._buffer, ""
        yield from self._judge([tail])
        if self._held:  # an opening line with no product after it says nothing: drop it
            self.dropped.extend(self._held)
            self.reasons["uncited"] += len(self._held)
            self.kept = [k for k in self.kept if k not in self._held]
            self._held = []

    def _judge(self, sentences: Iterable[str]) -> Iterator[str]:
        for raw in sentences:
            sentence = raw.strip()
            if not sentence:
                continue
            if self.full:
                return
            checked, why = self.grounding.judge(sentence)
            cites = self.grounding.cites(sentence)
            uncited_so_far = len(self.kept) - self.cited
            if checked is not None and checked in self.kept:
                why = "repeat"
            elif checked is not None and not cites and uncited_so_far >= self.max_uncited:
                why = "uncited"
            if why:
                self.dropped.append(sentence)
                self.reasons[why] += 1
                continue
            self.cited += cites
            self.kept.append(checked)
            if not cites and not self.cited:
                self._held.append(checked)
                continue
            yield from self._held
            self._held = []
            yield checked
