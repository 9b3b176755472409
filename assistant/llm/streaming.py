"""What every backend streams through: a deadline on the whole generation, and stop strings.

A backend writes a `produce(emit, cancelled)` function that pushes text with `emit` and returns
when done, watching `cancelled`; `bounded_stream` runs it on a worker thread and hands the text to the caller as it
arrives. That is the only way to bound a generation whose first token can itself be slow (a long
prompt read by llama.cpp, a server that accepts the connection and then says nothing), because
those calls cannot be interrupted from inside. When time runs out the caller gets LLMError at once;
`cancelled` is set so the worker stops at its next token and frees the model.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

from shopassist.errors import LLMError

Emit = Callable[[str], None]
Produce = Callable[[Emit, threading.Event], None]

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def bounded_stream(produce: Produce, timeout_s: float, what: str) -> Iterator[str]:
    """Yield what `produce` emits; raise LLMError if it fails or is not finished after timeout_s.

    The clock starts at the first `next()`, like the generation itself.

    >>> list(bounded_stream(lambda emit, cancelled: [emit("a"), emit("b")], 1.0, "demo"))
    ['a', 'b']
    """
    chunks: queue.Queue[object] = queue.Queue()
    cancelled = threading.Event()

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

    deadline = time.monotonic() + timeout_s
    # Not a daemon: at exit Python waits for it, and it stops at its next token once cancelled.
    # A daemon still inside llama.cpp when the interpreter frees the model crashes the process.
    threading.Thread(target=work, name=f"llm:{what}").start()
    try:
        while True:
            try:
                item = chunks.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise LLMError(
                    f"{what} did not finish within {timeout_s:g} s — raise the timeout, ask for fewer "
                    "tokens, or use a smaller model or a faster backend"
                ) from None
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                if isinstance(item.error, LLMError):
                    raise item.error
                raise LLMError(f"{what} failed: {item.error!r}") from item.error
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
