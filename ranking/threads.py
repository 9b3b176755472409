"""How many threads the numeric libraries may use, inside a block only (no lasting global change)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shopassist.threads import torch_threads


@contextmanager
def compute_threads(n: int) -> Iterator[None]:
    """torch and the BLAS/OpenMP pools (numpy, scikit-learn) limited to `n` threads, restored after.

    On a shared machine extra threads mostly spin: a 16-d SASRec step on a busy 2-core box took
    ~300 ms with 2 threads and ~5 ms with 1.

    >>> import torch
    >>> with compute_threads(1):
    ...     torch.get_num_threads()
    1
    """
    from threadpoolctl import threadpool_limits

    with torch_threads(n), threadpool_limits(max(1, n)):
        yield
