"""The LLM contract, run against every backend CI can run: the fake, llama.cpp with SmolLM2-135M,
the OpenAI-compatible backend against a real llama.cpp server process on 127.0.0.1, and (slow)
transformers reading the same GGUF. Greedy decoding makes the right answers known: the same prompt
gives the same text, and a shorter budget gives a prefix of it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from shopassist.assistant.llm import GenerationOptions, Message, ScriptedLLM, generate, resolve_llm
from shopassist.assistant.llm.openai_backend import OpenAICompatibleLLM
from shopassist.errors import LLMError
from shopassist.settings import Settings
from tests.conftest import tokens_evaluated

PROMPT = [
    Message("system", "You are a helpful shop assistant. Answer in full sentences."),
    Message("user", "Which three things should I pack for a picnic, and why?"),
]
# About 150 tokens: reading it takes even the smallest model several times the 10 ms timeout used
# below, yet little enough that the model is free again soon after.
LONG_PROMPT = [Message("user", "Summarise this list of products for a shopper. " + "red ceramic mug with white dots, " * 20)]
QUICK = GenerationOptions(max_tokens=24)


def _echo(messages) -> str:  # the fake's script: deterministic in the prompt, like greedy decoding
    return "You asked: " + messages[-1].content


@pytest.fixture(scope="session")
def llm_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("llm-home")


@pytest.fixture(scope="session")
def llama_llm(small_llm):
    """SmolLM2-135M through llama.cpp (the suite's one loaded copy, from conftest)."""
    return small_llm


@pytest.fixture(scope="session")
def openai_llm(llama_server):
    llm = OpenAICompatibleLLM(llama_server, model="smollm2-135m")
    yield llm
    llm.close()


@pytest.fixture(scope="session")
def transformers_llm(llm_home):
    """The same GGUF through transformers (dequantised, converted once into the models dir)."""
    pytest.importorskip("gguf", reason="transformers reads GGUF only with the gguf package")
    pytest.importorskip("accelerate", reason="transformers reads GGUF only with the accelerate package")
    return resolve_llm(Settings(home=llm_home, llm="smollm2-135m", llm_backend="transformers", threads=1))


@pytest.fixture(
    params=[
        "scripted",
        "llama-cpp",
        pytest.param("openai", marks=pytest.mark.server),
        pytest.param("transformers", marks=pytest.mark.slow),
    ]
)
def llm(request):
    if request.param == "scripted":
        return ScriptedLLM(_echo, delay_s=0.002)  # slow enough per token for the timeout test
    return request.getfixturevalue({"llama-cpp": "llama_llm", "openai": "openai_llm", "transformers": "transformers_llm"}[request.param])


def test_stream_yields_several_chunks_that_join_to_generate(llm):
    chunks = list(llm.stream(PROMPT, QUICK))
    assert len(chunks) >= 3
    assert all(isinstance(c, str) and c for c in chunks)
    assert "".join(chunks) == generate(llm, PROMPT, QUICK)
    assert "".join(chunks).strip()


def test_max_tokens_bounds_the_answer(llm):
    short = list(llm.stream(PROMPT, GenerationOptions(max_tokens=5)))
    long = generate(llm, PROMPT, GenerationOptions(max_tokens=30))
    assert 1 <= len(short) <= 5  # every chunk carries at least one token
    assert len("".join(short)) < len(long)
    assert long.startswith("".join(short))


def test_stop_string_ends_the_answer_before_it(llm):
    full = generate(llm, PROMPT, QUICK)
    words = full.split()
    stop = words[len(words) // 2]
    cut = generate(llm, PROMPT, GenerationOptions(max_tokens=24, stop=(stop,)))
    assert cut == full[: full.index(stop)]


def test_timeout_raises_llm_error_and_the_model_stays_usable(llm):
    with pytest.raises(LLMError, match="did not finish within"):
        generate(llm, LONG_PROMPT, GenerationOptions(max_tokens=200, timeout_s=0.01))
    assert generate(llm, PROMPT, GenerationOptions(max_tokens=5)) == generate(llm, PROMPT, GenerationOptions(max_tokens=5))


def test_a_stream_abandoned_midway_frees_the_model(llm):
    stream = llm.stream(PROMPT, QUICK)
    next(stream)
    stream.close()
    assert generate(llm, PROMPT, GenerationOptions(max_tokens=5, timeout_s=20))


def test_concurrent_callers_get_their_own_answers(llm):
    expected = {p: generate(llm, [Message("user", p)], GenerationOptions(max_tokens=8)) for p in ("Hello!", "Name a fruit.")}
    results: dict[str, str] = {}

    def ask(prompt: str) -> None:
        results[prompt] = generate(llm, [Message("user", prompt)], GenerationOptions(max_tokens=8))

    threads = [threading.Thread(target=ask, args=(p,)) for p in expected for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == expected


@pytest.mark.server
def test_http_error_from_a_real_server_is_llm_error(llama_server):
    wrong = OpenAICompatibleLLM(f"{llama_server}/not-the-api", model="smollm2-135m")
    with pytest.raises(LLMError, match="HTTP 404"):
        generate(wrong, PROMPT, QUICK)


def test_llama_cpp_reuses_the_prompt_prefix(llama_llm):
    """A follow-up that extends the last conversation reads only its new tokens; a conversation
    that starts differently is read whole (which shows the counter counts what it should)."""
    follow_up = [*PROMPT, Message("assistant", "A blanket."), Message("user", "And drinks?")]
    other_start = [Message("system", "You sell garden tools and answer briefly."), *follow_up[1:]]

    def read_for(messages) -> int:
        before = tokens_evaluated(llama_llm)
        generate(llama_llm, messages, GenerationOptions(max_tokens=2))
        return tokens_evaluated(llama_llm) - before

    read_for(PROMPT)
    cached = llama_llm._llama.n_tokens  # that conversation's tokens, kept in the context
    reused = read_for(follow_up)
    full = llama_llm._llama.n_tokens
    assert reused <= full - cached + 4  # what follows the cached conversation (+ the answer's tokens)
    assert reused < full / 2
    whole = read_for(other_start)
    assert whole >= llama_llm._llama.n_tokens - 8  # only the chat template's first tokens were shared


@pytest.mark.slow
def test_transformers_conversion_is_reused_and_answers_the_same(transformers_llm, llm_home):
    converted = {p: p.stat().st_mtime_ns for p in (llm_home / "models" / "transformers").rglob("*") if p.is_file()}
    assert converted
    again = resolve_llm(Settings(home=llm_home, llm="smollm2-135m", llm_backend="transformers", threads=1))
    # The GGUF was not dequantised and saved a second time: every converted file is as it was.
    assert {p: p.stat().st_mtime_ns for p in converted} == converted
    assert generate(again, PROMPT, QUICK) == generate(transformers_llm, PROMPT, QUICK)
