"""Settings: the environment is read in `Settings.load` and written by `prepare_libraries`, in
shopassist/settings.py, and touched nowhere else."""

from __future__ import annotations

import ast
import doctest
import os
from pathlib import Path

import pytest

from shopassist import settings as settings_module
from shopassist.errors import ConfigError
from shopassist.settings import Settings, prepare_libraries

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("catalog", "retrieval", "ranking", "assistant", "ui", "shopassist")
ENVIRONMENT = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}  # os's ways in


def environment_uses(source: str) -> list[int]:
    """Line numbers where `source` reads or writes the process environment through `os`.

    >>> environment_uses("import os\\nhome = os.environ.get('HOME')\\n")
    [2]
    """
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT:  # os.environ, os.getenv(...)
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(a.name in ENVIRONMENT for a in node.names):
            lines.append(node.lineno)  # from os import environ
    return sorted(lines)


def test_only_settings_touches_the_environment():
    allowed = REPO / "shopassist" / "settings.py"
    files = [path for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))]
    assert allowed in files and len(files) > 50  # the walk found the real tree
    offenders = {
        f"{path.relative_to(REPO)}:{line}"
        for path in files
        if path != allowed
        for line in environment_uses(path.read_text(encoding="utf-8"))
    }
    assert not offenders, f"read settings in Settings.load (and pass them in) instead: {sorted(offenders)}"
    assert environment_uses(allowed.read_text(encoding="utf-8"))  # the check does see settings.py's own reads


@pytest.mark.parametrize(
    "snippet",
    [
        "import os\nurl = os.environ['SHOPASSIST_CHROMA_URL']\n",
        "import os\nif os.getenv('SHOPASSIST_LLM'):\n    pass\n",
        "import os\nos.environ.setdefault('HF_HUB_OFFLINE', '1')\n",
        "from os import environ\n",
        "import os as system\nsystem.environ['GRADIO_ANALYTICS_ENABLED'] = 'False'\n",
    ],
)
def test_the_check_catches_a_planted_read_or_write(snippet):
    assert environment_uses(snippet)


def test_the_check_lets_ordinary_os_use_through():
    assert environment_uses("import os\nn = os.cpu_count()\npath = os.path.join('a', 'b')\n") == []


@pytest.mark.parametrize("raw, offline", [("0", False), ("false", False), ("1", True), ("YES", True)])
def test_hub_offline_follows_the_hugging_face_variable(raw, offline, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", raw)
    assert Settings.load().hub_offline is offline


def test_hub_offline_by_default_and_a_bad_value_says_what_is_allowed(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert Settings.load().hub_offline is True
    monkeypatch.setenv("HF_HUB_OFFLINE", "maybe")
    with pytest.raises(ConfigError, match="HF_HUB_OFFLINE='maybe' is not one of 1, true"):
        Settings.load()


@pytest.mark.parametrize("offline, flag", [(False, "0"), (True, "1")])
def test_prepare_libraries_tells_the_hub_what_the_settings_say(offline, flag, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "unset by this test")  # restored afterwards by monkeypatch
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "unset by this test")
    prepare_libraries(offline)
    assert (os.environ["HF_HUB_OFFLINE"], os.environ["TRANSFORMERS_OFFLINE"]) == (flag, flag)


def test_doctests(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the prepare_libraries example writes it
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    assert doctest.testmod(settings_module).failed == 0


def test_the_llm_wait_budget_comes_from_its_variable_and_a_bad_one_says_what_to_give(monkeypatch):
    monkeypatch.setenv("SHOPASSIST_LLM_BUDGET_S", "2.5")
    assert Settings.load().llm_budget_s == 2.5
    for bad in ("soon", "0", "-1", "nan"):
        monkeypatch.setenv("SHOPASSIST_LLM_BUDGET_S", bad)
        with pytest.raises(ConfigError, match="SHOPASSIST_LLM_BUDGET_S"):
            Settings.load()


def test_a_child_process_started_with_the_settings_environment_loads_the_same_settings(tmp_path, monkeypatch):
    """`shopassist ui --database-url … --train-in-background`: the training child must read the events
    from the same database, not from SQLite under the data directory."""
    import subprocess
    import sys

    monkeypatch.setenv("SHOPASSIST_EMBEDDER", "multilingual-e5-small")  # the parent's flags left it unset: the child must not see it
    parent = Settings(
        home=tmp_path, chroma_url="http://127.0.0.1:8000", database_url="postgresql://shop:secret@127.0.0.1:5432/shop",
        embed_url="http://127.0.0.1:8080", llm="qwen2.5-0.5b", llm_budget_s=2.5, threads=3,
        compact_vectors=True, llm_cpu_quant=False, hub_offline=True,
    )  # fmt: skip
    child = subprocess.run(
        [sys.executable, "-c", "from shopassist.settings import Settings; print(repr(Settings.load()))"],
        env=parent.environment(), capture_output=True, text=True, check=True,
    )
    assert child.stdout.strip() == repr(parent)
