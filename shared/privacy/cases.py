"""A data-protection case: one request from a member (their letter, the day it came, what it
asks: access, erasure or correction), with a case number people read and say on the phone
("DB-2026-0007"). Every search, export, correction and erasure made for it is audited under
its number, and the consultant contributes the advisory part of an access answer to it.

Opening a case is idempotent: the same address, kind and day of receipt meet the same case
(its key, `case_key`, is a hash of the three), so a form sent twice opens one case."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from shared.forms import Email, OptionalSingleLine, normalise_email
from shared.platform.clock import to_copenhagen, utcnow
from shared.validation import DanishValueError

CASE_NUMBER = r"^DB-[0-9]{4}-[0-9]{4,6}$"
# A closed case (it holds the address) is kept this many years, as the record that the request
# was answered (then removed by TTL: CASE_KEPT in shared.adapters.dynamodb_privacy).
CASE_KEPT_YEARS = 3


class Kind(StrEnum):
    ACCESS = "access"
    ERASURE = "erasure"
    CORRECTION = "correction"


KIND_TEXT = {Kind.ACCESS: "Indsigt", Kind.ERASURE: "Sletning", Kind.CORRECTION: "Berigtigelse"}


def _kind(value: object) -> object:
    if isinstance(value, str) and value in {kind.value for kind in Kind}:
        return value
    raise DanishValueError("invalid_choice",
                           "Vælg, hvad der bedes om: indsigt, sletning eller berigtigelse.")


def _day(value: object) -> object:
    """A day as the date field sends it (ÅÅÅÅ-MM-DD), said in Danish when it is not one."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise DanishValueError("invalid_date", "Angiv datoen som ÅÅÅÅ-MM-DD, fx 2026-12-01.")


def _not_ahead(value: date) -> date:
    if value > to_copenhagen(utcnow()).date():
        raise DanishValueError("date_in_future", "Datoen kan ikke ligge efter i dag.")
    if value.year < 2000:
        raise DanishValueError("date_too_early", "Datoen er for langt tilbage.")
    return value


Day = Annotated[date, BeforeValidator(_day), AfterValidator(_not_ahead)]


class CaseForm(BaseModel):
    """What the officer types when a request comes: the address it is about, what it asks,
    the day the letter (or email) came, and an optional short note."""

    model_config = ConfigDict(extra="forbid")

    email: Email = Field(max_length=254)
    kind: Annotated[Kind, BeforeValidator(_kind)]
    received_on: Day
    note: OptionalSingleLine = Field(default=None, max_length=300)


class Case(BaseModel):
    number: str
    email: str
    kind: Kind
    received_on: date
    note: str | None = None
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def kind_text(self) -> str:
        return KIND_TEXT[self.kind]


class ContributedRequest(BaseModel):
    """One advisory request as the consultant contributes it to an access answer: what kind,
    when it came, whether it is finished. Never its text, topic or note."""

    kind: str  # shared.advisory.models.Kind's value
    received_on: date
    finished: bool


class Contribution(BaseModel):
    """The advisory part of an access answer, as the consultant's function stored it under
    the case: the requests the address sent (kind, day, finished or not), when and by whom it
    was contributed. Their contents reach the member from the consultant, separately."""

    requests: list[ContributedRequest]
    contributed_at: datetime
    by: str


def case_key(email: str, kind: Kind, received_on: date) -> str:
    """What makes a case the same case: the address (normalised), the kind and the day."""
    return hashlib.sha256(
        f"{normalise_email(email)}|{kind.value}|{received_on.isoformat()}".encode()).hexdigest()


def case_number(year: int, sequence: int) -> str:
    return f"DB-{year}-{sequence:04d}"


class CaseBook(Protocol):
    """Where cases are kept (the privacy audit table, shared.adapters.dynamodb_privacy)."""

    def open(self, form: CaseForm, by: str, now: datetime) -> tuple[Case, bool]:
        """The case of this address, kind and day: the one opened before, else a new one
        with the year's next number; and whether it was opened now."""

    def case(self, number: str) -> Case | None: ...

    def open_cases(self) -> list[Case]:
        """The cases not closed, oldest first."""

    def close(self, number: str, by: str, now: datetime) -> Case | None:
        """Closed (once: a repeat keeps the first closing); None when there is no such case."""

    def contribute(self, number: str, contribution: Contribution) -> None:
        """Store the advisory part under the case (a repeat replaces it)."""

    def contribution(self, number: str) -> Contribution | None: ...
