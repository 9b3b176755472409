"""Personal data typed into the chat never reaches the logs, the LLM prompt or the stored history."""

import logging

import pytest

from shopassist.assistant.core import Assistant
from shopassist.assistant.llm.fakes import ScriptedLLM
from shopassist.assistant.privacy import mask_pii
from shopassist.ranking.fakes import RetrievalOrderRanker

PII = {
    "email": ["ann.smith+shop@example.co.uk", "wang.li@mail.cn"],
    "card": ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"],
    "phone": ["+44 20 7946 0958", "07700 900123", "(212) 555-0187", "+86 138 0013 8000"],
    "address": ["221B Baker Street", "10 Downing St", "42 Wallaby Way", "北京市朝阳路100号"],
}
CASES = [(kind, value) for kind, values in PII.items() for value in values]


@pytest.mark.parametrize(("kind", "value"), CASES)
def test_each_kind_is_masked(kind, value):
    masked = mask_pii(f"send the red mug to {value} please")
    assert value not in masked and f"[{kind}]" in masked


def test_prices_quantities_and_codes_survive():
    text = "3 mugs under £10, stock code 85123A, between 20 and 40, rtx 2060"
    assert mask_pii(text) == text


def test_no_raw_pii_reaches_logs_prompt_or_history(demo_retriever, caplog):
    llm = ScriptedLLM(lambda messages: "[1] fits. " + messages[-1].content)  # echoes the prompt back
    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), llm)
    caplog.set_level(logging.DEBUG)
    session = None
    answers = []
    for kind, value in CASES:
        answer = assistant.ask("17850", f"christmas decoration, my {kind} is {value}", session)
        session = answer.session
        answers.append(answer)
    state = assistant.sessions.find(session)
    stored = " ".join(t.text for t in state.turns)
    prompts = " ".join(m.content for call in llm.calls for m in call)
    logs = " ".join(r.getMessage() for r in caplog.records)
    for _, value in CASES:
        for where, text in (("history", stored), ("prompt", prompts), ("logs", logs), ("answers", " ".join(a.text for a in answers))):
            assert value not in text, f"{value!r} reached the {where}"
    print(f"{len(CASES)} PII values tried: none reached the logs, prompts, history or answers")


def _dump(settings) -> str:
    """Every text the event log's database holds: `pg_dump` of the PostgreSQL database, or the SQLite file's SQL dump."""
    if settings.database_url:
        import subprocess

        from tests.postgres import server_binaries

        return subprocess.run([str(server_binaries() / "pg_dump"), "--data-only", settings.database_url],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
    import sqlite3

    with sqlite3.connect(settings.store_dir("shop") / "events.db") as db:
        return "\n".join(db.iterdump())


def test_no_raw_pii_is_stored(demo_retriever, log_settings):
    """Planted e-mail addresses, phone and card numbers and addresses are masked before a message is
    written: a dump of the whole database holds the conversation, and none of them."""
    from shopassist.catalog.event_log import open_event_log

    log = open_event_log(log_settings, "shop")
    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), ScriptedLLM(lambda m: "[1] fits. " + m[-1].content), event_log=log)
    answer = assistant.ask("17850", "christmas decoration, mail me at ann.smith+shop@example.co.uk or call 07700 900123")
    assistant.feedback(answer.session, answer.suggestions[0].product.id, "like")
    dump = _dump(log_settings)
    assert "mail me at [email] or call [phone]" in dump and answer.suggestions[0].product.id in dump  # the rows are there
    for value in ("ann.smith+shop@example.co.uk", "07700 900123", "900123"):
        assert value not in dump
