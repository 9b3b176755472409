"""Imports run one way, down the request path — checked by import-linter on the real code.

The layers are declared once, in pyproject.toml's import-linter contract. The stages live in their
own top-level folders and install under `shopassist.*` through a package-dir mapping, which
import-linter cannot follow on a source tree; so the check runs on a copy laid out as installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STAGES = ("catalog", "retrieval", "ranking", "assistant", "ui")


def _installed_layout(root: Path) -> Path:
    """`root/shopassist/{catalog,retrieval,…}` as pip installs them; returns root."""
    ignore = shutil.ignore_patterns("__pycache__", "*.parquet", "*.png")
    shutil.copytree(REPO / "shopassist", root / "shopassist", ignore=ignore)
    for stage in STAGES:
        shutil.copytree(REPO / stage, root / "shopassist" / stage, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    command = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", command, "--no-cache"], cwd=root, env=env, capture_output=True, text=True)


def test_no_stage_imports_a_stage_above_it(tmp_path):
    result = _lint(_installed_layout(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout  # the layers, and no pandas on the serving path


def _lint_planted(root: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """Lint the installed layout with `line` added at the end of `module` (a path under shopassist/)."""
    path = _installed_layout(root) / "shopassist" / module
    path.write_text(path.read_text() + f"\n{line}  # planted\n")
    return _lint(root)


def test_a_planted_upward_import_is_caught(tmp_path):
    """The check itself can fail: catalog reaching up into the assistant breaks the contract."""
    result = _lint_planted(tmp_path, "catalog/models.py", "from shopassist.assistant import core")
    assert result.returncode == 1
    assert "shopassist.catalog.models -> shopassist.assistant.core" in result.stdout


def test_a_planted_pandas_import_on_the_serving_path_is_caught(tmp_path):
    """Serving code reads the catalogue's typed records and arrays; a DataFrame creeping back is caught."""
    result = _lint_planted(tmp_path, "assistant/core.py", "import pandas")
    assert result.returncode == 1
    assert "shopassist.assistant.core -> pandas" in result.stdout


def test_every_top_level_module_is_in_a_layer():
    """A new module beside the stages must be placed in the contract, or it escapes the check."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    named = {m.strip() for layer in contract["layers"] for m in layer.replace(":", "|").split("|")}
    present = {f"shopassist.{p.stem}" for p in (REPO / "shopassist").glob("*.py") if p.stem != "__init__"}
    present |= {f"shopassist.{stage}" for stage in STAGES}
    assert present - named == set()


def test_stages_install_under_one_namespace(tmp_path):
    """From outside the repository, `shopassist.catalog` imports and a bare `catalog` does not."""
    code = (
        "import importlib.util, shopassist.catalog, shopassist.ui;"
        "print([n for n in ('catalog','retrieval','ranking','assistant','ui') if importlib.util.find_spec(n)])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
