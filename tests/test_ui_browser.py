"""The shopping chat end to end: the real app on 127.0.0.1, driven by Debian's headless Chromium.

The assistant is real (hybrid retrieval over a slice of the demo store); its LLM is the shipped
ScriptedLLM, because these tests are about what the page does with the stream, not the words.
"""

from __future__ import annotations

import logging
import re
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shopassist.assistant.core import Assistant
from shopassist.assistant.llm.fakes import ScriptedLLM
from shopassist.ranking.fakes import RetrievalOrderRanker
from tests.conftest import free_port

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
QUESTION = "christmas decorations for the tree"
TIMEOUT_MS = 30_000  # a turn takes well under a second here; this only bounds a hang


def reply(messages) -> str:
    return "[1] is a lovely pick. [2] is a cheerful extra."


@pytest.fixture(scope="module")
def assistant(demo_retriever):
    # A small delay per token: answers stream visibly and two shoppers' turns overlap in time.
    return Assistant(demo_retriever, RetrievalOrderRanker(), ScriptedLLM(reply, delay_s=0.02))


def serve(assistant, **options):
    from shopassist.ui.app import build_app, launch_app

    app = build_app(assistant, title="shopassist · demo", **options)
    return app, launch_app(app, "127.0.0.1", free_port())


@pytest.fixture(scope="module")
def server(assistant):
    app, url = serve(assistant)
    yield url
    app.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (Playwright's own download does not work here)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Shop:
    """One browser tab on the app, in a shopper's words: choose, ask, judge a card."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.url = url
        self.page.goto(url)
        self.page.wait_for_selector('.shelf-head[data-state="ready"]')

    def choose(self, shopper: str) -> None:
        self.page.locator("#shopper input").click()
        self.page.get_by_role("option", name=re.compile(rf"^{re.escape(shopper)} ")).click()
        self.page.wait_for_selector(f'.profile[data-shopper="{shopper}"]')

    def turn(self) -> int:
        return int(self.page.locator(".shelf-head").get_attribute("data-turn"))

    def send(self, message: str) -> int:
        """Sends without waiting for the answer; returns the turn number to wait for."""
        expected = self.turn() + 1
        self.page.locator("#ask textarea").fill(message)
        self.page.locator("#send").click()
        return expected

    def wait_for_cards(self, turn: int) -> list[str]:
        """The cards of `turn` are on the page (they come before the answer's text)."""
        self.page.wait_for_selector(f'.shelf-head[data-turn="{turn}"][data-state="ready"]')
        return self.titles()

    def answering(self) -> bool:
        """A turn is in flight: the input stays locked until its answer is complete."""
        return not self.page.locator("#ask textarea").is_enabled()

    def wait(self, turn: int) -> list[str]:
        """The whole turn: its cards, then its verified text, with the input unlocked again."""
        self.wait_for_cards(turn)
        self.page.wait_for_selector("#ask textarea:not([disabled])")
        return self.titles()

    def ask(self, message: str) -> list[str]:
        return self.wait(self.send(message))

    def titles(self) -> list[str]:
        return self.page.locator(".shop-card-title").all_inner_texts()

    def judge(self, title: str, button: str, mark: str) -> None:
        card = self.page.locator(".card-box").filter(has=self.page.locator(".shop-card-title", has_text=title))
        card.get_by_role("button", name=button).click()
        self.page.wait_for_selector(f'.shop-card[data-mark="{mark}"]')

    def chat(self) -> str:
        return self.page.locator("#chat").inner_text()

    def profile(self) -> str:
        return self.page.locator(".profile").inner_text()

    def foreign_requests(self) -> list[str]:
        local = self.url.rstrip("/")
        return [u for u in self.requests if not (u.startswith(local + "/") or u == local or u.startswith(("data:", "blob:")))]


def test_pick_ask_dislike_and_the_product_is_gone(server, browser, assistant, demo_retriever, request, tmp_path):
    shopper, summary = assistant.shoppers(1)[0]
    catalogue_titles = {p.display_title for p in demo_retriever.catalog.products.values()}
    shop = Shop(browser, server)
    try:
        shop.choose(shopper)
        assert summary.split(";")[0] in shop.profile()

        first = shop.ask(QUESTION)
        assert first and set(first) <= catalogue_titles
        assert QUESTION in shop.chat() and first[0] in shop.chat()  # the streamed answer names the top pick
        assert shop.page.locator(".shop-card-price").first.inner_text().startswith("£")

        disliked = first[0]
        shop.judge(disliked, "👎", "dislike")
        second = shop.ask(QUESTION)  # the same search again: only the disliked product may drop out
        assert second and disliked not in second
        assert set(first[1:]) <= set(second)
        assert shop.chat().count(QUESTION) == 2  # one conversation, two turns

        shop.judge(second[0], "🛒 Add to cart", "cart")
        shop.page.mouse.move(0, 0)
        # Never a tracked file unless asked for: `make screenshot` refreshes docs/screenshot.png.
        picture = Path(request.config.getoption("screenshot") or tmp_path / "screenshot.png")
        shop.page.screenshot(path=str(picture))
        assert picture.read_bytes().startswith(b"\x89PNG")
        assert shop.foreign_requests() == []
    finally:
        shop.context.close()


def test_two_shoppers_at_once_never_see_each_other(server, browser, assistant, demo_retriever):
    (ann, ann_summary), (bob, bob_summary) = assistant.shoppers(2)
    questions = {ann: "a mug for tea", bob: QUESTION}
    calls_before = len(assistant.llm.calls)
    shops = {ann: Shop(browser, server), bob: Shop(browser, server)}
    try:
        for shopper, shop in shops.items():
            shop.choose(shopper)
        waiting = {shopper: shop.send(questions[shopper]) for shopper, shop in shops.items()}  # both in flight
        titles = {shopper: shops[shopper].wait(turn) for shopper, turn in waiting.items()}
        assert titles[ann] and titles[bob] and not set(titles[ann]) & set(titles[bob])

        for me, other in ((ann, bob), (bob, ann)):
            page = shops[me].page.locator("body").inner_text()
            assert questions[me] in page and questions[other] not in page
            assert f"Shopper {me}" in page and other not in page
            for title in titles[other]:
                assert title not in page

        bob_chat = shops[bob].chat()
        shops[ann].ask("cheaper?")
        assert shops[bob].chat() == bob_chat and shops[ann].chat().count("cheaper?") == 1

        # What the assistant was told about each shopper (their history) went only into their own turns.
        for call in assistant.llm.calls[calls_before:]:
            prompt = "\n".join(m.content for m in call)
            own, other = (ann_summary, bob_summary) if questions[ann] in prompt or "cheaper?" in prompt else (bob_summary, ann_summary)
            assert _recent(own) in prompt and _recent(other) not in prompt
        for shop in shops.values():
            assert shop.foreign_requests() == []
    finally:
        for shop in shops.values():
            shop.context.close()


def test_a_failed_turn_is_a_short_message_and_the_details_are_logged(demo_retriever, browser, caplog):
    # An empty script makes the LLM raise a LookupError: a bug-shaped failure, not an LLMError.
    broken = Assistant(demo_retriever, RetrievalOrderRanker(), ScriptedLLM([]))
    app, url = serve(broken)
    shop = Shop(browser, url)
    try:
        with caplog.at_level(logging.ERROR, logger="shopassist.ui"):
            shop.ask(QUESTION)
        assert "Sorry, something went wrong on our side. Please try again." in shop.chat()
        assert "LookupError" not in shop.chat()
        assert any(r.exc_info and isinstance(r.exc_info[1], LookupError) for r in caplog.records)
        assert shop.page.locator("#ask textarea").is_enabled()
    finally:
        shop.context.close()
        app.close()


def test_the_cards_come_before_the_answer_text_is_complete(demo_retriever, browser):
    """Products before prose: the ranked cards are on the page while the model is still writing."""
    words = "[1] is a lovely pick for the tree and [2] is a cheerful extra for the mantelpiece this year."
    slow = Assistant(demo_retriever, RetrievalOrderRanker(), ScriptedLLM(lambda messages: words, delay_s=0.3))  # ~5 s of text
    app, url = serve(slow)
    shop = Shop(browser, url)
    try:
        turn = shop.send(QUESTION)
        cards = shop.wait_for_cards(turn)
        assert cards and shop.answering()  # the cards are shown, the answer is still being written
        assert "mantelpiece" not in shop.chat()
        assert shop.wait(turn) == cards
        assert "mantelpiece" in shop.chat() and cards[0] in shop.chat()
    finally:
        shop.context.close()
        app.close()


def _recent(summary: str) -> str:
    """The 'recently bought …' part of a shopper summary: what makes it this shopper's."""
    return summary.split("recently bought ", 1)[1].split(",")[0]


# Trains a small ranker on the test slice once the file named by argv[3] exists (so the test sees
# the page before the artefact lands), and saves it where the serving ranker looks.
SMALL_TRAINING = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from shopassist.catalog.store import load_catalog
    from shopassist.ranking import artefacts
    from shopassist.ranking.models.sasrec import SASRecConfig
    from shopassist.ranking.pipeline import TrainConfig, train
    from shopassist.ranking.sources import from_catalog
    from shopassist.ranking.split import production_fold
    from shopassist.settings import Settings

    home, source, go = sys.argv[1:4]
    while not Path(go).exists():
        time.sleep(0.05)
    data, _ = from_catalog(load_catalog(Path(source), "demo-slice"))
    config = TrainConfig(SASRecConfig(dim=8, epochs=2), recency_grid=((1, 1.0),), segments=2, combiners=("logistic C=1",))
    artefacts.save(train(production_fold(data, "leave-last-out"), data, config), Settings(home=Path(home)), "demo-slice", {})
    """
)


def test_the_page_says_popularity_while_training_then_the_trained_ranker(demo_retriever, retail_slice, browser, tmp_path):
    """`ui --train-in-background`: the page serves at once with the untrained ranker and says so;
    the ranker trained in a real background process is used, and named, from the turn after it lands."""
    from shopassist.ranking import load_ranker
    from shopassist.settings import Settings
    from shopassist.ui.background import BackgroundJob

    settings, go = Settings(home=tmp_path / "home"), tmp_path / "go"
    assistant = Assistant(demo_retriever, load_ranker(settings, "demo-slice", demo_retriever.catalog), ScriptedLLM(reply))
    training = BackgroundJob([sys.executable, "-c", SMALL_TRAINING, str(settings.home), str(retail_slice), str(go)], tmp_path / "train.log")
    training.start()
    app, url = serve(assistant, training=training.state)
    shop = Shop(browser, url)
    try:
        line = shop.page.locator(".ranking")
        assert line.inner_text() == "ranking: popularity (training…)"
        shop.ask(QUESTION)
        assert line.get_attribute("data-ranker") == "popularity"

        go.touch()
        deadline = time.monotonic() + 120
        while training.state() == "training…" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert training.state() == "", training.log.read_text()[-2000:]
        shop.ask(QUESTION)
        shop.page.wait_for_selector('.ranking[data-ranker="trained model v0001"]')
        assert line.inner_text() == "ranking: trained model v0001"
    finally:
        training.stop()
        shop.context.close()
        app.close()
