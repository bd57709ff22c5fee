"""`leaders consultant`: the leader consultant's queue of advisory requests and ideas."""

from __future__ import annotations

from typing import Any

import click

from cli.common import fail
from shared.danish import danish_time


@click.group()
@click.option("--by", default=None, metavar="EMAIL",
              help="Act as this consultant (the address they sign in to the staff console "
                   "with), e.g. to finish or release a request taken in the browser. "
                   "Without it, the lease and the audit name your AWS identity.")
@click.pass_context
def consultant(ctx: click.Context, by: str | None) -> None:
    """The leader consultant's queue of advisory requests and ideas."""
    ctx.meta["consultant_by"] = by.strip().lower() if by else None


def _desk() -> Any:
    from cli.resources import desk

    return desk(click.get_current_context().meta.get("consultant_by"))


LEASE_HELP = "How long the request stays yours before it returns to the queue."


def _show(leased: Any) -> None:
    from shared.advisory.mail import KIND_TEXT

    request, contents = leased.request, leased.contents
    click.echo(f"Reference:  {request.reference}")
    click.echo(f"Type:       {KIND_TEXT[request.kind]}{'  (HASTER)' if request.urgent else ''}")
    click.echo(f"Modtaget:   {danish_time(request.received_at)}")
    for label, value in (("Navn", contents.name), ("E-mail", contents.email),
                         ("Telefon", contents.phone),
                         ("Foretrækker", contents.contact_preference),
                         ("Emne", contents.topic)):
        if value:
            click.echo(f"{label + ':':<12}{value}")
    click.echo("")
    click.echo(contents.message)
    click.echo("")
    click.echo(f"Reserveret til dig indtil {danish_time(leased.until)}. Afslut med "
               f"'leaders consultant done {request.reference}' eller læg tilbage med "
               f"'leaders consultant release {request.reference}'.")


@consultant.command("next")
@click.option("--lease-minutes", default=30, show_default=True, type=click.IntRange(1, 720),
              help=LEASE_HELP)
def consultant_next(lease_minutes: int) -> None:
    """Lease the next request (urgent first, oldest first) and show it."""
    from datetime import timedelta

    leased = _desk().next(timedelta(minutes=lease_minutes))
    if leased is None:
        click.echo("Der venter ingen henvendelser.")
        return
    _show(leased)


@consultant.command("done")
@click.argument("reference")
@click.option("--note", default=None, help="A private note, stored sealed like the request.")
def consultant_done(reference: str, note: str | None) -> None:
    """Close REFERENCE: it leaves the queue for good."""
    _desk_call(reference, lambda: _desk().done(reference.upper(), note))
    click.echo(f"{reference.upper()} er afsluttet.")


@consultant.command("release")
@click.argument("reference")
def consultant_release(reference: str) -> None:
    """Put REFERENCE back in the queue at once."""
    _desk_call(reference, lambda: _desk().release(reference.upper()))
    click.echo(f"{reference.upper()} er lagt tilbage i køen.")


@consultant.command("extend")
@click.argument("reference")
@click.option("--lease-minutes", default=30, show_default=True, type=click.IntRange(1, 720),
              help=LEASE_HELP)
def consultant_extend(reference: str, lease_minutes: int) -> None:
    """Keep REFERENCE longer."""
    from datetime import timedelta

    until: list[Any] = []
    _desk_call(reference, lambda: until.append(_desk().extend(
        reference.upper(), timedelta(minutes=lease_minutes))))
    click.echo(f"{reference.upper()} er reserveret til dig indtil {danish_time(until[0])}.")


@consultant.command("mine")
def consultant_mine() -> None:
    """What you hold, from any device: leases running and requests on hold ("afventer
    svar"), due ones first. No texts, no names."""
    from shared.advisory.mail import KIND_TEXT
    from shared.danish import danish_date

    found = _desk().mine()
    if not found:
        click.echo("Du har ingen åbne henvendelser.")
    for item in found:
        if item.leased_until:
            state = f"reserveret til {danish_time(item.leased_until)}"
        else:
            day = danish_date(f"{item.follow_up_on}T12:00:00+00:00")
            state = f"afventer svar, opfølgning {day}{'  (NU)' if item.due else ''}"
        click.echo(f"{item.reference}  {state}  {KIND_TEXT[item.kind]}")


@consultant.command("hold")
@click.argument("reference")
@click.option("--until", "follow_up_on", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The day (YYYY-MM-DD, Danish) it is due again in your list.")
@click.option("--note", default=None, help="A private note, stored sealed like the request.")
def consultant_hold(reference: str, follow_up_on: Any, note: str | None) -> None:
    """"Afventer svar": REFERENCE leaves the queue and stays yours until the follow-up day."""
    from shared.danish import danish_date

    _desk_call(reference, lambda: _desk().hold(reference.upper(), follow_up_on.date(), note))
    day = danish_date(f"{follow_up_on.date().isoformat()}T12:00:00+00:00")
    click.echo(f"{reference.upper()} afventer svar. Fra {day} står den øverst i dine åbne "
               "henvendelser.")


@consultant.command("reopen")
@click.argument("reference")
def consultant_reopen(reference: str) -> None:
    """Take up again a finished request, or one you have on hold: it is yours for 30
    minutes."""
    until: list[Any] = []
    _desk_call(reference, lambda: until.append(_desk().reopen(reference.upper())))
    click.echo(f"{reference.upper()} er reserveret til dig indtil {danish_time(until[0])}.")


@consultant.command("list")
def consultant_list() -> None:
    """What waits and how long, without names or texts."""
    from shared.advisory.mail import KIND_TEXT

    waiting = _desk().waiting()
    if not waiting:
        click.echo("Der venter ingen henvendelser.")
    for item in waiting:
        click.echo(f"{item.reference}  {'HASTER ' if item.urgent else '       '}"
                   f"{item.status.value:<8} {item.age_hours:>7.1f} t  {KIND_TEXT[item.kind]}")


@consultant.command("history")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 50),
              help="How many of the last finished requests.")
def consultant_history(limit: int) -> None:
    """The last finished requests, newest first, with their notes (each note shown is
    audited)."""
    from shared.advisory.mail import KIND_TEXT

    found = _desk().history(limit)
    if not found:
        click.echo("Ingen henvendelser er afsluttet endnu.")
    for request, note in found:
        finished = danish_time(request.done_at) if request.done_at else "-"
        click.echo(f"{request.reference}  {'HASTER ' if request.urgent else '       '}"
                   f"afsluttet {finished}  {KIND_TEXT[request.kind]}"
                   f"{'  af ' + request.done_by if request.done_by else ''}")
        if note:
            click.echo(f"    Note: {note}")


@consultant.command("audit")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 730),
              help="How many days back, today included (UTC days).")
@click.option("--reference", default=None, help="Only this request.")
def consultant_audit(days: int, reference: str | None) -> None:
    """Who viewed or handled which request, and when: never anything of its contents."""
    from datetime import timedelta

    from cli.resources import advisory_store
    from shared.advisory.service import audit_trail
    from shared.platform.clock import utcnow

    today = utcnow().date()
    entries = audit_trail(advisory_store(), today - timedelta(days=days - 1), today)
    if reference:
        entries = [e for e in entries if e.reference == reference.strip().upper()]
    if not entries:
        click.echo("Ingen opslag i perioden.")
    for entry in entries:
        click.echo(f"{danish_time(entry.at)}  {entry.reference}  {entry.action.value:<8} "
                   f"{entry.by}")


@consultant.command("backfill-addresses")
def consultant_backfill_addresses() -> None:
    """Once, after the upgrade that added it: give every stored request that names an email
    the keyed hash of the address, so a data-protection request finds it by a query. Opens
    only those without one (none are shown); safe to repeat."""
    from cli.resources import advisory_lookup_secret, advisory_store
    from shared.adapters.parameters import parameter
    from shared.adapters.wiring import sealer
    from shared.advisory.service import backfill_address_keys
    from shared.platform.names import PARAM_ADVISORY_KEY

    done, left = backfill_address_keys(advisory_store(), sealer(parameter(PARAM_ADVISORY_KEY)),
                                       advisory_lookup_secret())
    click.echo(f"{done} henvendelser fik adressens nøgle; {left} uden e-mail blev ikke ændret.")


def _desk_call(reference: str, action: Any) -> None:
    from shared.errors import DomainError, InvalidInput, NotFound

    try:
        action()
    except NotFound:
        fail(f"Henvendelsen {reference.upper()} findes ikke. 'leaders consultant list' viser "
              "dem, der venter.")
    except DomainError as exc:
        fail(exc.message)
    except InvalidInput as exc:
        fail(" ".join(error.message for error in exc.errors))
