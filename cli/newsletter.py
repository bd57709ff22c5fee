"""`leaders newsletter`: drafts, tests, approval, sending and statistics."""

from __future__ import annotations

from pathlib import Path

import click

from cli.common import fail
from shared.danish import TIME_FORMAT, DanishTimeError, danish_time, parse_danish_time


@click.group(name="newsletter")
def newsletter_group() -> None:
    """The newsletter: drafts, tests, approval, sending and statistics."""


@newsletter_group.command("draft")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--subject", required=True, help="The subject line (Danish).")
@click.option("--id", "issue_id", default=None, help="Issue id (default: the file's name).")
def newsletter_draft(file: Path, subject: str, issue_id: str | None) -> None:
    """Create or replace a draft from a Markdown (.md) or HTML file."""
    import re

    from cli.resources import newsletter_store
    from shared.clock import utcnow
    from shared.newsletter.editor import ISSUE_ID, draft

    issue_id = (issue_id or file.stem).lower()
    if not re.fullmatch(ISSUE_ID, issue_id):
        fail(f"Id '{issue_id}' må kun have små bogstaver, tal og bindestreger.")
    if "\n" in subject or "\r" in subject or not subject.strip():
        fail("Emnelinjen skal være én linje tekst.")
    issue = draft(issue_id, subject.strip(), file.read_text(encoding="utf-8"),
                  markdown=file.suffix.lower() in (".md", ".markdown"), now=utcnow())
    store = newsletter_store()
    try:
        store.put_issue(issue)
    except store._client.exceptions.ConditionalCheckFailedException:
        fail(f"{issue_id} er allerede godkendt eller sendt og kan ikke ændres.")
    click.echo(f"Kladde {issue_id} gemt. Send en prøve med 'leaders newsletter test "
               f"{issue_id} --to din@adresse.dk'.")


@newsletter_group.command("test")
@click.argument("issue_id")
@click.option("--to", "recipients", multiple=True, required=True, help="An editor address.")
def newsletter_test(issue_id: str, recipients: tuple[str, ...]) -> None:
    """Send ISSUE_ID to editor addresses, marked as a test (nobody is unsubscribed by it)."""
    from cli.resources import newsletter
    from shared.errors import DomainError, NotFound

    try:
        newsletter().send_test(issue_id, list(recipients))
    except NotFound:
        _issue_not_found(issue_id)
    except DomainError as exc:
        fail(exc.message)
    click.echo(f"Prøve sendt til {', '.join(recipients)}.")


@newsletter_group.command("approve")
@click.argument("issue_id")
@click.option("--at", "send_at", default=None,
              help="Its own send time in Danish time, e.g. '2027-03-02 08:00' (else the "
                   "schedule).")
def newsletter_approve(issue_id: str, send_at: str | None) -> None:
    """Approve ISSUE_ID: it goes out with the next scheduled send, or at --at."""
    from datetime import datetime

    from cli.resources import newsletter, newsletter_store
    from shared.clock import utcnow
    from shared.errors import DomainError

    moment: datetime | None = None
    if send_at:
        try:
            moment = parse_danish_time(send_at)
        except DanishTimeError as exc:
            fail(exc.message)
        except ValueError:
            fail(f"Skriv tidspunktet i dansk tid som {TIME_FORMAT}.")
        if moment is not None and moment <= utcnow():
            fail(f"{danish_time(moment)} er allerede passeret; vælg et tidspunkt frem i tiden "
                  "(dansk tid).")
    if newsletter_store().issue(issue_id) is None:
        _issue_not_found(issue_id)
    try:
        issue = newsletter().approve(issue_id, moment)
    except DomainError as exc:
        fail(exc.message)
    when = f"{danish_time(issue.send_at)} (dansk tid)" if issue.send_at else \
        "med næste planlagte udsendelse"
    click.echo(f"{issue_id} er godkendt og sendes {when}.")


def _issue_not_found(issue_id: str) -> None:
    fail(f"Nummeret {issue_id} findes ikke. 'leaders newsletter status' viser numrene.")


@newsletter_group.command("status")
@click.argument("issue_id", required=False)
def newsletter_status(issue_id: str | None) -> None:
    """Per issue: status, recipients, sent, failed, uncertain (SES may have accepted, not
    recorded), bounced, complained, unsubscribed since."""
    from cli.resources import newsletter_store

    store = newsletter_store()
    issues = [store.issue(issue_id)] if issue_id else store.issues()
    if not issues or issues[0] is None:
        if issue_id:
            _issue_not_found(issue_id)
        fail("Der er ingen numre endnu.")
    for issue in issues:
        assert issue is not None
        when = danish_time(issue.send_at)
        click.echo(f"{issue.id:<24} {issue.status.value:<9} sendes {when:<17} "
                   f"modtagere {issue.recipients}  sendt {issue.sent}  fejlet {issue.failed}  "
                   f"usikre {issue.uncertain}  "
                   f"bounced {issue.bounced}  klager {issue.complained}  "
                   f"afmeldt {issue.unsubscribed}  {issue.subject}")
