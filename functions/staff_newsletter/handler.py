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
from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared.adapters.wiring import newsletter_editor
from shared.edge.http import (
    BODY_REFUSALS,
    Body,
    Response,
    create_resolver,
    json_response,
    staff_responses,
)
from shared.edge.staff import SECURITY, StaffUser
from shared.edge.staff import caller as staff_caller
from shared.newsletter.models import Approval, ArchiveChoice, DraftText, Duplicate, Issue
from shared.platform import snapstart
from shared.platform.clock import iso_copenhagen
from shared.platform.observability import logger, metrics
from shared.platform.settings import NewsletterEditorSettings

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
def save(issue_id: str, text: Annotated[DraftText, Body()]) -> dict[str, Any]:
    """Create the draft, or replace it while it is a draft (409 once approved or sent)."""
    caller()
    saved = editor.save_draft(issue_id, text.subject, text.markdown)
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


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "sesv2", "sqs"), steps=("shared.email.render:prime",))
