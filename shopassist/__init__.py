"""shopassist: a conversational shopping assistant grounded in a store's own catalogue.

The request flows through the stage packages, each importing only the ones below it:
`shopassist.ui` → `shopassist.assistant` → `shopassist.ranking` → `shopassist.retrieval` →
`shopassist.catalog`; settings, errors and the command line sit beside them. The front door:

    import shopassist
    answer = shopassist.ask("17850", "a red mug under £5")
    follow_up = shopassist.ask("17850", "cheaper?", session=answer.session)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from shopassist.assistant.answer import Answer
    from shopassist.assistant.core import Chunk, Shortlist

__version__ = "0.1.0"


def ask(user: str | None, query: str, session: str | None = None) -> "Answer":
    """One turn on the default assistant (`shopassist.assistant.ask`); nothing loads until called."""
    from shopassist import assistant

    return assistant.ask(user, query, session)


def stream(user: str | None, query: str, session: str | None = None) -> "Iterator[Shortlist | Chunk | Answer]":
    """The ranked products, verified text as it is generated, then the Answer (`shopassist.assistant.stream`)."""
    from shopassist import assistant

    return assistant.stream(user, query, session)
