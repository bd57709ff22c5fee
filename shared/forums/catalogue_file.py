"""The file the secretariat keeps forums and sessions in (YAML or JSON), validated before import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationInfo,
    model_validator,
)

from shared.danish import AUDIENCE_NAMES, counted, danish_date, danish_time
from shared.errors import FieldError
from shared.forms import MultiLine, SingleLine
from shared.forums.models import SLUG, TIME_AND_PLACE, Forum, Session, city_and_day
from shared.platform.clock import COPENHAGEN
from shared.roles import Audience
from shared.validation import DanishValueError, field_errors

# The years a session may be held in: a typo such as 0001 or 9999 would otherwise overflow
# where the time is turned into UTC or an expiry is added to it.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# DynamoDB writes at most 100 items in one transaction, and an import is one transaction.
MAX_ITEMS = 100
# The template the secretariat downloads: one forum and one session, a Danish comment on
# every field (tests/unit/test_catalogue_template.py holds it to the models).
TEMPLATE_NAME = "katalog-skabelon.yaml"


def template() -> str:
    return Path(__file__).with_name(TEMPLATE_NAME).read_text(encoding="utf-8")


def _copenhagen_if_naive(moment: datetime) -> datetime:
    """Times written without an offset are Danish wall-clock times, between FIRST_YEAR and
    LAST_YEAR."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise DanishValueError("out_of_range",
                               f"Datoen skal ligge mellem år {FIRST_YEAR} og {LAST_YEAR}.")
    return moment.replace(tzinfo=COPENHAGEN) if moment.tzinfo is None else moment


LocalTime = Annotated[datetime, AfterValidator(_copenhagen_if_naive)]


class SessionDetails(BaseModel):
    """What the secretariat writes about a session, in the file or in the console's form."""

    model_config = ConfigDict(extra="forbid")

    city: SingleLine = Field(min_length=1, max_length=100)
    venue: SingleLine = Field(default="", max_length=300)
    starts_at: LocalTime
    ends_at: LocalTime
    capacity: int = Field(ge=1, le=2000)
    registration_deadline: LocalTime

    @model_validator(mode="after")
    def _times_in_order(self) -> Self:
        # As moments, not wall-clock times: Python compares two times of one zone by their
        # clocks, and the night summer time begins 03:10 is before 02:30 (an hour not there).
        starts = self.starts_at.astimezone(UTC)
        if self.ends_at.astimezone(UTC) <= starts:
            raise DanishValueError("ends_before_start", "Sluttidspunktet skal ligge efter start.",
                                   field="ends_at")
        if self.registration_deadline.astimezone(UTC) > starts:
            raise DanishValueError(
                "deadline_after_start", "Tilmeldingsfristen skal ligge før mødets start.",
                field="registration_deadline")
        return self


class SessionEntry(SessionDetails):
    """A session in the file: its details, its id and (when created) its status."""

    id: str = Field(pattern=SLUG)
    status: Literal["open", "closed", "cancelled"] = "open"

    @model_validator(mode="wrap")
    @classmethod
    def _stored_fill(cls, data: Any, handler: ModelWrapValidatorHandler[Self],
                     info: ValidationInfo) -> Self:
        return _keep_stored(cls, data, handler, info, "sessions", SESSION_FIELDS)


class ForumDetails(BaseModel):
    """What the secretariat writes about a forum, in the file or in the console's form."""

    model_config = ConfigDict(extra="forbid")

    # One-line fields end up in email subjects and headers, where a line break is refused.
    title: SingleLine = Field(min_length=1, max_length=200)
    description: MultiLine = Field(default="", max_length=4000)
    audience: Audience = Audience.LEADERS_OF_LEADERS


class ForumEntry(ForumDetails):
    """A forum in the file: its details, its id and its sessions."""

    id: str = Field(pattern=SLUG)
    sessions: list[SessionEntry] = Field(default_factory=list)

    @model_validator(mode="wrap")
    @classmethod
    def _stored_fill(cls, data: Any, handler: ModelWrapValidatorHandler[Self],
                     info: ValidationInfo) -> Self:
        return _keep_stored(cls, data, handler, info, "forums", FORUM_FIELDS)


class CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    forums: list[ForumEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        items = len(self.forums) + sum(len(f.sessions) for f in self.forums)
        if items > MAX_ITEMS:
            raise DanishValueError(
                "too_many_items", f"Filen har {items} forummer og møder; én import kan højst "
                                  f"rumme {MAX_ITEMS}. Del filen op i flere.", field="forums")
        forum_ids = [f.id for f in self.forums]
        session_ids = [s.id for f in self.forums for s in f.sessions]
        for kind, ids in (("forum", forum_ids), ("session", session_ids)):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise DanishValueError(
                    f"duplicate_{kind}_id", f"Samme id står flere gange: {', '.join(twice)}."
                )
        return self


# What the secretariat writes about each, in the order the console and the CLI name them.
FORUM_FIELDS = ("title", "description", "audience")
SESSION_FIELDS = ("city", "venue", "starts_at", "ends_at", "registration_deadline", "capacity")
LABELS = {
    "id": "id", "title": "titel", "description": "beskrivelse", "audience": "målgruppe",
    "sessions": "møder", "city": "by", "venue": "sted", "starts_at": "start",
    "ends_at": "slut", "registration_deadline": "tilmeldingsfrist",
    "capacity": "antal pladser", "status": "status",
}
STATUS_NAMES = {"open": "åben", "closed": "lukket", "cancelled": "aflyst"}


def _keep_stored(cls: type[BaseModel], data: Any, handler: Any, info: ValidationInfo,
                 kind: str, names: tuple[str, ...]) -> Any:
    """A forum or session that is stored keeps every field the file leaves out: the entry is
    validated with the stored values under the file's (so rules over several fields see what
    will be kept), and its `model_fields_set` is what the file gave, which is all an import
    writes. A new one needs its required fields, as the model says."""
    stored: Mapping[str, Mapping[str, Any]] = (info.context or {}).get(kind, {})
    key = data.get("id") if isinstance(data, dict) else None
    kept = stored.get(key) if isinstance(key, str) else None
    if kept is None:
        return handler(data)
    given = set(data) & set(cls.model_fields)
    entry = handler({**{n: kept[n] for n in names}, **data})
    object.__setattr__(entry, "__pydantic_fields_set__", given)
    return entry


def stored_context(forums: Iterable[Forum], sessions: Iterable[Session]) -> dict[str, Any]:
    """The validation context that makes left-out fields keep their stored values."""
    return {"forums": {f.id: f.model_dump() for f in forums},
            "sessions": {s.id: s.model_dump() for s in sessions}}


def _ids(data: Any, loc: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """The forum's and session's ids (as written) an error location points into."""
    forum = session = None
    try:
        if len(loc) >= 2 and loc[0] == "forums":
            entry = data["forums"][loc[1]]
            forum = str(entry.get("id") or f"nr. {loc[1] + 1}")
            if len(loc) >= 4 and loc[2] == "sessions":
                item = entry["sessions"][loc[3]]
                session = str(item.get("id") or f"nr. {loc[3] + 1}")
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return forum, session


def _choices(names: Mapping[str, str]) -> str:
    listed = [f"{value} ({name.lower()})" for value, name in names.items()]
    return ", ".join(listed[:-1]) + " eller " + listed[-1]


def named_errors(errors: Iterable[Mapping[str, Any]], data: Any,
                 stored: Mapping[str, Any] | None = None) -> list[FieldError]:
    """The file's validation errors, each naming the forum or session by its id and the field
    in Danish ("Forum evalueringskultur, målgruppe: vælg en af ..."); the required fields a new
    forum or session lacks in one sentence. `field` stays the location in the file."""
    stored = stored or {}
    out: dict[str, FieldError] = {}
    missing: dict[tuple[Any, ...], list[str]] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "missing" and len(loc) in (3, 5) and loc[-1] in LABELS:
            missing.setdefault(loc[:-1], []).append(str(loc[-1]))
            continue
        (found,) = field_errors([error])
        if found.field in out:
            continue
        forum, session = _ids(data, loc)
        name = loc[-1] if loc and isinstance(loc[-1], str) else None
        message = found.message
        if name == "audience" and found.code == "invalid_choice":
            message = f"Vælg en af {_choices(AUDIENCE_NAMES)}."
        elif name == "status" and found.code == "invalid_choice":
            message = f"Vælg en af {_choices(STATUS_NAMES)}."
        where = (f"Møde {session}" if session else f"Forum {forum}" if forum else "")
        if where and found.code == "unknown_field":
            message = (f"{where}: feltet »{name}« kendes ikke. Ret stavningen, eller slet "
                       "linjen (skabelonen viser felterne).")
        elif where and name in LABELS and len(loc) not in (2, 4):
            message = f"{where}, {LABELS[name]}: {message[0].lower()}{message[1:]}"
        elif where:
            message = f"{where}: {message}"
        out[found.field] = FieldError(found.field, found.code, message)
    for loc, names in missing.items():
        forum, session = _ids(data, loc)
        wanted = [LABELS[n] for n in (SESSION_FIELDS if session else FORUM_FIELDS) + ("id",)
                  if n in names]
        listed = wanted[0] if len(wanted) == 1 else (", ".join(wanted[:-1]) + " og "
                                                     + wanted[-1])
        # Said once, on the first field it lacks.
        first = next(n for n in (SESSION_FIELDS if session else FORUM_FIELDS) + ("id",)
                     if n in names)
        path = ".".join(str(p) for p in (*loc, first))
        if "id" in names:
            text = f"{'Mødet' if session else 'Forummet'} mangler {listed}."
        elif session:
            text = f"Mødet {session} findes ikke endnu, så det skal have {listed}."
        else:
            text = f"Forummet {forum} findes ikke endnu, så det skal have {listed}."
        out[path] = FieldError(path, "required", text)
    return list(out.values())


@dataclass(frozen=True)
class ForumWrite:
    """A forum as an import writes it: every field when it is new (`fields` None), else only
    the fields the file gave."""

    forum: Forum
    fields: frozenset[str] | None


@dataclass(frozen=True)
class SessionWrite:
    """A session as an import writes it: every field when it is new (`fields` None), else only
    the fields named (the file's, its forum and its forum's audience)."""

    session: Session
    audience: Audience
    fields: frozenset[str] | None


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    kind: Literal["forum", "session"]
    id: str
    action: Literal["new", "changed", "unchanged"]
    name: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class SameDay:
    """A new session in the same city on the same Danish day as another of its forum."""

    session_id: str
    other_id: str
    city: str
    day: date

    @property
    def text(self) -> str:
        day = danish_date(datetime.combine(self.day, datetime.min.time(), COPENHAGEN))
        return (f"Det nye møde {self.session_id} ligger i {self.city} samme dag som mødet "
                f"{self.other_id} ({day}). Er det et ekstra møde samme dag? Ellers ret mødets "
                "id i filen.")


@dataclass
class ImportPlan:
    """What an import would write, and what that changes against what is stored."""

    forums: list[ForumWrite] = field(default_factory=list)
    sessions: list[SessionWrite] = field(default_factory=list)
    changes: list[ItemChange] = field(default_factory=list)
    same_day: list[SameDay] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        return all(c.action == "unchanged" for c in self.changes)

    def lines(self) -> list[str]:
        """The changes in Danish, one line each, as the console and the CLI show them."""
        out: list[str] = []
        for c in self.changes:
            what = "Nyt lederforum" if c.kind == "forum" else "Nyt møde"
            if c.action == "new":
                out.append(f"{what}: {c.name} (id {c.id})")
            elif c.action == "changed":
                fields = ", ".join(f"{f.label} {f.before} → {f.after}" for f in c.fields)
                told = " (alle tilmeldte og dem på ventelisten får besked)" \
                    if any(f.field in TIME_AND_PLACE for f in c.fields) else ""
                out.append(f"Ændret: {c.name}: {fields}{told}")
        unchanged = [c for c in self.changes if c.action == "unchanged"]
        if not out:
            out.append("Intet ændres.")
        elif unchanged:
            forums = sum(1 for c in unchanged if c.kind == "forum")
            parts = [counted(n, one, many) for n, one, many in (
                (forums, "lederforum", "lederforummer"),
                (len(unchanged) - forums, "møde", "møder")) if n]
            out.append(f"Uændret: {' og '.join(parts)}.")
        out.extend(f"Obs: {s.text}" for s in self.same_day)
        return out


def session_name(session: Session) -> str:
    """A session as the secretariat names it: "Kolding 4. marts 2027"."""
    return f"{session.city} {danish_date(session.starts_at, weekday=False)}"


def _shown(name: str, value: Any) -> str:
    if isinstance(value, datetime):
        return danish_time(value)
    if name == "audience":
        return AUDIENCE_NAMES.get(str(value), str(value))
    text = " ".join(str(value).split())
    if not text:
        return "(tomt)"
    return f"»{text[:60]}…«" if len(text) > 60 else (f"»{text}«" if isinstance(value, str)
                                                     else text)


def field_changes(before: BaseModel, after: BaseModel,
                   names: Iterable[str]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(n, LABELS[n].capitalize(), _shown(n, getattr(before, n)),
                             _shown(n, getattr(after, n)))
                 for n in names if getattr(before, n) != getattr(after, n))


def plan_import(catalogue: CatalogueFile, forums: Mapping[str, Forum],
                sessions: Mapping[str, Session]) -> ImportPlan:
    """What importing the file (validated with `stored_context`) writes and changes, against
    the stored forums and sessions. A session's status is the file's only when it is new."""
    plan = ImportPlan()
    final = dict(sessions)
    new: list[Session] = []
    # A transaction may not write one item twice: a session the file lists (under any forum)
    # is written from its entry only.
    in_file = {s.id for f in catalogue.forums for s in f.sessions}
    for f in catalogue.forums:
        before = forums.get(f.id)
        forum = Forum(id=f.id, title=f.title, description=f.description, audience=f.audience)
        if before is None:
            plan.forums.append(ForumWrite(forum, None))
            plan.changes.append(ItemChange("forum", f.id, "new", f.title))
        else:
            given = f.model_fields_set & set(FORUM_FIELDS)
            if given:
                plan.forums.append(ForumWrite(forum, frozenset(given)))
            changed = field_changes(before, forum, FORUM_FIELDS)
            plan.changes.append(ItemChange("forum", f.id, "changed" if changed else "unchanged",
                                           before.title, changed))
        for s in f.sessions:
            was = sessions.get(s.id)
            session = Session(
                id=s.id, forum_id=f.id, city=s.city, venue=s.venue, starts_at=s.starts_at,
                ends_at=s.ends_at, capacity=s.capacity,
                registration_deadline=s.registration_deadline,
                closed=was.closed if was else s.status == "closed",
                cancelled=was.cancelled if was else s.status == "cancelled",
                confirmed=was.confirmed if was else 0)
            final[s.id] = session
            if was is None:
                new.append(session)
                plan.sessions.append(SessionWrite(session, forum.audience, None))
                plan.changes.append(ItemChange("session", s.id, "new", session_name(session)))
                continue
            written = (s.model_fields_set & set(SESSION_FIELDS)) | {"audience"}
            changed = field_changes(was, session, SESSION_FIELDS)
            if any(c.field in TIME_AND_PLACE for c in changed):
                # A new time or place: the next revision, written only over the one read
                # (a change made meanwhile refuses the import), and told to everyone.
                session = session.model_copy(update={"revision": was.revision + 1})
                written.add("revision")
            if was.forum_id != f.id:
                written.add("forum_id")
                changed += (FieldChange("forum_id", "Lederforum", was.forum_id, f.id),)
            plan.sessions.append(SessionWrite(session, forum.audience, frozenset(written)))
            plan.changes.append(ItemChange("session", s.id, "changed" if changed else "unchanged",
                                           session_name(was), changed))
        if before is not None and before.audience != forum.audience:
            # Registration checks the audience on the session's item: every session of the
            # forum follows, also those the file leaves out.
            plan.sessions.extend(SessionWrite(s, forum.audience, frozenset({"audience"}))
                                 for s in sessions.values()
                                 if s.forum_id == f.id and s.id not in in_file)
    for n, session in enumerate(new):
        if session.cancelled:
            continue
        later = {s.id for s in new[n:]}
        where = city_and_day(session.city, session.starts_at)
        for other in final.values():
            if (other.id not in later and other.forum_id == session.forum_id
                    and not other.cancelled
                    and city_and_day(other.city, other.starts_at) == where):
                plan.same_day.append(SameDay(session.id, other.id, session.city, where[1]))
    return plan
