"""What staff read and type, in Danish (the CLI, the console and the spreadsheet alike): times
in Danish time (Europe/Copenhagen), and role and status names."""

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
