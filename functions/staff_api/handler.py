"""The staff console's API under /api/staff: who is signed in, and the secretariat's forums,
forums and sessions created, changed or deleted in forms, participant lists, registering,
cancelling or moving one participant, close, reopen and cancel. API Gateway's Cognito
authorizer has checked the ID token (401 without a valid one); every route checks the
caller's group here as well (403)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.adapters import wiring
from shared.danish import danish_phone
from shared.edge.http import (
    BODY_REFUSALS,
    Body,
    Query,
    Response,
    create_resolver,
    json_response,
    staff_responses,
)
from shared.edge.staff import SECURITY, StaffUser
from shared.edge.staff import caller as staff_caller
from shared.errors import NotFound
from shared.forums.catalogue import CancelReason, Catalogue
from shared.forums.catalogue_file import ForumDetails, SessionDetails
from shared.forums.models import SLUG, Session
from shared.forums.registration.messages import MessageForm, Messages
from shared.forums.registration.models import StaffRegistrationForm
from shared.forums.registration.secretariat import (
    PARTICIPANT_ID,
    HeadCount,
    Placed,
    Secretariat,
    parse_participant_id,
    participant_id,
)
from shared.forums.registration.session_changes import SessionChanges
from shared.platform import snapstart
from shared.platform.clock import iso_copenhagen, utcnow
from shared.platform.observability import logger, metrics
from shared.platform.settings import StaffApiSettings
from shared.roles import Audience

settings = StaffApiSettings()  # type: ignore[call-arg]
catalogue_store = wiring.catalogue_store(settings.forums_table_name)
store = wiring.registration_store(settings.registrations_table_name, settings.forums_table_name)
secretariat = Secretariat(store, catalogue_store)
app = create_resolver(staff_group="secretariat")


def registering() -> Secretariat:
    """The secretariat with the registration ids of the form's registrations (the signing
    secret, read on first use, not into a SnapStart snapshot)."""
    from shared.forums.registration.service import Registrations

    ids = Registrations(store, wiring.signing_secret(settings.signing_secret_arn))
    return Secretariat(store, catalogue_store, registration_id=ids.registration_id,
                       retention_days=settings.retention_days)


def caller(group: str | None = None) -> StaffUser:
    return staff_caller(app, group)


class Me(BaseModel):
    email: str
    groups: list[str]


class StaffSession(BaseModel):
    id: str
    city: str
    venue: str
    starts_at: str
    ends_at: str
    registration_deadline: str
    capacity: int
    seats_taken: int
    seats_left: int
    waiting: int
    status: str
    # Never had a registration: the console offers to delete it (else to cancel it).
    deletable: bool = False


class StaffForum(BaseModel):
    id: str
    title: str
    description: str = ""
    audience: Audience
    sessions: list[StaffSession]


class StaffForums(BaseModel):
    forums: list[StaffForum]


class Participant(BaseModel):
    # Names the session and the registration (registration ids are per session): the id the
    # routes under /api/staff/registrations take.
    id: str = Field(pattern=PARTICIPANT_ID)
    status: str
    waitlist_position: int | None
    name: str
    email: str
    phone: str | None
    # The phone as a Dane writes it ("+45 20 11 22 33"; a foreign number as typed); `phone`
    # stays as stored.
    phone_display: str | None = None
    role: str
    workplace: str
    member_number: str | None
    # Another registration of the session (not cancelled) gives the same member number: shown
    # to the secretariat to look into, never refused (a stranger could block a member).
    member_number_shared: bool = False
    needs: str | None
    registered_at: str


class ParticipantCount(BaseModel):
    # The participants (confirmed), those waiting in line, and the cancelled (listed last,
    # never counted as participants).
    confirmed: int
    waiting: int
    cancelled: int


class Participants(BaseModel):
    session: StaffSession
    participants: list[Participant]
    count: ParticipantCount
    # The count as the console shows it: "14 tilmeldte, 3 på venteliste (2 afmeldte vises
    # nederst)".
    summary: str


class CatalogueUpload(BaseModel):
    # The file's name decides how it is read (.json: JSON, else YAML), as in the CLI.
    filename: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=16_000)
    # A new session in the same city on the same Danish day as another of its forum is
    # refused (422 on this field, naming both) unless this says it is meant.
    same_day_ok: bool = False


class PreviewField(BaseModel):
    field: str
    label: str  # the field in Danish
    before: str  # the values as the secretariat reads them (times in Danish time)
    after: str


class PreviewItem(BaseModel):
    kind: Literal["forum", "session"]
    id: str
    action: Literal["new", "changed", "unchanged"]
    name: str  # "Kolding 4. marts 2027", or the forum's title
    fields: list[PreviewField]


class SameDayWarning(BaseModel):
    session_id: str
    other_id: str
    text: str


class ImportPreview(BaseModel):
    changes_nothing: bool
    lines: list[str]  # the changes in Danish, one a line, as the console and the CLI show them
    changes: list[PreviewItem]
    same_day: list[SameDayWarning]


class Imported(BaseModel):
    forums: int
    sessions: int
    told: int = 0  # people emailed a session's new time or place


class CancelRequest(BaseModel):
    # Told to every participant as written.
    reason: CancelReason


class CancelPreview(BaseModel):
    subject: str
    text: str


class Cancelled(BaseModel):
    status: str
    cancelled: int


class StaffRegistered(BaseModel):
    id: str = Field(pattern=PARTICIPANT_ID)
    status: str
    waitlist_position: int | None = None


class Placement(BaseModel):
    status: str
    waitlist_position: int | None = None


class ParticipantCancelled(BaseModel):
    status: str


class MoveRequest(BaseModel):
    session_id: str = Field(pattern=SLUG)


def _view(session: Session, waiting: int) -> StaffSession:
    return StaffSession(
        id=session.id, city=session.city, venue=session.venue,
        starts_at=iso_copenhagen(session.starts_at), ends_at=iso_copenhagen(session.ends_at),
        registration_deadline=iso_copenhagen(session.registration_deadline),
        capacity=session.capacity, seats_taken=session.confirmed,
        seats_left=session.seats_left, waiting=waiting, status=session.status(utcnow()).value)


def _session(session_id: str) -> Session:
    session = catalogue_store.session(session_id) if re.fullmatch(SLUG, session_id) else None
    if session is None:
        raise NotFound("Mødet findes ikke.", code="session_not_found")
    return session


@app.get("/api/staff/me", responses=staff_responses({200: Me}), security=SECURITY)
def me() -> Me:
    user = caller()
    return Me(email=user.email, groups=list(user.groups))


@app.get("/api/staff/forums", responses=staff_responses({200: StaffForums}), security=SECURITY)
def forums() -> StaffForums:
    """Every forum with all its sessions (past ones too), seats taken, waiting and left."""
    caller("secretariat")
    sessions = sorted(catalogue_store.sessions(), key=lambda s: (s.starts_at, s.id))
    return StaffForums(forums=[
        StaffForum(id=forum.id, title=forum.title, description=forum.description,
                   audience=forum.audience, sessions=[
                       _listed(s) for s in sessions if s.forum_id == forum.id])
        for forum in sorted(catalogue_store.forums(), key=lambda f: f.title)])


def _listed(session: Session) -> StaffSession:
    """The session as the list shows it, with whether it may be deleted."""
    view = _view(session, len(store.waiting(session.id)))
    deletable = view.seats_taken == 0 and view.waiting == 0 and \
        not store.registrations(session.id)
    return view.model_copy(update={"deletable": deletable})


# -- forums and sessions in the secretariat's forms --------------------------------------------

class Saved(BaseModel):
    # Made from the title (a forum) or the city and date (a session): never typed.
    id: str = Field(pattern=SLUG)


class NewSession(SessionDetails):
    # Another session of the forum in the same city on the same day is meant (else 409).
    same_day_ok: bool = False


def _catalogue() -> Catalogue:
    return Catalogue(catalogue_store)


@app.post("/api/staff/forums",
          responses=staff_responses({201: Saved, 200: Saved}, 409, *BODY_REFUSALS),
          security=SECURITY)
def create_forum(details: Annotated[ForumDetails, Body()]) -> Response[Any]:
    """Create a forum; its id is made from the title (Danish letters written out: æ -> ae,
    ø -> oe, å -> aa). 201 when created; 200 with the same id, changing nothing, when the
    same forum (title, description, audience) exists (the same call repeated). Another forum
    whose title makes the same id gets the next free one (-2, -3, ...)."""
    caller("secretariat")
    forum_id, created = _catalogue().create_forum(details)
    logger.info("forum created", extra={"forum": forum_id, "created_now": created})
    return json_response(201 if created else 200, Saved(id=forum_id).model_dump())


@app.put("/api/staff/forums/<forum_id>",
         responses=staff_responses({200: Saved}, 404, *BODY_REFUSALS), security=SECURITY)
def change_forum(forum_id: str, details: Annotated[ForumDetails, Body()]) -> Saved:
    """Change a forum's title, description and audience (its id stays); its sessions take
    the new audience, which registration checks. Repeating it changes nothing more."""
    caller("secretariat")
    if not re.fullmatch(SLUG, forum_id):
        raise NotFound("Forummet findes ikke.", code="forum_not_found")
    _catalogue().change_forum(forum_id, details)
    logger.info("forum changed", extra={"forum": forum_id})
    return Saved(id=forum_id)


@app.post("/api/staff/forums/<forum_id>/sessions",
          responses=staff_responses({201: Saved, 200: Saved}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def create_session(forum_id: str, details: Annotated[NewSession, Body()]) -> Response[Any]:
    """Create an open session of the forum; its id is made from the city and the Danish date
    (kolding-2027-03-04). Times without an offset are Danish time. 201 when created; 200
    with the same id, changing nothing, when the same session exists (the same call
    repeated). Another session of the forum in the same city on the same day is refused
    (409, `same_city_and_day`) unless `same_day_ok`; then it gets the next free id."""
    caller("secretariat")
    if not re.fullmatch(SLUG, forum_id):
        raise NotFound("Forummet findes ikke.", code="forum_not_found")
    session_id, created = _catalogue().create_session(
        forum_id, SessionDetails.model_validate(details.model_dump(exclude={"same_day_ok"})),
        same_day_ok=details.same_day_ok)
    logger.info("session created", extra={"forum": forum_id, "session": session_id,
                                          "created_now": created})
    return json_response(201 if created else 200, Saved(id=session_id).model_dump())


@app.delete("/api/staff/sessions/<session_id>",
            responses={**staff_responses({}, 404, 409, 422),
                       204: {"description": "Deleted: it never had a registration"}},
            security=SECURITY)
def delete_session(session_id: str) -> Response[Any]:
    """Delete a session that never had a registration. One that had any (even cancelled
    since) is refused (409): cancel it instead, so its participants are told."""
    caller("secretariat")
    _session(session_id)
    secretariat.delete_session(session_id)
    logger.info("session deleted", extra={"session": session_id})
    return Response(status_code=204, content_type=None, body=None)


@app.post("/api/staff/forums/import",
          responses=staff_responses({200: Imported}, *BODY_REFUSALS, 409), security=SECURITY)
def import_catalogue(upload: Annotated[CatalogueUpload, Body()]) -> Imported:
    """Create or update forums and sessions from the secretariat's YAML or JSON file, with
    the same validation and errors as `leaders forums import`: a file that is not valid stores
    nothing (422 per field, naming the forum or session and the field in Danish); a capacity
    below the seats already taken refuses the import and names the session (422). A forum or
    session that exists keeps every field the file leaves out. A new session in the same city
    on the same Danish day as another of its forum is refused (422 on `same_day_ok`) unless
    `same_day_ok`. 409 when a forum or session to change was deleted, or its time or place
    changed, meanwhile. A session's new time or place is emailed once to everyone confirmed
    or waiting, as a change in the console is (`told`). Safe to run again; seats added go to
    the waiting list first."""
    caller("secretariat")
    result = wiring.catalogue_service(
        settings.forums_table_name, settings.registrations_table_name,
        retention_days=settings.retention_days).import_text(
        upload.text, filename=upload.filename, same_day_ok=upload.same_day_ok)
    logger.info("catalogue imported", extra={"forums": result.forums,
                                             "sessions": result.sessions, "told": result.told})
    return Imported(forums=result.forums, sessions=result.sessions, told=result.told)


@app.post("/api/staff/forums/import/preview",
          responses=staff_responses({200: ImportPreview}, *BODY_REFUSALS), security=SECURITY)
def preview_catalogue(upload: Annotated[CatalogueUpload, Body()]) -> ImportPreview:
    """What importing the file would change against what is stored, without writing: new
    forums and sessions, changed fields with before and after, what stays; and each new session
    in the same city on the same Danish day as another of its forum. A file that is not valid
    answers the import's 422."""
    caller("secretariat")
    plan = wiring.catalogue_service(settings.forums_table_name,
                                    settings.registrations_table_name).preview_text(
        upload.text, filename=upload.filename)
    logger.info("catalogue previewed", extra={"changes": len(plan.changes),
                                              "same_day": len(plan.same_day)})
    return ImportPreview(
        changes_nothing=plan.changes_nothing, lines=plan.lines(),
        changes=[PreviewItem(kind=c.kind, id=c.id, action=c.action, name=c.name, fields=[
            PreviewField(field=f.field, label=f.label, before=f.before, after=f.after)
            for f in c.fields]) for c in plan.changes],
        same_day=[SameDayWarning(session_id=d.session_id, other_id=d.other_id, text=d.text)
                  for d in plan.same_day])


@app.get("/api/staff/forums/import/template",
         responses={**staff_responses({}), 200: {
             "description": "The catalogue file's template: one forum and one session, a "
                            "Danish comment on every field",
             # A YAML document (clients that read YAML get the catalogue file's mapping).
             "content": {"application/yaml": {"schema": {
                 "type": "object", "description": "The catalogue file as the import reads it, "
                                                  "with Danish comments"}}}}},
         security=SECURITY)
def catalogue_template() -> Response[Any]:
    """The catalogue file's template (YAML with Danish comments), as a download named
    katalog-skabelon.yaml; `leaders forums template` prints the same file."""
    from shared.forums.catalogue_file import TEMPLATE_NAME, template

    caller("secretariat")
    return Response(status_code=200, content_type="application/yaml; charset=utf-8",
                    body=template(), headers={
                        "Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"',
                        "Cache-Control": "no-store"})


def _with_csv(documented: dict[int, Any]) -> dict[int, Any]:
    """The participant list's 200: JSON, or with `?format=csv` the spreadsheet."""
    answer = documented[200]
    return {**documented, 200: {
        "description": "The participant list; with ?format=csv a spreadsheet (UTF-8 with "
                       "BOM, `;` between columns, Danish headings)",
        "content": {**answer["content"], "text/csv": {"schema": {"type": "string"}}}}}


@app.get("/api/staff/sessions/<session_id>/participants",
         responses=_with_csv(staff_responses({200: Participants}, 404, 422)), security=SECURITY)
def participants(
    session_id: str,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response[Any]:
    """Everyone registered for the session: confirmed, waiting in line (with the place),
    cancelled; `?format=csv` for the spreadsheet (as `leaders forums participants --csv`)."""
    caller("secretariat")
    session = _session(session_id)
    everyone = secretariat.participants(session_id)
    logger.info("participant list", extra={"rows": len(everyone), "format": format or "json"})
    if format == "csv":
        from shared.forums.spreadsheet import participant_row, participants_csv

        text = participants_csv(participant_row(p) for p in everyone)
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=text,
                        headers={"Content-Disposition":
                                 f'attachment; filename="deltagere-{session_id}.csv"',
                                 "Cache-Control": "no-store"})
    waiting = sum(1 for p in everyone if p.waitlist_position is not None)
    return json_response(200, Participants(session=_view(session, waiting), participants=[
        Participant(id=participant_id(r), status=r.status.value,
                    member_number_shared=p.member_number_shared,
                    waitlist_position=p.waitlist_position,
                    name=r.name, email=r.email, phone=r.phone, role=r.role.value,
                    phone_display=danish_phone(r.phone) or None,
                    workplace=r.workplace, member_number=r.member_number, needs=r.needs,
                    registered_at=iso_copenhagen(r.created_at))
        for p in everyone for r in (p.registration,)], **_counted(everyone)).model_dump(
            mode="json"))


def _counted(everyone: list[Any]) -> dict[str, Any]:
    """The participant list's count (the cancelled never among the participants)."""
    head = HeadCount.of(everyone)
    return {"count": ParticipantCount(confirmed=head.confirmed, waiting=head.waiting,
                               cancelled=head.cancelled), "summary": head.summary}


def _status(session_id: str, *, closed: bool) -> StaffSession:
    caller("secretariat")
    _session(session_id)
    catalogue_store.set_status(session_id, closed=closed)
    logger.info("session status", extra={"session": session_id, "closed": closed})
    return _view(_session(session_id), len(store.waiting(session_id)))


@app.post("/api/staff/sessions/<session_id>/close",
          responses=staff_responses({200: StaffSession}, 404, 422), security=SECURITY)
def close(session_id: str) -> StaffSession:
    """Close registration (registered participants keep their seats)."""
    return _status(session_id, closed=True)


@app.post("/api/staff/sessions/<session_id>/reopen",
          responses=staff_responses({200: StaffSession}, 404, 409, 422), security=SECURITY)
def reopen(session_id: str) -> StaffSession:
    """Open registration again; a cancelled session stays cancelled (409)."""
    return _status(session_id, closed=False)


@app.post("/api/staff/sessions/<session_id>/cancel",
          responses=staff_responses({200: Cancelled}, 404, *BODY_REFUSALS), security=SECURITY)
def cancel(session_id: str, request: Annotated[CancelRequest, Body()]) -> Cancelled:
    """Cancel the session for good: every participant is emailed once, with the reason."""
    caller("secretariat")
    _session(session_id)
    count = secretariat.cancel_session(session_id, request.reason)
    logger.info("session cancelled", extra={"session": session_id, "cancelled": count})
    return Cancelled(status="cancelled", cancelled=count)


@app.post("/api/staff/sessions/<session_id>/cancel/preview",
          responses=staff_responses({200: CancelPreview}, 404, *BODY_REFUSALS),
          security=SECURITY)
def cancel_preview(session_id: str,
                   request: Annotated[CancelRequest, Body()]) -> CancelPreview:
    """The email every participant would get if the session were cancelled with this reason
    (each with their own name); nothing is changed or sent."""
    # The templates load with the first preview: the other routes send no email.
    from shared.forums.catalogue import valid_cancel_reason
    from shared.forums.registration.mail import cancellation_preview

    caller("secretariat")
    session = _session(session_id)
    reason = valid_cancel_reason(request.reason)  # refused as the cancel itself would be
    forum = catalogue_store.forum(session.forum_id)
    email = cancellation_preview(session, forum.title if forum else "", reason)
    return CancelPreview(subject=email.subject, text=email.text)


class SessionChangePreview(BaseModel):
    changes: list[PreviewField]
    confirmed: int
    waiting: int
    told: bool  # the time or place changes: everyone registered is emailed
    promoted: int  # waiting people who get a seat (capacity raised)
    summary: str  # who will be told, in Danish


class SessionChanged(BaseModel):
    told: int


def session_changes() -> SessionChanges:
    return SessionChanges(store, catalogue_store, retention_days=settings.retention_days)


@app.post("/api/staff/sessions/<session_id>/changes/preview",
          responses=staff_responses({200: SessionChangePreview}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def change_preview(session_id: str,
                   details: Annotated[SessionDetails, Body()]) -> SessionChangePreview:
    """What saving these details would change, and who would be told ("14 tilmeldte og 3 på
    venteliste får besked"); nothing is changed or sent. 422 on `capacity` (with the count)
    below the seats taken; 409 for a cancelled session."""
    caller("secretariat")
    _session(session_id)
    change = session_changes().preview(session_id, details)
    return SessionChangePreview(
        changes=[PreviewField(field=c.field, label=c.label, before=c.before, after=c.after)
                 for c in change.changes],
        confirmed=change.confirmed, waiting=change.waiting, told=change.told,
        promoted=change.promoted, summary=change.summary)


@app.put("/api/staff/sessions/<session_id>",
         responses=staff_responses({200: SessionChanged}, 404, 409, *BODY_REFUSALS),
         security=SECURITY)
def change_session(session_id: str,
                   details: Annotated[SessionDetails, Body()]) -> SessionChanged:
    """Change the session's city, venue, times, deadline or capacity. A new time or place is
    emailed once to everyone confirmed or waiting (the confirmed with the updated calendar
    file), and their registrations' expiry follows the new end; `told`: how many were emailed
    now. Capacity below the seats taken: 422 with the count; seats added go to the waiting
    list first, in order. Saving the same details again changes nothing and tells nobody
    twice (and finishes a change that was interrupted)."""
    caller("secretariat")
    _session(session_id)
    told = session_changes().change(session_id, details)
    logger.info("session changed", extra={"session": session_id, "told": told})
    return SessionChanged(told=told)


@app.post("/api/staff/sessions/<session_id>/registrations",
          responses=staff_responses({201: StaffRegistered, 200: StaffRegistered}, 404, 409,
                                    *BODY_REFUSALS), security=SECURITY)
def register(session_id: str,
             form: Annotated[StaffRegistrationForm, Body()]) -> Response[Any]:
    """Register someone who phoned or wrote (`asked_by`: how they asked, instead of the
    consent box): a seat if one is free and nobody waits, else the end of the waiting list,
    under the form's rules (409 when the session admits no registration). The person gets
    the confirmation or waiting-list email with the calendar file and the cancel link; the
    registration records who entered it. 201 when registered now; 200, changing nothing,
    when the address is registered for the session already (the same call repeated)."""
    user = caller("secretariat")
    _session(session_id)
    placed = registering().register(session_id, form, by=user.email)
    logger.info("participant registered", extra={
        "session": session_id, "registered_now": placed.created,
        "status": placed.answer.status.value, "asked_by": form.asked_by.value})
    return json_response(201 if placed.created else 200, StaffRegistered(
        id=participant_id(placed.registration), status=placed.answer.status.value,
        waitlist_position=placed.answer.waitlist_position).model_dump(mode="json"))


@app.post("/api/staff/registrations/<registration_id>/cancel",
          responses=staff_responses({200: ParticipantCancelled}, 404, 422), security=SECURITY)
def cancel_participant(registration_id: str) -> ParticipantCancelled:
    """Cancel one participant (the participant list's `id`); a confirmed seat passes to the
    first in line, who is told. The person gets the cancellation email. Repeating it changes
    nothing."""
    caller("secretariat")
    session_id, registration = parse_participant_id(registration_id)
    cancelled = secretariat.cancel(session_id, registration)
    logger.info("participant cancelled", extra={"session": session_id, "now": cancelled})
    return ParticipantCancelled(status="cancelled")


def _placement(placed: Placed) -> Placement:
    return Placement(status=placed.answer.status.value,
                     waitlist_position=placed.answer.waitlist_position)


@app.post("/api/staff/registrations/<registration_id>/move",
          responses=staff_responses({200: Placement}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def move_participant(registration_id: str, request: Annotated[MoveRequest, Body()]) -> Placement:
    """Move one participant to another session of the same forum: a seat there if free,
    else the end of its waiting list, the person's details kept; their place here passes to
    the first in line. 409 for another forum, the same session, a session that admits no
    registration, a cancelled registration, or a person registered there already. Repeating
    it finishes a move that was interrupted and answers the same."""
    user = caller("secretariat")
    session_id, registration = parse_participant_id(registration_id)
    placed = registering().move(session_id, registration, request.session_id, by=user.email)
    logger.info("participant moved", extra={"from": session_id, "to": request.session_id,
                                            "status": placed.answer.status.value})
    return _placement(placed)


def messages() -> Messages:
    """The secretariat's requests to send (no signing secret: the stream's consumer signs
    the links when it sends)."""
    return Messages(store, store)


class Resent(BaseModel):
    status: str = "requested"


@app.post("/api/staff/registrations/<registration_id>/resend",
          responses=staff_responses({202: Resent}, 404, 409, 422), security=SECURITY)
def resend_participant(registration_id: str) -> Response[Any]:
    """Send one participant their current email again, to their registered address only:
    confirmed, the confirmation with the calendar file and a fresh cancel link; waiting, the
    waiting-list email with their place now. 409 for a cancelled registration. A second call
    within two minutes (a double click) sends nothing more; the email goes out from the
    registrations' stream, once, through the ledger."""
    caller("secretariat")
    session_id, registration = parse_participant_id(registration_id)
    requested = messages().resend(session_id, registration)
    logger.info("resend", extra={"session": session_id, "requested_now": requested})
    return json_response(202, Resent().model_dump(mode="json"))


class MessageSent(BaseModel):
    # How many people it is addressed to (confirmed, and waiting when asked).
    recipients: int


class MessagePreview(BaseModel):
    subject: str
    text: str
    recipients: int


@app.post("/api/staff/sessions/<session_id>/messages",
          responses=staff_responses({202: MessageSent}, 404, *BODY_REFUSALS), security=SECURITY)
def write_to_session(session_id: str, form: Annotated[MessageForm, Body()]) -> Response[Any]:
    """Write to everyone confirmed for the session (and everyone waiting, with
    `include_waiting`): one email each with the subject and text as written and the contact
    footer, sent from the registrations' stream. The same message (session, subject, text)
    posted again sends nobody a second copy, and sends it to whoever a failed send left out."""
    caller("secretariat")
    _session(session_id)
    count = messages().send(session_id, form)
    logger.info("message to session", extra={"session": session_id, "recipients": count,
                                              "include_waiting": form.include_waiting})
    return json_response(202, MessageSent(recipients=count).model_dump(mode="json"))


@app.post("/api/staff/sessions/<session_id>/messages/preview",
          responses=staff_responses({200: MessagePreview}, 404, *BODY_REFUSALS),
          security=SECURITY)
def preview_message(session_id: str, form: Annotated[MessageForm, Body()]) -> MessagePreview:
    """The email each recipient would get and how many they are; nothing is stored or sent."""
    from shared.forums.registration.mail import message_email

    caller("secretariat")
    session = _session(session_id)
    service = messages()
    forum = catalogue_store.forum(session.forum_id)
    email = message_email(service.message(session_id, form), session,
                          forum.title if forum else "", "")
    return MessagePreview(subject=email.subject, text=email.text, recipients=len(
        service.recipients(session_id, form.include_waiting)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb",), steps=("shared.forms:prime",))
