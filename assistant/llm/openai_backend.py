"""Any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp's server, TGI) by base URL.

Plain httpx and server-sent events from `POST {base}/v1/chat/completions` with `stream: true`: no
client library, so every server that speaks the wire format works, and the failure modes (refused
connection, HTTP error, a server that goes quiet) are ours to turn into LLMError. A turn whose wait
budget runs out while the server is busy hangs up, so the server drops the request it queued.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Sequence

import httpx

from shopassist.assistant.llm.contract import GenerationOptions, Message
from shopassist.assistant.llm.streaming import Cancellation, Emit, bounded_stream
from shopassist.errors import LLMError
from shopassist.settings import openai_endpoint


def chat_completions_url(base_url: str) -> str:
    """The endpoint for a base URL given with or without its `/v1`.

    >>> chat_completions_url("http://127.0.0.1:8080")
    'http://127.0.0.1:8080/v1/chat/completions'
    >>> chat_completions_url("http://gpu-box:8000/v1/")
    'http://gpu-box:8000/v1/chat/completions'
    """
    return openai_endpoint(base_url, "chat/completions")


class OpenAICompatibleLLM:
    """A model served over HTTP. `model` is passed through as the server names it.

    >>> llm = OpenAICompatibleLLM("http://127.0.0.1:9", model="qwen2.5-coder-1.5b")
    >>> llm.name
    'qwen2.5-coder-1.5b@http://127.0.0.1:9'
    >>> llm.close()
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url
        self.model = model
        self.name = f"{model}@{base_url}"
        self._url = chat_completions_url(base_url)
        headers = {"Accept": "text/event-stream"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        # One client per model: its connection pool keeps the TCP connection for the next turn.
        self._client = httpx.Client(headers=headers, transport=transport)

    def close(self) -> None:
        self._client.close()

    def stream(self, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> Iterator[str]:
        body: dict[str, object] = {
            "model": self.model,
            "messages": [m.to_dict() for m in messages],
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "stream": True,
        }
        if options.stop:
            body["stop"] = list(options.stop)
        if options.json_schema:
            # The form llama.cpp's servers (C++ and Python) constrain to the schema; vLLM and Ollama
            # read it as JSON mode. The caller validates the object either way.
            body["response_format"] = {"type": "json_object", "schema": dict(options.json_schema)}
        # The worker's own I/O timeout: after bounded_stream has given up, a silent server must not
        # hold the thread much longer.
        timeout = httpx.Timeout(options.timeout_s)

        def produce(emit: Emit, cancelled: Cancellation) -> None:
            try:
                with self._client.stream("POST", self._url, json=body, timeout=timeout) as response:
                    with cancelled.calling(lambda: hang_up(response)):
                        self._read(response, emit, cancelled)
            except httpx.ConnectError as e:
                raise LLMError(
                    f"cannot connect to the LLM server at {self.base_url} ({e}) — start it (e.g. "
                    "`python -m llama_cpp.server --model FILE.gguf`) or fix SHOPASSIST_LLM_BASE_URL"
                ) from e
            except httpx.TimeoutException as e:
                raise LLMError(f"the LLM server at {self.base_url} went quiet for {options.timeout_s:g} s") from e
            except httpx.HTTPError as e:
                if cancelled.is_set():
                    return  # we hung up (the caller stopped waiting): the broken read is ours
                raise LLMError(f"talking to the LLM server at {self.base_url} failed: {e!r}") from e

        return bounded_stream(produce, options, self.name)

    def _read(self, response: httpx.Response, emit: Emit, cancelled: Cancellation) -> None:
        if response.status_code >= 400:
            detail = response.read().decode("utf-8", "replace")[:300]
            raise LLMError(
                f"{self._url} answered HTTP {response.status_code}: {detail} — check the base URL "
                f"(SHOPASSIST_LLM_BASE_URL) and that the server serves a model called {self.model!r}"
            )
        finish = None
        for event in sse_events(response.iter_lines()):
            if cancelled.is_set():
                return
            if event.get("error"):
                raise LLMError(f"the LLM server reported an error mid-answer: {event['error']}")
            for choice in event.get("choices") or []:
                emit((choice.get("delta") or {}).get("content") or "")
                finish = choice.get("finish_reason") or finish
        if finish is None and not cancelled.is_set():
            # Every OpenAI-style server names why an answer ended; without it the answer
            # was cut off, and half an answer must not pass for a whole one.
            raise LLMError(
                f"the LLM server at {self.base_url} ended the answer without a finish reason: it was "
                "cut off. llama_cpp.server does this to a streaming answer when another request "
                "arrives — start it with --interrupt_requests False"
            )


def hang_up(response: httpx.Response) -> None:
    """Shut the connection a worker is blocked reading, from another thread: the read ends at once,
    and a server that queues requests (llama_cpp.server, one answer at a time) sees the client gone
    and drops this one instead of reading a prompt for nobody. (Closing the socket would not wake
    the reader; shutting it down does.) A response without a socket (a test transport) is left be.

    >>> hang_up(httpx.Response(200))
    """
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed: nothing left to hang up
            pass


def sse_events(lines: Iterator[str]) -> Iterator[dict]:
    """The JSON payloads of a server-sent-event stream, up to its `[DONE]`.

    >>> list(sse_events(iter(['data: {"a": 1}', '', ': ping', 'data: [DONE]', 'data: {"b": 2}'])))
    [{'a': 1}]
    """
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, comments (": ping") and other fields
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        try:
            yield json.loads(data)
        except ValueError as e:
            raise LLMError(f"the LLM server sent an event that is not JSON: {data[:200]!r}") from e
