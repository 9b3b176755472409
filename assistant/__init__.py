"""Stage 4: conversation state and orchestration; `assistant.ask(user, query)`.

    import shopassist
    answer = shopassist.ask("17850", "a red mug under £5")   # or: from shopassist import assistant
    answer.text, [s.product.display_title for s in answer.suggestions]

The module-level functions use one default Assistant built lazily from the environment's
settings (SHOPASSIST_HOME, SHOPASSIST_LLM, …) on first use; build your own with
`shopassist.assistant.factory.open_assistant(settings, store, llm=..., ranker=...)` to pass parts in.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from shopassist.assistant.answer import Answer
    from shopassist.assistant.core import Assistant, Chunk, Shortlist


@cache
def default_assistant(store: str = "demo") -> "Assistant":
    """The demo store's assistant with the configured LLM (loaded once per process)."""
    from shopassist.assistant.factory import open_assistant
    from shopassist.settings import Settings

    return open_assistant(Settings.load(), store)


def ask(user: str | None, query: str, session: str | None = None) -> "Answer":
    """One turn on the default assistant. Pass the returned `answer.session` to continue."""
    return default_assistant().ask(user, query, session)


def stream(user: str | None, query: str, session: str | None = None) -> "Iterator[Shortlist | Chunk | Answer]":
    """The ranked products as soon as they exist, verified text as it is generated, then the Answer."""
    return default_assistant().stream(user, query, session)
