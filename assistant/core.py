"""The Assistant: one turn = understand → retrieve → rank → prompt → generate → verify → answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from shopassist.assistant.answer import Answer
from shopassist.assistant.followup import interpret
from shopassist.assistant.grounding import Grounding, SentenceFilter
from shopassist.assistant.llm import LLM, GenerationOptions, Prefills
from shopassist.assistant.privacy import mask_pii
from shopassist.assistant.prompt import build_messages, stable_prefix
from shopassist.assistant.replies import clarify, fallback, language_of, no_results, product_facts
from shopassist.assistant.session import Session, SessionStore, Turn
from shopassist.catalog.event_log import EventLog
from shopassist.catalog.models import Event, Product
from shopassist.ranking.contract import RankContext, Ranker, Suggestion
from shopassist.retrieval.query import CHINESE_BRANDS
from shopassist.retrieval.retriever import Retriever
from shopassist.errors import EmptyQuery, LLMError

log = logging.getLogger("shopassist.assistant")

FEEDBACK_KINDS = {"like": "like", "dislike": "dislike", "cart": "cart"}


@dataclass(frozen=True)
class Chunk:
    """A piece of the answer's text, already verified, as it streams."""

    text: str


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
        self.catalog = retriever.catalog
        self.sessions = sessions or SessionStore()
        self.options, self.n, self.pool = options, suggestions, pool
        self._catalogue_ids = frozenset(pid.lower() for pid in self.catalog.products)
        self._brands = frozenset(self.retriever.vocabulary.brands | set(CHINESE_BRANDS.values()))
        self._history_rows = self._group_history()
        self._forgotten = event_log.forgotten() if event_log is not None else frozenset()

    # -- the API -------------------------------------------------------------------
    def ask(self, user: str | None, query: str, session: str | None = None) -> Answer:
        for item in self.stream(user, query, session):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream ended without an answer")

    def stream(self, user: str | None, query: str, session: str | None = None) -> Iterator[Chunk | Answer]:
        """Yields verified text as it is generated, then the final Answer (always last)."""
        self._honour_forget_requests()
        state = self.sessions.get(session, user)
        with state.lock:
            yield from self._turn(state, user, query)

    def feedback(self, session: str, product_id: str, kind: str) -> Event:
        """Record 👍 / 👎 / add-to-cart on a shown product; it shapes the session's next answers."""
        if kind not in FEEDBACK_KINDS:
            raise ValueError(f"feedback kind {kind!r} is not one of {', '.join(FEEDBACK_KINDS)}")
        state = self.sessions.find(session)
        if state is None:
            raise KeyError(f"session {session!r} has expired — ask again to start a new one")
        with state.lock:
            event = Event(state.shopper_id or "", product_id, FEEDBACK_KINDS[kind], datetime.now(timezone.utc))
            if self.event_log is not None:
                self.event_log.append(event, session=state.id)  # durable before it counts
            state.events.append(event)
            if kind == "dislike":
                state.disliked.add(product_id)
            else:
                state.disliked.discard(product_id)
            return event

    # -- one turn ------------------------------------------------------------------
    def _turn(self, state: Session, user: str | None, message: str) -> Iterator[Chunk | Answer]:
        clock = _TurnTimer()
        message = mask_pii(message)  # first: nothing below (logs, prompt, history) sees raw PII
        language = language_of(message)
        shown = [self.catalog.products[i] for i in state.shown if i in self.catalog.products]
        intent = interpret(message, self.retriever.parse, state.query, shown, state.seen)
        clock.mark("understand")
        self._remember(state, "user", message)

        if intent.kind == "question" and intent.product is not None:
            text = product_facts(intent.product, intent.topic, language)
            suggestion = Suggestion(intent.product, 1.0, "the product you asked about", {})
            yield from self._finish(state, clock, text, [suggestion], "answer", language, keep_shown=True)
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
        context = RankContext(recent=tuple(state.events), constraints=tuple(result.query.constraints))
        top = self.ranker.rank(user, candidates, context)[: self.n]
        clock.mark("rank")
        what = result.query.text or message
        if not top:
            yield from self._finish(state, clock, no_results(what, result.query.constraints, language), [], "no_results", language)
            return
        # Two purchases are enough to personalise the wording; each title costs the CPU model ~0.2 s.
        bought = self.recent_purchases(user, PROMPT_PURCHASES)
        messages = build_messages(top, message, self._summary(user, bought), language)
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
                        yield Chunk(sentence + " ")
                    if sentences.full:
                        break  # closing the stream stops generation: no tokens wasted
                for sentence in sentences.flush():
                    text_parts.append(sentence)
                    yield Chunk(sentence + " ")
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
        yield from self._finish(state, clock, " ".join(text_parts).strip(), top, kind, language, streamed=True)

    def _finish(self, state: Session, clock: _TurnTimer, text: str, top: list[Suggestion], kind: str, language: str,
                streamed: bool = False, keep_shown: bool = False) -> Iterator[Chunk | Answer]:
        if not streamed:
            yield Chunk(text)
        if top and not keep_shown:
            state.shown = [s.product.id for s in top]
            state.seen.update(state.shown)
        self._remember(state, "assistant", text)
        clock.since_start("total")
        yield Answer(text=text, suggestions=top, session=state.id, timings=clock.timings, kind=kind, language=language)

    def _remember(self, state: Session, role: str, text: str) -> None:
        state.turns.append(Turn(role, text))
        if self.event_log is not None:
            self.event_log.add_message(state.id, state.shopper_id, role, text)

    def _group_history(self) -> dict:
        """Row positions of each shopper's events: per-turn history lookups without a scan."""
        return self.catalog.events.groupby("shopper_id").indices if len(self.catalog.events) else {}

    def _honour_forget_requests(self) -> None:
        """`shopassist forget-user` run while this process serves: from the next turn on, the
        shopper's history, sessions and ranking signals are gone here too, not only on disk."""
        if self.event_log is None:
            return
        new = self.event_log.forgotten() - self._forgotten
        if not new:
            return
        self._forgotten |= new
        self.catalog.forget(new)
        self._history_rows = self._group_history()
        for shopper_id in new:
            self.sessions.drop_shopper(shopper_id)
        if forget := getattr(self.ranker, "forget", None):
            forget(new)
        log.info("forgot %d shopper(s) on request", len(new))

    def prepare(self, user: str | None) -> threading.Thread | None:
        """Start reading this shopper's prompt prefix (rules, profile, purchases) into the model in
        the background — call it when a shopper is picked or signs in, so the seconds they spend
        typing pay for it. Their first question then waits only for its own products and words.
        Returns the thread (None when the backend has nothing to prefill); errors are logged."""
        if not isinstance(self.llm, Prefills):
            return None
        messages = stable_prefix(self.shopper_summary(user, recent=PROMPT_PURCHASES))

        def read() -> None:
            try:
                self.llm.prefill(messages)  # type: ignore[union-attr]
            except LLMError as e:
                log.warning("prefill failed (the first answer will be slower): %s", e)

        thread = threading.Thread(target=read, name="prefill", daemon=True)
        thread.start()
        return thread

    def shopper_summary(self, user: str | None, recent: int = 4) -> str:
        """One line about the shopper: where they are and the last `recent` things they bought."""
        return self._summary(user, self.recent_purchases(user, recent))

    def _summary(self, user: str | None, bought: list[Product]) -> str:
        shopper = self.catalog.shoppers.get(user) if user else None
        if shopper is None and (not user or user not in self._history_rows):
            return "a new shopper (no history)"
        parts = [f"from {shopper.country}" if shopper and shopper.country else "a returning shopper"]
        if bought:
            parts.append("recently bought " + ", ".join(p.display_title for p in bought))
        return "; ".join(parts)

    def recent_purchases(self, user: str | None, n: int) -> list[Product]:
        """The shopper's last `n` distinct purchases, newest first."""
        rows = self._history_rows.get(user) if user else None
        if rows is None or not len(rows):
            return []
        latest = self.catalog.events.iloc[rows].sort_values("timestamp").tail(20)["product_id"].tolist()
        ids = list(dict.fromkeys(p for p in reversed(latest) if p in self.catalog.products))[:n]
        return [self.catalog.products[p] for p in ids]

    def history(self, user: str) -> list[Event]:
        return self.catalog.history(user)

    def shoppers(self, limit: int = 50) -> list[tuple[str, str]]:
        """(id, one-line summary) of the store's most active shoppers, for a shopper picker."""
        if not self._history_rows:
            return []
        busiest = sorted(self._history_rows.items(), key=lambda kv: -len(kv[1]))[:limit]
        out = []
        for shopper_id, rows in busiest:
            summary = self.shopper_summary(shopper_id)
            out.append((shopper_id, f"{len(rows)} purchases; {summary}"))
        return out

    def product(self, product_id: str) -> Product | None:
        return self.catalog.products.get(product_id)
