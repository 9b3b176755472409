"""What every backend streams through: a deadline on the first token and on the whole generation, and stop strings.

A backend writes a `produce(emit, cancelled)` function that pushes text with `emit` and returns
when done, watching `cancelled`; `bounded_stream` runs it on a worker thread and hands the text to the caller as it
arrives. That is the only way to bound a generation whose first token can itself be slow (a queue
for the model, a long prompt read by llama.cpp, a server that accepts the connection and then says
nothing), because those calls cannot be interrupted from inside. When time runs out the caller gets
LLMError at once (LLMBusy when not even a first token came); `cancelled` is set so the worker stops
at its next token and frees the model, and a worker blocked where no token comes (a socket waiting
on a busy server) hangs up with `cancelled.calling(...)`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from shopassist.assistant.llm.contract import GenerationOptions
from shopassist.errors import LLMBusy, LLMError

Emit = Callable[[str], None]

_DONE = object()


class Cancellation(threading.Event):
    """Set when the caller stops waiting. Besides `is_set()`/`wait()`, a worker can register what
    to do at that moment from the caller's thread (close a socket it is blocked on) for as long as
    a `with cancelled.calling(hang_up):` block runs.

    >>> cancelled, calls = Cancellation(), []
    >>> with cancelled.calling(lambda: calls.append("hung up")):
    ...     cancelled.set()
    >>> cancelled.set(); calls
    ['hung up']
    """

    def __init__(self, first_token_by: float | None = None) -> None:
        super().__init__()
        self.first_token_by = first_token_by  # time.monotonic() when the caller stops waiting for a first token; None: no budget
        self._guard = threading.Lock()  # a hook never runs after its block has ended
        self._hooks: list[Callable[[], None]] = []

    def set(self) -> None:
        with self._guard:
            if self.is_set():
                return
            super().set()
            for hook in self._hooks:
                hook()

    @contextmanager
    def calling(self, hook: Callable[[], None]) -> Iterator[None]:
        with self._guard:
            if self.is_set():
                hook()
            self._hooks.append(hook)
        try:
            yield
        finally:
            with self._guard:
                self._hooks.remove(hook)


Produce = Callable[[Emit, Cancellation], None]


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def bounded_stream(produce: Produce, options: GenerationOptions, what: str) -> Iterator[str]:
    """Yield what `produce` emits; raise LLMBusy if nothing came within options.first_token_s,
    LLMError if it fails or is not finished after options.timeout_s.

    The clocks start at the first `next()`, like the generation itself.

    >>> list(bounded_stream(lambda emit, cancelled: [emit("a"), emit("b")], GenerationOptions(timeout_s=1), "demo"))
    ['a', 'b']
    """
    chunks: queue.Queue[object] = queue.Queue()
    started = time.monotonic()
    deadline = started + options.timeout_s
    first = min(deadline, started + options.first_token_s) if options.first_token_s is not None else deadline
    cancelled = Cancellation(first if options.first_token_s is not None else None)

    def emit(text: str) -> None:
        if text and not cancelled.is_set():
            chunks.put(text)

    def work() -> None:
        try:
            produce(emit, cancelled)
        except BaseException as e:  # handed to the caller's thread, which raises it
            chunks.put(_Failed(e))
        else:
            chunks.put(_DONE)

    too_slow = LLMError(f"{what} did not finish within {options.timeout_s:g} s — raise the timeout, ask for fewer "
                        "tokens, or use a smaller model or a faster backend")
    waiting_for_first = True
    # Not a daemon: at exit Python waits for it, and it stops at its next token once cancelled.
    # A daemon still inside llama.cpp when the interpreter frees the model crashes the process.
    threading.Thread(target=work, name=f"llm:{what}").start()
    try:
        while True:
            until = first if waiting_for_first else deadline
            try:
                item = chunks.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                if waiting_for_first and until < deadline:
                    raise LLMBusy(
                        f"{what} gave no first token within {options.first_token_s:g} s (busy with other answers, "
                        "or slow to read the prompt) — the template answers; raise SHOPASSIST_LLM_BUDGET_S "
                        "or serve the model with more capacity"
                    ) from None
                raise too_slow from None
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                if time.monotonic() >= deadline:  # the worker's own I/O timeout fired with ours: ours is the reason
                    raise too_slow from item.error
                if isinstance(item.error, LLMError):
                    raise item.error
                raise LLMError(f"{what} failed: {item.error!r}") from item.error
            waiting_for_first = False
            yield item  # type: ignore[misc]
    finally:
        # Timed out, failed, finished, or the caller stopped reading: the worker may stop too.
        cancelled.set()


class StopCutter:
    """Forwards text to `emit` until the first stop string, which is not forwarded.

    For backends whose runtime keeps the stop string in its output (transformers) and for the
    fakes; llama.cpp and OpenAI-compatible servers cut it themselves. A stop string can straddle
    chunks, so the last few characters are held back until it is clear they do not begin one.

    >>> out = []
    >>> cutter = StopCutter(("[END]",), out.append)
    >>> [cutter.feed(t) for t in ["Mug", "s. [E", "ND] more"]]
    [False, False, True]
    >>> cutter.flush(); "".join(out)
    'Mugs. '
    """

    def __init__(self, stop: tuple[str, ...], emit: Emit):
        self._stop = tuple(s for s in stop if s)
        self._emit = emit
        self._hold = max((len(s) for s in self._stop), default=1) - 1
        self._pending = ""
        self.stopped = False

    def feed(self, text: str) -> bool:
        """Take the next text; True once a stop string has been seen (feed no more after that)."""
        if self.stopped:
            return True
        self._pending += text
        hits = [i for i in (self._pending.find(s) for s in self._stop) if i >= 0]
        if hits:
            head = self._pending[: min(hits)]
            if head:
                self._emit(head)
            self._pending = ""
            self.stopped = True
        elif len(self._pending) > self._hold:
            cut = len(self._pending) - self._hold
            self._emit(self._pending[:cut])
            self._pending = self._pending[cut:]
        return self.stopped

    def flush(self) -> None:
        """The generation ended without a stop string: forward what was held back."""
        if self._pending and not self.stopped:
            self._emit(self._pending)
        self._pending = ""
