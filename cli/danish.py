"""What the operator reads and types, in Danish: times in Danish time (Europe/Copenhagen),
role and status names, and yes/no answers (j/n as well as y/n)."""

from __future__ import annotations

from datetime import UTC, datetime

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


class DanishTimeError(ValueError):
    """A wall-clock time that Danish time skips or repeats, said in Danish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _repeated_or_skipped(wall: datetime) -> bool:
    """True for a wall-clock time in the hour that summer time skips or winter time repeats."""
    return wall.replace(tzinfo=COPENHAGEN, fold=0).utcoffset() != \
        wall.replace(tzinfo=COPENHAGEN, fold=1).utcoffset()


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def danish_time(moment: datetime | str | None) -> str:
    """A moment (or its ISO 8601 text) as the operator reads it: Danish wall-clock time, to
    the minute; in the hour that comes twice when summer time ends, with its offset
    (`2027-10-31 02:30 (+02:00)`), so two moments never read alike."""
    if moment is None or moment == "":
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # kept without an offset: UTC inside the system
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(COPENHAGEN)
    shown = local.strftime("%Y-%m-%d %H:%M")
    return f"{shown} ({_offset(local)})" if _repeated_or_skipped(local.replace(tzinfo=None)) \
        else shown


def parse_danish_time(text: str) -> datetime:
    """A time the operator typed: Danish time unless it carries its own offset. ValueError
    when it is not a time; DanishTimeError for a time Danish time skips (spring) or has twice
    (autumn), which is never guessed: the operator gives another time or the offset."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=COPENHAGEN)
    if _repeated_or_skipped(moment):
        shown = moment.strftime("%Y-%m-%d %H:%M")
        if local.astimezone(UTC).astimezone(COPENHAGEN).replace(tzinfo=None) != moment:
            raise DanishTimeError(
                f"{shown} findes ikke i dansk tid: uret springer fra 02:00 til 03:00, når "
                "sommertiden begynder. Vælg et andet tidspunkt.")
        raise DanishTimeError(
            f"{shown} kommer to gange i dansk tid: uret stilles fra 03:00 tilbage til 02:00, "
            f"når sommertiden slutter. Skriv {shown}+02:00 (den første, sommertid) eller "
            f"{shown}+01:00 (den anden, vintertid).")
    return local


def _yes_no(value: str) -> bool:
    answer = value.strip().lower()
    if answer in YES:
        return True
    if answer in NO:
        return False
    import click  # the prompts only: the staff API's spreadsheet uses this module without it

    raise click.UsageError("Svar j (ja) eller n (nej).")


def confirm(question: str) -> bool:
    """Asks until the answer is j/ja/y/yes or n/nej/no; no answer (Enter, or input closed)
    is no."""
    import click

    try:
        return bool(click.prompt(f"{question} [j/n]", default="n", show_default=False,
                                 value_proc=_yes_no, err=True))
    except click.Abort:  # no answer at all (input closed, Ctrl-C): no, and said in Danish
        click.echo("", err=True)
        return False
