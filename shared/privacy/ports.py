"""What data-protection requests need from the world, as protocols: each area's holder, the
audit, and what each holder reads of its area's store (the DynamoDB adapters in AWS and
locally; in-memory stores in unit tests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.advisory.models import AdvisoryRequest, AuditEntry
from shared.forums.registration.ports import RegistrationStore
from shared.newsletter.models import DeliveryStatus, Issue, Subscriber
from shared.privacy.models import Report


class Holder(Protocol):
    area: str

    def export(self, email: str) -> list[dict[str, Any]]: ...

    def held(self, email: str) -> list[dict[str, Any]]:
        """What a search counts: a record per thing held, each with its `status`."""

    def erase(self, email: str, now: datetime) -> int: ...

    def correct(self, email: str, corrections: dict[str, str | None]) -> int:
        """The person's details (name, phone, workplace, member number: those the area
        keeps) replaced in every record of the address; how many records changed."""


class AuditLog(Protocol):
    def record(self, report: Report) -> None: ...


# The forum area is the registration store itself: an erasure cancels a seat it finds through
# the seat rules (shared.forums.registration.service.cancel_registration), as anyone else does.
ForumRecords = RegistrationStore


class NewsletterRecords(Protocol):
    def subscriber(self, subscriber_id: str) -> Subscriber | None: ...

    def issues(self) -> list[Issue]: ...

    def delivery(self, issue_id: str, subscriber_id: str) -> DeliveryStatus | None: ...

    def forget(self, subscriber_id: str) -> None: ...

    def rename(self, subscriber_id: str, name: str) -> bool:
        """The subscriber's name replaced; False when there is none or it was this already."""


class AdvisoryRecords(Protocol):
    def by_address(self, address_key: str) -> list[AdvisoryRequest]: ...

    def audit_of(self, references: set[str]) -> list[AuditEntry]: ...

    def forget_address(self, address_key: str) -> list[str]:
        """Delete every request under the keyed hash (and its companions): their
        references."""


class Opener(Protocol):
    def open(self, sealed: str, reference: str) -> dict[str, object]: ...
