"""Deterministic stand-ins for a language model, for tests of the orchestration around it.

They ship beside the contract (like httpx's MockTransport) and pass the same contract tests as the
real backends: text streams in chunks, `max_tokens`, `stop` and `timeout_s` behave the same, and
failures are LLMError. A "token" here is a word with the space after it.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence

from shopassist.assistant.llm.contract import GenerationOptions, Message
from shopassist.assistant.llm.streaming import Emit, StopCutter, bounded_stream
from shopassist.errors import LLMError

_TOKEN = re.compile(r"\s*\S+\s*|\s+")

Reply = Callable[[Sequence[Message]], str]


def fake_tokens(text: str) -> list[str]:
    """How the fakes split text into tokens: words with their surrounding spaces.

    >>> fake_tokens("red mug, 4.50")
    ['red ', 'mug, ', '4.50']
    """
    return _TOKEN.findall(text)


class ScriptedLLM:
    """Answers from a script: a list of replies used in order, or a function of the messages.

    Every call is recorded in `calls`, so a test can check the prompt the assistant built.
    Running out of replies is a mistake in the test, so it raises LookupError, not LLMError (which
    the assistant would quietly turn into a fallback answer).

    >>> llm = ScriptedLLM(["[1] is the cheapest."])
    >>> list(llm.stream([Message("user", "cheapest?")]))
    ['[1] ', 'is ', 'the ', 'cheapest.']
    >>> llm.calls[0][-1].content
    'cheapest?'
    """

    def __init__(self, replies: Sequence[str] | Reply, delay_s: float = 0.0, name: str = "scripted"):
        self._reply: Reply | None = replies if callable(replies) else None
        self._replies = list(replies) if not callable(replies) else []
        self.delay_s = delay_s  # per token: lets a test make the stream slow enough to time out
        self.name = name
        self.calls: list[tuple[Message, ...]] = []
        self._lock = threading.Lock()  # sessions may share one fake across threads

    def _next_reply(self, messages: Sequence[Message]) -> str:
        with self._lock:
            self.calls.append(tuple(messages))
            if self._reply is not None:
                return self._reply(messages)
            turn = len(self.calls)
            if turn > len(self._replies):
                raise LookupError(
                    f"ScriptedLLM was asked for reply {turn} but was given {len(self._replies)} — add replies"
                )
            return self._replies[turn - 1]

    def stream(self, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> Iterator[str]:
        reply = self._next_reply(messages)  # now, not on first next(): the call is what is recorded
        tokens = fake_tokens(reply)[: options.max_tokens]

        def produce(emit: Emit, cancelled: threading.Event) -> None:
            cutter = StopCutter(options.stop, emit)
            for token in tokens:
                if cancelled.wait(self.delay_s) if self.delay_s else cancelled.is_set():
                    return
                if cutter.feed(token):
                    return
            cutter.flush()

        return bounded_stream(produce, options, self.name)


class FailingLLM:
    """A backend that breaks: after `delay_s` (and after streaming `partial`), raises `error`.

    `delay_s=math.inf` hangs until the caller's timeout, like a server that never answers.

    >>> list(FailingLLM(partial="Try ").stream([Message("user", "hi")]))
    Traceback (most recent call last):
    ...
    shopassist.errors.LLMError: failing: scripted failure
    """

    def __init__(self, error: Exception | None = None, delay_s: float = 0.0, partial: str = "", name: str = "failing"):
        self.error = error if error is not None else LLMError(f"{name}: scripted failure")
        self.delay_s = delay_s
        self.partial = partial  # text streamed before the failure: a mid-answer crash
        self.name = name
        self.calls: list[tuple[Message, ...]] = []

    def stream(self, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> Iterator[str]:
        self.calls.append(tuple(messages))

        def produce(emit: Emit, cancelled: threading.Event) -> None:
            for token in fake_tokens(self.partial)[: options.max_tokens]:
                emit(token)
            if cancelled.wait(None if math.isinf(self.delay_s) else self.delay_s):
                return
            raise self.error

        return bounded_stream(produce, options, self.name)
