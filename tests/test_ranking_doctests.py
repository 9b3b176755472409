"""Every docstring example in the ranking package runs (each public function has one)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import shopassist.ranking
from shopassist.ranking.threads import compute_threads

MODULES = sorted(m.name for m in pkgutil.walk_packages(shopassist.ranking.__path__, "shopassist.ranking."))


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with compute_threads(1):  # tiny models: extra threads only spin
        yield


@pytest.mark.parametrize("name", ["shopassist.ranking", *MODULES])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
