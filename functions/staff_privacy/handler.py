"""The privacy officer's area of the staff console (/api/staff/privacy): data-protection cases
(opened, listed, closed), what is held about an address per area, its export as a download,
its erasure, the correction of the person's details, the Danish answer to an access request,
and the audit trail. The address
travels in the body only, never in a path, a query or a log; every search, export and
erasure is audited with the signed-in officer as operator, never with the address.

This function may not use the advisory key (only the consultant's function may decrypt), and
advisory requests are sealed whole, so it can neither find nor erase them: each answer and
the export say so: the consultant answers that part in their own area of the console
(functions/staff_advisory), or with `leaders privacy … --area advisory`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, model_validator

from shared.adapters.wiring import (
    audit_log,
    case_book,
    catalogue_store,
    privacy,
    registration_store,
    signing_secret,
)
from shared.edge.http import BODY_REFUSALS, Body, create_resolver, json_response, staff_responses
from shared.edge.privacy_routes import add_request_routes, open_case
from shared.edge.staff import SECURITY, caller
from shared.errors import DomainError, NotFound
from shared.forms import OptionalPhone, OptionalSingleLine
from shared.forums.registration.models import Name, Workplace, _member_number
from shared.platform import snapstart
from shared.platform.clock import iso_copenhagen, utcnow
from shared.platform.observability import logger, metrics
from shared.platform.settings import StaffPrivacySettings
from shared.privacy import answer
from shared.privacy.cases import CASE_NUMBER, Case, CaseForm, Kind
from shared.privacy.holders import NotPermitted
from shared.privacy.models import ADVISORY_BY_CONSULTANT
from shared.privacy.service import Privacy
from shared.validation import DanishValueError

GROUP = "privacy_officer"
# The audit trail shows this many of the newest requests.
TRAIL_LENGTH = 200

settings = StaffPrivacySettings()  # type: ignore[call-arg]
registrations = registration_store(settings.registrations_table_name,
                                   settings.forums_table_name)
audit = audit_log(settings.audit_table_name)
cases = case_book(settings.audit_table_name)
catalogue = catalogue_store(settings.forums_table_name)
app = create_resolver(staff_group=GROUP)


def service() -> Privacy:
    """The service the `leaders privacy` commands use, audited as the signed-in officer."""
    officer = caller(app, GROUP)
    return privacy(audit_table=settings.audit_table_name, by=officer.email,
                   registrations=registrations,
                   newsletter_table=settings.newsletter_table_name,
                   newsletter_secret=signing_secret(settings.newsletter_secret_arn),
                   advisory=NotPermitted("advisory", ADVISORY_BY_CONSULTANT))


class AuditEntry(BaseModel):
    reference: str
    case: str | None
    at: str
    by: str
    action: str
    counts: dict[str, int]
    not_searched: list[str]


class AuditTrail(BaseModel):
    requests: list[AuditEntry]


class CaseView(BaseModel):
    """A case as the console lists it (the address shown to the officer only)."""

    case: str
    email: str
    kind: str
    kind_text: str
    received_on: str
    received_text: str
    note: str | None
    opened_at: str
    opened_by: str
    closed_at: str | None

    @classmethod
    def of(cls, case: Case) -> CaseView:
        return cls(case=case.number, email=case.email, kind=case.kind.value,
                   kind_text=case.kind_text, received_on=case.received_on.isoformat(),
                   received_text=answer.danish_day(case.received_on), note=case.note,
                   opened_at=iso_copenhagen(case.opened_at), opened_by=case.opened_by,
                   closed_at=iso_copenhagen(case.closed_at) if case.closed_at else None)


class CaseAnswer(BaseModel):
    case: CaseView


class OpenCases(BaseModel):
    cases: list[CaseView]


class Correction(BaseModel):
    """What the officer corrects: each field optional, each with the rules of the forms. The
    phone given empty (`""` or null) removes it: a number that is not the person's is
    deleted, not replaced (it is optional everywhere; the member number is not: a leader of
    leaders must give one)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    phone: OptionalPhone = None
    workplace: Workplace | None = None
    member_number: OptionalSingleLine = _member_number()

    @model_validator(mode="after")
    def _something(self) -> Correction:
        if not self.changes():
            raise DanishValueError("nothing_to_correct",
                                   "Skriv mindst én oplysning, der skal rettes.", "name")
        return self

    def changes(self) -> dict[str, str | None]:
        """The corrections to make: each field given, and the phone given empty as None."""
        return {name: value for name in self.model_fields_set
                if (value := getattr(self, name)) is not None or name == "phone"}


class Corrected(BaseModel):
    case: str
    reference: str
    # Records changed per area (a repeat changes none).
    changed: int
    areas: dict[str, int]


class NotAccess(DomainError):
    """The answer is the letter to a request for access: a case of erasure or correction
    is answered otherwise (the letter would tell the member they asked for access)."""

    status = 409
    code = "not_access"
    message = ("Svaret til medlemmet hører til en sag om indsigt. Denne sag gælder noget "
               "andet: åbn en sag om indsigt, hvis medlemmet også har bedt om det.")


def _case(number: str) -> Case:
    """The open case of this number (404 for a malformed number or none, 409 closed)."""
    if not re.fullmatch(CASE_NUMBER, number):
        raise NotFound("Sagen findes ikke.", code="case_not_found")
    return open_case(cases.case(number))


@app.post("/api/staff/privacy/cases",
          responses=staff_responses({201: CaseAnswer, 200: CaseAnswer}, *BODY_REFUSALS),
          security=SECURITY)
def open_new_case(form: Annotated[CaseForm, Body()]) -> Response[Any]:
    """Open a data-protection case: the address, what it asks (`access`, `erasure`,
    `correction`), the day the request came, an optional note. 201 with the new case and
    its number (DB-<year>-<nnnn>); the same address, kind and day again: 200 with the same
    case."""
    officer = caller(app, GROUP)
    case, created = cases.open(form, officer.email.lower(), utcnow())
    logger.info("privacy case opened", extra={"case": case.number, "opened_now": created})
    return json_response(201 if created else 200,
                         CaseAnswer(case=CaseView.of(case)).model_dump())


@app.get("/api/staff/privacy/cases", responses=staff_responses({200: OpenCases}),
         security=SECURITY)
def open_cases() -> OpenCases:
    """The open cases, oldest first: the console's list to pick a case from."""
    caller(app, GROUP)
    return OpenCases(cases=[CaseView.of(c) for c in cases.open_cases()])


@app.post("/api/staff/privacy/cases/<case>/close",
          responses=staff_responses({200: CaseAnswer}, 404), security=SECURITY)
def close_case(case: str) -> CaseAnswer:
    """Close a case once it is answered; again changes nothing. Kept three years after."""
    officer = caller(app, GROUP)
    if not re.fullmatch(CASE_NUMBER, case):
        raise NotFound("Sagen findes ikke.", code="case_not_found")
    closed = cases.close(case, officer.email.lower(), utcnow())
    if closed is None:
        raise NotFound("Sagen findes ikke.", code="case_not_found")
    logger.info("privacy case closed", extra={"case": case})
    return CaseAnswer(case=CaseView.of(closed))


@app.post("/api/staff/privacy/cases/<case>/correct",
          responses=staff_responses({200: Corrected}, 404, 409, *BODY_REFUSALS),
          security=SECURITY)
def correct(case: str, corrections: Annotated[Correction, Body()]) -> Corrected:
    """Correct the person's name, phone, workplace and member number in every registration
    of the case's address and the name in its newsletter subscription (`phone` empty: the
    number removed). No email is sent and
    a registration's calendar entry stays as it is. Again: `changed` 0. Audited under the
    case (action `correct`)."""
    privacy_service = service()
    found = _case(case)
    given = corrections.changes()
    report = privacy_service.correct(found.email, given, found.number)
    logger.info("privacy request", extra={"action": report.action, "case": found.number,
                                          "reference": report.request_id,
                                          "counts": report.counts})
    return Corrected(case=found.number, reference=report.request_id,
                     changed=sum(report.counts.values()), areas=report.counts)


@app.get("/api/staff/privacy/cases/<case>/answer",
         responses={**staff_responses({}, 404, 409), 200: {
             "description": "The Danish answer to the member's access request: a page to "
                            "print or save as PDF (text/html)",
             "content": {"text/html": {"schema": {"type": "string"}}}}},
         security=SECURITY)
def access_answer(case: str) -> Response[str]:
    """The answer to the member: forums and their state, the newsletter and its consent, the
    emails sent, the advisory part the consultant contributed to the case, retention and how
    to complain. Audited under the case (action `answer`). Only for a case of access (409
    `not_access` for erasure or correction: nothing is read)."""
    privacy_service = service()
    asked = _case(case)
    if asked.kind is not Kind.ACCESS:  # the letter says "your request for access"
        raise NotAccess()
    found, report = privacy_service.answer(asked.email, asked.number)
    logger.info("privacy request", extra={"action": report.action, "case": asked.number,
                                          "reference": report.request_id})
    page = answer.render(
        asked, forums=answer.registrations(found.get("forums", []), catalogue.session,
                                           catalogue.forum),
        newsletter=answer.subscription(found.get("newsletter", [])),
        contribution=cases.contribution(asked.number),
        retention=answer.Retention(
            registration_days=settings.registration_retention_days,
            advisory_days=settings.advisory_retention_days,
            confirm_link_hours=settings.registration_confirm_link_hours),
        now=utcnow())
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page,
                    headers={"Cache-Control": "no-store"})


add_request_routes(app, "/api/staff/privacy", service, {
    "search": "What each area holds about the address: counts by kind, no contents. Audited.",
    "export": "Everything held about the address, as the `leaders privacy export` file (areas "
              "this function may not read are named in `not_searched`, with who answers for "
              "them). Audited.",
    "erase": "Erase everything held about the address (a coming seat is given up first and "
             "the waiting list moves up; anonymous totals stay). Safe to repeat: a second "
             "erasure finds nothing and says so with zero counts. Audited.",
}, case=cases.case)


@app.get("/api/staff/privacy/audit", responses=staff_responses({200: AuditTrail}),
         security=SECURITY)
def audit_trail() -> AuditTrail:
    """The newest data-protection requests, from the console and the CLI: reference, when,
    who, what, counts per area. The audit holds no address."""
    caller(app, GROUP)
    return AuditTrail(requests=[
        AuditEntry(reference=r.request_id, case=r.case, at=iso_copenhagen(r.at), by=r.by,
                   action=r.action, counts=r.counts, not_searched=r.skipped)
        for r in audit.reports(TRAIL_LENGTH)])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager"), steps=("shared.forms:prime",))
