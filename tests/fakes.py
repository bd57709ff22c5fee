"""In-memory stand-ins for the adapters, for domain tests without AWS."""

from __future__ import annotations

from shared.forums.catalogue import CapacityBelowConfirmed
from shared.forums.models import Forum, Session
from shared.roles import Audience


class MemoryCatalogueStore:
    def __init__(self) -> None:
        self._forums: dict[str, Forum] = {}
        self._sessions: dict[str, Session] = {}

    def put_forum(self, forum: Forum) -> None:
        self._forums[forum.id] = forum

    def put_session(self, session: Session, audience: Audience) -> None:
        existing = self._sessions.get(session.id)
        if existing is None:
            self._sessions[session.id] = session.model_copy(update={"confirmed": 0})
            return
        if existing.confirmed > session.capacity:
            raise CapacityBelowConfirmed(session.id)
        self._sessions[session.id] = session.model_copy(update={
            "confirmed": existing.confirmed, "closed": existing.closed,
            "cancelled": existing.cancelled})

    def forums(self) -> list[Forum]:
        return list(self._forums.values())

    def forum(self, forum_id: str) -> Forum | None:
        return self._forums.get(forum_id)

    def sessions(self, forum_id: str | None = None) -> list[Session]:
        return [s for s in self._sessions.values() if forum_id in (None, s.forum_id)]

    def take_seats(self, session_id: str, count: int) -> None:
        session = self._sessions[session_id]
        self._sessions[session_id] = session.model_copy(
            update={"confirmed": session.confirmed + count}
        )
