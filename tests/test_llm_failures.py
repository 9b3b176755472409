"""Every way a backend can fail ends as LLMError, with a message that says what to do.

The servers here are real sockets on 127.0.0.1 that misbehave on purpose: one that refuses, one
that accepts and says nothing, one that cuts its answer short.
"""

from __future__ import annotations

import http.server
import math
import socket
import threading
import time

import pytest

from shopassist.assistant.llm import FailingLLM, GenerationOptions, Message, ScriptedLLM, generate
from shopassist.assistant.llm.llama_cpp_backend import LlamaCppLLM
from shopassist.assistant.llm.openai_backend import OpenAICompatibleLLM
from shopassist.errors import LLMBusy, LLMError
from tests.conftest import free_port, model_held_busy

HELLO = [Message("user", "hello")]


@pytest.fixture
def silent_server():
    """Accepts connections, reads nothing, answers nothing: a hung model server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


@pytest.fixture
def cut_off_server():
    """An OpenAI-style server whose stream ends with [DONE] but no finish_reason, as
    llama_cpp.server does to an answer interrupted by another request."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for text in ("Try ", "the "):
                self.wfile.write(b'data: {"choices": [{"delta": {"content": "%s"}, "finish_reason": null}]}\n\n' % text.encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


def test_connection_refused_is_llm_error_saying_what_to_do():
    llm = OpenAICompatibleLLM(f"http://127.0.0.1:{free_port()}", model="any")
    with pytest.raises(LLMError, match="cannot connect to the LLM server .* start it"):
        generate(llm, HELLO)


def test_a_server_that_never_answers_times_out(silent_server):
    llm = OpenAICompatibleLLM(silent_server, model="any")
    # Two clocks run out together — the overall bound and the socket's read timeout — and either
    # may be first on a busy machine; both are the same timeout, said in words.
    with pytest.raises(LLMError, match="did not finish within 0.3 s|went quiet for 0.3 s"):
        generate(llm, HELLO, GenerationOptions(timeout_s=0.3))


def test_an_answer_cut_off_by_the_server_is_not_passed_off_as_whole(cut_off_server):
    llm = OpenAICompatibleLLM(cut_off_server, model="any")
    with pytest.raises(LLMError, match="interrupt_requests False"):
        generate(llm, HELLO)


def test_a_file_that_is_not_gguf_fails_to_load_with_llm_error(tmp_path):
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"not a model" * 100)
    with pytest.raises(LLMError, match="complete GGUF file"):
        LlamaCppLLM(bogus, n_threads=1)


def test_failing_llm_raises_its_error_after_partial_output():
    llm = FailingLLM(partial="Try the red", error=LLMError("backend crashed"))
    seen = []
    with pytest.raises(LLMError, match="backend crashed"):
        for chunk in llm.stream(HELLO):
            seen.append(chunk)
    assert "".join(seen) == "Try the red"
    assert llm.calls == [tuple(HELLO)]


def test_any_other_error_inside_a_backend_becomes_llm_error():
    with pytest.raises(LLMError, match="failing failed: .*ValueError") as info:
        generate(FailingLLM(error=ValueError("bad state")), HELLO)
    assert isinstance(info.value.__cause__, ValueError)  # the original stays attached for debugging


def test_a_hung_backend_times_out_and_its_worker_ends():
    before = threading.active_count()
    with pytest.raises(LLMError, match="did not finish within"):
        generate(FailingLLM(delay_s=math.inf), HELLO, GenerationOptions(timeout_s=0.1))
    deadline = time.monotonic() + 2
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before  # cancelled, not left hanging


def test_slow_scripted_llm_times_out_like_a_real_one():
    with pytest.raises(LLMError, match="did not finish within"):
        generate(ScriptedLLM(["one two three four five"], delay_s=0.1), HELLO, GenerationOptions(timeout_s=0.15))


def test_scripted_llm_running_out_of_replies_is_a_loud_test_error():
    llm = ScriptedLLM(["only one"])
    generate(llm, HELLO)
    with pytest.raises(LookupError, match="add replies"):
        generate(llm, HELLO)


def test_no_first_token_within_the_budget_is_llm_busy_at_once():
    started = time.monotonic()
    with pytest.raises(LLMBusy, match="no first token within 0.1 s .* SHOPASSIST_LLM_BUDGET_S"):
        generate(FailingLLM(delay_s=math.inf), HELLO, GenerationOptions(timeout_s=30, first_token_s=0.1))
    assert time.monotonic() - started < 20  # the budget ended the wait, not the 30 s bound


def test_a_stream_that_started_within_the_budget_runs_on_past_it():
    # Twelve tokens 0.05 s apart: the first comes in time, the whole answer takes twice the budget.
    llm = ScriptedLLM(["one two three four five six seven eight nine ten eleven twelve"], delay_s=0.05)
    assert generate(llm, HELLO, GenerationOptions(timeout_s=30, first_token_s=0.3)).split()[-1] == "twelve"


def test_the_whole_bound_still_applies_when_the_budget_is_longer():
    with pytest.raises(LLMError, match="did not finish within 0.1 s") as info:
        generate(FailingLLM(delay_s=math.inf), HELLO, GenerationOptions(timeout_s=0.1, first_token_s=5))
    assert not isinstance(info.value, LLMBusy)


def test_a_queued_call_that_gets_the_model_too_late_to_read_its_prompt_leaves_at_once(small_llm):
    """llama.cpp cannot stop reading a prompt: a call that comes to the model with less of its
    budget left than reading takes now raises LLMBusy there and then, instead of reading for nobody."""
    budget, result = 10.0, {}

    def ask() -> None:
        started = time.monotonic()
        try:
            generate(small_llm, HELLO, GenerationOptions(max_tokens=4, first_token_s=budget))
        except LLMBusy as e:
            result["busy"] = (str(e), time.monotonic() - started)

    reading = small_llm._reading_s
    try:
        with model_held_busy(small_llm):
            small_llm._reading_s = 60.0  # as if a prompt took a minute to read just now
            caller = threading.Thread(target=ask)
            caller.start()
            time.sleep(0.5)  # queued behind the long answer, which ends with this block
        caller.join(60)
    finally:
        small_llm._reading_s = reading
    message, waited = result["busy"]
    assert "came free with" in message and waited < budget  # it left when the model came free, not at the budget
