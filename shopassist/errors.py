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
└── LLMError           a language-model backend failed, timed out or cannot be reached

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


class LLMError(ShopassistError):
    """A language-model backend failed (load, timeout, server unreachable); callers fall back."""
