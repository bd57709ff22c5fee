"""Which email a submission or a change of a registration gives, each sent once.

Every stored submission and every change of a registration arrives here from the
registrations table's stream (at least once, maybe again after a retry).
- A submission gets the link that lets the address's owner confirm it, or, when the address
  holds the registration already, a note pointing to it with its cancel link; at most one such
  email per address and session in an interval (the gate), so nobody can flood an address.
  It names the forum, city and date and nothing the submitter typed; the link's landing page
  shows the owner what the newest submission holds, to correct or discard.
- A change of a registration gets its email once per (registration, round, kind): a ledger
  entry, written with a condition before sending, makes it go out once; a failed send removes
  its entry (or reopens the gate) so the retry sends it."""

from __future__ import annotations

from datetime import timedelta

from shared.danish import danish_date, danish_days_until, danish_span, danish_time
from shared.email import Sender, through_gate
from shared.email.render import Attachment, Email, mime, render
from shared.forums.calendar import CANCEL, PUBLISH, REQUEST, cancellation_ics, session_ics
from shared.forums.models import Session
from shared.forums.registration.email_kinds import SESSION_CANCELLED_SUBJECT, EmailKind
from shared.forums.registration.links import RegistrationLinks, link_round
from shared.forums.registration.messages import Outgoing, SessionMessage
from shared.forums.registration.models import CancelledBy, Registration, Status, Submission
from shared.forums.registration.ports import Ledger, RegistrationReads, SessionLookup
from shared.links import Links
from shared.platform.clock import Clock, utcnow


def session_subject(label: str, title: str, session: Session) -> str:
    """A registration email's subject: the forum, and which of its sessions (a forum runs in
    several cities), e.g. "Bekræftelse: Evalueringskultur – Kolding 17. januar"."""
    day = danish_date(session.starts_at, weekday=False, year=False)
    return f"{label}: {title} – {session.city} {day}"


# Where each participant's own name stands in the preview of a cancellation.
PREVIEW_NAME = "[deltagerens navn]"


def cancellation_preview(session: Session, title: str, reason: str) -> Email:
    """The email every participant gets when the secretariat cancels the session with this
    reason (their own name in it), shown in the console before anything is sent."""
    kind = EmailKind.CANCELLED
    return render(kind.template, "", session_subject(SESSION_CANCELLED_SUBJECT, title, session), {
        "name": PREVIEW_NAME, "kind": kind.value, "session": session, "forum_title": title,
        "when": danish_span(session.starts_at, session.ends_at), "session_cancelled": True,
        "reason": reason})


class NotYetPlaced(Exception):
    """A waiting person's place is not written yet; the change is retried."""


# The email a new registration (or one taken up again after a cancellation) gets.
_FIRST = {Status.CONFIRMED: EmailKind.CONFIRMATION, Status.WAITLISTED: EmailKind.WAITLISTED}


def email_kind(old: Registration | None, new: Registration | None) -> EmailKind | None:
    """The email a change calls for, if any."""
    if new is None:
        return None
    if old is None or (old.status is Status.CANCELLED and new.round > old.round):
        return _FIRST.get(new.status)
    if old.status is new.status:
        told = new.session_revision > old.session_revision and new.round == old.round
        return EmailKind.SESSION_CHANGED if told and new.status is not Status.CANCELLED \
            else None
    if old.status is Status.WAITLISTED and new.status is Status.CONFIRMED:
        return EmailKind.PROMOTED
    if new.status is Status.CANCELLED and new.cancelled_by is CancelledBy.MOVED:
        return EmailKind.MOVED
    if new.status is Status.CANCELLED:
        return None if new.cancelled_by is CancelledBy.ERASURE else EmailKind.CANCELLED
    return None


class Notifier:
    def __init__(self, tokens: RegistrationLinks, positions: RegistrationReads,
                 catalogue: SessionLookup,
                 ledger: Ledger, sender: Sender, links: Links, clock: Clock = utcnow,
                 sender_name: str = "Ledere af ledere",
                 mail_interval: timedelta = timedelta(minutes=10)) -> None:
        self._tokens = tokens
        self._positions = positions
        self._catalogue = catalogue
        self._ledger = ledger
        self._sender = sender
        self._links = links
        self._clock = clock
        self._sender_name = sender_name
        self._interval = mail_interval

    def on_stored(self, old: Registration | Submission | Outgoing | None,
                  new: Registration | Submission | Outgoing | None) -> EmailKind | None:
        """What one change of the registrations table calls for (its stream's consumer hands
        every change here): a new submission gets its confirmation link, a change of a
        registration its email. A change the registration has moved on from (a write whose
        transaction did not last, or a record arriving late) is passed over: the email follows
        what is held now. The secretariat's request to send (a resend, a message) gets its
        email. The kind sent, or None."""
        if isinstance(new, Submission):
            return self.on_submission(new) if old is None else None
        if isinstance(new, Outgoing):
            return self.on_outgoing(new)
        if not isinstance(new, Registration):
            return None
        current = self._positions.get(new.session_id, new.id)
        # A change of the session since does not pass the record over: its email is written
        # from the session as it stands (a confirmation shows the new time), and the change's
        # own email follows once per revision of the session.
        if current is None or current.status is not new.status or current.round != new.round:
            return None
        return self.on_change(old if isinstance(old, Registration) else None, new)

    def on_change(self, old: Registration | None,
                  new: Registration | None) -> EmailKind | None:
        """Send what this change calls for; the kind sent, or None."""
        kind = email_kind(old, new)
        if kind is None or new is None:
            return None
        return kind if self.send(kind, new) else None

    def on_submission(self, submission: Submission) -> EmailKind | None:
        """Mail the address's owner the link to confirm (or, when the address holds the
        registration already, where it stands); None when the gate is closed, or when the
        submission is no longer held (erased, or used) by the time its record arrives: as
        with a change of a registration, the email follows what is held now, so nothing goes
        to an address erased meanwhile."""
        if self._positions.submission(submission.session_id, submission.registration_id,
                                      submission.id) is None:
            return None
        session = self._catalogue.session(submission.session_id)
        if session is None:
            return None
        forum = self._catalogue.forum(session.forum_id)
        title = forum.title if forum else ""
        found = self._positions.get(submission.session_id, submission.registration_id)
        held = found if found is not None and found.status is not Status.CANCELLED else None
        # The gate is per address (its mailbox: the registration id) and round: after a
        # cancellation (which only the owner's link or the secretariat can make) the owner may
        # register anew at once. Whoever's submission passes it, the link it mails confirms
        # the address's newest submission as the owner sees and corrects it on the link's
        # page, so a stranger's earlier submission neither blocks the owner's nor takes its
        # place unseen.
        round_ = link_round(found)
        email = self._submission_email(submission, held, session, title, round_)
        now = self._clock()
        until = now + self._interval
        session_id, registration_id = submission.session_id, submission.registration_id
        sent = through_gate(
            lambda: self._ledger.pass_gate(session_id, registration_id, round_, now, until),
            lambda: self._sender.send(mime(email, self._sender.sender, self._sender_name),
                                      email.to),
            lambda: self._ledger.reopen_gate(session_id, registration_id, round_, until))
        if sent is None:
            return None
        return EmailKind.ALREADY_REGISTERED if held else EmailKind.CONFIRM_REGISTRATION

    def _submission_email(self, submission: Submission, held: Registration | None,
                          session: Session, title: str, round_: int) -> Email:
        context: dict[str, object] = {
            "session": session, "forum_title": title,
            "when": danish_span(session.starts_at, session.ends_at),
        }
        if held is None:
            kind = EmailKind.CONFIRM_REGISTRATION
            url = self._links.confirm_registration(self._tokens.confirm_token(submission, round_))
            return render(kind.template, submission.email,
                          session_subject(kind.subject, title, session),
                          {**context, "confirm_url": url,
                           "valid_until": danish_time(submission.expires_at, weekday=False)})
        kind = EmailKind.ALREADY_REGISTERED
        position = (self._positions.position(held.session_id, held.id)
                    if held.status is Status.WAITLISTED else None)
        url = self._links.cancel_registration(self._tokens.cancel_token(held, session))
        return render(kind.template, submission.email,
                      session_subject(kind.subject, title, session),
                      {**context, "cancel_url": url, "position": position})

    def send(self, kind: EmailKind, registration: Registration, days_before: int = 0) -> bool:
        """Send this kind of email to the registrant once per round. False if it was sent."""
        kind = EmailKind.named(kind)  # its name in the ledger will do, too
        session = self._catalogue.session(registration.session_id)
        if session is None:
            return False
        forum = self._catalogue.forum(session.forum_id)
        title = forum.title if forum else ""
        email = self._email(kind, registration, session, title, days_before)
        entry = f"{registration.round}#{kind.value}"
        if kind is EmailKind.SESSION_CHANGED or (kind is EmailKind.REMINDER and session.revision):
            # Told of each revision once; reminded again of a session moved since.
            entry += f"#{session.revision}"
        return self._once(registration, entry, email)

    def _email(self, kind: EmailKind, registration: Registration, session: Session, title: str,
               days_before: int) -> Email:
        context: dict[str, object] = {
            "name": registration.name, "kind": kind.value, "session": session,
            "forum_title": title, "when": danish_span(session.starts_at, session.ends_at),
            "days_before": days_before,
            "coming": danish_days_until(session.starts_at, self._clock()),
        }
        if kind is EmailKind.MOVED:
            return self._moved_email(registration, session, title, context)
        if kind is EmailKind.CANCELLED:
            session_cancelled = registration.cancelled_by is CancelledBy.SESSION_CANCELLED
            # The secretariat's reason stands as written: it may name a new date, or not.
            reason = self._catalogue.cancel_reason(session.id) if session_cancelled else None
            subject = session_subject(SESSION_CANCELLED_SUBJECT if session_cancelled
                                      else kind.subject, title, session)
            # The same event with METHOD:CANCEL: calendars remove the entry the confirmation
            # (or promotion) put there; one that never had it ignores it.
            ics = cancellation_ics(registration.id, session, title, self._sender.sender,
                                   now=self._clock(), round_=registration.round)
            return render(kind.template, registration.email, subject,
                          {**context, "session_cancelled": session_cancelled, "reason": reason},
                          attachments=[Attachment("aflysning.ics", "text/calendar", ics,
                                                  {"method": CANCEL})])
        cancel_url = self._links.cancel_registration(
            self._tokens.cancel_token(registration, session))
        context["cancel_url"] = cancel_url
        context["moved_from"] = self._moved_from(registration)
        subject = session_subject(kind.subject, title, session)
        if kind is EmailKind.WAITLISTED:
            position = self._positions.position(registration.session_id, registration.id)
            if position is None:
                raise NotYetPlaced(registration.id)
            return render(kind.template, registration.email, subject,
                          {**context, "position": position})
        if kind is EmailKind.SESSION_CHANGED and registration.status is Status.WAITLISTED:
            position = self._positions.position(registration.session_id, registration.id)
            if position is None:
                # Off the line since the record was checked (promoted, cancelled): retried,
                # the record is passed over, and their own email tells them where they stand
                # (never "your seat is unchanged" with a calendar file that is not attached).
                raise NotYetPlaced(registration.id)
            return render(kind.template, registration.email, subject,
                          {**context, "position": position})
        changed_for = None
        if kind is EmailKind.SESSION_CHANGED:
            changed_for = (registration.name, registration.email)
            context["position"] = None  # a seat: the updated event comes with it
        ics = session_ics(registration.id, session, title, f"Afmelding: {cancel_url}",
                          organizer=self._sender.sender, now=self._clock(),
                          round_=registration.round, changed_for=changed_for)
        return render(kind.template, registration.email, subject, context,
                      attachments=[Attachment("forum.ics", "text/calendar", ics,
                                              {"method": REQUEST if changed_for else PUBLISH})])

    # -- a move, and the secretariat's requests to send ----------------------------------------

    def _where(self, session_id: str | None) -> str | None:
        """A session as a person names it: "Kolding 4. marts"."""
        found = self._catalogue.session(session_id) if session_id else None
        if found is None:
            return None
        return f"{found.city} {danish_date(found.starts_at, weekday=False, year=False)}"

    def _moved_from(self, registration: Registration) -> str | None:
        """Where a registration the secretariat moved here came from (its confirmation or
        waiting-list email says so)."""
        return self._where(registration.moved_from)

    def _moved_email(self, registration: Registration, session: Session, title: str,
                     context: dict[str, object]) -> Email:
        """The old session's email of a person moved to another: from where to where, and
        the old event's calendar cancellation (the new session's confirmation brings its
        own calendar file)."""
        kind = EmailKind.MOVED
        ics = cancellation_ics(registration.id, session, title, self._sender.sender,
                               now=self._clock(), round_=registration.round)
        return render(kind.template, registration.email,
                      session_subject(kind.subject, title, session),
                      {**context, "moved_from": self._where(session.id),
                       "moved_to": self._where(registration.moved_to)},
                      attachments=[Attachment("aflysning.ics", "text/calendar", ics,
                                              {"method": CANCEL})])

    def on_outgoing(self, request: Outgoing) -> EmailKind | None:
        """Send what the secretariat asked for to the registration as it stands now: nothing
        when it was cancelled or erased meanwhile (a cancelled person gets no confirmation
        and no message), or when the message is gone. The kind sent, or None."""
        registration = self._positions.get(request.session_id, request.registration_id)
        if registration is None or registration.status is Status.CANCELLED:
            return None
        if request.email == EmailKind.RESENT.value:
            return EmailKind.RESENT if self.resend(registration, request) else None
        message = self._positions.message(request.session_id, request.key)
        if message is None:
            return None
        return EmailKind.MESSAGE if self.send_message(registration, message, request) else None

    def _once(self, registration: Registration, entry: str, email: Email) -> bool:
        """Send the email once under this ledger entry; False when it was sent (or is being
        sent). A failed send releases the entry, so the retry sends it."""
        if not self._ledger.claim(registration.session_id, registration.id, entry,
                                  expires_at=registration.expires_at):
            return False
        try:
            self._sender.send(mime(email, self._sender.sender, self._sender_name), email.to)
        except Exception:
            self._ledger.release(registration.session_id, registration.id, entry)
            raise
        return True

    def resend(self, registration: Registration, request: Outgoing) -> bool:
        """The person's current email again, to their registered address only: the
        confirmation with the calendar file and a fresh cancel link, or the waiting-list
        email with their place now; once per request (ledger `<round>#resent-<key>`)."""
        session = self._catalogue.session(registration.session_id)
        if session is None:
            return False
        forum = self._catalogue.forum(session.forum_id)
        title = forum.title if forum else ""
        kind = EmailKind.RESENT
        cancel_url = self._links.cancel_registration(
            self._tokens.cancel_token(registration, session))
        context: dict[str, object] = {
            "name": registration.name, "kind": kind.value, "session": session,
            "forum_title": title, "when": danish_span(session.starts_at, session.ends_at),
            "cancel_url": cancel_url, "moved_from": None}
        if registration.status is Status.WAITLISTED:
            waiting = EmailKind.WAITLISTED
            position = self._positions.position(registration.session_id, registration.id)
            if position is None:
                raise NotYetPlaced(registration.id)
            email = render(waiting.template, registration.email,
                           session_subject(waiting.subject, title, session),
                           {**context, "position": position})
        else:
            ics = session_ics(registration.id, session, title, f"Afmelding: {cancel_url}",
                              organizer=self._sender.sender, now=self._clock(),
                              round_=registration.round)
            email = render(kind.template, registration.email,
                           session_subject(kind.subject, title, session), context,
                           attachments=[Attachment("forum.ics", "text/calendar", ics,
                                                   {"method": PUBLISH})])
        return self._once(registration, f"{registration.round}#{request.ledger_name}", email)

    def send_message(self, registration: Registration, message: SessionMessage,
                     request: Outgoing) -> bool:
        """The secretariat's message to this participant, once per registration's round and
        message (ledger `<round>#message-<id>`)."""
        session = self._catalogue.session(registration.session_id)
        if session is None:
            return False
        forum = self._catalogue.forum(session.forum_id)
        email = message_email(message, session, forum.title if forum else "",
                              registration.email,
                              waiting=registration.status is Status.WAITLISTED)
        return self._once(registration, f"{registration.round}#{request.ledger_name}", email)


def paragraphs(text: str) -> list[list[str]]:
    """The text's paragraphs (split at blank lines), each as its lines: the HTML part shows
    them as the secretariat wrote them."""
    blocks = [block.strip("\n") for block in text.split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]


def message_email(message: SessionMessage, session: Session, title: str, to: str,
                  waiting: bool = False) -> Email:
    """The secretariat's message as a participant gets it: the subject and text as written,
    which session it is about, and the contact footer every email has."""
    kind = EmailKind.MESSAGE
    return render(kind.template, to, message.subject, {
        "kind": kind.value, "text": message.text, "paragraphs": paragraphs(message.text),
        "session": session, "forum_title": title, "waiting": waiting,
        "when": danish_span(session.starts_at, session.ends_at)})
