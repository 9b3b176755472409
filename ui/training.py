"""`shopassist ui --train-in-background`: the page serves at once with the untrained ranker while
`shopassist train` runs in a child process; the assistant picks up the trained ranker when its
artefact lands (ranking/loader.py), with no restart.

A child process of the server, not a job started beside it by `make demo`: the server knows
whether training is running (the page says so), the child is stopped with the server, and one
command does the same outside make. It runs at a lower CPU priority so that answering shoppers
comes first on a small machine; its output goes to a log file next to the artefacts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shopassist.ranking import artefacts
from shopassist.settings import Settings

NICENESS = 10  # the LLM answering a shopper outranks training on 2 cores


class BackgroundTraining:
    """One training run in a child process.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> job = BackgroundTraining([sys.executable, "-c", "print('trained')"], folder / "train.log")
    >>> job.state() is None, job.start().wait(), job.state(), job.log.read_text()
    (True, 0, '', 'trained\\n')
    """

    def __init__(self, command: list[str], log: Path):
        self.command, self.log = command, log
        self._process: subprocess.Popen | None = None

    @classmethod
    def for_store(cls, settings: Settings, store: str) -> "BackgroundTraining":
        """`shopassist train --store STORE` on the same data directory."""
        command = [sys.executable, "-m", "shopassist.cli", "--home", str(settings.home), "train", "--store", store]
        return cls(command, artefacts.ranking_dir(settings, store) / "train.log")

    def start(self) -> subprocess.Popen:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as out:
            self._process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=(lambda: os.nice(NICENESS)) if hasattr(os, "nice") else None,
            )  # fmt: skip
        return self._process

    def state(self) -> str | None:
        """None: never started; 'training…' while it runs; '' once it succeeded; else what failed."""
        if self._process is None:
            return None
        code = self._process.poll()
        if code is None:
            return "training…"
        return "" if code == 0 else f"training failed (exit {code}): see {self.log}"

    def stop(self) -> None:
        """Stop a run still going (the server is shutting down); a finished one is left as it is."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
