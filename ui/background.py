"""The slow preparations `shopassist ui` can run behind the page, each in a child process:

- `--train-in-background`: the page serves at once with the untrained ranker while `shopassist
  train` runs; the assistant picks up the trained ranker when its artefact lands
  (ranking/loader.py), with no restart.
- `--prepare-model-in-background`: the page answers with the shipped model file while
  `shopassist models --prepare` makes its llama.cpp CPU copy (assistant/llm/requant.py, ~5 min for
  the demo model on 2 cores); the next start uses the copy.

Child processes of the server, not jobs started beside it by `make demo`: the server knows
whether they run (the page says so for training), they are stopped with the server, and one
command does the same outside make. They run at a lower CPU priority so that answering shoppers
comes first on a small machine; their output goes to a log file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shopassist.ranking import artefacts
from shopassist.settings import Settings

NICENESS = 10  # the LLM answering a shopper outranks training on 2 cores


class BackgroundJob:
    """One run of a command in a child process.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> job = BackgroundJob([sys.executable, "-c", "print('trained')"], folder / "train.log")
    >>> job.state() is None, job.start().wait(), job.state(), job.log.read_text()
    (True, 0, '', 'trained\\n')
    """

    def __init__(self, command: list[str], log: Path, doing: str = "training", environment: dict[str, str] | None = None):
        # environment: None inherits this process's; the server passes `Settings.environment()`, so
        # that a --chroma-url or --database-url it was started with reaches the child too.
        self.command, self.log, self.doing, self.environment = command, log, doing, environment
        self._process: subprocess.Popen | None = None

    @classmethod
    def training(cls, settings: Settings, store: str) -> "BackgroundJob":
        """`shopassist train --store STORE` with the server's settings: its data directory, and its
        database (the events it trains on) and Chroma server when it uses them."""
        return cls._shopassist(settings, ["train", "--store", store], artefacts.ranking_dir(settings, store) / "train.log", "training")

    @classmethod
    def model_copy(cls, settings: Settings, model: str) -> "BackgroundJob":
        """`shopassist models --prepare MODEL`: a shipped model's llama.cpp CPU copy, made once."""
        return cls._shopassist(settings, ["models", "--prepare", model], settings.models_dir / f"prepare-{model}.log", "preparing the model")

    @classmethod
    def _shopassist(cls, settings: Settings, args: list[str], log: Path, doing: str) -> "BackgroundJob":
        """A `shopassist` command run with the server's settings (its --home shown on the command line)."""
        command = [sys.executable, "-m", "shopassist.cli", "--home", str(settings.home), *args]
        return cls(command, log, doing, environment=settings.environment())

    def start(self) -> subprocess.Popen:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self._process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.environment,
                preexec_fn=(lambda: os.nice(NICENESS)) if hasattr(os, "nice") else None,
            )  # fmt: skip
        return self._process

    def state(self) -> str | None:
        """None: never started; e.g. 'training…' while it runs; '' once it succeeded; else what failed."""
        if self._process is None:
            return None
        code = self._process.poll()
        if code is None:
            return f"{self.doing}…"
        return "" if code == 0 else f"{self.doing} failed (exit {code}): see {self.log}"

    def stop(self) -> None:
        """Stop a run still going (the server is shutting down); a finished one is left as it is."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
