"""`leaders`: one command with a group per area. It talks to AWS with the usual credentials,
or to the local runtime when AWS_ENDPOINT_URL points at its emulator."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from shared.errors import InvalidInput


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _read_file(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"Kan ikke læse {path}: {exc.strerror}")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        _fail(f"{path} er ikke gyldig YAML/JSON: {exc}")


@click.group()
def main() -> None:
    """Leaders of leaders: operator commands."""


@main.group()
def forums() -> None:
    """Forums and their sessions."""


def _catalogue() -> Any:
    from cli.resources import catalogue

    return catalogue()


@forums.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def forums_import(file: Path) -> None:
    """Create or update forums and sessions from a YAML or JSON FILE (safe to run again)."""
    data = _read_file(file)
    if not isinstance(data, dict):
        _fail(f"{file}: forventede en fil med 'forums:' øverst.")
    try:
        result = _catalogue().import_file(data)
    except InvalidInput as exc:
        lines = [f"  {e.field}: {e.message} ({e.code})" for e in exc.errors]
        _fail(f"{file} blev ikke indlæst; ret disse felter:\n" + "\n".join(lines))
    click.echo(f"Indlæst: {result.forums} forum, {result.sessions} sessioner.")


@forums.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON as the public API shows it.")
def forums_list(as_json: bool) -> None:
    """List forums with their upcoming sessions and seats left."""
    listing = _catalogue().list_forums()
    if as_json:
        click.echo(listing.model_dump_json(indent=2))
        return
    if not listing.forums:
        click.echo("Ingen kommende forum.")
    for forum in listing.forums:
        click.echo(f"{forum.id}  {forum.title}  [{forum.audience.value}]")
        for s in forum.sessions:
            click.echo(f"  {s.id:<36} {s.city:<12} {s.starts_at}  "
                       f"{s.seats_left:>3}/{s.capacity:<3} {s.status.value}")


PARTICIPANT_COLUMNS = ["status", "waitlist_position", "name", "email", "phone", "role",
                       "workplace", "member_number", "needs", "registered_at", "id"]


@forums.command("participants")
@click.argument("session_id")
@click.option("--csv", "as_csv", is_flag=True, help="CSV for a spreadsheet (UTF-8, ; separated).")
def forums_participants(session_id: str, as_csv: bool) -> None:
    """List everyone registered for SESSION_ID: confirmed, waiting in line, cancelled."""
    import csv

    from cli.resources import registration_store

    store = registration_store()
    waiting = store.waiting(session_id)
    rows = []
    for r in _registrations(store).participants(session_id):
        position = waiting.index(r.id) + 1 if r.id in waiting else ""
        rows.append([r.status.value, position, r.name, r.email, r.phone or "", r.role.value,
                     r.workplace, r.member_number or "", r.needs or "",
                     r.created_at.isoformat(timespec="seconds"), r.id])
    if as_csv:
        writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
        writer.writerow(PARTICIPANT_COLUMNS)
        writer.writerows(rows)
        return
    if not rows:
        click.echo("Ingen tilmeldinger.")
    for row in rows:
        status = f"{row[0]} {row[1]}".strip()
        click.echo(f"{status:<14} {row[2]:<30} {row[3]:<32} {row[6]}")
    confirmed = sum(1 for row in rows if row[0] == "confirmed")
    click.echo(f"{confirmed} bekræftede, {len(waiting)} på venteliste.")


def _registrations(store: object) -> Any:
    from shared.forums.registration import Registrations

    return Registrations(store, secret=b"")  # type: ignore[arg-type] # listing signs nothing


@forums.command("close")
@click.argument("session_id")
@click.option("--reopen", is_flag=True, help="Open the registration again.")
def forums_close(session_id: str, reopen: bool) -> None:
    """Close registration for SESSION_ID (registered participants keep their seats)."""
    from cli.resources import catalogue_reader

    catalogue_reader().set_status(session_id, closed=not reopen)
    click.echo(f"{session_id}: tilmelding {'åbnet' if reopen else 'lukket'}.")


@forums.command("cancel-session")
@click.argument("session_id")
@click.option("--reason", required=True, help="Told to every participant (Danish).")
def forums_cancel_session(session_id: str, reason: str) -> None:
    """Cancel SESSION_ID: every participant is told once, by email, with the reason."""
    from cli.resources import catalogue_reader, registration_store
    from shared.forums.registration import CancelledBy, Status

    catalogue_reader().set_status(session_id, cancelled=True, reason=reason)
    store = registration_store()
    cancelled = 0
    for registration in store.registrations(session_id):
        if registration.status is not Status.CANCELLED and _registrations(store)\
                .cancel_by_secretariat(session_id, registration.id, CancelledBy.SESSION_CANCELLED):
            cancelled += 1
    click.echo(f"{session_id} er aflyst; {cancelled} deltagere får besked.")


@main.group()
def consultant() -> None:
    """The leader consultant's queue of advisory requests and ideas."""


LEASE_HELP = "How long the request stays yours before it returns to the queue."


def _show(leased: Any) -> None:
    from shared.advisory.mail import KIND_TEXT
    from shared.clock import to_copenhagen

    request, contents = leased.request, leased.contents
    click.echo(f"Reference:  {request.reference}")
    click.echo(f"Type:       {KIND_TEXT[request.kind]}{'  (HASTER)' if request.urgent else ''}")
    click.echo(f"Modtaget:   {request.received_at.isoformat(timespec='minutes')}")
    for label, value in (("Navn", contents.name), ("E-mail", contents.email),
                         ("Telefon", contents.phone),
                         ("Foretrækker", contents.contact_preference),
                         ("Emne", contents.topic)):
        if value:
            click.echo(f"{label + ':':<12}{value}")
    click.echo("")
    click.echo(contents.message)
    click.echo("")
    until = to_copenhagen(leased.until).strftime("%H.%M")
    click.echo(f"Lånt til dig til kl. {until}. Afslut med "
               f"'leaders consultant done {request.reference}' eller læg tilbage med "
               f"'leaders consultant release {request.reference}'.")


@consultant.command("next")
@click.option("--lease-minutes", default=30, show_default=True, type=click.IntRange(1, 720),
              help=LEASE_HELP)
def consultant_next(lease_minutes: int) -> None:
    """Lease the next request (urgent first, oldest first) and show it."""
    from datetime import timedelta

    from cli.resources import desk

    leased = desk().next(timedelta(minutes=lease_minutes))
    if leased is None:
        click.echo("Der venter ingen henvendelser.")
        return
    _show(leased)


@consultant.command("done")
@click.argument("reference")
@click.option("--note", default=None, help="A private note, stored sealed like the request.")
def consultant_done(reference: str, note: str | None) -> None:
    """Close REFERENCE: it leaves the queue for good."""
    from cli.resources import desk

    _desk_call(lambda: desk().done(reference.upper(), note))
    click.echo(f"{reference.upper()} er afsluttet.")


@consultant.command("release")
@click.argument("reference")
def consultant_release(reference: str) -> None:
    """Put REFERENCE back in the queue at once."""
    from cli.resources import desk

    _desk_call(lambda: desk().release(reference.upper()))
    click.echo(f"{reference.upper()} er lagt tilbage i køen.")


@consultant.command("extend")
@click.argument("reference")
@click.option("--lease-minutes", default=30, show_default=True, type=click.IntRange(1, 720),
              help=LEASE_HELP)
def consultant_extend(reference: str, lease_minutes: int) -> None:
    """Keep REFERENCE longer."""
    from datetime import timedelta

    from cli.resources import desk

    _desk_call(lambda: desk().extend(reference.upper(), timedelta(minutes=lease_minutes)))
    click.echo(f"{reference.upper()} er dit i {lease_minutes} minutter mere.")


@consultant.command("list")
def consultant_list() -> None:
    """What waits and how long, without names or texts."""
    from cli.resources import desk
    from shared.advisory.mail import KIND_TEXT

    waiting = desk().waiting()
    if not waiting:
        click.echo("Der venter ingen henvendelser.")
    for item in waiting:
        click.echo(f"{item.reference}  {'HASTER ' if item.urgent else '       '}"
                   f"{item.status.value:<8} {item.age_hours:>7.1f} t  {KIND_TEXT[item.kind]}")


def _desk_call(action: Any) -> None:
    from shared.errors import DomainError

    try:
        action()
    except DomainError as exc:
        _fail(exc.message)


@main.group(name="newsletter")
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
        _fail(f"Id '{issue_id}' må kun have små bogstaver, tal og bindestreger.")
    if "\n" in subject or "\r" in subject or not subject.strip():
        _fail("Emnelinjen skal være én linje tekst.")
    issue = draft(issue_id, subject.strip(), file.read_text(encoding="utf-8"),
                  markdown=file.suffix.lower() in (".md", ".markdown"), now=utcnow())
    store = newsletter_store()
    try:
        store.put_issue(issue)
    except store._client.exceptions.ConditionalCheckFailedException:
        _fail(f"{issue_id} er allerede godkendt eller sendt og kan ikke ændres.")
    click.echo(f"Kladde {issue_id} gemt. Send en prøve med 'leaders newsletter test "
               f"{issue_id} --to din@adresse.dk'.")


@newsletter_group.command("test")
@click.argument("issue_id")
@click.option("--to", "recipients", multiple=True, required=True, help="An editor address.")
def newsletter_test(issue_id: str, recipients: tuple[str, ...]) -> None:
    """Send ISSUE_ID to editor addresses, marked as a test (nobody is unsubscribed by it)."""
    from cli.resources import newsletter
    from shared.errors import DomainError

    try:
        newsletter().send_test(issue_id, list(recipients))
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"Prøve sendt til {', '.join(recipients)}.")


@newsletter_group.command("approve")
@click.argument("issue_id")
@click.option("--at", "send_at", default=None,
              help="Its own send time, Danish time, e.g. 2027-03-02T08:00 (else the schedule).")
def newsletter_approve(issue_id: str, send_at: str | None) -> None:
    """Approve ISSUE_ID: it goes out with the next scheduled send, or at --at."""
    from datetime import datetime

    from cli.resources import newsletter
    from shared.clock import COPENHAGEN
    from shared.errors import DomainError

    moment: datetime | None = None
    if send_at:
        try:
            moment = datetime.fromisoformat(send_at)
        except ValueError:
            _fail("Tidspunktet skal skrives som 2027-03-02T08:00.")
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=COPENHAGEN)
    try:
        issue = newsletter().approve(issue_id, moment)
    except DomainError as exc:
        _fail(exc.message)
    when = issue.send_at.isoformat(timespec="minutes") if issue.send_at else \
        "med næste planlagte udsendelse"
    click.echo(f"{issue_id} er godkendt og sendes {when}.")


@newsletter_group.command("status")
@click.argument("issue_id", required=False)
def newsletter_status(issue_id: str | None) -> None:
    """Per issue: status, recipients, sent, failed, bounced, complained, unsubscribed since."""
    from cli.resources import newsletter_store

    store = newsletter_store()
    issues = [store.issue(issue_id)] if issue_id else store.issues()
    if not issues or issues[0] is None:
        _fail("Ingen numre." if not issue_id else f"Nummeret {issue_id} findes ikke.")
    for issue in issues:
        assert issue is not None
        when = issue.send_at.isoformat(timespec="minutes") if issue.send_at else "-"
        click.echo(f"{issue.id:<24} {issue.status.value:<9} sendes {when:<17} "
                   f"modtagere {issue.recipients}  sendt {issue.sent}  fejlet {issue.failed}  "
                   f"bounced {issue.bounced}  klager {issue.complained}  "
                   f"afmeldt {issue.unsubscribed}  {issue.subject}")


@main.group()
def privacy() -> None:
    """Data-protection requests for one email address."""


AREAS = ("forums", "newsletter", "advisory")
AREA_OPTION = click.option(
    "--area", "areas", multiple=True, type=click.Choice(AREAS),
    help="Only these areas (default: all). Advisory needs the consultant's role.")


def _privacy_service(areas: tuple[str, ...]) -> Any:
    from cli.resources import privacy as build

    return build(areas or AREAS)


def _not_searched(skipped: list[str]) -> None:
    """Areas the caller may not read: said plainly, and a non-zero exit for scripts."""
    if skipped:
        from shared.privacy import Unreadable

        click.echo(f"Ikke søgt: {', '.join(skipped)}. {Unreadable.message}", err=True)
        sys.exit(2)


@privacy.command("export")
@click.argument("email")
@AREA_OPTION
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the JSON to this file (default: print it).")
def privacy_export(email: str, areas: tuple[str, ...], out: Path | None) -> None:
    """Everything held about EMAIL across forums, newsletter and advisory, as JSON."""
    data, report = _privacy_service(areas).export(email)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        counts = ", ".join(f"{area} {n}" for area, n in report.counts.items())
        click.echo(f"Skrevet til {out}: {counts}.")
    _not_searched(report.skipped)


@privacy.command("erase")
@click.argument("email")
@AREA_OPTION
@click.option("--yes", is_flag=True, help="Do not ask before erasing.")
def privacy_erase(email: str, areas: tuple[str, ...], yes: bool) -> None:
    """Delete everything held about EMAIL (a coming seat is given up first). Anonymous totals
    stay; an audit record without personal data is kept. Safe to run again."""
    if not yes:
        click.confirm(f"Slet alle oplysninger om {email}?", abort=True)
    report = _privacy_service(areas).erase(email)
    counts = ", ".join(f"{area} {n}" for area, n in report.counts.items())
    click.echo(f"Slettet: {counts}. Revisionsspor: {report.request_id}.")
    _not_searched(report.skipped)


def run() -> None:
    """The console entry: AWS problems become one clear line instead of a traceback."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        main()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        _fail(f"AWS svarede {error.get('Code', 'fejl')}: {error.get('Message', '')}")
    except BotoCoreError as exc:
        _fail(f"Kunne ikke tale med AWS: {exc}")


if __name__ == "__main__":
    run()
