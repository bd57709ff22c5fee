"""The links in a registration's emails: what a confirm link and a cancel link carry, signed
so that nobody can make one, and read back when pressed.

- A confirm link names the session, the address's registration and the round it opens
  (`round`); it confirms the address's newest submission (as its owner sees and corrects it
  on the link's page), not a particular one, and expires with the submission. Links mailed
  before rounds were in them name the submission that let them out instead.
- A cancel link names the session, the registration, its round and when the registration was
  made (`since`): one erased and made anew (round 1 again, the same id) is another, which an
  old link must not cancel. It works until the session starts as it stands when pressed (the
  service checks that: the secretariat may move the session after the link was mailed), and
  is signed to expire with the registration at the latest.

Each is bound to its purpose: a confirm link never cancels, nor the other way round. The
notifier signs them (shared.forums.registration.mail); the service reads them back when a
link is pressed (shared.forums.registration.service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from shared.errors import InvalidLink
from shared.forums.registration.models import Registration, Status, Submission
from shared.platform.clock import Clock, utcnow
from shared.tokens import InvalidToken, sign, verify

if TYPE_CHECKING:
    from shared.forums.models import Session

CANCEL_PURPOSE = "cancel-registration"
CONFIRM_PURPOSE = "confirm-registration"


def link_round(found: Registration | None) -> int:
    """The round a confirmation link mailed now is for: the registration's own while it is
    held, the next one after a cancellation, the first when there is none. (The mail gate is
    per address and round, too.)"""
    if found is None:
        return 1
    return found.round if found.status is not Status.CANCELLED else found.round + 1


@dataclass(frozen=True)
class ConfirmLink:
    """What a pressed confirm link names."""

    session_id: str
    registration_id: str
    round: int | None  # None: mailed before links had a round
    submission: str | None  # such an older link's submission


@dataclass(frozen=True)
class CancelLink:
    """What a pressed cancel link names: its signed `subject` as made ("session",
    "registration", "round", and "since" unless mailed before links had it), read."""

    subject: dict[str, str]
    round: int
    since: datetime | None  # None: mailed before links named it

    @property
    def session_id(self) -> str:
        return self.subject["session"]

    @property
    def registration_id(self) -> str:
        return self.subject["registration"]


class RegistrationLinks:
    """Signs and reads the confirm and cancel links with the signing secret (never empty: a
    link signed with no secret could be made by anyone)."""

    def __init__(self, secret: bytes, clock: Clock = utcnow) -> None:
        if not secret:
            raise ValueError("registration links need a signing secret; none was given")
        self._secret = secret
        self._clock = clock

    def confirm_token(self, submission: Submission, round_: int) -> str:
        """The token of the link mailed to the address's owner for this round."""
        return sign(self._secret, CONFIRM_PURPOSE,
                    {"session": submission.session_id, "registration": submission.registration_id,
                     "round": str(round_)}, expires=submission.expires_at)

    def confirm_link(self, token: str) -> ConfirmLink:
        """What a confirm link names; InvalidLink for a tampered, expired or other-purpose
        token."""
        try:
            subject = verify(self._secret, token, CONFIRM_PURPOSE, self._clock())
            round_ = int(subject["round"]) if "round" in subject else None
            return ConfirmLink(subject["session"], subject["registration"], round_,
                               subject.get("submission"))
        except (InvalidToken, KeyError, ValueError) as exc:
            raise InvalidLink() from exc

    def cancel_token(self, registration: Registration, session: Session) -> str:
        """The token of the link that cancels this registration (this round of it). It reads
        until the registration expires (or, without an expiry, the session starts); whether
        the session has started is checked when it is pressed, against the session's start
        as it stands then."""
        return sign(self._secret, CANCEL_PURPOSE,
                    {"session": registration.session_id, "registration": registration.id,
                     "round": str(registration.round),
                     "since": registration.created_at.isoformat()},
                    expires=max(registration.expires_at or session.starts_at,
                                session.starts_at))

    def cancel_link(self, token: str) -> CancelLink:
        """What a cancel link names (a link without a round is of the first); InvalidLink for
        a tampered, expired or other-purpose token."""
        try:
            subject = verify(self._secret, token, CANCEL_PURPOSE, self._clock())
            if "session" not in subject or "registration" not in subject:
                raise InvalidToken("subject")
            since = datetime.fromisoformat(subject["since"]) if "since" in subject else None
            return CancelLink(subject, int(subject.get("round", "1")), since)
        except (InvalidToken, ValueError) as exc:
            raise InvalidLink() from exc
