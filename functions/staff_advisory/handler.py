"""The consultant's area of the staff console under /api/staff/advisory: the queue as counts, the
next request leased and shown, the caller's open requests (from any device), a held or finished
request shown again, extended, put on hold ("afventer svar") until a follow-up day, done with a
note, released, reopened, tied to an earlier request, found with those tied to it by its
reference, and the history of finished requests with their notes; and the advisory part of a
data-protection request for one email address (how many requests it sent, their export, their
erasure), which only the consultant can answer. Only this function (and the consultant's CLI
role) may decrypt the requests; every route refuses every group but `consultant` (403) before
anything is read, and every view is audited before it is opened. Data-protection requests are
audited in the privacy officer's trail with the consultant as operator, never the address."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from shared.adapters.wiring import advisory_holder, case_book, privacy
from shared.adapters.wiring import desk as build_desk
from shared.advisory.mail import KIND_TEXT
from shared.advisory.models import (
    AdvisoryRequest,
    ContactPreference,
    Contents,
    Kind,
    Mine,
    QueueCounts,
    Related,
    Status,
)
from shared.advisory.reference import PATTERN
from shared.advisory.service import Desk
from shared.edge.http import BODY_REFUSALS, Body, create_resolver, staff_responses
from shared.edge.privacy_routes import add_request_routes, open_case
from shared.edge.staff import SECURITY
from shared.edge.staff import caller as staff_caller
from shared.errors import FieldError, InvalidInput, NotFound
from shared.forms import OptionalMultiLine
from shared.platform import snapstart
from shared.platform.clock import iso_copenhagen, to_copenhagen, utcnow
from shared.platform.observability import logger, metrics
from shared.platform.settings import StaffAdvisorySettings
from shared.privacy.cases import CASE_NUMBER, Case, ContributedRequest, Contribution
from shared.privacy.models import Unreadable

if TYPE_CHECKING:
    from shared.privacy.service import Privacy

settings = StaffAdvisorySettings()  # type: ignore[call-arg]
app = create_resolver(staff_group="consultant")  # other groups refused before the request is read
cases = case_book(settings.privacy_audit_table_name)
GROUP = "consultant"
MAX_NOTE = 4000


class _Metrics:
    def count(self, name: str, value: float = 1) -> None:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def desk() -> Desk:
    """The desk of the signed-in consultant (403 for anyone else): leases name the caller's
    address, and so does every audit entry."""
    user = staff_caller(app, GROUP)
    return build_desk(advisory_table=settings.advisory_table_name,
                      key_arn=settings.advisory_key_arn, urgent_queue=settings.urgent_queue_url,
                      normal_queue=settings.normal_queue_url, by=user.email.lower(),
                      metrics=_Metrics())


def privacy_requests() -> Privacy:
    """The `leaders privacy … --area advisory` service as the signed-in consultant: only the
    advisory holder, each request exported audited at this desk first, each data-protection
    request in the privacy audit with the consultant as operator."""
    consultant = desk()
    return privacy(audit_table=settings.privacy_audit_table_name, by=consultant.consultant,
                   advisory=advisory_holder(advisory_table=settings.advisory_table_name,
                                            key_arn=settings.advisory_key_arn,
                                            lookup_secret_arn=settings.lookup_secret_arn,
                                            exported=consultant.exported))


def _reference(value: str, field: str = "reference") -> str:
    reference = value.strip().upper()
    if not re.fullmatch(PATTERN, reference):
        raise InvalidInput([FieldError(field, "invalid_reference",
                                       "Referencen har formen LR-XXXX-XX.")])
    return reference


class AdvisoryView(BaseModel):
    """A request as the consultant reads it."""

    reference: str
    kind: Kind
    kind_text: str
    urgent: bool
    status: Status
    received_at: str
    leased_until: str | None
    done_at: str | None
    name: str | None
    email: str | None
    phone: str | None
    contact_preference: ContactPreference | None
    topic: str | None
    message: str
    note: str | None
    # On hold ("afventer svar") until this day; the earlier request it follows up, and the
    # later ones following it up.
    follow_up_on: date | None = None
    follow_up_of: str | None = None
    follow_ups: list[str] = Field(default_factory=list)


class NextAnswer(BaseModel):
    """The request now leased to the caller, or none (and why) when nothing waits."""

    request: AdvisoryView | None
    message: str


class DoneRequest(BaseModel):
    # Private to the consultants, stored sealed like the request.
    note: OptionalMultiLine = Field(default=None, max_length=MAX_NOTE)


class AdvisoryStatus(BaseModel):
    reference: str
    status: Status


class MineView(BaseModel):
    """One of the caller's open requests: no texts, no names."""

    reference: str
    kind: Kind
    kind_text: str
    urgent: bool
    status: Status
    received_at: str
    leased_until: str | None
    follow_up_on: date | None
    due: bool
    follow_up_of: str | None


class MineList(BaseModel):
    requests: list[MineView]


class Extended(BaseModel):
    reference: str
    leased_until: str


class Reopened(BaseModel):
    reference: str
    status: Status
    leased_until: str


class WaitingRequest(BaseModel):
    # The Copenhagen day the request is due again (today or later).
    follow_up_on: date
    # Private to the consultants, stored sealed like the request (replaces the note kept).
    note: OptionalMultiLine = Field(default=None, max_length=MAX_NOTE)


class OnHold(BaseModel):
    reference: str
    status: Status
    follow_up_on: date


class LinkRequest(BaseModel):
    # The reference of the earlier request this one follows up.
    earlier: str = Field(max_length=20)


class Linked(BaseModel):
    reference: str
    follow_up_of: str


class RelatedView(BaseModel):
    """A request found by its reference, or tied to it: no texts, no names."""

    reference: str
    kind: Kind
    kind_text: str
    urgent: bool
    status: Status
    received_at: str
    done_at: str | None
    done_by: str | None
    follow_up_of: str | None
    follow_ups: list[str]


class Found(BaseModel):
    requests: list[RelatedView]


class FinishedRequest(BaseModel):
    reference: str
    kind: Kind
    kind_text: str
    urgent: bool
    received_at: str
    done_at: str | None
    done_by: str | None
    note: str | None


class History(BaseModel):
    requests: list[FinishedRequest]


def _time(moment: datetime | None) -> str | None:
    return iso_copenhagen(moment) if moment else None


def _view(request: AdvisoryRequest, contents: Contents, note: str | None,
          until: datetime | None = None) -> AdvisoryView:
    return AdvisoryView(
        reference=request.reference, kind=request.kind, kind_text=KIND_TEXT[request.kind],
        urgent=request.urgent, status=request.status,
        received_at=iso_copenhagen(request.received_at),
        leased_until=_time(until or request.leased_until), done_at=_time(request.done_at),
        name=contents.name, email=contents.email, phone=contents.phone,
        contact_preference=contents.contact_preference, topic=contents.topic,
        message=contents.message, note=note, follow_up_on=request.follow_up_on,
        follow_up_of=request.follow_up_of, follow_ups=request.follow_ups)


def _mine(m: Mine) -> MineView:
    return MineView(reference=m.reference, kind=m.kind, kind_text=KIND_TEXT[m.kind],
                    urgent=m.urgent, status=m.status, received_at=iso_copenhagen(m.received_at),
                    leased_until=_time(m.leased_until), follow_up_on=m.follow_up_on, due=m.due,
                    follow_up_of=m.follow_up_of)


def _related(r: Related) -> RelatedView:
    return RelatedView(reference=r.reference, kind=r.kind, kind_text=KIND_TEXT[r.kind],
                       urgent=r.urgent, status=r.status,
                       received_at=iso_copenhagen(r.received_at), done_at=_time(r.done_at),
                       done_by=r.done_by, follow_up_of=r.follow_up_of, follow_ups=r.follow_ups)


@app.get("/api/staff/advisory", responses=staff_responses({200: QueueCounts}),
         security=SECURITY)
def counts() -> QueueCounts:
    """What waits, by urgency and age, and how many are being handled: no texts, no names."""
    return desk().counts()


@app.post("/api/staff/advisory/next", responses=staff_responses({200: NextAnswer}),
          security=SECURITY)
def take_next() -> NextAnswer:
    """Lease the first urgent request, else the first normal one, and show it (audited)."""
    leased = desk().next()
    if leased is None:
        logger.info("advisory queue empty")
        return NextAnswer(request=None, message="Der venter ingen henvendelser.")
    request = leased.request.model_copy(update={"status": Status.LEASED})
    logger.info("advisory leased", extra={"reference": request.reference})
    return NextAnswer(request=_view(request, leased.contents, None, leased.until),
                      message=f"{request.reference} er nu reserveret til dig i "
                              f"{round((leased.until - utcnow()).total_seconds() / 60)} minutter.")


@app.get("/api/staff/advisory/history", responses=staff_responses({200: History}),
         security=SECURITY)
def history() -> History:
    """The last finished requests, newest first, with their notes (each note shown is
    audited)."""
    found = desk().history()
    logger.info("advisory history", extra={"rows": len(found)})
    return History(requests=[
        FinishedRequest(reference=r.reference, kind=r.kind, kind_text=KIND_TEXT[r.kind],
                        urgent=r.urgent, received_at=iso_copenhagen(r.received_at),
                        done_at=_time(r.done_at), done_by=r.done_by, note=note)
        for r, note in found])


@app.get("/api/staff/advisory/mine", responses=staff_responses({200: MineList}),
         security=SECURITY)
def mine() -> MineList:
    """The caller's open requests, from any device: leased to them (with the lease's end) and
    on hold with them (with the follow-up day; `due` once it has come, first in the list).
    No texts, no names: opening one is `GET …/{reference}` (audited)."""
    found = desk().mine()
    logger.info("advisory mine", extra={"rows": len(found)})
    return MineList(requests=[_mine(m) for m in found])


# Before `{reference}` below: the path `privacy/…` is not a reference.
add_request_routes(app, "/api/staff/advisory/privacy", privacy_requests, {
    "search": "How many advisory requests the address sent, by status: no contents (found by "
              "the keyed hash of the address, none opened). Audited in the privacy audit.",
    "export": "The advisory part of the address's export, as `leaders privacy export --area "
              "advisory` writes it (each request with the consultant's note). Audited in the "
              "privacy audit, and each request exported in the advisory audit (action "
              "`export`).",
    "erase": "Delete every advisory request the address sent (a queue message still naming "
             "one is dropped when pulled). Safe to repeat: a second erasure finds nothing and "
             "answers zero. Audited in the privacy audit.",
}, case=cases.case)


class PrivacyCase(BaseModel):
    """An open data-protection case as the consultant picks it: its number, what it asks,
    the day it came and the address it is about."""

    case: str
    kind_text: str
    received_on: str
    email: str

    @classmethod
    def of(cls, case: Case) -> PrivacyCase:
        return cls(case=case.number, kind_text=case.kind_text,
                   received_on=case.received_on.isoformat(), email=case.email)


class PrivacyCases(BaseModel):
    cases: list[PrivacyCase]


class Contributed(BaseModel):
    case: str
    reference: str
    # How many requests from the case's address the contribution names.
    requests: int


@app.get("/api/staff/advisory/privacy/cases", responses=staff_responses({200: PrivacyCases}),
         security=SECURITY)
def privacy_cases() -> PrivacyCases:
    """The privacy officer's open cases, to answer the advisory part of one."""
    staff_caller(app, GROUP)
    return PrivacyCases(cases=[PrivacyCase.of(c) for c in cases.open_cases()])


@app.post("/api/staff/advisory/privacy/cases/<case>/contribute",
          responses=staff_responses({200: Contributed}, 404, 409), security=SECURITY)
def contribute(case: str) -> Contributed:
    """The advisory part of the case's access answer, stored under the case for the privacy
    officer's answer page: each request from the address by kind, day of receipt and
    whether it is finished. Nothing of its contents (they reach the member from the
    consultant, separately), and nothing is opened. Again: replaced by the same. Audited
    under the case (action `contribute`)."""
    service = privacy_requests()
    if not re.fullmatch(CASE_NUMBER, case):
        raise NotFound("Sagen findes ikke.", code="case_not_found")
    asked = open_case(cases.case(case))
    found, report = service.contribution(asked.email, asked.number)
    if "advisory" not in found:  # the key refused: never contribute "no requests"
        raise Unreadable(report.why.get("advisory"))
    contribution = Contribution(
        requests=sorted((ContributedRequest(
            kind=held["kind"], finished=held["status"] == Status.DONE.value,
            received_on=to_copenhagen(datetime.fromisoformat(held["received_at"])).date())
            for held in found.get("advisory", [])), key=lambda r: (r.received_on, r.kind)),
        contributed_at=report.at, by=report.by)
    cases.contribute(asked.number, contribution)
    logger.info("privacy contribution", extra={"case": asked.number,
                                               "reference": report.request_id,
                                               "counts": report.counts})
    return Contributed(case=asked.number, reference=report.request_id,
                       requests=len(contribution.requests))


@app.get("/api/staff/advisory/<reference>",
         responses=staff_responses({200: AdvisoryView}, 404, 409, 422), security=SECURITY)
def show(reference: str) -> AdvisoryView:
    """A request the caller holds, or a finished one with its note (audited)."""
    service = desk()
    shown = service.show(_reference(reference))
    logger.info("advisory shown", extra={"reference": shown.request.reference})
    return _view(shown.request, shown.contents, shown.note)


@app.post("/api/staff/advisory/<reference>/done",
          responses=staff_responses({200: AdvisoryStatus}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def done(reference: str,
         request: Annotated[DoneRequest | None, Body()] = None) -> AdvisoryStatus:
    """Finish a request the caller holds, with an optional note; again changes nothing."""
    service = desk()
    found = _reference(reference)
    service.done(found, request.note if request else None)
    logger.info("advisory done", extra={"reference": found})
    return AdvisoryStatus(reference=found, status=Status.DONE)


@app.post("/api/staff/advisory/<reference>/release",
          responses=staff_responses({200: AdvisoryStatus}, 404, 409, 422), security=SECURITY)
def release(reference: str) -> AdvisoryStatus:
    """Put a request the caller holds back in the queue at once; again changes nothing."""
    service = desk()
    found = _reference(reference)
    service.release(found)
    logger.info("advisory released", extra={"reference": found})
    return AdvisoryStatus(reference=found, status=Status.WAITING)


@app.post("/api/staff/advisory/<reference>/extend",
          responses=staff_responses({200: Extended}, 404, 409, 422), security=SECURITY)
def extend(reference: str) -> Extended:
    """Keep a request the caller holds 30 minutes from now: when the lease ends."""
    service = desk()
    found = _reference(reference)
    until = service.extend(found)
    logger.info("advisory extended", extra={"reference": found})
    return Extended(reference=found, leased_until=iso_copenhagen(until))


@app.post("/api/staff/advisory/<reference>/waiting",
          responses=staff_responses({200: OnHold}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def waiting(reference: str, request: Annotated[WaitingRequest, Body()]) -> OnHold:
    """"Afventer svar": a request the caller holds leaves the queue and stays theirs until
    `follow_up_on` (a day from today on, before the request is deleted), when it heads their
    list of open requests as due. The same again answers the same; another day moves it."""
    service = desk()
    found = _reference(reference)
    service.hold(found, request.follow_up_on, request.note)
    logger.info("advisory on hold", extra={"reference": found})
    return OnHold(reference=found, status=Status.ON_HOLD, follow_up_on=request.follow_up_on)


@app.post("/api/staff/advisory/<reference>/reopen",
          responses=staff_responses({200: Reopened}, 404, 409, 422), security=SECURITY)
def reopen(reference: str) -> Reopened:
    """Take up again a finished request, or one the caller has on hold: leased to the caller
    for 30 minutes. Again answers with the lease as it is."""
    service = desk()
    found = _reference(reference)
    until = service.reopen(found)
    logger.info("advisory reopened", extra={"reference": found})
    return Reopened(reference=found, status=Status.LEASED, leased_until=iso_copenhagen(until))


@app.post("/api/staff/advisory/<reference>/link",
          responses=staff_responses({200: Linked}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def link(reference: str, request: Annotated[LinkRequest, Body()]) -> Linked:
    """Tie a request the caller holds to an earlier request it follows up (both show the
    tie); again answers the same, another earlier one replaces it."""
    service = desk()
    found = _reference(reference)
    earlier = _reference(request.earlier, "earlier")
    service.link(found, earlier)
    logger.info("advisory linked", extra={"reference": found})
    return Linked(reference=found, follow_up_of=earlier)


@app.get("/api/staff/advisory/<reference>/related",
         responses=staff_responses({200: Found}, 404, 422), security=SECURITY)
def related(reference: str) -> Found:
    """The request with this reference (any status) and those tied to it, by their open
    fields: the history searched by reference. Nothing opened, so nothing audited."""
    service = desk()
    found = service.find(_reference(reference))
    if not found:
        raise NotFound("Henvendelsen findes ikke.", code="unknown_reference")
    return Found(requests=[_related(r) for r in found])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "sqs"),
                steps=("shared.forms:prime",
                       "shared.adapters.sealing:prime"))
