"""Every docstring example in the ranking package runs (each public function has one)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import ranking

MODULES = sorted(m.name for m in pkgutil.walk_packages(ranking.__path__, "ranking."))


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: extra threads only spin
    with threadpool_limits(1):
        yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("name", ["ranking", *MODULES])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
