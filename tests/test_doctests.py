"""Every docstring example in every module of `shopassist` runs, one test per module.

The stages live in top-level folders mapped onto `shopassist.catalog`, `shopassist.retrieval`, …,
so walking `shopassist.__path__` alone would never reach them: each stage package is walked too,
and the list is checked against the files on disk so that a module the walk misses fails here.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys

import pytest

import shopassist
from tests.conftest import REPO

STAGES = ("catalog", "retrieval", "ranking", "assistant", "ui")


def all_modules() -> list[str]:
    names = {"shopassist"} | {m.name for m in pkgutil.walk_packages(shopassist.__path__, "shopassist.")}
    for stage in STAGES:
        package = importlib.import_module(f"shopassist.{stage}")
        names |= {package.__name__} | {m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")}
    return sorted(names)


MODULES = all_modules()


def modules_on_disk() -> set[str]:
    """Module names from the source files themselves: shopassist/ and each stage's folder."""
    names = set()
    for folder, package in [(REPO / "shopassist", "shopassist"), *((REPO / s, f"shopassist.{s}") for s in STAGES)]:
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.add(".".join((package, *parts)))
    return names


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    from shopassist.ranking.threads import compute_threads

    with compute_threads(1):  # the ranking examples train tiny models: extra threads only spin
        yield


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(importlib.import_module(name)):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_every_module_is_collected():
    assert modules_on_disk() - set(MODULES) == set()


def test_importing_every_module_starts_nothing():
    """Importing a module (as this file does for its examples) starts no thread and no process:
    a Gradio server, a model loaded in the background or a spawned server would show up here."""
    code = (
        "import importlib, os, threading, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(sorted(t.name for t in threading.enumerate()))\n"
        "print(open(f'/proc/{os.getpid()}/task/{os.getpid()}/children').read().split())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    threads, children = out.stdout.splitlines()[-2:]
    assert threads == "['MainThread']"
    assert children == "[]"
