"""The project's exception tree. Every message says what to fix.

ShopassistError
├── ConfigError        a setting is wrong (bad URL, unknown model name)
├── CatalogError       a catalogue cannot be read at all (missing file, missing column)
├── StoreNotFound      a store was asked for that has not been built
├── ModelNotFound      a model name or path does not resolve to something loadable
├── EmbedderError      an embeddings server failed, timed out or cannot be reached
├── EmptyQuery         a query with nothing to search for (empty, only emoji, only punctuation)
├── SessionNotFound    a conversation id that is unknown or has expired
├── NotEnoughHistory   too few returning shoppers to train a ranker on
├── DatabaseError      the event log's database cannot be reached or failed a write
└── LLMError           a language-model backend failed, timed out or cannot be reached
    └── LLMBusy        no first token within the wait budget (queued behind other shoppers, or slow to start)

Python's own exceptions (KeyError, ValueError, …) mean a bug or a bad argument, never one of these:
interfaces turn only this tree into words for the user.
"""


class ShopassistError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(ShopassistError):
    """A setting is invalid."""


class CatalogError(ShopassistError):
    """A catalogue source cannot be read at all (row-level problems are rejections, not errors)."""


class StoreNotFound(ShopassistError):
    """The named store has not been indexed yet."""


class ModelNotFound(ShopassistError):
    """A model name, folder or file cannot be resolved."""


class EmbedderError(ShopassistError):
    """An embeddings server (--embed-url) failed, timed out, or answered something unusable."""


class EmptyQuery(ShopassistError):
    """The query has no words to search for; the message asks for some."""


class SessionNotFound(ShopassistError):
    """No live conversation has this id (never made, expired, or its shopper was forgotten)."""


class NotEnoughHistory(ShopassistError):
    """Too few shoppers came back after the held-out cut to learn how to rank."""


class DatabaseError(ShopassistError):
    """The event log's database (PostgreSQL) is unreachable or failed; the message names it, never its password."""


class LLMError(ShopassistError):
    """A language-model backend failed (load, timeout, server unreachable); callers fall back."""


class LLMBusy(LLMError):
    """The model gave no first token within the wait budget (`Settings.llm_budget_s`): it was busy
    with other shoppers' answers, or slow to read the prompt. The assistant answers from the template."""
