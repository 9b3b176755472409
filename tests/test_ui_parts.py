"""The UI's pieces without a browser: cards, pictures, error words, the one-thread stream, the command."""

from __future__ import annotations

import base64
import logging
import threading

import pytest
import typer
from typer.testing import CliRunner

from shopassist.catalog.models import Product
from shopassist.ranking.contract import Suggestion
from shopassist.errors import ConfigError, EmptyQuery, LLMError, SessionNotFound, ShopassistError, StoreNotFound
from shopassist.ui import cards, cli
from shopassist.ui.cards import PLACEHOLDER, card_html, picture_src

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")


def suggestion(**fields) -> Suggestion:
    return Suggestion(Product(**{"id": "85123A", "title": "MUG", "display_title": "Mug", "price": 4.95, **fields}), 0.9, "matches your search", {})


def test_remote_pictures_never_reach_the_page():
    html = card_html(suggestion(image_url="https://cdn.example.com/mug.jpg"))
    assert "example.com" not in html and PLACEHOLDER.split(",")[0] in html


def test_local_pictures_are_inlined(tmp_path):
    path = tmp_path / "mug.png"
    path.write_bytes(PNG)
    inlined = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert picture_src(str(path)) == inlined
    assert picture_src(path.as_uri()) == inlined
    assert picture_src(str(tmp_path / "missing.png")) == PLACEHOLDER
    (tmp_path / "notes.txt").write_text("not a picture")
    assert picture_src(str(tmp_path / "notes.txt")) == PLACEHOLDER
    (tmp_path / "huge.png").write_bytes(PNG + b"\0" * 600_000)
    assert picture_src(str(tmp_path / "huge.png")) == PLACEHOLDER


def test_card_shows_title_price_brand_or_category_and_reason_escaped():
    html = card_html(suggestion(display_title="Mug <b>&</b> Saucer", brand="Acme", category="Kitchen"), mark="dislike")
    assert "Mug &lt;b&gt;&amp;&lt;/b&gt; Saucer" in html and "<b>&</b>" not in html
    assert "£4.95" in html and "Acme" in html and "Kitchen" not in html  # brand first, category when no brand
    assert "Kitchen" in card_html(suggestion(category="Kitchen"))
    assert "matches your search" in html and 'data-mark="dislike"' in html


@pytest.mark.parametrize(
    "error, words",
    [
        (SessionNotFound("session 'x' is unknown or has expired"), "expired"),
        (KeyError("like"), "went wrong on our side"),  # a bug in feedback is not an expired conversation
        (EmptyQuery("nothing to search for"), "what you are looking for"),
        (LLMError("server down"), "could not write an answer"),
        (StoreNotFound("store 'demo' is not built — run shopassist reindex"), "shop is not available"),
        (ConfigError("chroma url 'x' is not http(s)://host:port"), "shop is not available"),
        (ShopassistError("something else"), "did not work"),
        (ZeroDivisionError("bug"), "went wrong on our side"),
    ],
)
def test_errors_become_short_words_and_the_details_go_to_the_log(error, words, caplog):
    from shopassist.ui.app import explain

    with caplog.at_level(logging.INFO, logger="shopassist.ui"):
        text = explain(error)
    assert words in text and len(text) < 90 and str(error) not in text
    assert any(str(error) in r.getMessage() for r in caplog.records)


def test_the_stream_is_advanced_on_one_thread_whoever_asks():
    """Gradio steps a generator from different pool threads; the assistant's lock needs one."""
    from shopassist.ui.app import on_one_thread

    lock = threading.RLock()

    def locked_stream():
        with lock:  # like Assistant.stream: a thread-owned lock held across yields
            for i in range(5):
                yield i, threading.get_ident()

    stream = on_one_thread(locked_stream())
    seen = []
    for _ in range(5):  # each step from a fresh thread, as a thread pool may do
        step = threading.Thread(target=lambda: seen.append(next(stream)))
        step.start()
        step.join()
    assert [i for i, _ in seen] == list(range(5)) and len({t for _, t in seen}) == 1
    with pytest.raises(StopIteration):
        next(stream)
    assert lock.acquire(blocking=False)  # released by the thread that took it


def test_the_streams_errors_reach_the_caller():
    from shopassist.ui.app import on_one_thread

    def failing():
        yield 1
        raise LLMError("cut off")

    stream = on_one_thread(failing())
    assert next(stream) == 1
    with pytest.raises(LLMError, match="cut off"):
        next(stream)


def test_ui_command_options_and_bad_auth():
    app = typer.Typer()
    cli.register(app, typer.Typer())
    runner = CliRunner()
    help_text = runner.invoke(app, ["--help"]).output
    for option in ("--store", "--host", "--port", "--auth", "--llm"):
        assert option in help_text
    assert "127.0.0.1" in help_text
    result = runner.invoke(app, ["--auth", "nopassword"])  # refused before anything is loaded
    assert result.exit_code != 0 and "user:password" in (result.output + str(result.exception))


def test_the_page_sends_no_analytics_whatever_the_environment_says(demo_retriever, monkeypatch):
    """The switch is Gradio's own argument now, not a variable set as ui/app.py is imported."""
    from shopassist.assistant.core import Assistant
    from shopassist.ranking.fakes import RetrievalOrderRanker
    from shopassist.ui.app import build_app

    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "True")
    app = build_app(Assistant(demo_retriever, RetrievalOrderRanker(), None), shoppers=3)
    assert app.analytics_enabled is False
