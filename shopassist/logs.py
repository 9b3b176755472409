"""Structured logs: one JSON object per line, for a store operator's log pipeline.

A record's `fields` (passed as `extra={"fields": {...}}`) become top-level keys beside the time,
level, logger and message. Fifteen lines of the standard library; a logging dependency would add
nothing the pipeline reads.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import TextIO

TURNS = "shopassist.turns"  # the logger of one line per answered turn (assistant/core.py)


class JsonFormatter(logging.Formatter):
    """
    >>> record = logging.LogRecord("shopassist.turns", logging.INFO, __file__, 1, "turn", None, None)
    >>> record.fields = {"kind": "fallback"}
    >>> json.loads(JsonFormatter().format(record))["kind"]
    'fallback'
    """

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_turns_as_json(stream: TextIO = sys.stderr) -> logging.Handler:
    """Send the `shopassist.turns` logger's lines, as JSON, to `stream` (a server's stderr by
    default) and nowhere else; returns the handler so a caller can remove it."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(TURNS)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # one line per turn, not a second plain-text copy through the root logger
    return handler
