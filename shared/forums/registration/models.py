"""What registration for a forum session is made of: the form as the public API receives it,
the submission waiting for its owner, the registration, and the session as registration
reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, model_validator

from shared.forms import (
    Consent,
    Email,
    OptionalMultiLine,
    OptionalPhone,
    OptionalSingleLine,
    PublicForm,
    SingleLine,
)
from shared.forums.models import SLUG, Session
from shared.privacy_notice import PRIVACY_NOTICE_VERSION
from shared.roles import Audience, Role
from shared.validation import DanishValueError


class Status(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class CancelledBy(StrEnum):
    PARTICIPANT = "participant"
    SECRETARIAT = "secretariat"
    SESSION_CANCELLED = "session_cancelled"
    ERASURE = "erasure"  # a data-protection request: the address gets no further email
    MOVED = "moved"  # the secretariat moved the person to another session (`moved_to`)


# The fields a person types, each with its rules: the registration form and the corrections
# made on the landing page of the confirmation link are checked by the same types.
Name = Annotated[SingleLine, Field(min_length=1, max_length=200)]
Workplace = Annotated[SingleLine, Field(min_length=1, max_length=200)]


def _member_number() -> Any:
    """The optional member number's rules (given on the field: an optional text's limits
    apply to the text, not to its absence)."""
    return Field(default=None, max_length=20, pattern=r"^[0-9A-Za-z-]+$")


def _needs() -> Any:
    return Field(default=None, max_length=500)


MEMBER_NUMBER_REQUIRED = ("member_number_required", "Skriv dit medlemsnummer.",
                          "member_number")


class RegistrationDetails(BaseModel):
    """What a person types besides the address and the consent: in the form, and as the
    address's owner sees and may correct it on the landing page of the confirmation link."""

    name: Name
    phone: OptionalPhone = None
    role: Role
    workplace: Workplace
    member_number: OptionalSingleLine = _member_number()
    needs: OptionalMultiLine = _needs()

    @model_validator(mode="after")
    def _members_give_their_number(self) -> Self:
        if self.role.leads_leaders and not self.member_number:
            raise DanishValueError(*MEMBER_NUMBER_REQUIRED)
        return self


class DetailCorrections(BaseModel):
    """Corrections the owner sends with the confirmation (each field optional; what is given
    replaces what was submitted, and the result is checked as the form is)."""

    name: Name | None = None
    phone: OptionalPhone = None
    role: Role | None = None
    workplace: Workplace | None = None
    member_number: OptionalSingleLine = _member_number()
    needs: OptionalMultiLine = _needs()


class RegistrationForm(PublicForm, RegistrationDetails):
    """The registration form as the public API receives it: the details a person types (with
    their rules), the session, the address and the consent."""

    session_id: str = Field(pattern=SLUG)
    email: Email
    consent: Consent


class AskedBy(StrEnum):
    """How a person the secretariat registers asked to be registered (instead of a consent
    box: the staff member records the request)."""

    PHONE = "telefon"
    EMAIL = "e-mail"
    IN_PERSON = "personligt"


class StaffRegistrationForm(RegistrationDetails):
    """The secretariat registers someone who phoned or wrote: the registration form's fields
    with the same rules, and how the person asked instead of the consent box."""

    email: Email
    asked_by: AskedBy


class Person(BaseModel):
    """Who registers, as typed in the form: what a submission and a registration hold alike
    (and erasure removes). Personal fields stay out of logs."""

    name: str
    email: str
    phone: str | None = None
    role: Role
    workplace: str
    member_number: str | None = None
    needs: str | None = None

    @classmethod
    def fields_of(cls, source: BaseModel) -> dict[str, Any]:
        """The person's fields as `source` (a form, a submission) holds them."""
        return {name: getattr(source, name) for name in Person.model_fields}


class Submission(Person):
    """A submitted form, waiting for the address's owner to confirm it (stored until its link
    expires; it takes no seat and shows in no count)."""

    id: str
    registration_id: str
    session_id: str
    submitted_at: datetime
    expires_at: datetime
    consent_text_version: str = PRIVACY_NOTICE_VERSION


class Registration(Person):
    """A registration as stored. Personal fields stay out of logs."""

    id: str
    session_id: str
    status: Status
    created_at: datetime
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    promoted_at: datetime | None = None
    # Each time a cancelled registration is taken up again it starts a new round, with emails
    # of its own; `submission` is the confirmed submission (a second press on its link).
    round: int = Field(default=1, ge=1)
    submission: str | None = None
    expires_at: datetime | None = None
    # The consent: given with the submission (when, to which text of the privacy notice).
    consent_text_version: str | None = None
    consented_at: datetime | None = None
    # Entered by the secretariat (no submission): the staff member's address, how the person
    # asked, and, when moved from another session of the forum, that session.
    entered_by: str | None = None
    asked_by: AskedBy | None = None
    moved_from: str | None = None
    # The session's revision (its time and place) the person was last told about.
    session_revision: int = Field(default=0, ge=0)
    # Cancelled by a move (CancelledBy.MOVED): the session the person was moved to.
    moved_to: str | None = None


class Received(BaseModel):
    """The answer to every admitted submission, whoever the address belongs to."""

    status: str = "received"


class RegistrationAnswer(BaseModel):
    status: Status
    waitlist_position: int | None = None


@dataclass(frozen=True)
class SessionState:
    """A session as registration reads it: the session with its seat count, its audience,
    and its waiting list (first in line first)."""

    session: Session
    audience: Audience
    waiting: list[str]

    @property
    def seat_for_first_waiting(self) -> bool:
        """A seat is free while someone waits: the first in line is owed it."""
        return (bool(self.waiting) and not self.session.cancelled
                and self.session.confirmed < self.session.capacity)
