"""The three forms, the stored request (sealed), and what the consultant sees."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, Field, model_validator

from shared.forms import (
    Consent,
    Email,
    MultiLine,
    OptionalPhone,
    OptionalSingleLine,
    PublicForm,
)
from shared.validation import DanishValueError

MAX_MESSAGE = 4000


class Kind(StrEnum):
    CONVERSATION = "conversation"  # a confidential conversation or sparring
    IDEA = "idea"  # an idea or problem for the recruitment project
    SUGGESTION = "suggestion"  # a suggestion for new activities


class ContactPreference(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


class Status(StrEnum):
    WAITING = "waiting"  # in the queue
    LEASED = "leased"  # taken by one consultant (`leased_by`) until `leased_until`
    # "Afventer svar": out of the queue, still its consultant's (`leased_by`), due again on
    # `follow_up_on` (it is then shown as due in their list of open requests).
    ON_HOLD = "on_hold"
    DONE = "done"


class AdvisoryForm(PublicForm):
    kind: Kind
    message: MultiLine = Field(min_length=1, max_length=MAX_MESSAGE)
    name: OptionalSingleLine = Field(default=None, max_length=200)
    email: Email | None = None
    phone: OptionalPhone = None
    contact_preference: ContactPreference | None = None
    topic: OptionalSingleLine = Field(default=None, max_length=200)
    urgent: bool = False
    # The sender has read the privacy notice: the messages are the most sensitive we hold.
    consent: Consent

    @model_validator(mode="before")
    @classmethod
    def _empty_email_is_none(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("email"), str) \
                and not data["email"].strip():
            return {**data, "email": None}
        return data

    @model_validator(mode="after")
    def _a_conversation_needs_someone_to_call(self) -> Self:
        if self.kind is Kind.CONVERSATION:
            if not self.name:
                raise DanishValueError("name_required",
                                       "Skriv dit navn, så konsulenten ved, hvem du er.", "name")
            if not (self.email or self.phone):
                raise DanishValueError("contact_required",
                                       "Skriv din e-mail eller dit telefonnummer.", "email")
        if self.contact_preference is ContactPreference.PHONE and not self.phone:
            raise DanishValueError("phone_required", "Skriv dit telefonnummer, hvis vi skal ringe.",
                                    "phone")
        if self.contact_preference is ContactPreference.EMAIL and not self.email:
            raise DanishValueError("email_required", "Skriv din e-mail, hvis vi skal skrive.",
                                   "email")
        return self

    @property
    def actionable_urgency(self) -> bool:
        """Urgent as stored and queued: only a conversation, which always names a way to
        reach its sender, can be acted on faster. An idea or a suggestion marked urgent (an
        anonymous one, say) waits in arrival order with the rest, so no flood of them can
        push a real request down the consultant's queue."""
        return self.urgent and self.kind is Kind.CONVERSATION and bool(self.email or self.phone)

    def contents(self) -> Contents:
        return Contents(name=self.name, email=self.email, phone=self.phone,
                        contact_preference=self.contact_preference, topic=self.topic,
                        message=self.message)


class Contents(BaseModel):
    """Everything personal or free-text of a request: stored only sealed."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    contact_preference: ContactPreference | None = None
    topic: str | None = None
    message: str
    note: str | None = None


class OpenRequest(BaseModel):
    """A request as the queue's lists read it: the open fields, without the sealed contents
    (the queue view and the requeue read thousands; only one taken is opened)."""

    reference: str
    kind: Kind
    urgent: bool
    status: Status
    received_at: datetime
    leased_until: datetime | None = None
    leased_by: str | None = None
    receipt: str | None = None
    queued_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None
    expires_at: int
    # The consent given with the request: the version of the privacy notice shown (received_at
    # is when it was given).
    consent_text_version: str | None = None
    # "Afventer svar" until this day (Copenhagen); set while the request is on hold.
    follow_up_on: date | None = None
    # The earlier request this one follows up (the consultant links them), and the later
    # requests that follow this one up.
    follow_up_of: str | None = None
    follow_ups: list[str] = Field(default_factory=list)


class AdvisoryRequest(OpenRequest):
    """A stored request as the table holds it: the open fields and the sealed contents."""

    sealed: str
    sealed_note: str | None = None
    # The keyed hash of the sender's address (shared/advisory/lookup.py), when one was given:
    # a data-protection request finds the request by it.
    address_key: str | None = None


class Overview(BaseModel):
    """What `leaders consultant list` shows: no texts, no names."""

    reference: str
    kind: Kind
    urgent: bool
    status: Status
    received_at: datetime
    age_hours: float


class AuditAction(StrEnum):
    """What a consultant did with a request: every view of its contents is one of the first
    four; finishing and releasing are recorded beside them."""

    NEXT = "next"  # leased and shown
    VIEW = "view"  # shown again (held or finished)
    HISTORY = "history"  # its note shown in the list of finished requests
    EXPORT = "export"  # shown in a data-protection export for its sender
    DONE = "done"
    RELEASE = "release"
    HOLD = "hold"  # put on "afventer svar" (with a follow-up date)
    REOPEN = "reopen"  # a finished request, or one on hold, taken up again
    EXTEND = "extend"
    LINK = "link"  # tied to an earlier request as its follow-up


class AuditEntry(BaseModel):
    """Who did what with which request, and when: never anything of its contents."""

    at: datetime
    by: str
    reference: str
    action: AuditAction


class Shown(BaseModel):
    """A request as the consultant reads it: the open fields and the opened contents."""

    request: AdvisoryRequest
    contents: Contents
    note: str | None = None


class Mine(BaseModel):
    """A request the consultant holds, as their list shows it: no texts, no names."""

    reference: str
    kind: Kind
    urgent: bool
    status: Status
    received_at: datetime
    leased_until: datetime | None
    follow_up_on: date | None
    # On hold and its follow-up day has come: it is back on the consultant's desk.
    due: bool
    follow_up_of: str | None


class Related(BaseModel):
    """A request found by its reference (or tied to it), without its contents."""

    reference: str
    kind: Kind
    urgent: bool
    status: Status
    received_at: datetime
    done_at: datetime | None
    done_by: str | None
    follow_up_of: str | None
    follow_ups: list[str]


class AgeCount(BaseModel):
    """How many requests wait, urgent and not, of one age."""

    label: str
    urgent: int
    normal: int


class QueueCounts(BaseModel):
    """The queue without texts or names: what waits, by urgency and age, and what is being
    handled now."""

    waiting_urgent: int
    waiting_normal: int
    in_progress: int
    # "Afventer svar": out of the queue, each with its consultant; `due` of them on or past
    # their follow-up day.
    on_hold: int = 0
    due: int = 0
    oldest_hours: float | None
    ages: list[AgeCount]
