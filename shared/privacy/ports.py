"""What data-protection requests need from the world, as protocols: each area's holder, the
audit, and what each holder reads of its area's store (the DynamoDB adapters in AWS and
locally; in-memory stores in unit tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.advisory.models import AdvisoryRequest, AuditEntry
from shared.forums.registration.models import (
    CancelledBy,
    Registration,
    SessionState,
    Submission,
)
from shared.newsletter.models import DeliveryStatus, Issue, Subscriber
from shared.privacy.models import Report


class Holder(Protocol):
    area: str

    def export(self, email: str) -> list[dict[str, Any]]: ...

    def held(self, email: str) -> list[dict[str, Any]]:
        """What a search counts: a record per thing held, each with its `status`."""

    def erase(self, email: str, now: datetime) -> int: ...


class AuditLog(Protocol):
    def record(self, report: Report) -> None: ...


class ForumRecords(Protocol):
    def with_email(self, email: str) -> list[Registration]: ...

    def session_state(self, session_id: str) -> SessionState | None: ...

    def position(self, session_id: str, registration_id: str) -> int | None: ...

    def cancel(self, registration: Registration, by: CancelledBy, now: datetime) -> bool: ...

    def forget(self, registration: Registration) -> bool: ...

    def mails(self, session_id: str, registration_id: str) -> list[dict[str, str]]: ...

    def submissions_with_email(self, email: str) -> list[Submission]: ...

    def forget_submissions(self, session_id: str, registration_id: str) -> None: ...


class NewsletterRecords(Protocol):
    def subscriber(self, subscriber_id: str) -> Subscriber | None: ...

    def issues(self) -> list[Issue]: ...

    def delivery(self, issue_id: str, subscriber_id: str) -> DeliveryStatus | None: ...

    def forget(self, subscriber_id: str) -> None: ...


class AdvisoryRecords(Protocol):
    def by_address(self, address_key: str) -> list[AdvisoryRequest]: ...

    def audit_of(self, references: set[str]) -> list[AuditEntry]: ...

    def forget_address(self, address_key: str) -> list[str]:
        """Delete every request under the keyed hash (and its companions): their
        references."""


class Opener(Protocol):
    def open(self, sealed: str, reference: str) -> dict[str, object]: ...
