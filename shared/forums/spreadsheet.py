"""A participant list as a spreadsheet opens it: a CSV in UTF-8 with a byte-order mark (so
Excel on a Danish Windows reads æ, ø and å), `;` between columns (Danish Excel's list
separator), Danish headings, role names, times and phone numbers ("+45 20 11 22 33"), one row
per registration (the cancelled too: their status says so, and nothing here counts them), and
no cell a spreadsheet would run as a
formula (OWASP's advice on CSV injection: a cell that begins with =, +, -, @, a tab, a
carriage return or a NUL is given a leading apostrophe, which marks it as text; so is one
whose first character after spaces is one of them, as some spreadsheets skip the spaces)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from shared.danish import danish_phone, danish_time, role_name, status_name

if TYPE_CHECKING:
    from shared.forums.registration.secretariat import Participant

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
HEADINGS = ["Status", "Plads på venteliste", "Navn", "E-mail", "Telefon", "Stilling",
            "Arbejdsplads eller kommune", "Medlemsnummer", "Særlige behov",
            "Tilmeldt (dansk tid)", "Id"]


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(" \u00a0").startswith(FORMULA_STARTS) else text


def participant_row(participant: Participant) -> list[str]:
    r, place = participant.registration, participant.waitlist_position
    return [status_name(r.status.value), str(place) if place else "", r.name, r.email,
            danish_phone(r.phone), role_name(r.role.value), r.workplace, r.member_number or "",
            r.needs or "", danish_time(r.created_at, weekday=False), r.id]


def participants_csv(rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADINGS)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return BOM + out.getvalue()
