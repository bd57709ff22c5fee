"""`leaders newsletter`: drafts, tests, approval and its withdrawal, sending and statistics.
The editor's commands call the same flows as the staff console (shared.newsletter.editor)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from cli.common import fail
from shared.danish import danish_time
from shared.errors import InvalidInput, NotFound


@click.group(name="newsletter")
def newsletter_group() -> None:
    """The newsletter: drafts, tests, approval, sending and statistics."""


@newsletter_group.command("draft")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--subject", required=True, help="The subject line (Danish).")
@click.option("--id", "issue_id", default=None, help="Issue id (default: the file's name).")
def newsletter_draft(file: Path, subject: str, issue_id: str | None) -> None:
    """Create or replace a draft from a Markdown (.md) or HTML file."""
    from cli.resources import newsletter_editor

    issue_id = (issue_id or file.stem).lower()
    try:
        newsletter_editor().save_draft(issue_id, subject, file.read_text(encoding="utf-8"),
                                       markdown=file.suffix.lower() in (".md", ".markdown"))
    except InvalidInput as exc:
        _invalid(exc, {"issue_id": f"Id '{issue_id}'", "subject": "Emnelinjen",
                       "markdown": str(file.name)})
    click.echo(f"Kladde {issue_id} gemt. Send en prøve med 'leaders newsletter test "
               f"{issue_id} --to din@adresse.dk'.")


@newsletter_group.command("test")
@click.argument("issue_id")
@click.option("--to", "recipients", multiple=True, required=True, help="An editor address.")
def newsletter_test(issue_id: str, recipients: tuple[str, ...]) -> None:
    """Send ISSUE_ID to editor addresses, marked as a test (nobody is unsubscribed by it)."""
    from cli.resources import newsletter_editor

    try:
        newsletter_editor().send_test(issue_id, list(recipients))
    except NotFound:
        _issue_not_found(issue_id)
    click.echo(f"Prøve sendt til {', '.join(recipients)}.")


@newsletter_group.command("approve")
@click.argument("issue_id")
@click.option("--at", "send_at", default=None,
              help="Its own send time in Danish time, e.g. '2027-03-02 08:00' (else the "
                   "schedule).")
def newsletter_approve(issue_id: str, send_at: str | None) -> None:
    """Approve ISSUE_ID: it goes out with the next scheduled send, or at --at."""
    from cli.resources import newsletter_editor
    from shared.newsletter.editor import send_time
    from shared.platform.clock import utcnow

    try:
        send_time(send_at, utcnow())  # a time typed wrong is told before AWS is asked
        editor = newsletter_editor()
        issue = editor.approve(issue_id, send_at)
    except InvalidInput as exc:
        _invalid(exc, {})
    except NotFound:
        _issue_not_found(issue_id)
    if issue.send_at:
        when = f"{danish_time(issue.send_at)} (dansk tid)"
    else:
        scheduled = editor.scheduled_send(issue)
        when = "med næste planlagte udsendelse" + (
            f", {danish_time(scheduled)} (dansk tid)" if scheduled else "")
    click.echo(f"{issue_id} er godkendt og sendes {when}. 'leaders newsletter withdraw "
               f"{issue_id}' trækker godkendelsen tilbage, indtil udsendelsen begynder.")


@newsletter_group.command("withdraw")
@click.argument("issue_id")
def newsletter_withdraw(issue_id: str) -> None:
    """Withdraw the approval of ISSUE_ID (back to a draft), unless sending has begun."""
    from cli.resources import newsletter_editor

    try:
        newsletter_editor().withdraw(issue_id)
    except NotFound:
        _issue_not_found(issue_id)
    click.echo(f"Godkendelsen af {issue_id} er trukket tilbage; nummeret er en kladde igen.")


def _invalid(error: InvalidInput, names: dict[str, str]) -> NoReturn:
    """Each field's Danish message, named as the operator typed it."""
    fail("\n".join(f"{names[e.field]}: {e.message}" if e.field in names else e.message
                   for e in error.errors))
    raise SystemExit(1)  # (fail has exited)


def _issue_not_found(issue_id: str) -> NoReturn:
    fail(f"Nummeret {issue_id} findes ikke. 'leaders newsletter status' viser numrene.")
    raise SystemExit(1)


@newsletter_group.command("status")
@click.argument("issue_id", required=False)
def newsletter_status(issue_id: str | None) -> None:
    """Per issue: status, recipients, sent, failed, uncertain (SES may have accepted, not
    recorded), bounced, complained, unsubscribed since."""
    from cli.resources import newsletter_editor

    editor = newsletter_editor()
    try:
        issues = [editor.issue(issue_id)] if issue_id else editor.issues()[::-1]
    except NotFound:
        _issue_not_found(issue_id or "")
    if not issues:
        fail("Der er ingen numre endnu.")
    scheduled = editor.scheduled_sends()
    for issue in issues:
        # Its own time, or the scheduled send that takes it (not for a draft: not approved).
        when = danish_time(issue.send_at or (scheduled.get(issue.id)
                                             if issue.status.value == "approved" else None))
        click.echo(f"{issue.id:<24} {issue.status.value:<9} sendes {when:<17} "
                   f"modtagere {issue.recipients}  sendt {issue.sent}  fejlet {issue.failed}  "
                   f"usikre {issue.uncertain}  "
                   f"bounced {issue.bounced}  klager {issue.complained}  "
                   f"afmeldt {issue.unsubscribed}  {issue.subject}")
