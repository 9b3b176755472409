"""Thread counts of torch's CPU pool, inside a block only (no lasting global change).

Serving scores one query or one shopper at a time: tensors so small that a second thread only
hands work back and forth. On this project's 2-core machines, with llama.cpp's threads next to
them, those hand-offs sometimes cost 100 ms where the work itself takes 3 ms (measured: SASRec
for one shopper 3 ms typical, 80-110 ms in streaks with 2 threads; never above 10 ms with 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(before)
