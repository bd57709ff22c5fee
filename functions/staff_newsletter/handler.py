"""The editor's area of the staff console, under /api/staff/newsletter: the issues (drafts,
approved with their time, sent with their statistics), a draft's Markdown to edit, saving a
draft, a preview rendered as a subscriber's copy, a test to the signed-in editor's own
address, approval and its withdrawal; the subscriber count and the next scheduled send; a
draft deleted, an issue duplicated as a new draft, "send now", and whether a sent issue is
shown in the public archive. API Gateway's Cognito authorizer has checked the ID
token; every route checks the `editor` group here as well (403). The flows are
shared.newsletter.editor's, as `leaders newsletter` calls them."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from shared.adapters.wiring import newsletter_editor, newsletter_subscribers
from shared.edge.http import (
    BODY_REFUSALS,
    Body,
    Query,
    Response,
    create_resolver,
    json_response,
    staff_responses,
)
from shared.edge.staff import SECURITY, StaffUser
from shared.edge.staff import caller as staff_caller
from shared.forms import Email as FormEmail
from shared.forms import OptionalSingleLine, SingleLine
from shared.newsletter.models import (
    Approval,
    ArchiveChoice,
    DraftText,
    Duplicate,
    Issue,
    SavedDraft,
)
from shared.newsletter.subscribers import Subscribers, SubscriberView
from shared.platform import snapstart
from shared.platform.clock import iso_copenhagen
from shared.platform.observability import logger, metrics
from shared.platform.settings import NewsletterEditorSettings, NewsletterSubscriberSettings
from shared.roles import Role

GROUP = "editor"
editor = newsletter_editor(NewsletterEditorSettings())  # type: ignore[call-arg]
app = create_resolver(GROUP)  # other groups refused before the request is read


def caller() -> StaffUser:
    return staff_caller(app, GROUP)


class IssueView(BaseModel):
    id: str
    subject: str
    status: str
    created_at: str
    approved_at: str | None
    # Its own send time (Copenhagen offset); none: the next scheduled send.
    send_at: str | None
    # When the recurring schedule sends it (approved for the schedule: the firing at its place
    # in line), or would if approved for the schedule now (a draft); Copenhagen offset. None
    # for other issues.
    scheduled_send: str | None
    dispatched_at: str | None
    recipients: int
    sent: int
    failed: int
    uncertain: int
    bounced: int
    complained: int
    unsubscribed: int
    # Shown in the public archive once sent (and its email links to its web version).
    in_archive: bool
    copied_from: str | None


class IssueList(BaseModel):
    issues: list[IssueView]
    # Confirmed subscribers: whom an issue sent now goes to.
    subscribers: int
    # When the recurring schedule fires next (Copenhagen offset); None when unknown.
    next_scheduled_send: str | None


class IssueSource(IssueView):
    # The text to edit: Markdown, or the HTML of a draft made from an HTML file (which
    # Markdown passes through as it is).
    markdown: str
    format: str


class Preview(BaseModel):
    subject: str
    html: str
    text: str


class TestSent(BaseModel):
    status: str
    to: str


def _moment(value: Any) -> str | None:
    return iso_copenhagen(value) if value else None


def _view(issue: Issue, scheduled: datetime | None = None) -> dict[str, Any]:
    return {"id": issue.id, "subject": issue.subject, "status": issue.status.value,
            "created_at": iso_copenhagen(issue.created_at),
            "approved_at": _moment(issue.approved_at), "send_at": _moment(issue.send_at),
            "scheduled_send": _moment(scheduled),
            "dispatched_at": _moment(issue.dispatched_at), "recipients": issue.recipients,
            "sent": issue.sent, "failed": issue.failed, "uncertain": issue.uncertain,
            "bounced": issue.bounced, "complained": issue.complained,
            "unsubscribed": issue.unsubscribed, "in_archive": issue.in_archive,
            "copied_from": issue.copied_from}


def _source(issue: Issue) -> dict[str, Any]:
    return {**_view(issue, editor.scheduled_send(issue)),
            "markdown": issue.source if issue.source is not None else issue.html,
            "format": issue.source_format if issue.source is not None else "html"}


ISSUE = "/api/staff/newsletter/issues/<issue_id>"


@app.get("/api/staff/newsletter/issues", responses=staff_responses({200: IssueList}),
         security=SECURITY)
def issues() -> dict[str, Any]:
    """Every issue, newest first: drafts, approved ones with their time, sent ones with
    their statistics."""
    caller()
    found = editor.issues()
    sends = editor.scheduled_sends(found)
    logger.info("issues listed", extra={"issues": len(found)})
    return {"issues": [_view(i, sends.get(i.id)) for i in found],
            "subscribers": editor.subscribers(),
            "next_scheduled_send": _moment(editor.next_scheduled_send())}


@app.get(ISSUE, responses=staff_responses({200: IssueSource}, 404), security=SECURITY)
def issue(issue_id: str) -> dict[str, Any]:
    """One issue with the text it was written in, to edit."""
    caller()
    return _source(editor.issue(issue_id))


@app.put(ISSUE, responses=staff_responses({200: IssueSource}, 409, *BODY_REFUSALS),
         security=SECURITY)
def save(issue_id: str, text: Annotated[SavedDraft, Body()]) -> dict[str, Any]:
    """Create the draft, or replace it while it is a draft (409 once approved or sent). With
    `replace` only an existing draft is replaced: 409 `deleted` when it was deleted since."""
    caller()
    saved = editor.save_draft(issue_id, text.subject, text.markdown, replace=text.replace)
    logger.info("draft saved", extra={"issue": issue_id})
    return _source(saved)


@app.post("/api/staff/newsletter/preview", responses=staff_responses({200: Preview},
                                                                       *BODY_REFUSALS),
          security=SECURITY)
def preview(text: Annotated[DraftText, Body()]) -> dict[str, Any]:
    """The email as a subscriber's copy reads (HTML and text), with a placeholder
    unsubscribe link. Nothing is stored."""
    caller()
    email = editor.preview(text.subject, text.markdown)
    return {"subject": email.subject, "html": email.html, "text": email.text}


@app.post(f"{ISSUE}/test", responses=staff_responses({200: TestSent}, 404), security=SECURITY)
def test(issue_id: str) -> dict[str, Any]:
    """The issue, marked as a test, to the signed-in editor's own address (and no other)."""
    user = caller()
    editor.send_test(issue_id, [user.email])
    logger.info("test sent", extra={"issue": issue_id})
    return {"status": "sent", "to": user.email}


@app.post(f"{ISSUE}/approve", responses=staff_responses({200: IssueView}, 404, 409,
                                                         *BODY_REFUSALS), security=SECURITY)
def approve(issue_id: str, approval: Annotated[Approval, Body()]) -> dict[str, Any]:
    """Approve for the next scheduled send (`scheduled_send` in the answer says when), or for
    `send_at` in Danish time (`2027-03-02 08:00`; not in the past). Approving again changes the
    time; withdrawing is possible until sending begins."""
    caller()
    approved = editor.approve(issue_id, approval.send_at)
    logger.info("issue approved", extra={"issue": issue_id, "own_time": bool(approved.send_at)})
    return _view(approved, editor.scheduled_send(approved))


@app.post(f"{ISSUE}/withdraw", responses=staff_responses({200: IssueView}, 404, 409),
          security=SECURITY)
def withdraw(issue_id: str) -> dict[str, Any]:
    """Back to a draft, while sending has not begun (409 once it has)."""
    caller()
    withdrawn = editor.withdraw(issue_id)
    logger.info("approval withdrawn", extra={"issue": issue_id})
    return _view(withdrawn, editor.scheduled_send(withdrawn))


# -- drafts deleted and duplicated, "send now", the archive ---------------------------------


class Deleted(BaseModel):
    status: str


@app.delete(ISSUE, responses=staff_responses({200: Deleted}, 409), security=SECURITY)
def delete(issue_id: str) -> dict[str, Any]:
    """Delete a draft (409 once approved or sent); deleting again answers the same."""
    caller()
    editor.delete(issue_id)
    logger.info("draft deleted", extra={"issue": issue_id})
    return {"status": "deleted"}


@app.post(f"{ISSUE}/duplicate", responses=staff_responses({201: IssueSource}, 404, 409,
                                                           *BODY_REFUSALS), security=SECURITY)
def duplicate(issue_id: str, copy: Annotated[Duplicate, Body()]) -> Response[Any]:
    """A new draft with the issue's subject and text, with the `id` given (the same id again
    answers the same copy) or `<id>-kopi`."""
    caller()
    made = editor.duplicate(issue_id, copy.id)
    logger.info("issue duplicated", extra={"issue": issue_id, "copy": made.id})
    return json_response(201, _source(made))


@app.post(f"{ISSUE}/send-now", responses=staff_responses({200: IssueView}, 404, 409),
          security=SECURITY)
def send_now(issue_id: str) -> dict[str, Any]:
    """Approve for now and start the sending at once; asked again, or once sending began,
    nothing more is sent (each subscriber gets the issue once)."""
    caller()
    started = editor.send_now(issue_id)
    logger.info("send now", extra={"issue": issue_id, "status": started.status.value})
    return _view(started)


@app.put(f"{ISSUE}/archive", responses=staff_responses({200: IssueView}, 404, *BODY_REFUSALS),
         security=SECURITY)
def archive(issue_id: str, choice: Annotated[ArchiveChoice, Body()]) -> dict[str, Any]:
    """Whether the issue is shown in the public archive (and its email links to it)."""
    caller()
    changed = editor.show_in_archive(issue_id, choice.in_archive)
    logger.info("archive choice", extra={"issue": issue_id, "shown": choice.in_archive})
    return _view(changed, editor.scheduled_send(changed))


# -- subscribers: search, add one, unsubscribe one, import the union's list ----------------

SUBSCRIBERS = "/api/staff/newsletter/subscribers"
IMPORT = f"{SUBSCRIBERS}/import"
# A whole file in one request: 5,000 rows of the union's list are some 400 KB (API Gateway
# takes 10 MB, a Lambda invocation 6 MB).
IMPORT_MAX_BYTES = 1024 * 1024
# The request carrying such a file: the console decodes a file that is not UTF-8 as
# Windows-1252, whose letters beyond ASCII (æ, ø, å: one byte each in the file) take two or
# three bytes in the UTF-8 JSON body, and JSON escapes quotes and line breaks.
IMPORT_MAX_BODY = 4 * IMPORT_MAX_BYTES
app.body_limits = {IMPORT: IMPORT_MAX_BODY}


@cache
def subscribers() -> Subscribers:
    """Built at the first subscriber route (the signing secret is read then, once)."""
    return newsletter_subscribers(NewsletterSubscriberSettings())  # type: ignore[call-arg]


class Consent(BaseModel):
    how: str  # web, staff, import
    how_text: str  # "tilmeldt via formularen", "tilføjet af personalet", "importeret"
    at: str | None  # when (Copenhagen offset): confirmed, or the documented consent's date
    version: str | None  # the consent text's version the owner confirmed
    source: str | None  # where an imported consent was given, as the union's list says
    confirmed_by_owner: bool


class SubscriberAnswer(BaseModel):
    email: str
    name: str
    # subscribed, pending, unsubscribed, bounced, complained
    status: str
    status_text: str  # Bekræftet, Afventer bekræftelse, Afmeldt, Afvist, Spamklage
    consent: Consent


class SubscriberSearch(BaseModel):
    count: int  # how many matched (at most 200 are listed)
    subscribers: list[SubscriberAnswer]


class NewSubscriber(BaseModel):
    """An address typed in by the editor: invited by the double opt-in email, or subscribed
    when the consent is documented (both its date and its source)."""

    model_config = ConfigDict(extra="forbid")

    email: FormEmail
    name: SingleLine = Field(default="", max_length=200)
    role: Role = Role.OTHER_LEADER_OF_LEADERS
    consent_date: OptionalSingleLine = Field(default=None, max_length=40)
    consent_source: OptionalSingleLine = Field(default=None, max_length=200)


class Added(BaseModel):
    # subscribed, invited, already_subscribed, already_invited
    outcome: str
    subscriber: SubscriberAnswer


class Unsubscription(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: FormEmail


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: SingleLine = Field(min_length=1, max_length=255)
    text: str = Field(min_length=1, max_length=IMPORT_MAX_BYTES)
    # True: nothing written, the answer says what importing would do.
    preview: bool = False


class RefusedLine(BaseModel):
    line: int
    message: str


class ImportAnswer(BaseModel):
    subscribed: int
    invited: int
    skipped: int
    refused: list[RefusedLine]
    rows: int
    # Why rows were skipped: subscribed, invited (already), suppressed, left (unsubscribed)
    skipped_because: dict[str, int]
    # False when previewed, or when a refused line kept the whole file out.
    imported: bool


def _subscriber(found: SubscriberView) -> dict[str, Any]:
    return {"email": found.email, "name": found.name, "status": found.status,
            "status_text": found.status_text, "consent": found.consent}


@app.get(SUBSCRIBERS, responses=staff_responses({200: SubscriberSearch}, 422),
         security=SECURITY)
def search_subscribers(q: Annotated[str, Query(max_length=200)] = "") -> dict[str, Any]:
    """The subscribers whose address holds `q` (any case; all when empty), by address, with
    their status and consent; `count` says how many matched, at most 200 are listed."""
    caller()
    count, found = subscribers().search(q)
    logger.info("subscribers searched", extra={"found": count})
    return {"count": count, "subscribers": [_subscriber(s) for s in found]}


@app.post(SUBSCRIBERS, responses=staff_responses({200: Added}, 409, *BODY_REFUSALS),
          security=SECURITY)
def add_subscriber(new: Annotated[NewSubscriber, Body()]) -> dict[str, Any]:
    """Add one address: it gets the double opt-in email (nothing is sent to it before its
    owner confirms), or is subscribed when `consent_date` and `consent_source` document the
    consent. 409 for an address that was suppressed (bounce, complaint) or unsubscribed;
    one already subscribed or invited is left as it is (`outcome` says so)."""
    caller()
    outcome, found = subscribers().add(new.email, new.name, new.role, new.consent_date or "",
                                       new.consent_source or "")
    logger.info("subscriber added", extra={"outcome": outcome})
    return {"outcome": outcome, "subscriber": _subscriber(found)}


@app.post(f"{SUBSCRIBERS}/unsubscribe",
          responses=staff_responses({200: SubscriberAnswer}, 404, *BODY_REFUSALS),
          security=SECURITY)
def unsubscribe_subscriber(who: Annotated[Unsubscription, Body()]) -> dict[str, Any]:
    """Unsubscribe one address at once (repeated: the same answer); staff never add it again."""
    caller()
    found = subscribers().unsubscribe(who.email)
    logger.info("subscriber unsubscribed by the editor")
    return _subscriber(found)


@app.post(IMPORT, responses=staff_responses({200: ImportAnswer}, *BODY_REFUSALS),
          security=SECURITY)
def import_subscribers(upload: Annotated[ImportRequest, Body()]) -> dict[str, Any]:
    """Import the union's list, a CSV file (`text`, up to 1 MB): rows with a consent date and
    source are subscribed with that consent; the others get the double opt-in email, once;
    suppressed and unsubscribed addresses are skipped. Every row is checked first: one
    refused row (`refused`, by line, in Danish) imports nothing. Idempotent: importing the
    same file again completes an import that stopped part-way and adds nobody twice. With
    `preview` nothing is written."""
    caller()
    done = subscribers().import_file(upload.text, preview=upload.preview)
    logger.info("subscribers imported" if done.imported else "subscriber import checked",
                extra={"rows": done.rows, "subscribed": done.subscribed,
                       "invited": done.invited, "skipped": done.skipped,
                       "refused": len(done.refused)})
    return {"subscribed": done.subscribed, "invited": done.invited, "skipped": done.skipped,
            "refused": [{"line": r.line, "message": r.message} for r in done.refused],
            "rows": done.rows, "skipped_because": done.skipped_because,
            "imported": done.imported}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "sesv2", "sqs"), steps=("shared.email.render:prime",))
