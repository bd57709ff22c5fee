"""Subscribers, issues and the per-issue-per-subscriber ledger."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.forms import Consent, Email, MultiLine, OptionalSingleLine, PublicForm, SingleLine
from shared.roles import Role
from shared.validation import DanishValueError

# How long a subscriber who left (unsubscribed, bounced, complained) is kept before their name
# and address are deleted: long enough to answer "why did I stop getting it", no longer.
LEFT_KEPT_DAYS = 30


class SubscriberStatus(StrEnum):
    PENDING = "pending"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    SUPPRESSED = "suppressed"


class IssueStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed: an SES call is (or was) under way
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # unsubscribed or suppressed between snapshot and send
    # What `Newsletter.deliver` answers for a copy an earlier run claimed (sent, being sent
    # or given up): nothing done now. An answer only, never stored in the ledger.
    ALREADY_HANDLED = "already_handled"


class SubscriptionForm(PublicForm):
    name: SingleLine = Field(min_length=1, max_length=200)
    email: Email
    role: Role
    consent: Consent

    @model_validator(mode="after")
    def _only_leaders_of_leaders(self) -> Self:
        if not self.role.leads_leaders:
            raise DanishValueError("role_not_admitted",
                                   "Nyhedsbrevet er kun for ledere af ledere.", "role")
        return self


class Subscriber(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    status: SubscriberStatus
    created_at: datetime
    confirmed_at: datetime | None = None
    consent_text_version: str | None = None
    # How the consent came: "web" (the form), "staff" (typed in by the editor, then confirmed
    # by the owner), "import" (the union's list: documented there, or confirmed by the owner).
    consent_source: str | None = None
    # Where an imported consent was given, as the union's list says (its source column).
    consent_note: str | None = None
    unsubscribed_at: datetime | None = None
    suppressed_reason: str | None = None


class Issue(BaseModel):
    id: str
    subject: str
    html: str
    text: str
    status: IssueStatus
    created_at: datetime
    send_at: datetime | None = None
    approved_at: datetime | None = None
    dispatched_at: datetime | None = None
    snapshot: bool = False  # every confirmed subscriber has their ledger entry
    fanned_out_at: datetime | None = None  # the last time queued entries were queued
    recipients: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    complained: int = 0
    unsubscribed: int = 0
    uncertain: int = 0  # claimed, SES may have accepted, the outcome never recorded
    # What the editor wrote (Markdown, or HTML from a file), kept to be edited again.
    source: str | None = None
    source_format: str = "html"
    # Shown in the public archive once sent, unless the editor left it out.
    in_archive: bool = True
    # The issue this draft was duplicated from.
    copied_from: str | None = None


# The largest source of an issue: the item keeps it beside its HTML and text, well inside
# DynamoDB's 400 KB per item (through the API, its 16 KB body limit comes first).
MAX_SOURCE = 60_000


class DraftText(BaseModel):
    """What the editor writes: a subject line and the body in Markdown (or HTML)."""

    model_config = ConfigDict(extra="forbid")

    subject: SingleLine = Field(min_length=1, max_length=200)
    markdown: MultiLine = Field(min_length=1, max_length=MAX_SOURCE)


class SavedDraft(DraftText):
    """A draft saved: with `replace`, only an existing draft is replaced (the console's saves
    after the first), so a save that arrives after the draft was deleted does not bring it
    back."""

    replace: bool = False


class Duplicate(BaseModel):
    """A copy of an issue as a new draft: its id, or none (one is made from the original's)."""

    model_config = ConfigDict(extra="forbid")

    id: OptionalSingleLine = Field(default=None, max_length=63)


class ArchiveChoice(BaseModel):
    """Whether a sent issue is shown in the public archive."""

    model_config = ConfigDict(extra="forbid")

    in_archive: bool


# What the feedback on a copy is counted as on its issue (once per copy and kind).
FEEDBACK = ("bounced", "complained", "unsubscribed")


class Approval(BaseModel):
    """An approval: for the next scheduled send, or its own time in Danish time
    (`2027-03-02 08:00`, or with an offset)."""

    model_config = ConfigDict(extra="forbid")

    send_at: OptionalSingleLine = Field(default=None, max_length=40)
