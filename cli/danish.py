"""What the operator reads and types, in Danish: times in Danish time (Europe/Copenhagen),
role and status names, and yes/no answers (j/n as well as y/n)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from shared.clock import COPENHAGEN

ROLE_NAMES = {
    "area_leader": "Områdeleder", "cluster_leader": "Klyngeleder",
    "district_leader": "Distriktsleder", "other_leader_of_leaders": "Anden leder af ledere",
    "administration": "Ansat i forvaltningen", "other": "Andet",
}
STATUS_NAMES = {"confirmed": "Bekræftet", "waitlisted": "På venteliste",
                "cancelled": "Afmeldt", "pending": "Afventer bekræftelse"}
YES = ("j", "ja", "y", "yes")
NO = ("n", "nej", "no")
TIME_FORMAT = "ÅÅÅÅ-MM-DD tt:mm, fx 2027-03-02 08:00"


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role)


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def danish_time(moment: datetime | str | None) -> str:
    """A moment (or its ISO 8601 text) as the operator reads it: Danish wall-clock time, to
    the minute."""
    if moment is None or moment == "":
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # kept without an offset: UTC inside the system
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M")


def parse_danish_time(text: str) -> datetime:
    """A time the operator typed: Danish time unless it carries its own offset.
    ValueError when it is not a time."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=COPENHAGEN) if moment.tzinfo is None else moment


def _yes_no(value: str) -> bool:
    answer = value.strip().lower()
    if answer in YES:
        return True
    if answer in NO:
        return False
    raise click.UsageError("Svar j (ja) eller n (nej).")


def confirm(question: str) -> bool:
    """Asks until the answer is j/ja/y/yes or n/nej/no; no answer (Enter) is no."""
    return bool(click.prompt(f"{question} [j/n]", default="n", show_default=False,
                             value_proc=_yes_no, err=True))
