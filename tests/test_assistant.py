"""The assistant's orchestration on a real slice of the demo store: turns, refinement, fallback,
sessions. The LLM is the real small model where the test is about the answer, and a shipped fake
(assistant.llm.fakes) where it is about the orchestration."""

import threading
import time
from dataclasses import replace

import pytest

from shopassist.assistant.core import ANSWER_OPTIONS, Answer, Assistant, Chunk, Shortlist
from shopassist.assistant.llm.fakes import FailingLLM, ScriptedLLM
from shopassist.ranking.fakes import RetrievalOrderRanker
from shopassist.errors import LLMError, SessionNotFound, ShopassistError
from tests.conftest import model_held_busy, tokens_evaluated

SHOPPER = "17850"  # a real customer of the demo store, with purchases in the slice


def make(retriever, llm):
    return Assistant(retriever, RetrievalOrderRanker(), llm)


def test_ask_with_the_real_small_model(demo_retriever, small_llm):
    answer = make(demo_retriever, small_llm).ask(SHOPPER, "christmas tree decorations under £2")
    assert answer.suggestions and len(answer.suggestions) <= 3
    for s in answer.suggestions:
        assert demo_retriever.catalog.products[s.product.id] == s.product
        assert s.product.price <= 2 and s.reason
    assert answer.text and answer.session
    assert {"understand", "retrieve", "rank", "before_llm", "total"} <= answer.timings.keys()


def test_stream_yields_the_products_then_text_then_one_answer(demo_retriever, small_llm):
    items = list(make(demo_retriever, small_llm).stream(None, "heart shaped decoration"))
    shortlist, *chunks, answer = items
    assert isinstance(shortlist, Shortlist) and isinstance(answer, Answer)
    assert all(isinstance(i, Chunk) for i in chunks) and chunks
    assert "".join(i.text for i in chunks).strip() == answer.text
    # the cards shown before the text are the answer's products, in its order
    assert [s.product.id for s in shortlist.suggestions] == [s.product.id for s in answer.suggestions]
    assert shortlist.session == answer.session
    assert answer.timings["cards"] <= answer.timings["total"]


def test_a_turn_with_no_products_streams_no_shortlist(demo_retriever):
    items = list(make(demo_retriever, ScriptedLLM(["unused"])).stream(None, "something nice"))
    assert not any(isinstance(i, Shortlist) for i in items)
    assert items[-1].kind == "clarify"


def test_cited_sentences_are_rendered_with_catalogue_titles(demo_retriever):
    llm = ScriptedLLM(["[1] would brighten any shelf. [2] is a cheerful extra."])
    answer = make(demo_retriever, llm).ask(None, "christmas decoration")
    first, second = (s.product.display_title for s in answer.suggestions[:2])
    assert answer.text == f"{first} would brighten any shelf. {second} is a cheerful extra."
    assert answer.kind == "suggestions"


def test_invented_products_and_prices_are_removed(demo_retriever):
    llm = ScriptedLLM(["[1] is lovely. The PlayStation 5 is on sale. [7] costs £0.01. [2] is only £999.99!"])
    answer = make(demo_retriever, llm).ask(None, "christmas decoration")
    assert "PlayStation" not in answer.text and "999" not in answer.text and "0.01" not in answer.text
    assert answer.text.startswith(answer.suggestions[0].product.display_title)


@pytest.mark.parametrize("llm", [FailingLLM(LLMError("backend down")), ScriptedLLM(["I cannot help with that."]), ScriptedLLM([""])],
                         ids=["raises", "off-topic", "empty"])
def test_unusable_output_falls_back_to_the_template(demo_retriever, llm):
    answer = make(demo_retriever, llm).ask(None, "christmas decoration")
    assert answer.kind == "fallback"
    for s in answer.suggestions:
        assert s.product.display_title in answer.text


def test_timeout_falls_back(demo_retriever):
    from shopassist.assistant.llm.contract import GenerationOptions

    slow = ScriptedLLM(["[1] is " + "very " * 200 + "nice."], delay_s=0.05)
    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), slow, options=GenerationOptions(timeout_s=0.3))
    answer = assistant.ask(None, "christmas decoration")
    assert answer.kind == "fallback" and answer.suggestions


def test_refinement_across_turns(demo_retriever):
    assistant = make(demo_retriever, ScriptedLLM(lambda messages: "[1] fits."))
    first = assistant.ask(SHOPPER, "mug")
    cheaper = assistant.ask(SHOPPER, "cheaper?", first.session)
    assert cheaper.session == first.session
    cheapest_before = min(s.product.price for s in first.suggestions)
    assert cheaper.suggestions and all(s.product.price < cheapest_before for s in cheaper.suggestions)
    more = assistant.ask(SHOPPER, "show me more", cheaper.session)
    assert not {s.product.id for s in more.suggestions} & {s.product.id for s in first.suggestions + cheaper.suggestions}
    question = assistant.ask(SHOPPER, "is the second one dishwasher safe?", more.session)
    assert question.suggestions[0].product == more.suggestions[1].product
    assert "catalogue" in question.text


def test_dislike_removes_a_product_for_the_session(demo_retriever):
    assistant = make(demo_retriever, ScriptedLLM(lambda messages: "[1] fits."))
    first = assistant.ask(SHOPPER, "christmas decoration")
    gone = first.suggestions[0].product.id
    assistant.feedback(first.session, gone, "dislike")
    again = assistant.ask(SHOPPER, "christmas decoration", first.session)
    assert gone not in {s.product.id for s in again.suggestions}


def test_feedback_on_an_unknown_session_is_a_named_error_not_a_key_error(demo_retriever):
    assistant = make(demo_retriever, None)
    with pytest.raises(SessionNotFound, match="ask again") as raised:
        assistant.feedback("no-such-session", "85123A", "like")
    assert isinstance(raised.value, ShopassistError) and not isinstance(raised.value, KeyError)


@pytest.mark.parametrize("message", ["something nice", "a gift", "推荐点东西", "🎁", ""])
def test_too_vague_gets_one_clarifying_question(demo_retriever, message):
    answer = make(demo_retriever, ScriptedLLM(["[1] fits."])).ask(None, message)
    assert answer.kind == "clarify" and not answer.suggestions
    assert answer.text.count("?") + answer.text.count("？") == 1


def test_answers_in_the_language_of_the_question(demo_retriever):
    answer = make(demo_retriever, FailingLLM(LLMError("off"))).ask(None, "圣诞节装饰 10元以下")
    assert answer.language == "zh" and "为您找到" in answer.text


def test_concurrent_sessions_never_see_each_other(demo_retriever):
    llm = ScriptedLLM(lambda messages: "[1] fits.")
    assistant = make(demo_retriever, llm)
    shoppers = ["17850", "13047", "12583", None]
    topics = ["mug", "christmas decoration", "heart", "bag"]
    results: dict[int, list] = {}

    def converse(i):
        session = None
        answers = []
        for message in (topics[i], "cheaper?", "show me more"):
            answer = assistant.ask(shoppers[i], message, session)
            session = answer.session
            answers.append(answer)
        results[i] = answers

    threads = [threading.Thread(target=converse, args=(i,)) for i in range(len(shoppers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sessions = {answers[0].session for answers in results.values()}
    assert len(sessions) == len(shoppers)
    for i, answers in results.items():
        assert len({a.session for a in answers}) == 1
        state = assistant.sessions.find(answers[0].session)
        assert state.shopper_id == shoppers[i]
        assert [t.text for t in state.turns if t.role == "user"] == [topics[i], "cheaper?", "show me more"]
    # a session id presented by another shopper is not honoured
    stolen = results[0][0].session
    assert assistant.ask("13047", "mug", stolen).session != stolen


def test_an_opening_line_without_products_is_not_left_dangling(demo_retriever):
    answer = make(demo_retriever, ScriptedLLM(["Happy to help you today."])).ask(None, "christmas decoration")
    assert answer.kind == "fallback" and not answer.text.startswith("Happy")
    answer = make(demo_retriever, ScriptedLLM(["Happy to help you today. [1] is a fine pick."])).ask(None, "christmas decoration")
    assert answer.kind == "suggestions" and answer.text.startswith("Happy to help you today.")


def test_prepare_reads_the_shoppers_prompt_prefix_ahead(demo_retriever, small_llm):
    """Picking a shopper starts reading the start of every prompt for them; the turn's prompt
    really starts with it, so the question that follows makes llama.cpp read only the rest."""
    from shopassist.assistant.core import PROMPT_PURCHASES
    from shopassist.assistant.llm.contract import GenerationOptions
    from shopassist.assistant.prompt import build_messages, stable_prefix

    # A few tokens of answer: what llama.cpp reads for the turn is then almost all prompt.
    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), small_llm, options=GenerationOptions(max_tokens=4, timeout_s=120))
    summary = assistant.shopper_summary(SHOPPER, recent=PROMPT_PURCHASES)
    prefix = stable_prefix(summary)
    turn = build_messages([], "red mug", summary, "en")
    assert turn[0] == prefix[0] and turn[1].content.startswith(prefix[1].content)
    assistant.prepare(SHOPPER).join(timeout=120)
    prefilled = small_llm._llama.n_tokens  # the prefix (and one thrown-away token) in the context
    assert prefilled > 100  # long enough that reading it again would show below
    before = tokens_evaluated(small_llm)
    answer = assistant.ask(SHOPPER, "red mug")
    read = tokens_evaluated(small_llm) - before
    assert read <= small_llm._llama.n_tokens - prefilled + 8  # only what follows the prefix, and the answer
    assert answer.suggestions and answer.text
    assert make(demo_retriever, ScriptedLLM(["[1] is nice."])).prepare(SHOPPER) is None  # nothing to prefill


@pytest.mark.parametrize("backend", ["llama-cpp", pytest.param("openai", marks=pytest.mark.server)])
def test_a_turn_that_cannot_get_the_busy_model_answers_from_the_template_within_its_budget(demo_retriever, backend, request):
    """Another shopper's long answer holds SmolLM2-135M (in this process, or the server's one slot):
    this turn's cards come first, then the template answers once the budget is spent — not after
    the other answer — and says why."""
    llm = request.getfixturevalue({"llama-cpp": "small_llm", "openai": "openai_small_llm"}[backend])
    budget = 0.5
    assistant = Assistant(demo_retriever, RetrievalOrderRanker(), llm, options=replace(ANSWER_OPTIONS, first_token_s=budget))
    with model_held_busy(llm) as other:
        started = time.perf_counter()
        items = list(assistant.stream(SHOPPER, "christmas decoration"))
        waited = time.perf_counter() - started
        assert other.is_alive()  # the other answer was still being written: this turn did not wait it out
    shortlist, answer = items[0], items[-1]
    assert isinstance(shortlist, Shortlist) and shortlist.suggestions
    assert answer.kind == "fallback" and answer.reason == "llm busy" and answer.answered_by == "template"
    assert answer.to_dict()["answered_by"] == "template" and answer.to_dict()["reason"] == "llm busy"
    assert all(s.product.display_title in answer.text for s in answer.suggestions)
    assert budget * 1000 <= answer.timings["llm_wait"] < budget * 1000 + 500
    assert waited < budget + 3  # generous slack for a loaded 2-core machine; the other answer runs far longer
    assert "first_token" not in answer.timings
