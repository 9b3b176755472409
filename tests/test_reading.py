"""The model's reading of follow-ups the rules cannot tell: constrained JSON from the real small
model, and the rules' reading kept whenever the model fails."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from shopassist.assistant.core import Assistant
from shopassist.assistant.followup import interpret
from shopassist.assistant.llm import FailingLLM, Message, ScriptedLLM, generate
from shopassist.assistant.llm.openai_backend import OpenAICompatibleLLM
from shopassist.assistant.reading import OPTIONS, FollowUpReader, Reading
from shopassist.errors import LLMError
from shopassist.ranking.fakes import RetrievalOrderRanker
from shopassist.retrieval.query import Vocabulary, parse_query

# Messages the rules read as a new search while "laptop" is in force (checked below, so a rule that
# learns one of them does not leave this test asking the model about nothing).
UNTOLD = ("could you whittle it down to Lenovo", "can I get one for around 500", "I was thinking of a red one", "and a mouse to go with it")
VOCABULARY = Vocabulary(frozenset({"lenovo", "hp"}))


def parse(message: str):
    return parse_query(message, VOCABULARY)


@pytest.fixture(scope="module", params=["llama-cpp", pytest.param("openai", marks=pytest.mark.server)])
def constrained(request):
    """SmolLM2-135M (the test model, named explicitly in conftest) through each backend that constrains."""
    if request.param == "llama-cpp":
        yield request.getfixturevalue("small_llm")
        return
    llm = OpenAICompatibleLLM(request.getfixturevalue("llama_server"), model="smollm2-135m")
    yield llm
    llm.close()


def test_the_rules_cannot_tell_these_messages():
    for message in UNTOLD:
        assert interpret(message, parse, parse("laptop"), [], set()).kind == "search", message


# A loaded CI machine is slow: these tests are about what the model writes, not how fast.
PATIENT = replace(OPTIONS, timeout_s=180.0)


def test_the_backend_holds_the_model_to_the_schema(constrained):
    """A schema no model would follow by itself: only a grammar (or a server's response_format) gets it."""
    schema = {"type": "object", "properties": {"animal": {"enum": ["zebra", "okapi"]}}, "required": ["animal"]}
    raw = generate(constrained, [Message("user", "Name a fruit.")], replace(PATIENT, max_tokens=16, json_schema=schema))
    assert json.loads(raw)["animal"] in ("zebra", "okapi"), raw


def test_the_schema_grammar_makes_the_small_model_write_a_valid_reading(constrained):
    reader = FollowUpReader(constrained, PATIENT)
    for message in UNTOLD[:2]:  # a brand and a budget: each a few seconds on a quiet CPU
        raw = generate(constrained, reader.prompt(message, parse("laptop")), PATIENT)
        assert isinstance(json.loads(raw), dict), raw  # one JSON object, not prose around it
        Reading.model_validate_json(raw)  # and of the schema: kinds, types, bounds


@pytest.mark.parametrize(
    "llm",
    [FailingLLM(), FailingLLM(error=LLMError("timed out"), delay_s=0.2), ScriptedLLM(["Sure! Lenovo it is."] * 9),
     ScriptedLLM(['{"kind": "refine", "brands_wanted": ["Lenovo"], "price_at_most": -5}'] * 9), ScriptedLLM(['{"kind": "maybe"}'] * 9)],
    ids=["error", "timeout", "prose", "negative-price", "unknown-kind"],
)
def test_any_failure_of_the_model_leaves_the_rules_reading(llm):
    reader = FollowUpReader(llm, replace(OPTIONS, max_tokens=40, timeout_s=0.1))
    rules = interpret("could you whittle it down to Lenovo", parse, parse("laptop"), [], set())
    assert reader.reconsider("could you whittle it down to Lenovo", rules, parse, parse("laptop"), [], set()) is rules


def test_values_the_message_does_not_contain_are_dropped():
    invented = ScriptedLLM(['{"kind": "refine", "brands_wanted": ["HP"], "price_at_most": 300}'] * 2)
    reader = FollowUpReader(invented)
    rules = interpret("could you whittle it down to Lenovo", parse, parse("laptop"), [], set())
    # HP and 300 are the model's, not the shopper's: nothing is left to refine by, the rules decide.
    assert reader.reconsider("could you whittle it down to Lenovo", rules, parse, parse("laptop"), [], set()) is rules


def test_the_assistant_asks_the_model_only_where_the_rules_cannot_tell(icecat_notebooks):
    model = ScriptedLLM(['{"kind": "refine", "brands_wanted": ["Lenovo"]}'] * 9)
    assistant = Assistant(icecat_notebooks, RetrievalOrderRanker(), None, reader=FollowUpReader(model))
    first = assistant.ask(None, "laptop")
    assert not model.calls  # an opening is a search: nothing to reconsider
    assistant.ask(None, "show me more", first.session)
    assert not model.calls  # the rules could tell
    narrowed = assistant.ask(None, "could you whittle it down to Lenovo", first.session)
    assert len(model.calls) == 1 and "read" in narrowed.timings
    assert narrowed.suggestions and all((s.product.brand or "").lower() == "lenovo" for s in narrowed.suggestions)
    rules_only = Assistant(icecat_notebooks, RetrievalOrderRanker(), None, reader=FollowUpReader(FailingLLM()))
    session = rules_only.ask(None, "laptop").session
    fallen_back = rules_only.ask(None, "could you whittle it down to Lenovo", session)
    plain = Assistant(icecat_notebooks, RetrievalOrderRanker(), None)
    expected = plain.ask(None, "could you whittle it down to Lenovo", plain.ask(None, "laptop").session)
    assert [s.product.id for s in fallen_back.suggestions] == [s.product.id for s in expected.suggestions]
