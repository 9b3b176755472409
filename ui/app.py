"""The shopping chat in a browser: a thin Gradio face on `Assistant.stream` and `Assistant.feedback`.

Everything one browser tab owns (its session id, the cards it shows, its feedback) lives in
`gr.State`, which Gradio keeps per page load, so two shoppers never share a conversation. The
assistant does all retrieval, ranking and prompting; this module only shows what it returns.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from html import escape
from typing import TypeVar

import gradio as gr
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from shopassist.assistant.answer import Answer
from shopassist.assistant.core import Assistant, Chunk, Shortlist
from shopassist.assistant.health import check_health
from shopassist.ranking.contract import Suggestion
from shopassist.errors import (
    CatalogError,
    ConfigError,
    DatabaseError,
    EmptyQuery,
    LLMError,
    ModelNotFound,
    SessionNotFound,
    ShopassistError,
    StoreNotFound,
)
from shopassist.ui.cards import card_html
from shopassist.ui.style import CSS

log = logging.getLogger("shopassist.ui")

NEW_SHOPPER = "new"  # the picker's value for "no history"; demo shopper ids are numbers
# The assistant locks each session and the LLM backends serialise generation themselves, so a few
# turns may run at once: one shopper's search goes ahead while another's answer is being written.
CONCURRENT_TURNS = 4
FEEDBACK = (("like", "👍"), ("dislike", "👎"), ("cart", "🛒 Add to cart"))

T = TypeVar("T")


@dataclass(eq=False)  # compared by identity: Gradio re-renders the cards whenever a new Shelf is stored
class Shelf:
    """One browser's view: its session and the cards of the latest answer with the feedback given."""

    session: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    marks: dict[str, str] = field(default_factory=dict)  # product id → like | dislike | cart
    turn: int = 0  # answers so far in this conversation
    busy: bool = False  # a turn is being answered


def explain(error: Exception) -> str:
    """The one place in ui/ where an exception becomes words for the shopper; the details go to the log.

    >>> explain(SessionNotFound("session 'abc' is unknown or has expired"))
    'This conversation has expired. Ask again to start a new one.'
    """
    if isinstance(error, SessionNotFound):  # Assistant.feedback on a session that has expired
        log.info("feedback on an expired session: %s", error)
        return "This conversation has expired. Ask again to start a new one."
    log.error("request failed: %s", error, exc_info=error)
    if isinstance(error, EmptyQuery):
        return "Tell me a little about what you are looking for."
    if isinstance(error, LLMError):
        return "The assistant could not write an answer just now. Please try again."
    if isinstance(error, (StoreNotFound, CatalogError, ConfigError, ModelNotFound, DatabaseError)):
        return "The shop is not available right now. Please try again later."
    if isinstance(error, ShopassistError):
        return "Sorry, that did not work. Please try again."
    return "Sorry, something went wrong on our side. Please try again."


def on_one_thread(items: Iterator[T]) -> Iterator[T]:
    """Advance `items` from start to end on one thread of its own, yielding what it yields.

    Gradio runs each step of a sync generator on whichever pool thread is free, but
    `Assistant.stream` holds its session's lock (a thread-owned RLock) across its yields: stepped
    from two threads, the release fails and the session stays locked. The queue is unbounded so
    that a page closed mid-answer cannot block the worker: the turn finishes and the lock is freed.

    >>> list(on_one_thread(iter([1, 2, 3])))
    [1, 2, 3]
    """
    handoff: queue.Queue = queue.Queue()
    done = object()

    def pump() -> None:
        try:
            for item in items:
                handoff.put((item, None))
        except BaseException as error:  # handed over and raised on the caller's side
            handoff.put((done, error))
        else:
            handoff.put((done, None))

    threading.Thread(target=pump, name="ui-turn", daemon=True).start()
    while True:
        item, error = handoff.get()
        if item is done:
            if error is not None:
                raise error
            return
        yield item


BUSY_NOTE = "A quick answer from the catalogue: the assistant is busy with other shoppers just now."


def shown_text(answer: Answer) -> str:
    """The answer as the chat shows it: a template that stood in for a busy model says so, in italics.

    >>> shown_text(Answer("Try the mug.", [], "s1", kind="fallback", reason="llm busy"))
    'Try the mug.\\n\\n*A quick answer from the catalogue: the assistant is busy with other shoppers just now.*'
    >>> shown_text(Answer("Try the mug.", [], "s1"))
    'Try the mug.'
    """
    if answer.reason == "llm busy":
        return f"{answer.text}\n\n*{BUSY_NOTE}*"
    return answer.text


def _working(text: str) -> str:
    return f'<div class="working" role="status"><span class="spinner"></span>{escape(text)}</div>'


def _notice(text: str) -> str:
    return f'<div class="notice" role="alert">{escape(text)}</div>'


def build_app(assistant: Assistant, title: str = "shopassist", shoppers: int = 50,
              training: Callable[[], str | None] = lambda: None) -> gr.Blocks:
    """The chat page for one assistant; serve it with `launch_app`. `training` says how a
    background training run is going (ui/training.py), for the page's ranking line. Here, a one-product shop:

    >>> from shopassist.catalog.models import Product
    >>> from shopassist.catalog.store import Catalog
    >>> from shopassist.ranking.fakes import RetrievalOrderRanker
    >>> from shopassist.retrieval.dense import DenseIndex
    >>> from shopassist.retrieval.embedder import load_embedder
    >>> from shopassist.retrieval.lexical import LexicalIndex
    >>> from shopassist.retrieval.retriever import Retriever
    >>> mug, embedder = Product("1", "RED MUG", "Red Mug", price=4.5), load_embedder("all-minilm-l6-v2")
    >>> dense = DenseIndex(["1"], embedder.embed([mug.search_text()]))
    >>> retriever = Retriever(Catalog("toy", {"1": mug}), embedder, LexicalIndex.build([mug]), dense)
    >>> app = build_app(Assistant(retriever, RetrievalOrderRanker(), llm=None))
    >>> type(app).__name__
    'Blocks'

    Serving it starts a server, which an example run by the tests must not do:

    >>> launch_app(app, port=7860)  # doctest: +SKIP
    'http://127.0.0.1:7860/'
    """
    known = dict(assistant.shoppers(shoppers))
    choices = [("New shopper (no history)", NEW_SHOPPER)] + [(_short(f"{sid} · {summary}"), sid) for sid, summary in known.items()]

    def user_of(choice: str | None) -> str | None:
        return None if not choice or choice == NEW_SHOPPER else choice

    def profile(choice: str | None) -> str:
        user = user_of(choice)
        if user is None:
            return '<div class="profile" data-shopper="">A new shopper: no history yet.</div>'
        summary = known.get(user) or assistant.shopper_summary(user)
        return f'<div class="profile" data-shopper="{escape(user)}"><b>Shopper {escape(user)}</b> · {escape(summary)}</div>'

    def ranking() -> str:
        """Which ranker answers now, e.g. 'ranking: popularity (training…)' → 'ranking: trained model v0002'."""
        in_use, state = assistant.ranking_in_use(), training()
        text = f"ranking: {in_use}" + (f" ({state})" if state else "")
        return f'<div class="ranking" data-ranker="{escape(in_use)}">{escape(text)}</div>'

    def switch(choice: str | None):
        """A different shopper is a different conversation: drop the chat, the session and the cards.
        The model starts reading the new shopper's prompt prefix while they type."""
        assistant.prepare(user_of(choice))
        return [], Shelf(), profile(choice), ""

    def respond(message: str, choice: str | None, messages: list[dict], shelf: Shelf) -> Iterator[tuple]:
        message = (message or "").strip()
        if not message:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        user = user_of(choice)
        messages = [*messages, {"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        shelf = replace(shelf, suggestions=(), marks={}, busy=True)
        # The input, Send and the picker stay locked until the answer is complete.
        locked = gr.update(interactive=False)
        yield messages, shelf, _working("Searching the catalogue…"), gr.update(value="", interactive=False), locked, locked, gr.skip()
        text = ""
        turn = shelf.turn + 1
        try:
            for item in on_one_thread(assistant.stream(user, message, shelf.session)):
                if isinstance(item, Shortlist):  # the cards first: they are ready long before the prose
                    shelf = Shelf(item.session, item.suggestions, {}, turn)
                    yield messages, shelf, _working("Writing the answer…"), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                elif isinstance(item, Chunk):
                    text += item.text
                    messages = [*messages[:-1], {"role": "assistant", "content": text}]
                    yield messages, gr.skip(), _working("Writing the answer…"), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                else:  # the Answer, always last: its text is the verified whole
                    messages = [*messages[:-1], {"role": "assistant", "content": shown_text(item)}]
                    shelf = Shelf(item.session, tuple(item.suggestions), shelf.marks if shelf.session == item.session else {}, turn)
        except Exception as error:  # noqa: BLE001 — the UI's one conversion point, see explain()
            messages = [*messages[:-1], {"role": "assistant", "content": explain(error)}]
            shelf = replace(shelf, busy=False, turn=turn)  # the cards, if they came, stay: they are real products
        unlocked = gr.update(interactive=True)
        yield messages, shelf, "", unlocked, unlocked, unlocked, ranking()  # the ranker that answered this turn

    def give_feedback(product_id: str, kind: str, shelf: Shelf):
        try:
            assistant.feedback(shelf.session, product_id, kind)
        except Exception as error:  # noqa: BLE001 — the UI's one conversion point, see explain()
            return gr.skip(), _notice(explain(error))
        return replace(shelf, marks={**shelf.marks, product_id: kind}), ""

    # No analytics: the page and the server make no request beyond this machine (Gradio's version
    # check and usage reports all follow this switch, whatever GRADIO_ANALYTICS_ENABLED says).
    with gr.Blocks(title=title, fill_width=True, analytics_enabled=False) as app:
        shelf_state = gr.State(Shelf())
        gr.HTML(f'<div class="masthead"><span class="logo">🛍️</span> {escape(title)}</div>')
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                picker = gr.Dropdown(choices, value=NEW_SHOPPER, label="Shopping as", elem_id="shopper", filterable=True)
                about = gr.HTML(profile(NEW_SHOPPER), elem_id="profile")
                chat = gr.Chatbot(
                    label="Conversation", elem_id="chat", height=440, feedback_options=None, buttons=["copy"],
                    placeholder="Ask for a gift, a colour, a budget: “christmas decorations for the tree under £2”.",
                )  # fmt: skip
                with gr.Row():
                    box = gr.Textbox(placeholder="What are you looking for?", show_label=False, elem_id="ask", scale=5, autofocus=True)
                    send = gr.Button("Send", variant="primary", elem_id="send", scale=1, min_width=90)
                status = gr.HTML("", elem_id="status")
                ranking_line = gr.HTML("", elem_id="ranking")
            with gr.Column(scale=2, min_width=320, elem_id="shelf"):

                @gr.render(inputs=[shelf_state], show_progress="hidden")
                def cards(shelf: Shelf):
                    state = "busy" if shelf.busy else "ready"
                    gr.HTML(f'<div class="shelf-head" data-turn="{shelf.turn}" data-state="{state}">Suggestions</div>')
                    if shelf.busy:
                        gr.HTML(_working("Finding products…"))
                    elif not shelf.suggestions:
                        gr.HTML('<div class="shelf-empty">Products the assistant suggests appear here.</div>')
                    for suggestion in shelf.suggestions:
                        product_id = suggestion.product.id
                        with gr.Column(elem_classes=["card-box"]):
                            gr.HTML(card_html(suggestion, shelf.marks.get(product_id)))
                            with gr.Row(elem_classes=["card-actions"]):
                                for kind, label in FEEDBACK:
                                    button = gr.Button(label, size="sm", elem_classes=[f"feedback-{kind}"], min_width=40)
                                    button.click(
                                        lambda shelf, product_id=product_id, kind=kind: give_feedback(product_id, kind, shelf),
                                        inputs=[shelf_state], outputs=[shelf_state, status], show_progress="hidden",
                                    )  # fmt: skip

        picker.change(switch, inputs=[picker], outputs=[chat, shelf_state, about, status], show_progress="hidden")
        chat.clear(lambda: (Shelf(), ""), outputs=[shelf_state, status], show_progress="hidden")  # 🗑 starts over
        gr.on(
            [box.submit, send.click], respond, inputs=[box, picker, chat, shelf_state],
            outputs=[chat, shelf_state, status, box, send, picker, ranking_line], show_progress="hidden", concurrency_limit=CONCURRENT_TURNS,
        )  # fmt: skip
        app.load(ranking, outputs=[ranking_line], show_progress="hidden")
    return app


def launch_app(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
               health: Assistant | None = None) -> str:
    """Start serving the page in the background (theme and styles are launch options in Gradio 6).
    With `health`, `GET /health` answers whether that assistant's parts are reachable (JSON; HTTP 503
    when one is not), without a login, for a load balancer.

    Returns the page's URL; `app.block_thread()` then waits for Ctrl-C, `app.close()` stops it.

    >>> launch_app(build_app(assistant), port=7861, health=assistant)  # doctest: +SKIP
    'http://127.0.0.1:7861/'
    """
    # Gradio 6 runs on FastAPI and passes `app_kwargs` to it: a route given there is served before Gradio's own.
    routes = [health_route(health)] if health is not None else []
    _, url, _ = app.launch(
        server_name=host, server_port=port, auth=auth, prevent_thread_lock=True, quiet=True,
        theme=gr.themes.Soft(primary_hue="emerald"), css=CSS, ssr_mode=False, footer_links=[],
        app_kwargs={"routes": routes},
    )  # fmt: skip
    return url


def health_route(assistant: Assistant) -> APIRoute:
    """`GET /health`: `check_health` as JSON, 200 when every part answers and 503 when one does not."""

    def health() -> JSONResponse:  # a plain def: FastAPI runs it on a worker thread, off the event loop
        report = check_health(assistant)
        return JSONResponse(report.to_dict(), status_code=200 if report.ok else 503)

    return APIRoute("/health", health, methods=["GET"])


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
