"""The privacy officer's area of the staff console (/api/staff/privacy): what is held about an
address per area, its export as a download, its erasure, and the audit trail. The address
travels in the body only, never in a path, a query or a log; every search, export and
erasure is audited with the signed-in officer as operator, never with the address.

This function may not use the advisory key (only the consultant's function may decrypt), and
advisory requests are sealed whole, so it can neither find nor erase them: each answer and
the export say so, and the consultant answers that part (`leaders privacy … --area
advisory`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.adapters.dynamodb_privacy import DynamoAuditLog
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.wiring import privacy, signing_secret
from shared.clock import iso_copenhagen
from shared.forms import Email
from shared.http import BODY_REFUSALS, Body, Response, create_resolver
from shared.observability import logger, metrics
from shared.privacy import ADVISORY_BY_CONSULTANT, NotPermitted, Privacy, Report
from shared.settings import StaffPrivacySettings
from shared.staff import SECURITY, caller, staff_responses
from shared.validation import DanishValueError

GROUP = "privacy_officer"
# The audit trail shows this many of the newest requests.
TRAIL_LENGTH = 200

settings = StaffPrivacySettings()  # type: ignore[call-arg]
registrations = DynamoRegistrationStore(settings.registrations_table_name,
                                        settings.forums_table_name)
audit = DynamoAuditLog(settings.audit_table_name)
app = create_resolver(staff_group=GROUP)


def service() -> Privacy:
    """The service the `leaders privacy` commands use, audited as the signed-in officer."""
    officer = caller(app, GROUP)
    return privacy(audit_table=settings.audit_table_name, by=officer.email,
                   registrations=registrations,
                   newsletter_table=settings.newsletter_table_name,
                   newsletter_secret=signing_secret(settings.newsletter_secret_arn),
                   advisory=NotPermitted("advisory", ADVISORY_BY_CONSULTANT))


def _confirmed(value: bool) -> bool:
    if value is not True:
        raise DanishValueError("confirm_required",
                               "Bekræft, at alle oplysninger om adressen skal slettes.")
    return value


class AddressRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email = Field(max_length=254)


class EraseRequest(AddressRequest):
    confirm: Annotated[bool, AfterValidator(_confirmed)]


class NotSearched(BaseModel):
    area: str
    reason: str


class AreaHeld(BaseModel):
    area: str
    count: int
    # How many records of each kind: a registration's or subscription's status.
    kinds: dict[str, int]


class Found(BaseModel):
    reference: str
    areas: list[AreaHeld]
    not_searched: list[NotSearched]


class Erased(BaseModel):
    reference: str
    erased: dict[str, int]
    not_searched: list[NotSearched]


class AuditEntry(BaseModel):
    reference: str
    at: str
    by: str
    action: str
    counts: dict[str, int]
    not_searched: list[str]


class AuditTrail(BaseModel):
    requests: list[AuditEntry]


def _not_searched(report: Report) -> list[NotSearched]:
    return [NotSearched(area=area, reason=report.why.get(area, "")) for area in report.skipped]


def _logged(report: Report) -> None:
    logger.info("privacy request", extra={"action": report.action,
                                          "reference": report.request_id,
                                          "counts": report.counts,
                                          "not_searched": report.skipped})


@app.post("/api/staff/privacy/search",
          responses=staff_responses({200: Found}, *BODY_REFUSALS), security=SECURITY)
def search(request: Annotated[AddressRequest, Body()]) -> Found:
    """What each area holds about the address: counts by kind, no contents. Audited."""
    held, report = service().search(request.email)
    _logged(report)
    return Found(reference=report.request_id, not_searched=_not_searched(report), areas=[
        AreaHeld(area=area, count=h.count, kinds=h.kinds) for area, h in held.items()])


def _export_answer(documented: dict[int, Any]) -> dict[int, Any]:
    return {**documented, 200: {
        "description": "Everything held about the address as a JSON file (a download: "
                       "`Content-Disposition: attachment`, named by the audit reference)",
        "content": {"application/json": {"schema": {"type": "object"}}}}}


@app.post("/api/staff/privacy/export",
          responses=_export_answer(staff_responses({}, *BODY_REFUSALS)), security=SECURITY)
def export(request: Annotated[AddressRequest, Body()]) -> Response[Any]:
    """Everything held about the address, as the `leaders privacy export` file (areas this
    function may not read are named in `not_searched`, with who answers for them). Audited."""
    data, report = service().export(request.email)
    _logged(report)
    return Response(status_code=200, content_type="application/json; charset=utf-8",
                    body=json.dumps(data, ensure_ascii=False, indent=2),
                    headers={"Content-Disposition":
                             f'attachment; filename="udtraek-{report.request_id}.json"',
                             "Cache-Control": "no-store"})


@app.post("/api/staff/privacy/erase",
          responses=staff_responses({200: Erased}, *BODY_REFUSALS), security=SECURITY)
def erase(request: Annotated[EraseRequest, Body()]) -> Erased:
    """Erase everything held about the address (a coming seat is given up first and the
    waiting list moves up; anonymous totals stay). Safe to repeat: a second erasure finds
    nothing and says so with zero counts. Audited."""
    report = service().erase(request.email)
    _logged(report)
    return Erased(reference=report.request_id, erased=report.counts,
                  not_searched=_not_searched(report))


@app.get("/api/staff/privacy/audit", responses=staff_responses({200: AuditTrail}),
         security=SECURITY)
def audit_trail() -> AuditTrail:
    """The newest data-protection requests, from the console and the CLI: reference, when,
    who, what, counts per area. The audit holds no address."""
    caller(app, GROUP)
    return AuditTrail(requests=[
        AuditEntry(reference=r.request_id, at=iso_copenhagen(r.at), by=r.by, action=r.action,
                   counts=r.counts, not_searched=r.skipped)
        for r in audit.reports(TRAIL_LENGTH)])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
