"""The Assistant: one turn = understand → retrieve → rank → prompt → generate → verify → answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from shopassist.assistant.answer import Answer
from shopassist.assistant.followup import interpret, stated, states
from shopassist.assistant.grounding import Grounding, SentenceFilter
from shopassist.assistant.llm import LLM, GenerationOptions, Message, Prefills
from shopassist.assistant.privacy import mask_pii
from shopassist.assistant.reading import FollowUpReader
from shopassist.assistant.prompt import build_messages, stable_prefix
from shopassist.assistant.replies import added_to_cart, clarify, comparison, fallback, language_of, no_results, not_carried, product_facts
from shopassist.assistant.session import Session, SessionStore, Turn
from shopassist.catalog.event_log import EventLog
from shopassist.catalog.models import Event, Product
from shopassist.catalog.store import Catalog
from shopassist.ranking.contract import RankContext, Ranker, Suggestion
from shopassist.retrieval.query import CHINESE_BRANDS
from shopassist.retrieval.factory import StoreWatch
from shopassist.retrieval.retriever import Retriever
from shopassist.errors import EmptyQuery, LLMBusy, LLMError, SessionNotFound, ShopassistError
from shopassist.logs import TURNS

log = logging.getLogger("shopassist.assistant")
turns_log = logging.getLogger(TURNS)  # one JSON line per turn (shopassist.logs.log_turns_as_json)

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


@dataclass(frozen=True)
class _Generation:
    """What the model was asked and gave in one turn, for the turn's log line."""

    model: str
    prompt_chars: int  # the messages' characters
    tokens_in: int | None  # the prompt's tokens, chat template included, where the backend can count them (not a remote server)
    tokens_out: int  # streamed pieces; llama.cpp and OpenAI-compatible servers stream one token per piece


# A three-suggestion answer fits in 160 tokens; 30 s bounds a generation that started in time.
# open_assistant adds the wait budget for the first token (Settings.llm_budget_s).
ANSWER_OPTIONS = GenerationOptions(max_tokens=160, timeout_s=30.0)
PROMPT_PURCHASES = 2  # the shopper's purchases named in the prompt
FEEDBACK_READ = 200  # the shopper's newest feedback events read from the log each turn: an indexed read of a few rows
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
        options: GenerationOptions = ANSWER_OPTIONS,
        suggestions: int = 3,  # a short list a shopper can compare at a glance
        pool: int = 50,  # candidates retrieved for the ranker to reorder
        event_log: EventLog | None = None,  # durable feedback and (masked) messages; None keeps them in memory
        reader: FollowUpReader | None = None,  # a model for the follow-ups the rules read as a new search; None: rules only
        watch: StoreWatch | None = None,  # set: a reindex published while serving is picked up at the next turn
    ):
        self.ranker, self.llm, self.reader = ranker, llm, reader
        self.event_log, self.watch = event_log, watch
        # The store version serving now. A new generation or forgetting a shopper swaps in a new
        # one (never edits this one), so each turn reads this reference once and finishes on it.
        self._serving = _Serving.of(retriever, retriever.catalog)
        self.sessions = sessions or SessionStore()
        self.options, self.n, self.pool = options, suggestions, pool
        # Forget-requests this catalogue already honours. One recorded while this app server was
        # down, or by another server whose snapshot is not this one's, is honoured at the first turn.
        forgotten = event_log.forgotten() if event_log is not None else frozenset()
        self._forgotten = frozenset(s for s in forgotten if s not in self.catalog.shoppers and not self.catalog.shopper_events.knows(s))
        self._swapping = threading.Lock()  # one thread builds a new version, the others wait for it

    @property
    def retriever(self) -> Retriever:
        return self._serving.retriever

    @property
    def catalog(self) -> Catalog:
        return self._serving.catalog

    # -- the API -------------------------------------------------------------------
    def ask(self, user: str | None, query: str, session: str | None = None) -> Answer:
        for item in self.stream(user, query, session):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream ended without an answer")

    def stream(self, user: str | None, query: str, session: str | None = None) -> Iterator[Shortlist | Chunk | Answer]:
        """Yields the Shortlist of products as soon as they are ranked (turns that show products),
        then verified text as it is generated, then the final Answer (always last)."""
        self._follow_store()
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
        serving = self._serving  # this turn's version (see __init__)
        catalog, retriever = serving.catalog, serving.retriever
        message = mask_pii(message)  # first: nothing below (logs, prompt, the session's turns) sees raw PII
        language = language_of(message)
        shown = [catalog.products[i] for i in state.shown if i in catalog.products]
        intent = interpret(message, retriever.parse, state.query, shown, state.seen)
        clock.mark("understand")
        if self.reader is not None and intent.kind == "search" and state.query is not None:
            intent = self.reader.reconsider(message, intent, retriever.parse, state.query, shown, state.seen)
            clock.mark("read")  # the model's reading, timed apart from the rules'
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
            result = retriever.run(intent.query, self.pool)
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
        context = RankContext(recent=self._feedback(state), constraints=tuple(result.query.constraints))
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
        tokens_out = 0
        kind = "suggestions"
        grounding = Grounding(
            [s.product for s in top], serving.catalogue_ids, serving.brands,
            bounds=tuple(b for b in (result.query.min_price, result.query.max_price) if b is not None),
            mentionable=tuple(bought),  # "since you bought …"
        )
        sentences = SentenceFilter(grounding, max_sentences=len(top) + 1)
        failure = ""  # why the model gave nothing, when it did not
        if self.llm is not None:
            asked = time.perf_counter()
            try:
                for piece in self.llm.stream(messages, self.options):
                    tokens_out += 1
                    if "first_token" not in clock.timings:
                        clock.since_start("first_token")
                        clock.timings["llm_wait"] = (time.perf_counter() - asked) * 1000  # queue + prompt reading
                    for sentence in sentences.feed(piece):
                        text_parts.append(sentence)
                        yield Chunk(sentence + _after(sentence))
                    if sentences.full:
                        break  # closing the stream stops generation: no tokens wasted
                for sentence in sentences.flush():
                    text_parts.append(sentence)
                    yield Chunk(sentence + _after(sentence))
            except LLMBusy as e:  # expected under load: said in the answer, not a fault
                clock.timings["llm_wait"] = (time.perf_counter() - asked) * 1000
                failure = "llm busy"
                log.info("%s", e)
            except LLMError as e:
                failure = "llm failed"
                log.warning("LLM failed, answering from the template: %s", e)
            if sentences.dropped:
                log.info("grounding dropped %d sentence(s): %r", len(sentences.dropped), sentences.dropped)
        reason = ""
        if sentences.cited == 0:  # nothing usable named a listed product: the template answers
            kind = "fallback"
            reason = failure or ("no llm" if self.llm is None else "not grounded")
            text = fallback(top, what, result.query.constraints, language)
            yield Chunk(("\n" if text_parts else "") + text)
            text_parts.append(text)
        clock.mark("generate")
        generation = None if self.llm is None else _Generation(self.llm.name, sum(len(m.content) for m in messages), _count_tokens(self.llm, messages), tokens_out)
        yield from self._finish(state, clock, "".join(p + _after(p) for p in text_parts).strip(), top, kind, language, streamed=True,
                                dropped=dict(sentences.reasons), reason=reason, generation=generation)

    def _finish(self, state: Session, clock: _TurnTimer, text: str, top: list[Suggestion], kind: str, language: str,
                streamed: bool = False, keep_shown: bool = False, dropped: dict[str, int] | None = None,
                reason: str = "", generation: _Generation | None = None) -> Iterator[Chunk | Answer]:
        if not streamed:
            yield Chunk(text)
        if top and not keep_shown:
            state.shown = [s.product.id for s in top]
            state.seen.update(state.shown)
        self._remember(state, "assistant", text)
        clock.since_start("total")
        answer = Answer(text=text, suggestions=top, session=state.id, timings=clock.timings, kind=kind, language=language, dropped=dropped or {},
                        reason=reason)
        _log_turn(answer, generation)
        yield answer

    def _feedback(self, state: Session) -> tuple[Event, ...]:
        """The shopper's feedback for ranking: their newest events in the log, whichever app server
        or session recorded them (this session's are there too: `_record` writes before it counts).
        A shopper with no id, or an assistant without a log, has only this session's."""
        if self.event_log is None or not state.shopper_id:
            return tuple(state.events)
        return tuple(self.event_log.events(state.shopper_id, limit=FEEDBACK_READ))

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
        with self._swapping:
            new = requested - self._forgotten
            if not new:
                return
            catalog = self.catalog.forget(new)
            if forget := getattr(self.ranker, "forget", None):
                forget(catalog)
            self._serving = replace(self._serving, catalog=catalog)
            for shopper_id in new:
                self.sessions.drop_shopper(shopper_id)
            self._forgotten = self._forgotten | new
        log.info("forgot %d shopper(s) on request", len(new))

    def _follow_store(self) -> None:
        """`shopassist reindex` published a new generation while this process serves: load it
        and swap it in before this turn, so the turn answers from the new catalogue. One stat of
        the store's pointer when nothing changed. A generation that cannot be loaded is logged
        and the old one keeps serving (tried again at the next turn)."""
        if self.watch is None or not self.watch.changed():
            return
        with self._swapping:
            if not self.watch.changed():  # another thread swapped it in while this one waited
                return
            try:
                retriever = self.watch.open()
            except (ShopassistError, OSError) as e:
                log.warning("could not load the new generation of the store, still serving the old one: %s", e)
                return
            catalog = retriever.catalog.forget(self._forgotten)  # forgotten stays forgotten
            if serve := getattr(self.ranker, "serve", None):
                serve(catalog)
            self._serving = _Serving.of(retriever, catalog)
        log.info("serving generation %s of the store: %d products", self.watch.generation(), len(catalog.products))

    def ranking_in_use(self) -> str:
        """What ranks this store's products now: 'popularity', 'trained model v0002', or the ranker's class."""
        in_use = getattr(self.ranker, "in_use", None)
        return in_use() if in_use else type(self.ranker).__name__

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

        # Not a daemon (as in llm/streaming.py): with the wait budget a turn no longer waits for
        # the prefill, so a short session can end while it is still inside llama.cpp — a daemon
        # there when the interpreter frees the model crashes the process at exit.
        thread = threading.Thread(target=read, name="prefill")
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


def _log_turn(answer: Answer, generation: _Generation | None) -> None:
    """One structured line per turn: stage timings, what the model did, what grounding withheld.
    No shopper id and no text: the line is for operating the service, not about the shopper."""
    turns_log.info("turn", extra={"fields": {
        "session": answer.session,
        "kind": answer.kind,
        "language": answer.language,
        "suggestions": len(answer.suggestions),
        "timings_ms": {k: round(v, 1) for k, v in answer.timings.items()},
        "model": generation.model if generation else None,
        "prompt_chars": generation.prompt_chars if generation else 0,
        "tokens_in": generation.tokens_in if generation else 0,
        "tokens_out": generation.tokens_out if generation else 0,
        "answered_by": answer.answered_by,
        "reason": answer.reason,
        "grounding_dropped": dict(answer.dropped),
    }})  # fmt: skip


def _count_tokens(llm: LLM, messages: list[Message]) -> int | None:
    """The prompt's tokens for the log line, where the backend can count them; never fails a turn."""
    count = getattr(llm, "count_tokens", None)
    if count is None:
        return None
    try:
        return count(messages)
    except Exception as e:  # a log field is not worth an answer
        log.debug("could not count the prompt's tokens: %s", e)
        return None


@dataclass(frozen=True)
class _Serving:
    """One version of the store as a turn reads it: replaced whole, never changed."""

    retriever: Retriever
    catalog: Catalog  # the retriever's, less the shoppers forgotten since it was opened
    catalogue_ids: frozenset[str]  # lower-cased, for grounding
    brands: frozenset[str]

    @classmethod
    def of(cls, retriever: Retriever, catalog: Catalog) -> "_Serving":
        return cls(
            retriever, catalog, frozenset(pid.lower() for pid in catalog.products),
            frozenset(retriever.vocabulary.brands | set(CHINESE_BRANDS.values())),
        )  # fmt: skip


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
