"""The Assistant: one turn = understand → retrieve → rank → prompt → generate → verify → answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from shopassist.assistant.answer import Answer
from shopassist.assistant.followup import interpret, stated, states
from shopassist.assistant.grounding import Grounding, SentenceFilter
from shopassist.assistant.llm import LLM, GenerationOptions, Prefills
from shopassist.assistant.privacy import mask_pii
from shopassist.assistant.prompt import build_messages, stable_prefix
from shopassist.assistant.replies import added_to_cart, clarify, comparison, fallback, language_of, no_results, not_carried, product_facts
from shopassist.assistant.session import Session, SessionStore, Turn
from shopassist.catalog.event_log import EventLog
from shopassist.catalog.models import Event, Product
from shopassist.catalog.store import Catalog
from shopassist.ranking.contract import RankContext, Ranker, Suggestion
from shopassist.retrieval.query import CHINESE_BRANDS
from shopassist.retrieval.retriever import Retriever
from shopassist.errors import EmptyQuery, LLMError, SessionNotFound

log = logging.getLogger("shopassist.assistant")

FEEDBACK_KINDS = {"like": "like", "dislike": "dislike", "cart": "cart"}


@dataclass(frozen=True)
class Chunk:
    """A piece of the answer's text, already verified, as it streams."""

    text: str


@dataclass(frozen=True)
class Shortlist:
    """The turn's ranked products, streamed before any text: they exist tens of milliseconds into
    a turn while the CPU model needs seconds for its sentences, so a UI shows the cards at once."""

    suggestions: tuple[Suggestion, ...]
    session: str


class _TurnTimer:
    """Milliseconds per stage of one turn (each since the last mark), and to a few moments from its start."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def mark(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = (now - self.last) * 1000
        self.last = now

    def since_start(self, name: str) -> None:
        self.timings[name] = (time.perf_counter() - self.start) * 1000


PROMPT_PURCHASES = 2  # the shopper's purchases named in the prompt
SUMMARY_PURCHASES = 4  # ... and in the shopper picker's one-line summaries


class Assistant:
    """
    >>> assistant = open_assistant(settings, "demo")  # doctest: +SKIP
    >>> assistant.ask("17850", "a red mug under £5").suggestions[0].product.display_title  # doctest: +SKIP
    'Vintage Red Mug'
    """

    def __init__(
        self,
        retriever: Retriever,
        ranker: Ranker,
        llm: LLM | None,
        sessions: SessionStore | None = None,
        options: GenerationOptions = GenerationOptions(max_tokens=160, timeout_s=30.0),
        suggestions: int = 3,  # a short list a shopper can compare at a glance
        pool: int = 50,  # candidates retrieved for the ranker to reorder
        event_log: EventLog | None = None,  # durable feedback and (masked) messages; None keeps them in memory
    ):
        self.retriever, self.ranker, self.llm = retriever, ranker, llm
        self.event_log = event_log
        # The catalogue version serving now. Forgetting a shopper swaps in a new one (never edits
        # this one), so each turn reads this reference once and finishes on what it read.
        self.catalog = retriever.catalog
        self.sessions = sessions or SessionStore()
        self.options, self.n, self.pool = options, suggestions, pool
        self._catalogue_ids = frozenset(pid.lower() for pid in self.catalog.products)
        self._brands = frozenset(self.retriever.vocabulary.brands | set(CHINESE_BRANDS.values()))
        self._forgotten = event_log.forgotten() if event_log is not None else frozenset()
        self._forgetting = threading.Lock()

    # -- the API -------------------------------------------------------------------
    def ask(self, user: str | None, query: str, session: str | None = None) -> Answer:
        for item in self.stream(user, query, session):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream ended without an answer")

    def stream(self, user: str | None, query: str, session: str | None = None) -> Iterator[Shortlist | Chunk | Answer]:
        """Yields the Shortlist of products as soon as they are ranked (turns that show products),
        then verified text as it is generated, then the final Answer (always last)."""
        self._honour_forget_requests()
        state = self.sessions.get(session, user)
        with state.lock:
            yield from self._turn(state, user, query)

    def feedback(self, session: str, product_id: str, kind: str) -> Event:
        """Record 👍 / 👎 / add-to-cart on a shown product; it shapes the session's next answers.
        Raises SessionNotFound when the session id is not (or no longer) live."""
        if kind not in FEEDBACK_KINDS:
            raise ValueError(f"feedback kind {kind!r} is not one of {', '.join(FEEDBACK_KINDS)}")
        state = self.sessions.find(session)
        if state is None:
            raise SessionNotFound(f"session {session!r} is unknown or has expired — ask again to start a new one")
        with state.lock:
            return self._record(state, product_id, FEEDBACK_KINDS[kind])

    def _record(self, state: Session, product_id: str, kind: str) -> Event:
        """A shopper's event on a product, durable before it counts (the caller holds state.lock)."""
        event = Event(state.shopper_id or "", product_id, kind, datetime.now(timezone.utc))
        if self.event_log is not None:
            self.event_log.append(event, session=state.id)
        state.events.append(event)
        if kind == "dislike":
            state.disliked.add(product_id)
        else:
            state.disliked.discard(product_id)
        return event

    # -- one turn ------------------------------------------------------------------
    def _turn(self, state: Session, user: str | None, message: str) -> Iterator[Shortlist | Chunk | Answer]:
        clock = _TurnTimer()
        catalog = self.catalog  # this turn's version (see __init__)
        message = mask_pii(message)  # first: nothing below (logs, prompt, the session's turns) sees raw PII
        language = language_of(message)
        shown = [catalog.products[i] for i in state.shown if i in catalog.products]
        intent = interpret(message, self.retriever.parse, state.query, shown, state.seen)
        clock.mark("understand")
        self._remember(state, "user", message)

        if intent.kind == "question" and intent.product is not None:
            text = product_facts(intent.product, intent.topic, language)
            suggestion = Suggestion(intent.product, 1.0, "the product you asked about", {})
            clock.since_start("cards")
            yield Shortlist((suggestion,), state.id)
            yield from self._finish(state, clock, text, [suggestion], "answer", language, keep_shown=True)
            return
        if intent.kind == "compare":  # answered by code from the catalogue's facts, never by the model
            compared = [Suggestion(p, 1.0, "compared", {}) for p in intent.compared]
            clock.since_start("cards")
            yield Shortlist(tuple(compared), state.id)
            yield from self._finish(state, clock, comparison(list(intent.compared), intent.topic, language), compared, "answer", language, keep_shown=True)
            return
        if intent.kind == "cart" and intent.product is not None:
            self._record(state, intent.product.id, "cart")
            added = Suggestion(intent.product, 1.0, "in your cart", {})
            clock.since_start("cards")
            yield Shortlist((added,), state.id)
            yield from self._finish(state, clock, added_to_cart(intent.product, language), [added], "cart", language, keep_shown=True)
            return
        if intent.kind == "not_carried":  # no products: the search in force stays, for "any brand" to widen
            state.query = intent.query or state.query
            yield from self._finish(state, clock, not_carried(intent.missing, language), [], "not_carried", language)
            return
        if intent.kind == "clarify":
            yield from self._finish(state, clock, clarify(language), [], "clarify", language)
            return
        try:
            result = self.retriever.run(intent.query, self.pool)
        except EmptyQuery:
            yield from self._finish(state, clock, clarify(language), [], "clarify", language)
            return
        state.query = result.query
        clock.mark("retrieve")
        blocked = state.disliked | intent.exclude_ids
        candidates = [c for c in result.candidates if c.product.id not in blocked]
        if intent.kind == "refine" and (asked := stated(result.query)):
            # "in black", "the 17 cm one": the words alone only lean towards them; products whose
            # title states them all come first — all of the others stay when none does.
            fitting = [c for c in candidates if all(states(c.product.title, a) for a in asked)]
            candidates = fitting or candidates
        context = RankContext(recent=tuple(state.events), constraints=tuple(result.query.constraints))
        ranked = self.ranker.rank(user, candidates, context)
        if intent.unseen_first:
            ranked = sorted(ranked, key=lambda s: s.product.id in state.seen)  # stable: the ranking holds within each
        top = ranked[: self.n]
        clock.mark("rank")
        if top:
            clock.since_start("cards")
            yield Shortlist(tuple(top), state.id)
        what = result.query.text or message
        if not top:
            yield from self._finish(state, clock, no_results(what, result.query.constraints, language), [], "no_results", language)
            return
        # Two purchases are enough to personalise the wording; each title costs the CPU model ~0.2 s.
        bought = _recent_purchases(catalog, user, PROMPT_PURCHASES)
        messages = build_messages(top, message, _profile(catalog, user, bought), language)
        clock.mark("prompt")
        clock.since_start("before_llm")
        text_parts: list[str] = []
        kind = "suggestions"
        grounding = Grounding(
            [s.product for s in top], self._catalogue_ids, self._brands,
            bounds=tuple(b for b in (result.query.min_price, result.query.max_price) if b is not None),
            mentionable=tuple(bought),  # "since you bought …"
        )
        sentences = SentenceFilter(grounding, max_sentences=len(top) + 1)
        if self.llm is not None:
            try:
                for piece in self.llm.stream(messages, self.options):
                    if "first_token" not in clock.timings:
                        clock.since_start("first_token")
                    for sentence in sentences.feed(piece):
                        text_parts.append(sentence)
                        yield Chunk(sentence + _after(sentence))
                    if sentences.full:
                        break  # closing the stream stops generation: no tokens wasted
                for sentence in sentences.flush():
                    text_parts.append(sentence)
                    yield Chunk(sentence + _after(sentence))
            except LLMError as e:
                log.warning("LLM failed, answering from the template: %s", e)
            if sentences.dropped:
                log.info("grounding dropped %d sentence(s): %r", len(sentences.dropped), sentences.dropped)
        if sentences.cited == 0:  # nothing usable named a listed product: the template answers
            kind = "fallback"
            text = fallback(top, what, result.query.constraints, language)
            yield Chunk(("\n" if text_parts else "") + text)
            text_parts.append(text)
        clock.mark("generate")
        yield from self._finish(state, clock, "".join(p + _after(p) for p in text_parts).strip(), top, kind, language, streamed=True, dropped=dict(sentences.reasons))

    def _finish(self, state: Session, clock: _TurnTimer, text: str, top: list[Suggestion], kind: str, language: str,
                streamed: bool = False, keep_shown: bool = False, dropped: dict[str, int] | None = None) -> Iterator[Chunk | Answer]:
        if not streamed:
            yield Chunk(text)
        if top and not keep_shown:
            state.shown = [s.product.id for s in top]
            state.seen.update(state.shown)
        self._remember(state, "assistant", text)
        clock.since_start("total")
        yield Answer(text=text, suggestions=top, session=state.id, timings=clock.timings, kind=kind, language=language, dropped=dropped or {})

    def _remember(self, state: Session, role: str, text: str) -> None:
        state.turns.append(Turn(role, text))
        if self.event_log is not None:
            self.event_log.add_message(state.id, state.shopper_id, role, text)

    def _honour_forget_requests(self) -> None:
        """`shopassist forget-user` run while this process serves: from the next turn on, the
        shopper's events, sessions and ranking signals are gone here too, not only on disk."""
        if self.event_log is None:
            return
        requested = self.event_log.forgotten()
        if requested <= self._forgotten:
            return
        # One thread builds the new version; the others wait for it rather than answer this
        # shopper from the old one. `_forgotten` grows last, so whoever sees it grown sees the swap.
        with self._forgetting:
            new = requested - self._forgotten
            if not new:
                return
            catalog = self.catalog.forget(new)
            if forget := getattr(self.ranker, "forget", None):
                forget(catalog)
            self.catalog = catalog
            for shopper_id in new:
                self.sessions.drop_shopper(shopper_id)
            self._forgotten = self._forgotten | new
        log.info("forgot %d shopper(s) on request", len(new))

    def prepare(self, user: str | None) -> threading.Thread | None:
        """Start reading this shopper's prompt prefix (rules, profile, purchases) into the model in
        the background — call it when a shopper is picked or signs in, so the seconds they spend
        typing pay for it. Their first question then waits only for its own products and words.
        Returns the thread (None when the backend has nothing to prefill); errors are logged."""
        if not isinstance(self.llm, Prefills):
            return None
        catalog = self.catalog
        messages = stable_prefix(_profile(catalog, user, _recent_purchases(catalog, user, PROMPT_PURCHASES)))

        def read() -> None:
            try:
                self.llm.prefill(messages)  # type: ignore[union-attr]
            except LLMError as e:
                log.warning("prefill failed (the first answer will be slower): %s", e)

        thread = threading.Thread(target=read, name="prefill", daemon=True)
        thread.start()
        return thread

    def shopper_summary(self, user: str | None, recent: int = SUMMARY_PURCHASES) -> str:
        """One line about the shopper: where they are and the last `recent` things they bought."""
        catalog = self.catalog
        return _summary(catalog, user, _recent_purchases(catalog, user, recent))

    def shoppers(self, limit: int = 50) -> list[tuple[str, str]]:
        """(id, one-line summary) of the store's most active shoppers, for a shopper picker."""
        catalog = self.catalog  # one version for the whole list
        return [
            (shopper_id, f"{count} purchases; {_summary(catalog, shopper_id, _recent_purchases(catalog, shopper_id, SUMMARY_PURCHASES))}")
            for shopper_id, count in catalog.shopper_events.busiest(limit)
        ]

    def product(self, product_id: str) -> Product | None:
        return self.catalog.products.get(product_id)


FIRST_VISIT = "first visit, no purchases yet"


def _profile(catalog: Catalog, user: str | None, bought: list[Product]) -> str:
    """The prompt's line about the shopper: facts to draw on, with no noun for the model to echo —
    given "a new shopper", the 1.5B model wrote "the new shopper loves the door hanger".

    >>> from shopassist.catalog.store import Catalog
    >>> _profile(Catalog("toy", {}), None, [])
    'first visit, no purchases yet'
    """
    return _describe(catalog, user, bought, new=FIRST_VISIT, unplaced="")


def _summary(catalog: Catalog, user: str | None, bought: list[Product]) -> str:
    """The shopper picker's line (people read it, the model does not)."""
    return _describe(catalog, user, bought, new="a new shopper (no history)", unplaced="a returning shopper")


def _describe(catalog: Catalog, user: str | None, bought: list[Product], new: str, unplaced: str) -> str:
    shopper = catalog.shoppers.get(user) if user else None
    if shopper is None and not catalog.shopper_events.knows(user):
        return new
    parts = [f"from {shopper.country}"] if shopper and shopper.country else [unplaced] if unplaced else []
    if bought:
        parts.append("recently bought " + ", ".join(p.display_title for p in bought))
    return "; ".join(parts) or "has shopped here before"


def _recent_purchases(catalog: Catalog, user: str | None, n: int) -> list[Product]:
    """The shopper's last `n` distinct purchases that the catalogue still lists, newest first."""
    return [catalog.products[p] for p in catalog.shopper_events.recent_purchases(user, n, among=catalog.products)]


def _after(sentence: str) -> str:
    """What follows a sentence in the answer: nothing after a Chinese full stop, a space after any other.

    >>> _after("很适合您。") + _after("It suits you.")
    ' '
    """
    return "" if sentence.endswith(("。", "！", "？")) else " "
