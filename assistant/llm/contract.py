"""The language-model contract: one required method, `stream(messages, options)`.

Everything else (`generate`, the assistant's prompting and fallback) is built on it, so a backend
is a class with a `name` and a `stream` that yields text as it is produced. Every failure inside a
backend (load, timeout, connection, HTTP) surfaces as `shopassist.errors.LLMError`, which is the
one exception the assistant catches to fall back to a templated answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant")


@dataclass(frozen=True)
class Message:
    """One chat turn. The system message, when there is one, comes first and stays the same across
    turns: llama.cpp reuses its cache for the longest unchanged prefix of the prompt."""

    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"message role {self.role!r} is not one of {', '.join(ROLES)}")

    def to_dict(self) -> dict[str, str]:
        """The OpenAI chat shape every backend's template expects.

        >>> Message("user", "hi").to_dict()
        {'role': 'user', 'content': 'hi'}
        """
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class GenerationOptions:
    max_tokens: int = 256  # room for a three-suggestion answer; the assistant asks for less when it can
    temperature: float = 0.0  # greedy: the same prompt gives the same answer, which grounding tests rely on
    stop: tuple[str, ...] = ()  # text that ends the answer; it is not part of the output
    timeout_s: float = 30.0  # bound on the whole generation, streaming included, then LLMError
    # Bound on the wait for the first token — the queue for the model (a lock in-process, a busy
    # server) and the prompt's reading — then LLMBusy. None: only timeout_s. A stream that started
    # in time runs on, up to timeout_s.
    first_token_s: float | None = None
    # The answer must be one JSON object of this schema: llama.cpp compiles it to a grammar, an
    # OpenAI-compatible server gets it as response_format; a backend without either generates
    # freely, so the caller validates the JSON in every case.
    json_schema: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, not {self.max_tokens}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, not {self.timeout_s}")
        if self.first_token_s is not None and not self.first_token_s > 0:
            raise ValueError(f"first_token_s must be positive, not {self.first_token_s}")
        if self.temperature < 0:
            raise ValueError(f"temperature must not be negative, not {self.temperature}")


@runtime_checkable
class LLM(Protocol):
    name: str  # what the model is, for logs, timings and `shopassist models`

    def stream(self, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> Iterator[str]:
        """Yield the answer's text in chunks as it is generated; raise LLMError on any failure."""
        ...


@runtime_checkable
class Prefills(Protocol):
    """A backend that can read a prompt's prefix ahead of time (llama.cpp: into its context), so a
    later prompt that starts with it reads only what follows. Servers with prefix caching (vLLM,
    llama.cpp's server) do this by themselves and need not implement it."""

    def prefill(self, messages: Sequence[Message]) -> None:
        """Read the messages now; raise LLMError on failure."""
        ...


def generate(llm: LLM, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> str:
    """The whole answer at once: the joined stream.

    >>> from shopassist.assistant.llm.fakes import ScriptedLLM
    >>> generate(ScriptedLLM(["Try the red mug."]), [Message("user", "a gift?")])
    'Try the red mug.'
    """
    return "".join(llm.stream(messages, options))
