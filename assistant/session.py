"""Conversation state: who is shopping, what was shown, the constraints in force.

Sessions live in memory, bounded in number and age; each is only ever read or changed under its
own lock, so concurrent shoppers never see each other's state.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from shopassist.catalog.models import Event
from shopassist.retrieval.query import ParsedQuery


@dataclass
class Turn:
    role: str  # user | assistant
    text: str


@dataclass
class Session:
    id: str
    shopper_id: str | None
    touched: float = field(default_factory=time.time)
    turns: list[Turn] = field(default_factory=list)
    query: ParsedQuery | None = None  # the search in force, follow-ups refine it
    shown: list[str] = field(default_factory=list)  # product ids of the last answer, in order
    seen: set[str] = field(default_factory=set)  # every product shown in this session
    disliked: set[str] = field(default_factory=set)  # never suggested again in this session
    events: list[Event] = field(default_factory=list)  # feedback not yet in the stored history
    # A plain Lock, not an RLock: a streamed turn may be resumed on another thread (Gradio does),
    # and only a plain Lock may be released by a thread other than the one that took it.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class SessionStore:
    """At most `max_sessions` sessions, each expiring `ttl_s` after its last use (LRU eviction)."""

    def __init__(self, max_sessions: int = 10_000, ttl_s: float = 3600.0):
        self.max_sessions, self.ttl_s = max_sessions, ttl_s
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str | None, shopper_id: str | None) -> Session:
        """The live session with this id for this shopper, or a new one.

        A session id presented by another shopper is never honoured: a new session is made.

        >>> store = SessionStore()
        >>> s = store.get(None, "17850")
        >>> store.get(s.id, "17850") is s, store.get(s.id, "12347") is s
        (True, False)
        """
        now = time.time()
        with self._lock:
            self._expire(now)
            session = self._sessions.get(session_id) if session_id else None
            if session is None or session.shopper_id != shopper_id:
                session = Session(id=uuid.uuid4().hex, shopper_id=shopper_id)
                self._sessions[session.id] = session
            session.touched = now
            self._sessions.move_to_end(session.id)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
            return session

    def find(self, session_id: str) -> Session | None:
        with self._lock:
            return self._sessions.get(session_id)

    def drop_shopper(self, shopper_id: str) -> int:
        with self._lock:
            doomed = [sid for sid, s in self._sessions.items() if s.shopper_id == shopper_id]
            for sid in doomed:
                del self._sessions[sid]
            return len(doomed)

    def __len__(self) -> int:
        return len(self._sessions)

    def _expire(self, now: float) -> None:
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if now - oldest.touched <= self.ttl_s:
                break
            self._sessions.popitem(last=False)
