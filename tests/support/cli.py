"""The `leaders` CLI run in-process over fakes of its resources, for the CLI's tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from click.testing import CliRunner

from cli.main import main
from shared.forums.registration.models import Registration, Status
from shared.roles import Role


@dataclass
class FakeSession:
    id: str
    city: str = "Kolding"
    starts_at: datetime = datetime(2099, 3, 4, 8, 30, tzinfo=UTC)


@dataclass
class FakeCatalogue:
    sessions: dict[str, FakeSession]
    changes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def session(self, session_id: str) -> FakeSession | None:
        return self.sessions.get(session_id)

    def set_status(self, session_id: str, **change: Any) -> None:
        self.changes.append((session_id, change))


@dataclass
class FakeRegistrations:
    people: list[Registration]
    line: list[str] = field(default_factory=list)

    def registrations(self, session_id: str) -> list[Registration]:
        return [r for r in self.people if r.session_id == session_id]

    def waiting(self, session_id: str) -> list[str]:
        return self.line


def person(name: str = "Anne Hansen", *, status: Status = Status.CONFIRMED, phone: str = "",
           needs: str = "", workplace: str = "Odense Kommune", number: int = 1) -> Registration:
    return Registration(id=f"r-{number}", session_id="s-1", status=status, name=name,
                        email=f"p{number}@example.dk", phone=phone or None,
                        role=Role.AREA_LEADER, workplace=workplace, member_number="123",
                        needs=needs or None,
                        created_at=datetime(2027, 7, 1, 10, 5, tzinfo=UTC))


def leaders(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input)
