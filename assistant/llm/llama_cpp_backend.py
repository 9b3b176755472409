"""GGUF models through llama-cpp-python: the fast CPU path.

The chat template comes from the GGUF file itself. One `Llama` per process, reused across turns:
llama.cpp keeps the tokens it has already read and, on the next call, reads only what follows the
longest unchanged prefix. So a prompt whose stable part (system rules, then the shopper line) comes
first answers the next turn in tens of milliseconds instead of seconds (see ../shared/MODELS.md).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from shopassist.assistant.llm.contract import GenerationOptions, Message
from shopassist.assistant.llm.streaming import Emit, bounded_stream
from shopassist.errors import LLMError


class LlamaCppLLM:
    """A local GGUF chat model.

    >>> from shopassist.assistant.llm.shipped import SHIPPED_LLMS
    >>> llm = LlamaCppLLM(SHIPPED_LLMS["smollm2-135m"].parts[0].locate(), n_threads=2)
    >>> from shopassist.assistant.llm.contract import generate
    >>> len(generate(llm, [Message("user", "Say hi.")], GenerationOptions(max_tokens=4))) > 0
    True
    """

    def __init__(self, path: Path | str, *, n_threads: int, n_ctx: int = 4096, name: str | None = None):
        # 4096 tokens: system rules + the shopper line + a dozen product lines + the answer, with room to
        # spare; the KV cache for it stays small (~120 MB for the 1.5B model).
        from llama_cpp import Llama

        path = Path(path)
        self.name = name or path.stem
        self.path = path
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,  # prompt reading too; its default is every core
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as e:
            raise LLMError(
                f"llama.cpp could not load {path} ({e}) — is it a complete GGUF file? "
                "Re-run `shopassist models` to check it, or pick another model with SHOPASSIST_LLM"
            ) from e
        # llama.cpp's context is one mutable state: one generation at a time per model.
        self._lock = threading.Lock()

    def prefill(self, messages: Sequence[Message]) -> None:
        """Read `messages` into the context now (one token is generated and thrown away), so that
        the next prompt beginning with them reads only the rest: on 2 cores the 1.5B model reads
        32–38 tokens/s, so a shopper's prefix read while they type saves seconds on their question."""
        with self._lock:
            try:
                self._llama.create_chat_completion(messages=[m.to_dict() for m in messages], max_tokens=1)  # type: ignore[arg-type]
            except ValueError as e:
                raise LLMError(f"{self.name}: {e} — the prompt prefix does not fit the context") from e

    def stream(self, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> Iterator[str]:
        chat = [m.to_dict() for m in messages]

        def produce(emit: Emit, cancelled: threading.Event) -> None:
            with self._lock:
                if cancelled.is_set():  # timed out while another generation held the model
                    return
                try:
                    chunks = self._llama.create_chat_completion(
                        messages=chat,  # type: ignore[arg-type]
                        max_tokens=options.max_tokens,
                        temperature=options.temperature,
                        stop=list(options.stop),
                        stream=True,
                        # A JSON schema becomes a grammar: only tokens that keep the output valid are sampled.
                        response_format={"type": "json_object", "schema": dict(options.json_schema)} if options.json_schema else None,
                    )
                    for chunk in chunks:
                        # Checked per token; reading the prompt is the one step that cannot stop.
                        if cancelled.is_set():
                            return
                        emit(chunk["choices"][0]["delta"].get("content") or "")  # type: ignore[index,union-attr]
                except ValueError as e:  # llama-cpp-python's one error type: prompt too long, bad state
                    raise LLMError(
                        f"{self.name}: {e} — shorten the prompt (fewer products or a shorter message)"
                    ) from e

        return bounded_stream(produce, options.timeout_s, self.name)
