"""llama-cpp-python's OpenAI-compatible server as a child process, for benchmarks and tests of the
server path: started on a free port of 127.0.0.1, waited for until it answers, stopped on exit.

It serves one request at a time and queues the others, so it is the model server of a small
deployment; the assistant talks to it through `OpenAICompatibleLLM` like to any other server.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from shopassist.errors import LLMError


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(model: Path, port: int, threads: int, n_ctx: int = 4096) -> list[str]:
    """The command line that serves `model` (see `python -m llama_cpp.server --help`).

    >>> server_command(Path("m.gguf"), 8080, 2)[-2:]
    ['--interrupt_requests', 'False']
    """
    return [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", str(threads), "--n_threads_batch", str(threads), "--n_ctx", str(n_ctx), "--verbose", "False",
        # Its default cuts a streaming answer short when another request arrives; queue it instead.
        "--interrupt_requests", "False",
    ]  # fmt: skip


@contextmanager
def llama_server(model: Path, *, threads: int, log: Path, ready_s: float = 90.0) -> Iterator[str]:
    """Serve `model` until the block ends; yields the base URL. Its output goes to `log`.
    Raises LLMError, with the end of the log, when it exits or does not answer within `ready_s`.

    >>> from shopassist.assistant.llm.shipped import SHIPPED_LLMS
    >>> with llama_server(SHIPPED_LLMS["smollm2-135m"].parts[0].locate(), threads=1, log=Path("/tmp/s.log")) as url:  # doctest: +SKIP
    ...     url
    'http://127.0.0.1:41234'
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with server_process(server_command(model, port, threads), f"{base}/v1/models", log, "llama_cpp.server", ready_s):
        yield base


@contextmanager
def server_process(command: list[str], ready_url: str, log: Path, name: str, ready_s: float = 90.0) -> Iterator[None]:
    """Run `command` until the block ends, once `ready_url` answers 200; its output goes to `log`.
    Raises LLMError, with the end of the log, when it exits or does not answer within `ready_s`."""
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + ready_s
        while True:
            if process.poll() is not None:
                raise LLMError(f"{name} exited with {process.returncode}:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise LLMError(f"{name} did not answer within {ready_s:g} s:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
