"""`shopassist ask` and `shopassist chat` as a person runs them, with the real small model."""

import json
import re

import pytest

from tests.test_cli import run


@pytest.fixture
def shop(settings, retail_slice):
    run(settings, "reindex", "--catalog", str(retail_slice), "--store", "shop")
    return settings


def test_ask_json(shop):
    proc = run(shop, "ask", "christmas tree decorations under £2", "--user", "17850", "--store", "shop", "--llm", "smollm2-135m", "--json")
    answer = json.loads(proc.stdout)
    assert {"text", "products", "session", "timings"} <= answer.keys()
    assert answer["text"] and answer["session"]
    assert answer["products"] and all({"id", "title", "price", "reason"} <= p.keys() for p in answer["products"])
    assert all(p["price"] <= 2 for p in answer["products"])


def test_chat_keeps_the_conversation(shop):
    import os
    import subprocess
    import sys

    env = dict(os.environ, SHOPASSIST_HOME=str(shop.home))
    proc = subprocess.run(
        [sys.executable, "-m", "shopassist.cli", "chat", "--store", "shop", "--llm", "smollm2-135m"],
        input="red mug\ncheaper?\n\n", capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    turns = proc.stdout.split("assistant>")[1:]
    assert len(turns) == 2
    # Each turn lists its products as "   1. Title — £4.95 — reason"; "cheaper?" is read against
    # the first turn, so everything it lists costs less than the cheapest product listed before.
    first, cheaper = ([float(p) for p in re.findall(r"^ +\d+\. .+ — £(\d+\.\d\d) — ", turn, re.M)] for turn in turns)
    assert first and cheaper, proc.stdout
    assert max(cheaper) < min(first), proc.stdout
