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
