"""The editor's side, the same for the console and the CLI: drafts from Markdown (or HTML)
with their plain-text part derived, a preview rendered exactly as a subscriber's copy, a test
to the editor's own address, approval for the schedule or a Danish time of its own, and
withdrawing an approval until the dispatcher has claimed the issue. An issue approved for the
schedule is shown the date and time of the recurring send that takes it (see
shared.newsletter.schedule).

Withdrawing races the dispatcher safely: both are one conditional write on the issue's status
(`approved -> draft` here, `approved -> sending` there), so exactly one of them wins; once the
dispatcher has it, the withdrawal is refused (409) and nothing is half undone."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError

from shared.danish import TIME_FORMAT, DanishTimeError, danish_time, parse_danish_time
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.links import Links
from shared.newsletter.mail import issue_email, plain_text
from shared.newsletter.models import (
    DraftText,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)
from shared.newsletter.schedule import RecurringSchedule
from shared.platform.clock import Clock, utcnow
from shared.roles import Role
from shared.validation import field_errors

if TYPE_CHECKING:
    from shared.email.render import Email
    from shared.newsletter.ports import DispatchRequests, Mail, NewsletterStore

ISSUE_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"
# The token of the unsubscribe link in a test or a preview: it leads to the page, which says
# the link is not valid (nobody is unsubscribed by a test).
TEST_TOKEN = "test"  # noqa: S105 - not a secret
PREVIEW_TOKEN = "eksempel"  # noqa: S105 - not a secret
PREVIEW_TO = "modtager@example.dk"


def draft(issue_id: str, subject: str, source: str, markdown: bool, now: datetime) -> Issue:
    if markdown:
        import markdown as md

        html = md.markdown(source, extensions=["extra", "sane_lists", "nl2br"])
    else:
        html = source
    return Issue(id=issue_id, subject=subject, html=html, text=plain_text(html),
                 status=IssueStatus.DRAFT, created_at=now, source=source,
                 source_format="markdown" if markdown else "html")


def _valid_id(issue_id: str, field: str = "issue_id") -> str:
    if not re.fullmatch(ISSUE_ID, issue_id):
        raise InvalidInput([FieldError(
            field, "invalid_format",
            "Id må kun have små bogstaver, tal og bindestreger (2-63 tegn, fx 2027-marts).")])
    return issue_id


def _text(subject: str, source: str) -> DraftText:
    try:
        return DraftText(subject=subject, markdown=source)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc.errors())) from None


def send_time(value: str | datetime | None, now: datetime) -> datetime | None:
    """Its own send time: Danish time as the editor types it (or a moment), not in the past."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            moment = parse_danish_time(value)
        except DanishTimeError as exc:
            raise InvalidInput([FieldError("send_at", "invalid_datetime", exc.message)]) from None
        except ValueError:
            raise InvalidInput([FieldError(
                "send_at", "invalid_datetime",
                f"Skriv tidspunktet i dansk tid som {TIME_FORMAT}.")]) from None
    else:
        moment = value
    if moment <= now:
        raise InvalidInput([FieldError(
            "send_at", "in_the_past",
            f"{danish_time(moment)} er allerede passeret; vælg et tidspunkt frem i tiden "
            "(dansk tid).")])
    return moment


class Editor:
    """The editor's flows on the newsletter's issues."""

    def __init__(self, store: NewsletterStore, mail: Mail, links: Links,
                 clock: Clock = utcnow, schedule: RecurringSchedule | None = None,
                 dispatch: DispatchRequests | None = None) -> None:
        self._store = store
        self._mail = mail
        self._links = links
        self._clock = clock
        self._schedule = schedule
        self._dispatch = dispatch

    def subscribers(self) -> int:
        """How many confirmed subscribers an issue sent now goes to."""
        return self._store.subscriber_count()

    def next_scheduled_send(self) -> datetime | None:
        """When the recurring schedule fires next (None when its times are unknown)."""
        return self._schedule.firing(self._clock()) if self._schedule else None

    def scheduled_sends(self, issues: list[Issue] | None = None) -> dict[str, datetime]:
        """When the recurring schedule sends each issue approved for it (the firing at its
        place in line), and each draft if it were approved for the schedule now (after those
        waiting); the ids of other issues are left out, as are all when the schedule's times
        are unknown."""
        if self._schedule is None:
            return {}
        issues = self._store.issues() if issues is None else issues
        now = self._clock()
        found = {}
        for issue in issues:
            moment = self._schedule.send_time(issue, issues, now)
            if moment is not None:
                found[issue.id] = moment
        return found

    def scheduled_send(self, issue: Issue) -> datetime | None:
        """When the recurring schedule sends this issue, or would if approved for it now."""
        return self.scheduled_sends().get(issue.id) if self._schedule else None

    def issues(self) -> list[Issue]:
        """Every issue, newest first: drafts, approved ones with their time, sent ones with
        their statistics."""
        return sorted(self._store.issues(), key=lambda i: i.created_at, reverse=True)

    def issue(self, issue_id: str) -> Issue:
        found = self._store.issue(issue_id) if re.fullmatch(ISSUE_ID, issue_id) else None
        if found is None:
            raise NotFound(f"Nummeret {issue_id} findes ikke.", code="unknown_issue")
        return found

    def save_draft(self, issue_id: str, subject: str, source: str,
                   markdown: bool = True, replace: bool = False) -> Issue:
        """Create the draft, or replace it while it is still a draft (409 once approved or
        sent). Saving the same text again changes nothing but the text's own fields. With
        `replace` (an autosave) a draft deleted meanwhile stays deleted (409 `deleted`)."""
        errors: list[FieldError] = []
        try:
            _valid_id(issue_id)
        except InvalidInput as exc:
            errors.extend(exc.errors)
        try:
            text = _text(subject, source)
        except InvalidInput as exc:
            errors.extend(exc.errors)
        if errors:
            raise InvalidInput(errors)
        existing = self._store.issue(issue_id)
        if replace and existing is None:
            raise Conflict(f"Kladden {issue_id} er slettet og gemmes ikke igen.",
                           code="deleted")
        created = existing.created_at if existing else self._clock()
        issue = draft(issue_id, text.subject, text.markdown, markdown, created)
        if existing:  # what the text does not say stays as it was
            issue = issue.model_copy(update={"in_archive": existing.in_archive,
                                             "copied_from": existing.copied_from})
        if (existing and existing.status is not IssueStatus.DRAFT) or \
                not self._store.put_issue(issue, replace=replace):
            if self._store.issue(issue_id) is None:
                raise Conflict(f"Kladden {issue_id} er slettet og gemmes ikke igen.",
                               code="deleted")
            raise Conflict(f"{issue_id} er allerede godkendt eller sendt og kan ikke ændres. "
                           "Træk godkendelsen tilbage først.", code="not_a_draft")
        return issue

    def preview(self, subject: str, source: str, markdown: bool = True) -> Email:
        """The issue as a subscriber's copy would read, with a placeholder unsubscribe link;
        nothing is stored."""
        text = _text(subject, source)
        issue = draft("eksempel", text.subject, text.markdown, markdown, self._clock())
        return issue_email(issue, PREVIEW_TO, self._links.unsubscribe_page(PREVIEW_TOKEN),
                           web_version=self._links.archive())

    def send_test(self, issue_id: str, addresses: list[str]) -> None:
        """The issue to editor addresses, marked as a test; its unsubscribe links lead nowhere."""
        issue = self.issue(issue_id)
        test = issue.model_copy(update={"subject": f"[TEST] {issue.subject}"})
        for address in addresses:
            editor = Subscriber(id="test", email=address, name="Redaktør", role=Role.OTHER,
                                status=SubscriberStatus.SUBSCRIBED, created_at=self._clock())
            self._mail.issue(test, editor, self._links.unsubscribe_api(TEST_TOKEN),
                             self._links.unsubscribe_page(TEST_TOKEN))

    def approve(self, issue_id: str, send_at: str | datetime | None = None) -> Issue:
        """For the next scheduled send, or at its own time (Danish time, in the future).
        Approving again changes the time, until the dispatcher has the issue."""
        moment = send_time(send_at, self._clock())
        self.issue(issue_id)
        if not self._store.approve(issue_id, moment, self._clock()):
            raise Conflict(f"{issue_id} er allerede ved at blive sendt eller er sendt.",
                           code="not_a_draft")
        return self.issue(issue_id)

    def withdraw(self, issue_id: str) -> Issue:
        """Back to a draft, while the dispatcher has not claimed it (one conditional write;
        a draft is left as it is)."""
        if self._store.withdraw(issue_id):
            return self.issue(issue_id)
        issue = self.issue(issue_id)
        if issue.status is IssueStatus.DRAFT:
            return issue
        raise Conflict(f"Udsendelsen af {issue_id} er begyndt, så godkendelsen kan ikke "
                       "trækkes tilbage.", code="sending_started")

    def delete(self, issue_id: str) -> None:
        """Delete a draft (one conditional delete, so an approval at the same moment either
        comes first and the delete is refused, or finds nothing to approve). Deleting again
        changes nothing; an approved or sent issue is refused (409)."""
        _valid_id(issue_id)
        if self._store.delete_draft(issue_id):
            return
        found = self._store.issue(issue_id)
        if found is not None and found.status is not IssueStatus.DRAFT:
            raise Conflict(f"{issue_id} er godkendt eller sendt; kun en kladde kan slettes.",
                           code="not_a_draft")

    def duplicate(self, issue_id: str, new_id: str | None = None) -> Issue:
        """A new draft with the issue's subject and text (a sent one's too). Its id is given
        (asking again with the same id answers the same copy) or made from the original's:
        `<id>-kopi`, `<id>-kopi-2`, …"""
        original = self.issue(issue_id)
        source = original.source if original.source is not None else original.html
        markdown = original.source is not None and original.source_format == "markdown"
        wanted = [_valid_id(new_id, "id")] if new_id else [
            _copy_id(issue_id, n) for n in range(1, 100)]
        for candidate in wanted:
            copy = draft(candidate, original.subject, source, markdown, self._clock())
            copy = copy.model_copy(update={"copied_from": issue_id})
            if self._store.create_issue(copy):
                return copy
            held = self._store.issue(candidate)
            if new_id and held is not None and held.copied_from == issue_id \
                    and held.status is IssueStatus.DRAFT:
                return held  # the same request again
        raise Conflict(f"Id'et {wanted[-1]} er allerede i brug. Vælg et andet.",
                       code="id_taken")

    def send_now(self, issue_id: str) -> Issue:
        """Approve the issue for now and ask the dispatcher to start it at once (the hourly
        run starts it too, should the request be lost). Asking again, or once it is being
        sent, starts nothing more: the dispatcher takes an issue once, and each copy is
        claimed once."""
        issue = self.issue(issue_id)
        if issue.status in (IssueStatus.SENDING, IssueStatus.SENT):
            return issue
        now = self._clock()
        if not self._store.approve(issue_id, now, now):
            issue = self.issue(issue_id)
            if issue.status in (IssueStatus.SENDING, IssueStatus.SENT):
                return issue
            raise Conflict(f"{issue_id} kan ikke sendes nu.", code="not_a_draft")
        if self._dispatch is not None:
            self._dispatch.request(issue_id)
        return self.issue(issue_id)

    def show_in_archive(self, issue_id: str, shown: bool) -> Issue:
        """Whether the issue is shown in the public archive once sent (and its email links
        to its web version); the same answer when asked again."""
        self.issue(issue_id)
        if not self._store.show_in_archive(issue_id, shown):
            raise NotFound(f"Nummeret {issue_id} findes ikke.", code="unknown_issue")
        return self.issue(issue_id)


def _copy_id(issue_id: str, n: int) -> str:
    suffix = "-kopi" if n == 1 else f"-kopi-{n}"
    return issue_id[:63 - len(suffix)].rstrip("-") + suffix
