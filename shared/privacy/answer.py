"""The answer to an access request (GDPR art. 15), as a Danish page the privacy officer prints
or saves as PDF and sends to the member: which forums and in what state, the newsletter
subscription with its consent, the emails sent and when (Danish time), the advisory part the
consultant contributed to the case, how long each kind of data is kept, and how to complain.

Written from the address's own records only (the export of forums and newsletter, the
contribution stored under the case): no other person's data can reach it, and it names no
internal id, slug or code, only what a member reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.danish import (
    counted,
    danish_date,
    danish_phone,
    danish_span,
    danish_time,
    role_name,
)
from shared.newsletter.models import LEFT_KEPT_DAYS
from shared.newsletter.service import CONFIRM_VALID, LEDGER_KEPT
from shared.privacy.cases import CASE_KEPT_YEARS, Case, Contribution

if TYPE_CHECKING:
    from jinja2 import Environment

    from shared.forums.models import Forum, Session

TEMPLATES = Path(__file__).parent / "templates"

CANCELLED_BY = {
    "participant": "Afmeldt af dig",
    "secretariat": "Afmeldt af sekretariatet",
    "session_cancelled": "Afmeldt, fordi mødet blev aflyst",
    "moved": "Flyttet til et andet møde",
    "erasure": "Afmeldt ved sletning af dine oplysninger",
}
EMAIL_NAMES = {
    "confirm_registration": "Link til at bekræfte tilmeldingen",
    "already_registered": "Besked om, at du allerede var tilmeldt",
    "confirmation": "Bekræftelse af tilmeldingen (med kalenderfil)",
    "waitlisted": "Besked om plads på ventelisten",
    "promoted": "Besked om, at du har fået en plads",
    "cancelled": "Bekræftelse af afmeldingen",
    "reminder": "Påmindelse før mødet",
    "session_changed": "Besked om ændret tid eller sted",
    "moved": "Besked om flytning til et andet møde",
    "resent": "Bekræftelsen sendt igen af sekretariatet",
    "message": "Besked fra sekretariatet til mødets deltagere",
}
SUBSCRIBER_STATES = {
    "subscribed": "Du modtager nyhedsbrevet.",
    "pending": "Du har bedt om nyhedsbrevet, men har endnu ikke bekræftet det fra din e-mail.",
    "unsubscribed": "Du har afmeldt nyhedsbrevet.",
    "suppressed": "Vi sender ikke nyhedsbrevet til dig, fordi din e-mailadresse har afvist det "
                  "eller har meldt det som uønsket.",
}
CONSENT_SOURCES = {
    "web": "via tilmeldingsformularen på hjemmesiden og bekræftet med linket i en e-mail til "
           "dig",
}
COPY_STATES = {"queued": "står i kø til afsendelse", "sending": "er ved at blive sendt",
               "sent": "er sendt til dig", "failed": "kunne ikke sendes",
               "skipped": "blev ikke sendt, fordi du var afmeldt"}
ADVISORY_KINDS = {"conversation": "Anmodning om en fortrolig samtale eller sparring",
                  "idea": "Idé eller problem til rekrutteringsprojektet",
                  "suggestion": "Forslag til nye aktiviteter"}


# Point-in-time recovery keeps every table's items this long after they are deleted (the
# default recovery period, on for every table in infra/parts.py).
BACKUP_DAYS = 35


@dataclass(frozen=True)
class Retention:
    """How long each kind of data is kept: the configured periods, and the newsletter's and
    the cases' own (the constants their code deletes by)."""

    registration_days: int
    advisory_days: int
    confirm_link_hours: int = 24
    newsletter_pending_days: int = CONFIRM_VALID.days
    newsletter_left_days: int = LEFT_KEPT_DAYS
    newsletter_copies_days: int = LEDGER_KEPT.days
    case_years: int = CASE_KEPT_YEARS
    backup_days: int = BACKUP_DAYS


@dataclass
class Line:
    label: str
    value: str


@dataclass
class Registration:
    forum: str
    city: str
    when: str
    state: str
    details: list[Line]
    emails: list[Line] = field(default_factory=list)


def _state(record: dict[str, Any]) -> str:
    status = record.get("status")
    if status == "confirmed":
        return "Tilmeldt: du har en plads"
    if status == "waitlisted":
        place = record.get("waitlist_position")
        return f"På venteliste som nr. {place}" if place else "På venteliste"
    if status == "cancelled":
        return CANCELLED_BY.get(str(record.get("cancelled_by")), "Afmeldt")
    return ("Ikke bekræftet: du har udfyldt tilmeldingen, men ikke bekræftet den med linket i "
            "e-mailen, så den giver ingen plads")


def _details(record: dict[str, Any]) -> list[Line]:
    lines = [Line("Navn", record.get("name") or ""),
             Line("Telefon", danish_phone(record.get("phone")) or "ikke oplyst"),
             Line("Stilling", role_name(str(record.get("role", "")))),
             Line("Arbejdsplads eller kommune", record.get("workplace") or ""),
             Line("Medlemsnummer", record.get("member_number") or "ikke oplyst"),
             Line("Særlige behov", record.get("needs") or "ingen")]
    made = record.get("submitted_at") or record.get("created_at")
    if made:
        lines.append(Line("Tilmeldt", danish_time(made)))
    if record.get("entered_by"):
        lines.append(Line("Hvordan", "Tilmeldt af sekretariatet efter din henvendelse"))
    elif record.get("consent_text_version"):
        given = record.get("consented_at") or made
        lines.append(Line("Samtykke", f"Givet {danish_time(given)} til privatlivserklæringen "
                                      f"i versionen {record['consent_text_version']}"))
    if record.get("cancelled_at"):
        lines.append(Line("Afmeldt", danish_time(record["cancelled_at"])))
    return lines


def _email(mail: dict[str, str]) -> Line | None:
    name = mail.get("email", "")
    if name == "confirmation_link":  # its gate: when the next may go, not when it went
        return Line(EMAIL_NAMES["confirm_registration"], "sendt")
    label = EMAIL_NAMES.get(name.split("-", 1)[0])
    if label is None:
        return None
    sent = mail.get("sent_at")
    return Line(label, f"sendt {danish_time(sent)}" if sent else "sendt")


def registrations(records: list[dict[str, Any]], session: Any, forum: Any) -> list[Registration]:
    """The forum part: each registration or submission with its forum's title, the session's
    city and time (read through `session(id)` and `forum(id)`), its state and the emails."""
    shown = []
    for record in records:
        held: Session | None = session(record["session_id"])
        topic: Forum | None = forum(held.forum_id) if held else None
        emails = [line for mail in record.get("emails", []) if (line := _email(mail))]
        shown.append(Registration(
            forum=topic.title if topic else "Et møde, der ikke længere findes",
            city=held.city if held else "",
            when=danish_span(held.starts_at, held.ends_at) if held else "",
            state=_state(record), details=_details(record), emails=emails))
    return sorted(shown, key=lambda r: (r.forum, r.when))


def subscription(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not records:
        return None
    record = records[0]
    lines = []
    if record.get("name"):
        lines.append(Line("Navn", record["name"]))
        lines.append(Line("Stilling", role_name(str(record.get("role", "")))))
    if record.get("created_at"):
        lines.append(Line("Tilmeldt", danish_time(record["created_at"])))
    if record.get("confirmed_at"):
        how = CONSENT_SOURCES.get(str(record.get("consent_source")), "")
        version = record.get("consent_text_version")
        lines.append(Line("Samtykke", f"Givet {danish_time(record['confirmed_at'])}"
                                      + (f" til teksten i versionen {version}" if version else "")
                                      + (f", {how}" if how else "")))
    if record.get("unsubscribed_at"):
        lines.append(Line("Afmeldt", danish_time(record["unsubscribed_at"])))
    copies = [Line(copy.get("subject", ""), COPY_STATES.get(str(copy.get("status")), ""))
              for copy in record.get("issues", [])]
    return {"state": SUBSCRIBER_STATES.get(str(record.get("status")), ""), "lines": lines,
            "copies": copies}


def advisory(contribution: Contribution | None) -> dict[str, Any] | None:
    if contribution is None:
        return None
    return {"count": counted(len(contribution.requests), "henvendelse", "henvendelser"),
            "requests": [Line(ADVISORY_KINDS.get(r.kind, "Henvendelse"),
                              f"modtaget {danish_date(_noon(r.received_on))}, "
                              + ("afsluttet" if r.finished else "under behandling"))
                         for r in contribution.requests],
            "on": danish_date(contribution.contributed_at, weekday=False)}


def _noon(day: date) -> datetime:
    from shared.platform.clock import COPENHAGEN
    return datetime(day.year, day.month, day.day, 12, tzinfo=COPENHAGEN)


@cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html",)),
                       trim_blocks=True, lstrip_blocks=True)


def render(case: Case, *, forums: list[Registration], newsletter: dict[str, Any] | None,
           contribution: Contribution | None, retention: Retention, now: datetime) -> str:
    """The whole page (a stylesheet of the site's own for screen and print; no script)."""
    return _environment().get_template("svar.html").render(
        case=case, received=danish_date(_noon(case.received_on), weekday=False),
        today=danish_date(now, weekday=False), forums=forums, newsletter=newsletter,
        advisory=advisory(contribution), retention=retention, counted=counted)


def danish_day(day: date) -> str:
    """A day as the console shows it: "1. december 2026"."""
    return danish_date(_noon(day), weekday=False)
