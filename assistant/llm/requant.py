"""A shipped GGUF re-quantised once for llama.cpp on the CPU: the type its kernels read fastest.

llama.cpp repacks some 4-bit types into interleaved rows that its AVX2 matrix kernels multiply
quickly. For Qwen2.5-Coder-1.5B on 2 cores, prompt reading — what a shopper waits for before the
first word — measured 32 tokens/s as shipped (Q4_K_M, with 29 Q6_K tensors that are not repacked)
and 38 tokens/s as IQ4_NL made from it; perplexity on English prose rose 1.6% (32.9 → 33.4).
Q4_0 was as fast and lost 3.5%; Q4_K_S lost 0.7% and was no faster. `ShippedModel.cpu_quant` names
the type per model; `Settings.llm_cpu_quant = False` runs the shipped file as it is.

The copy is written beside its source under a temporary name and renamed into place when the
quantiser succeeds, so an interrupted run never leaves a file that looks finished.
"""

from __future__ import annotations

import ctypes
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from shopassist.errors import LLMError
from shopassist.files import atomic_path

# llama.cpp's `llama_ftype` values for the types a shipped model may ask for.
FTYPES = {"Q4_0": 2, "Q4_K_S": 14, "IQ4_NL": 25}


def quantised_path(source: Path, quant: str) -> Path:
    """Where the re-quantised copy of `source` lives.

    >>> quantised_path(Path("/m/qwen-q4_k_m.gguf"), "IQ4_NL")
    PosixPath('/m/qwen-q4_k_m.iq4_nl.gguf')
    """
    return source.with_name(f"{source.stem}.{quant.lower()}.gguf")


def is_made(source: Path, quant: str) -> bool:
    """Whether the copy of `source` in type `quant` exists and is not older than the source.

    >>> is_made(Path("/nowhere/model.gguf"), "IQ4_NL")
    False
    """
    target = quantised_path(source, quant)
    return target.is_file() and target.stat().st_mtime_ns >= source.stat().st_mtime_ns


def requantised(source: Path, quant: str, threads: int, say: Callable[[str], None] = lambda _: None,
                progress: Callable[[int, int], None] | None = None) -> Path:
    """The copy of the verified GGUF `source` in type `quant`, made now if it is not there yet
    (IQ4_NL searches its scales per block: ~5 min for a 1.5B model on 2 cores, once).
    `progress(done, total)` hears of each tensor written."""
    if quant not in FTYPES:
        raise LLMError(f"cannot re-quantise to {quant!r} — known types: {', '.join(FTYPES)}")
    target = quantised_path(source, quant)
    if is_made(source, quant):
        return target
    import llama_cpp

    say(f"re-quantising {source.name} to {quant} for llama.cpp on the CPU (once; minutes for a large model)")
    started = time.perf_counter()
    for stale in target.parent.glob(f".{target.name}.*.tmp"):  # a killed run's half (a live one writes every second)
        if time.time() - stale.stat().st_mtime > 600:
            stale.unlink(missing_ok=True)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[quant]
    params.allow_requantize = True  # the source is already quantised: this is the point
    params.nthread = max(1, threads)
    with atomic_path(target) as tmp, _tensor_progress(progress):
        code = llama_cpp.llama_model_quantize(str(source).encode(), str(tmp).encode(), params)
        if code != 0:
            raise LLMError(f"llama.cpp could not re-quantise {source} to {quant} (code {code}) — "
                           "set SHOPASSIST_LLM_CPU_QUANT=0 to run the shipped file as it is")
    say(f"{target.name}: {target.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - started:.0f} s")
    return target


_TENSOR_LINE = re.compile(rb"\[\s*(\d+)/\s*(\d+)\]")  # "[  12/ 339] blk.0.attn_k.weight - …"


@contextmanager
def _tensor_progress(progress: Callable[[int, int], None] | None) -> Iterator[None]:
    """While quantising, llama.cpp's log (a line per tensor, otherwise printed to stderr) feeds
    `progress` instead; llama-cpp-python's own log handler is put back after."""
    import llama_cpp
    from llama_cpp import _logger

    @llama_cpp.llama_log_callback
    def on_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        if progress is not None and (m := _TENSOR_LINE.match(text)):
            progress(int(m[1]), int(m[2]))

    llama_cpp.llama_log_set(on_log, ctypes.c_void_p(0))
    try:
        yield
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))
