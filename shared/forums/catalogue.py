"""What the public sees of the forums, and how the secretariat's file becomes the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import Field, TypeAdapter, ValidationError

from shared.errors import FieldError, InvalidInput, NotFound
from shared.forms import MultiLine
from shared.forums.models import Forum, ForumList, ForumView, Session, SessionView
from shared.platform.clock import Clock, utcnow
from shared.roles import Audience
from shared.validation import field_errors

if TYPE_CHECKING:  # the file's models load only with an import (kept out of the public API)
    from shared.forums.catalogue_file import ForumWrite, ImportPlan, SessionWrite

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


class CatalogueStore(Protocol):
    """Where forums and sessions are kept (DynamoDB in AWS and locally; a dict in unit tests)."""

    def put_forum(self, forum: Forum) -> None: ...

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
