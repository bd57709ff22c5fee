"""What people read and staff type, in Danish (emails, pages, the CLI, the console and the
spreadsheet alike): times in Danish time (Europe/Copenhagen), role and status names, phone
numbers and the count of a participant list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from shared.platform.clock import COPENHAGEN

ROLE_NAMES = {
    "area_leader": "Områdeleder", "cluster_leader": "Klyngeleder",
    "district_leader": "Distriktsleder", "other_leader_of_leaders": "Anden leder af ledere",
    "administration": "Ansat i forvaltningen", "other": "Andet",
}
# Who a forum invites (shared.roles.Audience), as the console's form and its errors name it.
AUDIENCE_NAMES = {"leaders_of_leaders": "Ledere af ledere",
                  "leaders_and_administration": "Ledere af ledere og ansatte i forvaltningen"}
STATUS_NAMES = {"confirmed": "Bekræftet", "waitlisted": "På venteliste",
                "cancelled": "Afmeldt", "pending": "Afventer bekræftelse"}
# Who a forum invites (shared.roles.Audience), as the console, the CLI and the file's
# template name it.
AUDIENCE_NAMES = {"leaders_of_leaders": "Ledere af ledere",
                  "leaders_and_administration": "Ledere af ledere og ansatte i forvaltningen"}
TIME_FORMAT = "ÅÅÅÅ-MM-DD tt:mm, fx 2027-03-02 08:00"


def counted(number: int, one: str, many: str) -> str:
    """A count with its noun in the right number: "1 møde", "3 møder"."""
    return f"{number} {one if number == 1 else many}"


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


MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
          "oktober", "november", "december")
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


def _local(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # kept without an offset: UTC inside the system
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(COPENHAGEN)


def danish_date(moment: datetime | str, *, weekday: bool = True, year: bool = True) -> str:
    """The Danish day of a moment: "søndag den 17. januar 2027" (or "17. januar 2027" without
    the weekday, "17. januar" without the year)."""
    local = _local(moment)
    day = f"{local.day}. {MONTHS[local.month - 1]}" + (f" {local.year}" if year else "")
    return f"{WEEKDAYS[local.weekday()]} den {day}" if weekday else day


def danish_time(moment: datetime | str | None, *, weekday: bool = True) -> str:
    """A moment (or its ISO 8601 text) as members and staff read it, in Danish time
    (Europe/Copenhagen), to the minute: "tirsdag den 5. januar 2027 kl. 08.00" (or "5. januar
    2027 kl. 08.00" without the weekday). In the hour that comes twice when summer time ends it
    says which ("(sommertid)", "(vintertid)"), so two moments never read alike. No moment: "-".
    Every time a person reads (emails, pages, the console, the CLI, error messages) is
    written by this function or by pages/static/tid.js, which follows the same table."""
    if moment is None or moment == "":
        return "-"
    local = _local(moment)
    shown = f"{danish_date(local, weekday=weekday)} kl. {local:%H.%M}"
    if _repeated_or_skipped(local.replace(tzinfo=None)):
        summer = local.dst() is not None and bool(local.dst())
        shown += " (sommertid)" if summer else " (vintertid)"
    return shown


def danish_span(starts: datetime | str, ends: datetime | str) -> str:
    """A meeting's time: "søndag den 17. januar 2027 kl. 09.30–15.30"; one that ends on
    another day names both days."""
    a, b = _local(starts), _local(ends)
    if a.date() == b.date():
        return f"{danish_time(a)}–{b:%H.%M}"
    return f"{danish_time(a)} til {danish_time(b)}"


def danish_days_until(moment: datetime | str, now: datetime) -> str:
    """How far off a day is, counted in Danish calendar days, with the day named: "i dag,
    søndag den 17. januar", "i morgen, søndag den 17. januar", "om 3 dage, søndag den 17.
    januar"."""
    local = _local(moment)
    days = (local.date() - _local(now).date()).days
    when = {0: "i dag", 1: "i morgen"}.get(days, f"om {days} dage")
    return f"{when}, {danish_date(local, year=False)}"


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


# What may stand between the digits of a phone number as people type it.
_PHONE_SEPARATORS = re.compile(r"[ \u00a0().-]")
_DANISH_PHONE = re.compile(r"(?P<prefix>\+45|0045)?(?P<number>[0-9]{8})")


def danish_phone(phone: str | None) -> str:
    """A phone number as a Dane writes it: an 8-digit Danish number in pairs, "20 11 22 33",
    with or without its country code (stored "+4520112233", typed "0045 20112233" or
    "20-11-22-33" alike: the office in Denmark dials it so); anything else (a foreign number,
    an extension) as it was typed.
    No number: "". Written once, here: the console gets it from the staff API
    (`phone_display`), the spreadsheet from participant_row."""
    if not phone:
        return ""
    found = _DANISH_PHONE.fullmatch(_PHONE_SEPARATORS.sub("", phone))
    if found is None:
        return phone
    number = found["number"]
    pairs = " ".join(number[i:i + 2] for i in range(0, 8, 2))
    return pairs


def participant_summary(confirmed: int, waiting: int, cancelled: int) -> str:
    """A participant list's count, the cancelled never among the participants: "14 tilmeldte,
    3 på venteliste (2 afmeldte vises nederst)"; "1 tilmeldt, ingen på venteliste"."""
    shown = f"{counted(confirmed, 'tilmeldt', 'tilmeldte')}, " + \
        (f"{waiting} på venteliste" if waiting else "ingen på venteliste")
    if cancelled:
        shown += f" ({counted(cancelled, 'afmeldt', 'afmeldte')} vises nederst)"
    return shown
