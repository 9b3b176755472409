"""GGUF models through llama-cpp-python: the fast CPU path.

The chat template comes from the GGUF file itself. One `Llama` per process, reused across turns:
llama.cpp keeps the tokens it has already read and, on the next call, reads only what follows the
longest unchanged prefix. So a prompt whose stable part (system rules, then the shopper line) comes
first answers the next turn in tens of milliseconds instead of seconds (see ../shared/MODELS.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from shopassist.assistant.llm.contract import GenerationOptions, Message
from shopassist.assistant.llm.streaming import Cancellation, Emit, bounded_stream
from shopassist.errors import LLMBusy, LLMError


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
        # Recent seconds from taking the model to the first token (reading the prompt), averaged:
        # a turn that gets the model with less of its wait budget left than that would read a
        # prompt for nobody — it leaves the model to the next turn and the template answers.
        self._reading_s = 0.0

    def prefill(self, messages: Sequence[Message]) -> None:
        """Read `messages` into the context now (one token is generated and thrown away), so that
        the next prompt beginning with them reads only the rest: on 2 cores the 1.5B model reads
        32–38 tokens/s, so a shopper's prefix read while they type saves seconds on their question."""
        with self._lock:
            try:
                self._llama.create_chat_completion(messages=[m.to_dict() for m in messages], max_tokens=1)  # type: ignore[arg-type]
            except ValueError as e:
                raise LLMError(f"{self.name}: {e} — the prompt prefix does not fit the context") from e

    def count_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens the model reads for `messages`, chat template included (for the turn's log line):
        the GGUF's own template rendered as llama.cpp renders it, then its tokenizer. No model lock:
        both read only the vocabulary and the metadata.

        >>> from shopassist.assistant.llm.shipped import SHIPPED_LLMS
        >>> llm = LlamaCppLLM(SHIPPED_LLMS["smollm2-135m"].parts[0].locate(), n_threads=1)
        >>> 5 < llm.count_tokens([Message("user", "Say hi.")]) < 40
        True
        """
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        chat = [m.to_dict() for m in messages]
        template = self._llama.metadata.get("tokenizer.chat_template")
        if template is None:  # no template in the file: llama.cpp falls back to its own format; count the text
            text = "\n".join(m["content"] for m in chat)
        else:
            token_text = self._llama._model.token_get_text
            eos, bos = self._llama.token_eos(), self._llama.token_bos()
            formatter = Jinja2ChatFormatter(template, token_text(eos) if eos != -1 else "", token_text(bos) if bos != -1 else "")
            text = formatter(messages=chat).prompt
        return len(self._llama.tokenize(text.encode(), add_bos=False, special=True))

    def stream(self, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> Iterator[str]:
        chat = [m.to_dict() for m in messages]

        def produce(emit: Emit, cancelled: Cancellation) -> None:
            queued = not self._lock.acquire(blocking=False)
            if queued and not _take(self._lock, cancelled):
                return  # the caller stopped waiting (its budget ran out) while other answers held the model
            chunks = None
            try:
                took = time.monotonic()
                # Only a turn that queued may give up: one that found the model free always reads,
                # which keeps the estimate honest when it has grown past the whole budget.
                if queued and cancelled.first_token_by is not None and took + self._reading_s > cancelled.first_token_by:
                    raise LLMBusy(
                        f"{self.name} came free with {cancelled.first_token_by - took:.1f} s of the wait budget left, "
                        f"less than reading a prompt takes now ({self._reading_s:.1f} s) — the template answers"
                    )
                chunks = self._llama.create_chat_completion(
                    messages=chat,  # type: ignore[arg-type]
                    max_tokens=options.max_tokens,
                    temperature=options.temperature,
                    stop=list(options.stop),
                    stream=True,
                    # A JSON schema becomes a grammar: only tokens that keep the output valid are sampled.
                    response_format={"type": "json_object", "schema": dict(options.json_schema)} if options.json_schema else None,
                )
                reading = True
                for chunk in chunks:
                    text = chunk["choices"][0]["delta"].get("content") or ""  # type: ignore[index,union-attr]
                    if reading and text:
                        reading = False
                        self._reading_s = 0.7 * self._reading_s + 0.3 * (time.monotonic() - took)
                    # Checked per token; reading the prompt is the one step that cannot stop.
                    if cancelled.is_set():
                        return
                    emit(text)
            except ValueError as e:  # llama-cpp-python's one error type: prompt too long, bad state
                raise LLMError(
                    f"{self.name}: {e} — shorten the prompt (fewer products or a shorter message)"
                ) from e
            finally:
                if chunks is not None:
                    chunks.close()  # type: ignore[union-attr]  # llama.cpp's clean-up runs while the model is still ours
                self._lock.release()

        return bounded_stream(produce, options, self.name)


def _take(lock: threading.Lock, cancelled: threading.Event, poll_s: float = 0.05) -> bool:
    """Wait for `lock` until it is ours (True) or the caller has stopped waiting (False, lock not held).
    A waiter whose shopper has had the template's answer leaves the queue within `poll_s`, so it
    neither holds a thread for long nor reads a prompt nobody will see.

    >>> lock, cancelled = threading.Lock(), threading.Event()
    >>> _take(lock, cancelled), _take(lock, cancelled.set() or cancelled)
    (True, False)
    """
    while not lock.acquire(timeout=poll_s):
        if cancelled.is_set():
            return False
    if cancelled.is_set():
        lock.release()
        return False
    return True
