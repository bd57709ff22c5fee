"""The editor's subscriber list: search by address, add one by hand, unsubscribe one, and
import the union's existing list from a CSV file.

- Nobody is subscribed without their own confirmation unless their consent is documented:
  an address typed in by the editor, or a row of the file without a consent date and
  source, gets the same double opt-in email as the form's (through the confirmation queue,
  so at the sending rate); a row with both is subscribed with that consent recorded
  (`consent_source` "import", `confirmed_at` the consent's date, `consent_note` its source).
- An address that was ever suppressed (a bounce, a complaint) or unsubscribed is never added
  by staff: both leave a lasting marker (the keyed hash of the address and the day).
- A staff invitation goes once per address, ever: a lasting invitation marker is written
  with the pending subscription, its confirmation request is queued, then the marker says
  so; the confirmation consumer claims the marker before mailing, so a request queued twice
  (a retry after a crash between the two) mails once.
- An import is all or nothing per file: every row is read and checked first, and one
  refused row refuses the file (each refusal named by its line, in Danish). Its writes are
  one conditional transaction per address, idempotent: an import that stopped part-way
  (a timeout, a throttled write) is completed by importing the same file again, and a repeat
  import subscribes and invites nobody twice.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from shared.danish import ROLE_NAMES
from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.forms import Email
from shared.newsletter.models import Subscriber, SubscriberStatus
from shared.newsletter.ports import ConfirmationRequests, Standing, SubscriberList
from shared.newsletter.service import (
    CONFIRM_VALID,
    FROM_FORM,
    FROM_IMPORT,
    FROM_STAFF,
    subscriber_id,
)
from shared.platform.clock import COPENHAGEN, Clock, iso_copenhagen, utcnow
from shared.roles import Role

MAX_ROWS = 10_000
EARLIEST_CONSENT_YEAR = 1990
MAX_FIELD = 200
# Writes under way at once during an import (DynamoDB and SQS calls wait on the network).
WRITERS = 8
# How many subscribers a search shows (the count says how many matched).
SHOWN = 200

STATUS_TEXT = {"subscribed": "Bekræftet", "pending": "Afventer bekræftelse",
               "unsubscribed": "Afmeldt", "bounced": "Afvist", "complained": "Spamklage"}
HOW_TEXT = {FROM_FORM: "tilmeldt via formularen", FROM_STAFF: "tilføjet af personalet",
            FROM_IMPORT: "importeret"}


def _key(name: str) -> str:
    """A column name as compared: lower case, accents and separators away."""
    text = unicodedata.normalize("NFKD", name.strip().lower().replace("ø", "o")
                                 .replace("æ", "ae").replace("å", "a"))
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)))


# The column names a union's member system may export, Danish and English.
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "mail", "e-mailadresse", "emailadresse", "mailadresse",
              "e-mail-adresse", "email address", "e-mail address", "adresse", "address"),
    "name": ("navn", "name", "fulde navn", "full name", "fuldt navn", "kontaktperson"),
    "first_name": ("fornavn", "first name", "firstname", "given name"),
    "last_name": ("efternavn", "last name", "lastname", "surname", "family name"),
    "role": ("rolle", "role", "stilling", "titel", "title", "jobtitel", "job title",
             "position", "stillingsbetegnelse"),
    "consent_date": ("samtykkedato", "samtykke dato", "dato for samtykke", "samtykke givet",
                     "samtykket", "tilmeldingsdato", "tilmeldt dato", "tilmeldt den",
                     "consent date", "consent given", "consented at", "consent timestamp",
                     "opt-in date", "optin date", "subscribed at", "subscription date"),
    "consent_source": ("samtykkekilde", "samtykke kilde", "kilde", "kilde til samtykke",
                       "samtykke via", "tilmeldt via", "consent source", "source",
                       "opt-in source", "optin source", "signup source"),
}
_BY_KEY = {_key(name): column for column, names in COLUMNS.items() for name in names}
HEADER_EXAMPLE = "e-mail;navn;rolle;samtykkedato;samtykkekilde"

# Roles as the union's list may name them: our codes, our Danish names, a few plain words.
_ROLES = {_key(name): Role(code) for code, name in ROLE_NAMES.items()} | {
    _key(code): Role(code) for code in ROLE_NAMES} | {
    _key(word): role for word, role in (
        ("area leader", Role.AREA_LEADER), ("cluster leader", Role.CLUSTER_LEADER),
        ("district leader", Role.DISTRICT_LEADER), ("leder af ledere",
                                                    Role.OTHER_LEADER_OF_LEADERS),
        ("leader of leaders", Role.OTHER_LEADER_OF_LEADERS),
        ("dagtilbudsleder", Role.OTHER_LEADER_OF_LEADERS),
        ("forvaltning", Role.ADMINISTRATION), ("administration", Role.ADMINISTRATION))}
LEADER_ROLES = ", ".join(ROLE_NAMES[r.value] for r in Role if r.leads_leaders)

_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d")
_TIME_FORMATS = ("", " %H:%M", " %H:%M:%S", " %H.%M", "T%H:%M", "T%H:%M:%S")
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


@dataclass(frozen=True)
class Row:
    """One row of the file, read and checked: who, and the consent documented (or none)."""

    line: int
    email: str
    subscriber_id: str
    name: str
    role: Role
    consent_at: datetime | None = None
    consent_source: str | None = None


@dataclass(frozen=True)
class Refusal:
    line: int
    message: str


@dataclass
class ImportFile:
    rows: list[Row] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did (or, previewed, would do): subscribed with their documented
    consent, invited by an opt-in email, skipped (and why), refused lines (then nothing)."""

    subscribed: int = 0
    invited: int = 0
    skipped: int = 0
    refused: list[Refusal] = field(default_factory=list)
    rows: int = 0
    skipped_because: dict[str, int] = field(default_factory=dict)
    imported: bool = False

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skipped_because[reason] = self.skipped_because.get(reason, 0) + 1


def _value(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def consent_moment(text: str, now: datetime) -> datetime:
    """A consent's date (and time), Danish time, as a member system writes it:
    2024-03-15, 15-03-2024, 15.03.2024, 15/03/2024, with or without a time, or ISO 8601 with
    an offset. ValueError with a Danish message otherwise, or when it lies ahead."""
    value = text.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for day in _DATE_FORMATS:
            for time in _TIME_FORMATS:
                try:
                    moment = datetime.strptime(value, day + time)
                    break
                except ValueError:
                    continue
            if moment is not None:
                break
    if moment is None:
        raise ValueError(f"Samtykkedatoen »{value[:40]}« kan ikke læses; skriv den som "
                         "2024-03-15 eller 15-03-2024.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=COPENHAGEN)
    if moment.year < EARLIEST_CONSENT_YEAR:
        raise ValueError(f"Samtykkedatoen »{value[:40]}« ligger før {EARLIEST_CONSENT_YEAR}; "
                         "skriv den dato, samtykket blev givet.")
    if moment > now:
        raise ValueError(f"Samtykkedatoen »{value[:40]}« ligger ud i fremtiden.")
    return moment


def role_of(text: str) -> Role:
    """A role named as a member system may name it; empty means another leader of leaders
    (the list is the leaders of leaders' newsletter). ValueError with a Danish message."""
    if not text.strip():
        return Role.OTHER_LEADER_OF_LEADERS
    role = _ROLES.get(_key(text))
    if role is None:
        raise ValueError(f"Rollen »{text.strip()[:60]}« kendes ikke; skriv {LEADER_ROLES} "
                         "eller lad feltet stå tomt.")
    if not role.leads_leaders:
        raise ValueError(f"Nyhedsbrevet er kun for ledere af ledere, ikke »{text.strip()[:60]}«.")
    return role


def _dialect(header: str) -> str:
    """The separator of the header line: the one of `;`, `,` and tab it holds most of."""
    return max(";,\t", key=header.count)


def read_file(text: str, secret: bytes, now: datetime) -> ImportFile:
    """Every row of the file read and checked, or the lines refused (by their line number in
    the file, the header being line 1). UTF-8 with or without a byte order mark, `;`, `,`
    or tab between fields, quoted fields, blank lines and unknown columns ignored, the
    column names a member system would give (see COLUMNS). A file that cannot be read at
    all (no header naming the addresses, no rows, too many) is refused as a whole: 422 on
    `text`."""
    body = text.lstrip("\ufeff")
    lines = body.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InvalidInput([FieldError("text", "empty_file", "Filen er tom.")])
    delimiter = _dialect(lines[first])
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    try:
        return _read(reader, secret, now)
    except csv.Error:
        raise InvalidInput([FieldError(
            "text", "not_csv", f"Filen kan ikke læses som CSV (linje {reader.line_num}).")]) \
            from None


def _read(reader: Any, secret: bytes, now: datetime) -> ImportFile:
    header: list[str] | None = None
    columns: dict[str, int] = {}
    read = ImportFile()
    seen: dict[str, int] = {}
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        line = reader.line_num
        if header is None:
            header = record
            for index, name in enumerate(record):
                column = _BY_KEY.get(_key(name))
                if column is None:
                    continue
                if column in columns:
                    raise InvalidInput([FieldError(
                        "text", "duplicate_column",
                        f"Kolonnen »{name.strip()}« står to gange i første linje.")])
                columns[column] = index
            if "email" not in columns:
                raise InvalidInput([FieldError(
                    "text", "no_email_column",
                    "Første linje skal navngive kolonnerne, og én af dem skal være "
                    f"e-mailadressen, fx: {HEADER_EXAMPLE}")])
            continue
        if len(read.rows) + len(read.refused) >= MAX_ROWS:
            raise InvalidInput([FieldError(
                "text", "too_many_rows",
                f"Filen har mere end {MAX_ROWS:,} rækker; del den i flere filer."
                .replace(",", "."))])
        row, problems = _row(record, columns, line, secret, now)
        if row is not None:
            other = seen.get(row.subscriber_id)
            if other is not None:
                problems.append(f"Adressen står også på linje {other}.")
            else:
                seen[row.subscriber_id] = line
        if problems:
            read.refused.append(Refusal(line, " ".join(problems)))
        elif row is not None:
            read.rows.append(row)
    if header is None or not (read.rows or read.refused):
        raise InvalidInput([FieldError("text", "no_rows",
                                       "Filen har ingen rækker under kolonnernes navne.")])
    return read


def _row(record: list[str], columns: dict[str, int], line: int, secret: bytes,
         now: datetime) -> tuple[Row | None, list[str]]:
    def cell(column: str) -> str:
        index = columns.get(column)
        return _value(record[index]) if index is not None and index < len(record) else ""

    problems: list[str] = []
    address = cell("email")
    email = ""
    if not address:
        problems.append("E-mailadressen mangler.")
    else:
        try:
            email = _EMAIL.validate_python(address)
        except ValidationError:
            problems.append(f"»{address[:80]}« er ikke en gyldig e-mailadresse.")
    name = cell("name") or " ".join(p for p in (cell("first_name"), cell("last_name")) if p)
    if len(name) > MAX_FIELD:
        problems.append(f"Navnet er længere end {MAX_FIELD} tegn.")
    role = Role.OTHER_LEADER_OF_LEADERS
    try:
        role = role_of(cell("role"))
    except ValueError as exc:
        problems.append(str(exc))
    day, source = cell("consent_date"), cell("consent_source")
    moment: datetime | None = None
    if day:
        try:
            moment = consent_moment(day, now)
        except ValueError as exc:
            problems.append(str(exc))
    if len(source) > MAX_FIELD:
        problems.append(f"Samtykkekilden er længere end {MAX_FIELD} tegn.")
    if day and not source:
        problems.append("Der er en samtykkedato, men ingen samtykkekilde: skriv, hvor "
                        "samtykket blev givet, eller lad begge felter stå tomme (så får "
                        "personen en mail og bekræfter selv).")
    elif source and not day:
        problems.append("Der er en samtykkekilde, men ingen samtykkedato: skriv datoen, eller "
                        "lad begge felter stå tomme (så får personen en mail og bekræfter "
                        "selv).")
    if problems or not email:
        return (Row(line, email, subscriber_id(secret, email), name, role) if email else None,
                problems)
    return Row(line, email, subscriber_id(secret, email), name, role, moment,
               source or None), problems


@dataclass(frozen=True)
class SubscriberView:
    """A subscriber as the editor sees them."""

    email: str
    name: str
    status: str
    status_text: str
    consent: dict[str, Any]


def view(subscriber: Subscriber) -> SubscriberView:
    status = subscriber.status.value
    if subscriber.status is SubscriberStatus.SUPPRESSED:
        status = "complained" if subscriber.suppressed_reason == "complaint" else "bounced"
    how = subscriber.consent_source or FROM_FORM
    confirmed = subscriber.confirmed_at is not None
    return SubscriberView(
        email=subscriber.email, name=subscriber.name, status=status,
        status_text=STATUS_TEXT[status],
        consent={"how": how, "how_text": HOW_TEXT.get(how, how),
                 "at": iso_copenhagen(subscriber.confirmed_at) if subscriber.confirmed_at else None,
                 "version": subscriber.consent_text_version,
                 "source": subscriber.consent_note,
                 # Confirmed by the owner's link (not only documented by the union's list).
                 "confirmed_by_owner": confirmed and subscriber.consent_text_version is not None})


class Subscribers:
    """The editor's flows on the subscriber list, the same for the console and scripts."""

    def __init__(self, store: SubscriberList, confirmations: ConfirmationRequests,
                 secret: bytes, clock: Clock = utcnow, writers: int = WRITERS) -> None:
        self._store = store
        self._confirmations = confirmations
        self._secret = secret
        self._clock = clock
        self._writers = writers

    def search(self, query: str) -> tuple[int, list[SubscriberView]]:
        """The subscribers whose address holds `query` (all when empty), by address: how
        many, and the first SHOWN of them."""
        found = self._store.find_subscribers(query)
        return len(found), [view(s) for s in found[:SHOWN]]

    def add(self, email: str, name: str, role: Role, consent_at: str = "",
            consent_source: str = "") -> tuple[str, SubscriberView]:
        """One address typed in by the editor: invited by the double opt-in email, or
        subscribed when its consent is documented (date and source, as in an import).
        Refused (409) for an address that was suppressed or unsubscribed; an address already
        subscribed or invited is left as it is. The outcome: subscribed, invited,
        already_subscribed, already_invited."""
        now = self._clock()
        errors: list[FieldError] = []
        moment: datetime | None = None
        if consent_at.strip():
            try:
                moment = consent_moment(consent_at, now)
            except ValueError as exc:
                errors.append(FieldError("consent_date", "invalid_date", str(exc)))
        if consent_at.strip() and not consent_source.strip():
            errors.append(FieldError("consent_source", "missing",
                                     "Skriv, hvor samtykket blev givet, eller lad også "
                                     "datoen stå tom (så bekræfter personen selv)."))
        if consent_source.strip() and not consent_at.strip():
            errors.append(FieldError("consent_date", "missing",
                                     "Skriv datoen for samtykket, eller lad også kilden stå "
                                     "tom (så bekræfter personen selv)."))
        if not role.leads_leaders:
            errors.append(FieldError("role", "role_not_admitted",
                                     "Nyhedsbrevet er kun for ledere af ledere."))
        if errors:
            raise InvalidInput(errors)
        row = Row(0, email, subscriber_id(self._secret, email), name, role, moment,
                  _value(consent_source) or None)
        standing = self._store.standing([row.subscriber_id])[row.subscriber_id]
        outcome = self._plan(row, standing)
        if outcome in ("suppressed", "left"):
            raise Conflict(
                "Modtageren har afmeldt sig, så adressen kan ikke tilføjes af personalet. Personen "
                "kan selv tilmelde sig igen på nyhedsbrevets side." if outcome == "left" else
                "Adressen er spærret, fordi mails til den blev afvist, eller fordi modtageren "
                "klagede over spam. Den kan ikke tilføjes igen.", code=f"address_{outcome}")
        if outcome in ("subscribe", "invite"):
            done = self._write(row, outcome, FROM_STAFF, now)
            outcome = {"subscribe": "subscribed", "invite": "invited"}[outcome] if done \
                else "already_subscribed"
        else:
            outcome = f"already_{outcome}"
        found = self._store.subscriber(row.subscriber_id)
        if found is None:  # (an invitation that expired unconfirmed: its item is gone)
            raise Conflict("Adressen er inviteret før uden at bekræfte og inviteres ikke igen. "
                           "Personen kan selv tilmelde sig på nyhedsbrevets side.",
                           code="already_invited")
        return outcome, view(found)

    def unsubscribe(self, email: str) -> SubscriberView:
        """Off the list at once (harmless when repeated); never added by staff again."""
        sid = subscriber_id(self._secret, email)
        if self._store.subscriber(sid) is None:
            raise NotFound("Adressen står ikke på listen.", code="unknown_subscriber")
        self._store.unsubscribe(sid, self._clock())
        found = self._store.subscriber(sid)
        if found is None:
            raise NotFound("Adressen står ikke på listen.", code="unknown_subscriber")
        return view(found)

    # -- the import --------------------------------------------------------------------------

    def import_file(self, text: str, *, preview: bool = False) -> ImportResult:
        """Read and check the whole file, then (unless previewing, and only when no row is
        refused) write every row's outcome. The answer counts what each row did, or would
        do: subscribed, invited, skipped and why (already subscribed, already invited,
        suppressed, unsubscribed)."""
        now = self._clock()
        read = read_file(text, self._secret, now)
        result = ImportResult(rows=len(read.rows) + len(read.refused), refused=read.refused)
        if read.refused:
            return result
        standings = self._store.standing([row.subscriber_id for row in read.rows])
        work: list[tuple[Row, str]] = []
        for row in read.rows:
            outcome = self._plan(row, standings[row.subscriber_id])
            if outcome in ("subscribe", "invite"):
                work.append((row, outcome))
            else:
                result.skip(outcome)
        if preview:
            result.subscribed = sum(1 for _, o in work if o == "subscribe")
            result.invited = len(work) - result.subscribed
            return result

        def write(item: tuple[Row, str]) -> tuple[str, bool]:
            row, outcome = item
            return outcome, self._write(row, outcome, FROM_IMPORT, now)

        for outcome, done in self._each(write, work):
            if not done:
                result.skip("changed_meanwhile")
            elif outcome == "subscribe":
                result.subscribed += 1
            else:
                result.invited += 1
        result.imported = True
        return result

    def _each(self, write: Callable[[tuple[Row, str]], tuple[str, bool]],
              work: list[tuple[Row, str]]) -> Iterator[tuple[str, bool]]:
        """Each row's write, several under way at once; the first failure stops the import
        (raised after the writes under way ended); importing the file again completes it."""
        if self._writers <= 1 or len(work) <= 1:
            yield from map(write, work)
            return
        pool = ThreadPoolExecutor(max_workers=self._writers)
        try:
            yield from pool.map(write, work)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _plan(row: Row, standing: Standing) -> str:
        """What a row does to the list as it stands: subscribe, invite, or be skipped as
        suppressed, left (unsubscribed), subscribed (already) or invited (already)."""
        if standing.suppressed or standing.status is SubscriberStatus.SUPPRESSED:
            return "suppressed"
        if standing.left or standing.status is SubscriberStatus.UNSUBSCRIBED:
            return "left"
        if standing.status is SubscriberStatus.SUBSCRIBED:
            return "subscribed"
        if row.consent_at is not None:
            return "subscribe"
        if standing.invitation_queued:
            return "invited"
        return "invite"

    def _write(self, row: Row, outcome: str, source: str, now: datetime) -> bool:
        """One row's outcome, idempotent: subscribed with its documented consent, or a
        pending subscription with its invitation marker, then the confirmation request,
        then the marker says it was queued (a retry queues again only what was not)."""
        if outcome == "subscribe":
            return self._store.add_subscribed(Subscriber(
                id=row.subscriber_id, email=row.email, name=row.name, role=row.role,
                status=SubscriberStatus.SUBSCRIBED, created_at=now,
                confirmed_at=row.consent_at, consent_source=source,
                consent_note=row.consent_source))
        pending = Subscriber(id=row.subscriber_id, email=row.email, name=row.name,
                             role=row.role, status=SubscriberStatus.PENDING, created_at=now,
                             consent_source=source)
        if not self._store.add_invited(pending, int((now + CONFIRM_VALID).timestamp())):
            return False
        self._confirmations.request(row.subscriber_id)
        self._store.invitation_queued(row.subscriber_id, now)
        return True
