"""What the public sees of the forums, and how the secretariat's file becomes the catalogue."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import Field, TypeAdapter, ValidationError

from shared.errors import Conflict, FieldError, InvalidInput, NotFound
from shared.forms import MultiLine
from shared.forums.models import (
    Forum,
    ForumList,
    ForumView,
    Session,
    SessionView,
    city_and_day,
)
from shared.platform.clock import COPENHAGEN, Clock, utcnow
from shared.roles import Audience
from shared.validation import field_errors

if TYPE_CHECKING:  # the file's models load only with an import (kept out of the public API)
    from shared.forums.catalogue_file import (
        ForumDetails,
        ForumWrite,
        ImportPlan,
        SessionDetails,
        SessionWrite,
    )

# The secretariat's reason for cancelling a session, mailed to every participant as written:
# text like every other field (line breaks allowed, control characters refused).
CancelReason = Annotated[MultiLine, Field(min_length=3, max_length=2000)]


def valid_cancel_reason(reason: object) -> str:
    """The reason as it will be mailed, or InvalidInput on the field `reason`."""
    try:
        return TypeAdapter(CancelReason).validate_python(reason)
    except ValidationError as exc:
        raise InvalidInput(field_errors(
            {**error, "loc": ("reason",)} for error in exc.errors())) from exc


def read_file(text: str, *, filename: str) -> Mapping[str, Any]:
    """The secretariat's file as data: JSON when its name ends in .json, else YAML. A file
    that cannot be read is refused as a whole, with the parser's reason."""
    import json

    import yaml  # only the import reads YAML

    try:
        is_json = filename.lower().endswith(".json")
        if not is_json and any(isinstance(token, yaml.AliasToken)
                               for token in yaml.scan(text)):
            # An alias repeats what its anchor holds: a few lines of them can stand for
            # billions of entries, which validation would walk until the timeout.
            raise InvalidInput([FieldError(
                "file", "yaml_alias",
                "Filen må ikke bruge YAML-ankre (& og *). Skriv hvert forum og møde ud.")])
        data = json.loads(text) if is_json else yaml.safe_load(text)
    except RecursionError:
        # Nesting deeper than the parser goes: an unreadable file, not a server error.
        raise InvalidInput([FieldError(
            "file", "unreadable", "Filen er ikke gyldig YAML/JSON: den er for dybt "
                                  "indlejret.")]) from None
    except (ValueError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())[:300]
        raise InvalidInput([FieldError("file", "unreadable",
                                       f"Filen er ikke gyldig YAML/JSON: {reason}")]) from exc
    if not isinstance(data, dict):
        raise InvalidInput([FieldError("file", "no_forums",
                                       "Forventede en fil med 'forums:' øverst.")])
    return data


# -- ids made from what the secretariat writes ------------------------------------------------

# Danish letters written out as Danes do when a letter is not at hand; every other accent is
# dropped (é -> e), and anything else than a-z and 0-9 separates words.
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})
# An id has at most 63 characters (shared.forums.models.SLUG): room is kept for "-99".
_LONGEST = 63
_SUFFIX_ROOM = 4


def slug(text: str, fallback: str) -> str:
    """The words of `text` as an id part: lower case, Danish letters written out (æ -> ae,
    ø -> oe, å -> aa), other accents dropped, words joined by hyphens, at most 59
    characters; `fallback` when nothing of it is left."""
    words = unicodedata.normalize("NFKD", text.lower().translate(_DANISH))
    ascii_words = words.encode("ascii", "ignore").decode()
    joined = "-".join(re.findall(r"[a-z0-9]+", ascii_words))
    cut = joined[:_LONGEST - _SUFFIX_ROOM].rstrip("-")
    return cut if len(cut) >= 2 else fallback


def forum_id_of(title: str) -> str:
    """A new forum's id, from its title: "Ledelse af skole-fritidsområdet" ->
    ledelse-af-skole-fritidsomraadet."""
    return slug(title, "forum")


def session_id_of(city: str, starts_at: datetime) -> str:
    """A new session's id, from its city and its Danish date: kolding-2027-03-04."""
    day = starts_at.astimezone(COPENHAGEN).date().isoformat()
    return f"{slug(city, 'moede')[:_LONGEST - _SUFFIX_ROOM - len(day) - 1].rstrip('-')}-{day}"


def candidate_ids(base: str) -> Iterator[str]:
    """The id itself, then with -2, -3, ... (each within the id's 63 characters)."""
    yield base
    for number in range(2, 100):
        yield f"{base}-{number}"


def same_day(session: Session, city: str, starts_at: datetime) -> bool:
    """Held in the same city on the same Danish day (shared.forums.models.city_and_day)."""
    return city_and_day(session.city, session.starts_at) == city_and_day(city, starts_at)


class CatalogueStore(Protocol):
    """Where forums and sessions are kept (DynamoDB in AWS and locally; a dict in unit tests)."""

    def put_forum(self, forum: Forum) -> None: ...

    def add_forum(self, forum: Forum) -> Forum | None:
        """Create the forum while no forum has its id: None when created, else the forum that
        has it (read after the refused write, so never an older copy)."""

    def change_forum(self, forum: Forum, session_ids: list[str]) -> bool:
        """Write the forum's title, description and audience, and the audience on each of
        these sessions of it (registration checks a session's own), all or none, while the
        forum exists; False (nothing written) when it does not."""

    def add_session(self, session: Session, audience: Audience) -> Session | None:
        """Create the session (no seats taken, nobody waiting) while no session has its id:
        None when created, else the session that has it (read after the refused write)."""

    def put_session(self, session: Session, audience: Audience) -> None:
        """Create or update the session's description (with its forum's audience, which
        registration checks against); never touches its seats or waiting list. Its status
        (closed, cancelled) is the file's only when the session is created: afterwards it is
        the secretariat's to change, and an import keeps it.

        Raises CapacityBelowConfirmed when the new capacity is below the seats already taken."""

    def forums(self) -> list[Forum]: ...

    def forum(self, forum_id: str) -> Forum | None: ...

    def sessions(self, forum_id: str | None = None) -> list[Session]: ...

    def write_catalogue(self, forums: list[ForumWrite], sessions: list[SessionWrite]) -> None:
        """An import's writes, all or none: a new forum or session with every field (its
        status the file's), one that exists with only the fields named. Raises
        CapacityBelowConfirmed (naming every such session) or CatalogueChanged (a session or
        forum to change is gone) and writes nothing."""


    def session(self, session_id: str) -> Session | None: ...


class CatalogueChanged(Exception):
    """A forum or session an import changes was deleted, or its time or place changed,
    meanwhile."""


class Seats(Protocol):
    def fill(self, session_id: str) -> int:
        """Give seats that are free while people wait to the first in line."""


class Participants(Protocol):
    def tell(self, session_id: str) -> int:
        """Bring every registration of the session to its time and place as they stand (each
        person not cancelled is emailed the new details once); the number to be told."""


class CapacityBelowConfirmed(Exception):
    def __init__(self, *session_ids: str) -> None:
        super().__init__(*session_ids)
        self.session_ids = session_ids
        self.session_id = session_ids[0]


@dataclass(frozen=True)
class ImportResult:
    forums: int
    sessions: int
    told: int = 0  # people emailed a session's new time or place


class Catalogue:
    def __init__(self, store: CatalogueStore, clock: Clock = utcnow,
                 seats: Seats | None = None, participants: Participants | None = None) -> None:
        """`seats`: seats added go to the waiting list; `participants`: a session whose time
        or place the import changes is told to everyone registered (both the secretariat's
        import; the public listing needs neither)."""
        self._store = store
        self._clock = clock
        self._seats = seats
        self._participants = participants

    def list_forums(self) -> ForumList:
        """Every forum with sessions still ahead, each with its upcoming sessions in time order."""
        now = self._clock()
        by_forum: dict[str, list[Session]] = {}
        for session in self._store.sessions():
            if session.ends_at > now:
                by_forum.setdefault(session.forum_id, []).append(session)
        views = [
            self._view(forum, by_forum[forum.id])
            for forum in sorted(self._store.forums(), key=lambda f: f.title)
            if forum.id in by_forum
        ]
        views.sort(key=lambda v: v.sessions[0].starts_at)
        return ForumList(forums=views)

    def get_forum(self, forum_id: str) -> ForumView:
        forum = self._store.forum(forum_id)
        if forum is None:
            raise NotFound("Forummet findes ikke.", code="forum_not_found")
        now = self._clock()
        upcoming = [s for s in self._store.sessions(forum_id) if s.ends_at > now]
        return self._view(forum, upcoming)

    def import_text(self, text: str, *, filename: str, same_day_ok: bool = False
                    ) -> ImportResult:
        """Import the secretariat's file as written: JSON when its name ends in .json, else
        YAML (the CLI reads it from disk, the console from the chosen file). A file that
        cannot be read is refused as a whole, with the parser's reason."""
        return self.import_file(read_file(text, filename=filename), same_day_ok=same_day_ok)

    def preview_text(self, text: str, *, filename: str) -> ImportPlan:
        """What importing the file would change, without writing anything."""
        return self.preview_file(read_file(text, filename=filename))

    def preview_file(self, data: Mapping[str, Any]) -> ImportPlan:
        return self._plan(data)

    def import_file(self, data: Mapping[str, Any], *, same_day_ok: bool = False
                    ) -> ImportResult:
        """Write every forum and session in the file; running it twice changes nothing more.
        A forum or session that exists keeps every field the file leaves out; a new one needs
        its required fields. A session's status is taken from the file only when it is
        created; seats added to a session go to its waiting list first, in order. A new
        session in the same city on the same day as another of its forum is refused unless
        `same_day_ok` (a mistyped id would otherwise make a second session)."""
        plan = self._plan(data)
        if plan.same_day and not same_day_ok:
            raise InvalidInput([FieldError("same_day_ok", "same_day", s.text)
                                for s in plan.same_day])
        # One write for the whole file: a refusal or a failure midway leaves the catalogue as
        # it was, never a forum without its sessions.
        try:
            self._store.write_catalogue(plan.forums, plan.sessions)
        except CapacityBelowConfirmed as below:
            raise InvalidInput([
                FieldError(f"sessions.{session_id}.capacity", "capacity_below_confirmed",
                           f"Møde {session_id}, antal pladser: kapaciteten er lavere end "
                           "antallet af bekræftede deltagere.")
                for session_id in below.session_ids]) from below
        except CatalogueChanged as gone:
            from shared.errors import Conflict

            raise Conflict("Et forum eller møde i filen er ændret eller slettet imens. Se "
                           "ændringerne igen, og indlæs så filen.",
                           code="catalogue_changed") from gone
        listed = [c.id for c in plan.changes if c.kind == "session"]
        told = 0
        if self._participants is not None:
            # A new time or place is told as a change in the console tells it: each person
            # once per revision. Safe to repeat: an import run again finishes the telling.
            for session_id in listed:
                told += self._participants.tell(session_id)
        if self._seats is not None:
            # Seats added go to the waiting list first, in order. Each promotion is its own
            # step and safe to repeat: an import run again finishes what a failure left.
            for session_id in listed:
                self._seats.fill(session_id)
        return ImportResult(forums=sum(1 for c in plan.changes if c.kind == "forum"),
                            sessions=len(listed), told=told)

    def _plan(self, data: Mapping[str, Any]) -> ImportPlan:
        # The file's models are only needed by the secretariat's import, not by the public API:
        # imported here to keep them out of the API function's cold start.
        from shared.forums.catalogue_file import (
            MAX_ITEMS,
            CatalogueFile,
            named_errors,
            plan_import,
            stored_context,
        )

        forums = {f.id: f for f in self._store.forums()}
        sessions = {s.id: s for s in self._store.sessions()}
        try:
            catalogue = CatalogueFile.model_validate(
                data, context=stored_context(forums.values(), sessions.values()))
        except ValidationError as exc:
            raise InvalidInput(named_errors(exc.errors(), data)) from exc
        plan = plan_import(catalogue, forums, sessions)
        writes = len(plan.forums) + len(plan.sessions)
        if writes > MAX_ITEMS:
            raise InvalidInput([FieldError(
                "forums", "too_many_items",
                f"Indlæsningen skal skrive {writes} forummer og møder (også møder, hvis "
                f"forums målgruppe ændres); én import kan højst rumme {MAX_ITEMS}. Del filen "
                "op i flere.")])
        return plan

    # -- the secretariat's forms --------------------------------------------------------------

    def create_forum(self, details: ForumDetails) -> tuple[str, bool]:
        """A new forum with an id made from its title: the id, and True when it was created
        now. The same forum sent again (same title, description and audience) is found and
        answered (False); another forum whose title makes the same id gets the next free one
        (-2, -3, ...)."""
        def forum_of(forum_id: str) -> Forum:
            return Forum(id=forum_id, title=details.title, description=details.description,
                         audience=details.audience)

        for candidate in candidate_ids(forum_id_of(details.title)):
            # The write decides (a read may be a moment behind): refused, it names the holder.
            holder = self._store.add_forum(forum_of(candidate))
            if holder is None:
                return candidate, True
            if holder == forum_of(candidate):
                return candidate, False
        raise Conflict("Der er for mange forummer med næsten samme titel. Vælg en anden titel.",
                       code="no_free_id")

    def change_forum(self, forum_id: str, details: ForumDetails) -> Forum:
        """Change the forum's title, description and audience; its sessions take the new
        audience in the same write (registration checks a session's own). NotFound when
        there is no such forum."""
        forum = Forum(id=forum_id, title=details.title, description=details.description,
                      audience=details.audience)
        if self._store.forum(forum_id) is None or not self._store.change_forum(
                forum, [s.id for s in self._store.sessions(forum_id)]):
            raise NotFound("Forummet findes ikke.", code="forum_not_found")
        return forum

    def create_session(self, forum_id: str, details: SessionDetails, *,
                       same_day_ok: bool = False) -> tuple[str, bool]:
        """A new open session of the forum with an id made from its city and Danish date
        (kolding-2027-03-04): the id, and True when it was created now. The same session sent
        again (same details) is found and answered (False). Another session of the forum in
        the same city on the same day is refused (Conflict) unless `same_day_ok`: then, as
        for an id another forum's session has, the next free id (-2, -3, ...)."""
        forum = self._store.forum(forum_id)
        if forum is None:
            raise NotFound("Forummet findes ikke.", code="forum_not_found")

        def session_of(session_id: str) -> Session:
            return Session(id=session_id, forum_id=forum_id, city=details.city,
                           venue=details.venue, starts_at=details.starts_at,
                           ends_at=details.ends_at, capacity=details.capacity,
                           registration_deadline=details.registration_deadline)

        def same(existing: Session | None) -> bool:
            return existing is not None and _described(existing) == \
                _described(session_of(existing.id))

        beside = [s for s in self._store.sessions(forum_id)
                  if same_day(s, details.city, details.starts_at)]
        repeated = next((s for s in beside if same(s)), None)
        if repeated is not None:
            return repeated.id, False
        if not same_day_ok and any(not s.cancelled for s in beside):
            raise Conflict(f"Der er allerede et møde i {details.city} den dag. Ret dato eller "
                           f"by, eller bekræft, at der skal være to møder samme dag.",
                           code="same_city_and_day")
        for candidate in candidate_ids(session_id_of(details.city, details.starts_at)):
            holder = self._store.add_session(session_of(candidate), forum.audience)
            if holder is None:
                return candidate, True
            if same(holder):
                return candidate, False
        raise Conflict("Der er for mange møder samme dag i den by.", code="no_free_id")

    def _view(self, forum: Forum, sessions: list[Session]) -> ForumView:
        now = self._clock()
        ordered = sorted(sessions, key=lambda s: s.starts_at)
        return ForumView(
            id=forum.id,
            title=forum.title,
            description=forum.description,
            audience=forum.audience,
            sessions=[SessionView.of(s, now) for s in ordered],
        )


def _described(session: Session) -> tuple[object, ...]:
    """What the secretariat wrote about a session (not its seats or status), to compare."""
    return (session.forum_id, session.city, session.venue, session.starts_at, session.ends_at,
            session.capacity, session.registration_deadline)
