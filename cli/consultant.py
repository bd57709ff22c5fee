"""`leaders consultant`: the leader consultant's queue of advisory requests and ideas."""

from __future__ import annotations

from typing import Any

import click

from cli.common import fail
from shared.danish import danish_time


@click.group()
def consultant() -> None:
    """The leader consultant's queue of advisory requests and ideas."""


LEASE_HELP = "How long the request stays yours before it returns to the queue."


def _show(leased: Any) -> None:
    from shared.advisory.mail import KIND_TEXT
    from shared.clock import to_copenhagen

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

    _desk_call(reference, lambda: desk().done(reference.upper(), note))
    click.echo(f"{reference.upper()} er afsluttet.")


@consultant.command("release")
@click.argument("reference")
def consultant_release(reference: str) -> None:
    """Put REFERENCE back in the queue at once."""
    from cli.resources import desk

    _desk_call(reference, lambda: desk().release(reference.upper()))
    click.echo(f"{reference.upper()} er lagt tilbage i køen.")


@consultant.command("extend")
@click.argument("reference")
@click.option("--lease-minutes", default=30, show_default=True, type=click.IntRange(1, 720),
              help=LEASE_HELP)
def consultant_extend(reference: str, lease_minutes: int) -> None:
    """Keep REFERENCE longer."""
    from datetime import timedelta

    from cli.resources import desk

    _desk_call(reference, lambda: desk().extend(reference.upper(),
                                                timedelta(minutes=lease_minutes)))
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


def _desk_call(reference: str, action: Any) -> None:
    from shared.errors import DomainError, NotFound

    try:
        action()
    except NotFound:
        fail(f"Henvendelsen {reference.upper()} findes ikke. 'leaders consultant list' viser "
              "dem, der venter.")
    except DomainError as exc:
        fail(exc.message)
