"""Any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp's server, TGI) by base URL.

Plain httpx and server-sent events from `POST {base}/v1/chat/completions` with `stream: true`: no
client library, so every server that speaks the wire format works, and the failure modes (refused
connection, HTTP error, a server that goes quiet) are ours to turn into LLMError.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence

import httpx

from shopassist.assistant.llm.contract import GenerationOptions, Message
from shopassist.assistant.llm.streaming import Emit, bounded_stream
from shopassist.errors import LLMError


def chat_completions_url(base_url: str) -> str:
    """The endpoint for a base URL given with or without its `/v1`.

    >>> chat_completions_url("http://127.0.0.1:8080")
    'http://127.0.0.1:8080/v1/chat/completions'
    >>> chat_completions_url("http://gpu-box:8000/v1/")
    'http://gpu-box:8000/v1/chat/completions'
    """
    base = base_url.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


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

        def produce(emit: Emit, cancelled: threading.Event) -> None:
            try:
                with self._client.stream("POST", self._url, json=body, timeout=timeout) as response:
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
            except httpx.ConnectError as e:
                raise LLMError(
                    f"cannot connect to the LLM server at {self.base_url} ({e}) — start it (e.g. "
                    "`python -m llama_cpp.server --model FILE.gguf`) or fix SHOPASSIST_LLM_BASE_URL"
                ) from e
            except httpx.TimeoutException as e:
                raise LLMError(f"the LLM server at {self.base_url} went quiet for {options.timeout_s:g} s") from e
            except httpx.HTTPError as e:
                raise LLMError(f"talking to the LLM server at {self.base_url} failed: {e!r}") from e

        return bounded_stream(produce, options.timeout_s, self.name)


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
