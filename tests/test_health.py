"""What an operator sees: one JSON log line per turn, and `/health` on a launched app."""

import io
import json

import httpx

from shopassist.assistant.core import Assistant
from shopassist.assistant.health import check_health
from shopassist.assistant.llm.fakes import ScriptedLLM
from shopassist.assistant.llm.openai_backend import OpenAICompatibleLLM
from shopassist.catalog.event_log import open_event_log
from shopassist.logs import TURNS, log_turns_as_json
from shopassist.ranking.fakes import RetrievalOrderRanker
from tests.conftest import free_port


def test_each_turn_is_one_json_log_line(demo_retriever):
    import logging

    llm = ScriptedLLM(["[1] is a lovely pick. [2] costs £999.99 today."], name="scripted-1")  # the price is not the catalogue's
    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), llm)
    out = io.StringIO()
    handler = log_turns_as_json(out)
    try:
        answer = assistant.ask("17850", "christmas decoration")
        assistant.ask("17850", "which is cheaper, the first or the second?", session=answer.session)
    finally:
        logging.getLogger(TURNS).removeHandler(handler)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["logger"] == TURNS and first["session"] == answer.session and first["kind"] == "suggestions"
    assert set(first["timings_ms"]) >= {"understand", "retrieve", "rank", "prompt", "generate", "total", "first_token"}
    assert first["model"] == "scripted-1" and first["tokens_out"] >= 8 and first["prompt_chars"] > 100
    assert first["tokens_in"] is None and first["answered_by"] == "model"  # a scripted model cannot count tokens
    assert first["grounding_dropped"] == {"price": 1} and first["suggestions"] == 3
    assert second["kind"] == "answer" and second["model"] is None and second["tokens_out"] == 0  # answered by code
    assert "17850" not in out.getvalue()  # no shopper id in the operator's log


def test_the_log_line_counts_the_prompt_tokens_a_real_model_reads(demo_retriever, small_llm):
    import logging

    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), small_llm)
    out = io.StringIO()
    handler = log_turns_as_json(out)
    try:
        assistant.ask("17850", "christmas decoration")
    finally:
        logging.getLogger(TURNS).removeHandler(handler)
    line = json.loads(out.getvalue().splitlines()[-1])
    # the prompt (rules, shopper line, a dozen product lines) in tokens, chat template included: about chars / 4
    assert line["prompt_chars"] / 8 < line["tokens_in"] < line["prompt_chars"], line


def test_health_of_every_part(demo_retriever, log_settings):
    healthy = Assistant(demo_retriever, RetrievalOrderRanker(), ScriptedLLM(["[1] fits."]), event_log=open_event_log(log_settings, "shop"))
    report = check_health(healthy).to_dict()
    assert report["ok"] and set(report["checks"]) == {"store", "vector_store", "database", "model"}
    assert report["checks"]["vector_store"]["detail"].endswith("vectors")


def test_health_endpoint_on_a_launched_app_says_503_when_the_model_server_is_down(demo_retriever, database_url):
    from shopassist.settings import Settings
    from shopassist.ui.app import build_app, launch_app

    down = OpenAICompatibleLLM(f"http://127.0.0.1:{free_port()}", model="nothing-listens")
    log = open_event_log(Settings(database_url=database_url), "shop")
    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), down, event_log=log)
    app = build_app(assistant)
    url = launch_app(app, "127.0.0.1", free_port(), auth=("ann", "s3cret"), health=assistant)
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=30)  # no login needed: a load balancer asks
        body = response.json()
        assert response.status_code == 503 and not body["ok"]
        assert not body["checks"]["model"]["ok"] and "ConnectError" in body["checks"]["model"]["detail"]
        assert all(body["checks"][part]["ok"] for part in ("store", "vector_store", "database"))
        assert body["checks"]["database"]["detail"].startswith("127.0.0.1:")
    finally:
        app.close()
        down.close()
