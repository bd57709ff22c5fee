"""The privacy officer's area of the staff console (/api/staff/privacy): what is held about an
address per area, its export as a download, its erasure, and the audit trail. The address
travels in the body only, never in a path, a query or a log; every search, export and
erasure is audited with the signed-in officer as operator, never with the address.

This function may not use the advisory key (only the consultant's function may decrypt), and
advisory requests are sealed whole, so it can neither find nor erase them: each answer and
the export say so: the consultant answers that part in their own area of the console
(functions/staff_advisory), or with `leaders privacy … --area advisory`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from shared.adapters.wiring import audit_log, privacy, registration_store, signing_secret
from shared.edge.http import create_resolver, staff_responses
from shared.edge.privacy_routes import add_request_routes
from shared.edge.staff import SECURITY, caller
from shared.platform import snapstart
from shared.platform.clock import iso_copenhagen
from shared.platform.observability import logger, metrics
from shared.platform.settings import StaffPrivacySettings
from shared.privacy.holders import NotPermitted
from shared.privacy.models import ADVISORY_BY_CONSULTANT
from shared.privacy.service import Privacy

GROUP = "privacy_officer"
# The audit trail shows this many of the newest requests.
TRAIL_LENGTH = 200

settings = StaffPrivacySettings()  # type: ignore[call-arg]
registrations = registration_store(settings.registrations_table_name,
                                   settings.forums_table_name)
audit = audit_log(settings.audit_table_name)
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
    at: str
    by: str
    action: str
    counts: dict[str, int]
    not_searched: list[str]


class AuditTrail(BaseModel):
    requests: list[AuditEntry]


add_request_routes(app, "/api/staff/privacy", service, {
    "search": "What each area holds about the address: counts by kind, no contents. Audited.",
    "export": "Everything held about the address, as the `leaders privacy export` file (areas "
              "this function may not read are named in `not_searched`, with who answers for "
              "them). Audited.",
    "erase": "Erase everything held about the address (a coming seat is given up first and "
             "the waiting list moves up; anonymous totals stay). Safe to repeat: a second "
             "erasure finds nothing and says so with zero counts. Audited.",
})


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


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager"), steps=("shared.forms:prime",))
