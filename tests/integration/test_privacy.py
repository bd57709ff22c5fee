"""`leaders privacy export|erase EMAIL` against the template's tables: everything held about
one address is found in forums, newsletter and advisory; erasure leaves no trace of it in any
table, gives a coming seat to the next on the waiting list, keeps the totals, audits without
personal data, and runs twice without harm."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import main
from local.emulator import Emulator
from local.plan import Plan
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.parameters import parameter
from shared.forums.registration.mail import email_kind
from shared.forums.registration.models import CancelledBy, Registration, Status
from shared.forums.registration.service import Registrations
from shared.newsletter.models import Issue, IssueStatus, SubscriptionForm
from shared.platform.names import PARAM_ADVISORY_TABLE
from shared.privacy.holders import AdvisoryHolder, ForumsHolder, NotPermitted
from shared.privacy.models import Report
from shared.privacy.service import Privacy
from tests.integration.conftest import Api
from tests.support.newsletter_emulator import subscribe_confirmed
from tests.support.privacy_emulator import every_item, register, registration_form
from tests.support.registration_emulator import new_session

ANNE = {"name": "Anne Privatsen", "email": "Anne.Privat@example.dk", "phone": "+4540112233",
        "workplace": "Hjørring Kommune", "member_number": "55501", "needs": "Glutenfri kost"}
MESSAGE = "Fortroligt: min leder af ledere-rolle er svær i år."
BENT = {"name": "Bent Ventesen", "email": "bent@example.dk"}


def cli(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def anne(api: Api, emulator: Emulator) -> dict[str, Any]:
    """Anne holds a seat (Bent waits behind her), a confirmed subscription with one copy in
    an issue's ledger, and a confidential conversation request."""
    session = new_session(capacity=1)
    registration = register(session, ANNE)
    assert register(session, BENT)["status"] == "waitlisted"
    from cli.resources import registration_store
    Registrations(registration_store(), b"privacy-test").submit(  # not confirmed (yet)
        registration_form(new_session(capacity=1), ANNE))

    from cli.resources import newsletter, newsletter_store
    service = newsletter()
    subscribe_confirmed(service, 1, "andre")  # someone else, who must stay
    service.subscribe(SubscriptionForm(name=ANNE["name"], email=ANNE["email"],
                                       role="area_leader", consent=True))
    store = newsletter_store()
    issue = f"privacy-{session}"
    store.put_issue(Issue(id=issue, subject="Nyt", html="<p>Nyt</p>", text="Nyt",
                          status=IssueStatus.DRAFT, created_at=datetime.now(UTC)))
    assert store.queue_delivery(issue, service.subscriber_id(ANNE["email"]),
                                int(datetime.now(UTC).timestamp()) + 86400)

    status, answer = api.request("POST", "/api/advisory-requests", {
        "kind": "conversation", "name": ANNE["name"], "email": ANNE["email"].lower(),
        "phone": ANNE["phone"], "message": MESSAGE, "urgent": True, "consent": True})
    assert status == 202
    status, other = api.request("POST", "/api/advisory-requests", {
        "kind": "idea", "message": "En idé fra en anden.", "consent": True})
    assert status == 202
    return {"session": session, "registration": registration["id"], "issue": issue,
            "reference": answer["reference"], "other_reference": other["reference"]}


def test_export_finds_everything_held_about_the_address(anne: dict[str, Any],
                                                        tmp_path: Path) -> None:
    out = tmp_path / "anne.json"
    printed = cli("privacy", "export", "anne.privat@EXAMPLE.dk", "--out", str(out)).output
    assert "forums 2, newsletter 1, advisory 1" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    registration, submission = data["forums"]
    assert submission["status"] == "unconfirmed" and submission["needs"] == ANNE["needs"]
    assert registration["session_id"] == anne["session"]
    assert registration["status"] == "confirmed"
    assert {registration[k] for k in ANNE} == set(ANNE.values())
    [subscription] = data["newsletter"]
    assert subscription["email"] == ANNE["email"] and subscription["status"] == "pending"
    assert subscription["issues"] == [{"issue": anne["issue"], "subject": "Nyt",
                                       "status": "queued"}]
    [request] = data["advisory"]
    assert request["reference"] == anne["reference"] and request["message"] == MESSAGE
    assert request["phone"] == ANNE["phone"]
    # The request shown is in the consultant's audit, as a console export puts it there.
    from cli.resources import advisory_store
    from shared.advisory.service import audit_trail

    today = datetime.now(UTC).date()
    assert [(e.reference, e.action.value) for e in audit_trail(advisory_store(), today, today)
            if e.action.value == "export"] == [(anne["reference"], "export")]


def test_erase_leaves_no_trace_keeps_totals_and_runs_twice(
    anne: dict[str, Any], api: Api, emulator: Emulator, plan: Plan
) -> None:
    before = every_item(emulator, plan)
    assert any(ANNE["email"] in json.dumps(items) for items in before.values())

    held = json.loads(cli("privacy", "export", ANNE["email"]).output)
    output = cli("privacy", "erase", ANNE["email"], "--yes").output
    counts = ", ".join(f"{area} {len(held[area])}" for area in ("forums", "newsletter", "advisory"))
    assert counts in output and len(held["forums"]) >= 1

    after = every_item(emulator, plan)
    traces = [anne["registration"], anne["reference"], *ANNE.values(), ANNE["email"].lower(),
              *(r["id"] for r in held["forums"])]
    for table, items in after.items():
        # The consultant's audit of views keeps the erased request's random reference (who
        # viewed which, when) and nothing of its contents or sender.
        views = [i for i in items if i["pk"]["S"].startswith("AUDIT#")]
        text = json.dumps([i for i in items if i not in views], ensure_ascii=False)
        assert not [t for t in traces if t in text], f"{table} still holds Anne"
        audited = json.dumps(views, ensure_ascii=False)
        assert not [t for t in traces if t in audited and t != anne["reference"]], table
    everything = json.dumps(after, ensure_ascii=False)
    assert anne["other_reference"] in everything and "andre0@example.dk" in everything

    from cli.resources import registration_store
    [bent] = [r for r in registration_store().registrations(anne["session"])]
    assert bent.status is Status.CONFIRMED  # Anne's seat went to the waiting list
    state = registration_store().session_state(anne["session"])
    assert state is not None and state.session.confirmed == 1 and state.waiting == []

    again = cli("privacy", "erase", ANNE["email"], "--yes").output
    assert "forums 0, newsletter 0, advisory 0" in again
    [audit_table] = [t for t in after if "Privacy" in t]
    audit = every_item(emulator, plan)[audit_table]
    assert sorted(item["sk"]["S"] for item in audit).count("erase") >= 2
    assert not [t for t in traces if t in json.dumps(audit, ensure_ascii=False)]


def test_an_erased_seat_sends_no_cancellation_email() -> None:
    now = datetime.now(UTC)
    held = Registration(id="r", session_id="s", forum_id="f", status=Status.CONFIRMED,
                        name="x", email="x@example.dk", role="area_leader", workplace="w",
                        created_at=now)
    erased = held.model_copy(update={"status": Status.CANCELLED,
                                     "cancelled_by": CancelledBy.ERASURE, "cancelled_at": now})
    by_link = erased.model_copy(update={"cancelled_by": CancelledBy.PARTICIPANT})
    assert email_kind(held, erased) is None
    assert email_kind(held, by_link) == "cancelled"


def test_without_the_consultants_key_advisory_is_reported_not_searched(
    api: Api, anne: dict[str, Any]
) -> None:
    class Denied:
        def open(self, sealed: str, reference: str) -> dict[str, object]:
            raise PermissionError("kms:Decrypt denied")

    def denied(email: str) -> str:
        raise PermissionError("secretsmanager:GetSecretValue denied")

    from cli.resources import registration_store
    audit = Audit()
    service = Privacy([ForumsHolder(registration_store()),
                       AdvisoryHolder(DynamoAdvisoryStore(parameter(PARAM_ADVISORY_TABLE)),
                                      Denied(), denied)], audit, by="arn:aws:iam::1:role/privacy")
    data, report = service.export(ANNE["email"])
    assert data["not_searched"] == ["advisory"] and "advisory" not in data
    assert len(data["forums"]) >= 1
    assert report.skipped == ["advisory"] and audit.reports == [report]
    erased = service.erase(ANNE["email"])
    assert erased.skipped == ["advisory"] and erased.counts["forums"] >= 1
    kept = DynamoAdvisoryStore(parameter(PARAM_ADVISORY_TABLE)).all_requests()
    assert anne["reference"] in {r.reference for r in kept}  # untouched: it could not be read


class Audit:
    def __init__(self) -> None:
        self.reports: list[Report] = []

    def record(self, report: Report) -> None:
        self.reports.append(report)


def test_a_role_without_the_advisory_area_gets_the_rest_and_a_clear_exit(
    anne: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli import resources

    monkeypatch.setattr(resources, "_advisory_holder", lambda: NotPermitted("advisory"))
    result = CliRunner().invoke(main, ["privacy", "export", ANNE["email"]])
    assert result.exit_code == 2
    assert "Ikke søgt: advisory" in result.stderr and "ConsultantRole" in result.stderr
    assert json.loads(result.stdout)["not_searched"] == ["advisory"]
    erased = CliRunner().invoke(main, ["privacy", "erase", ANNE["email"], "--yes"])
    assert erased.exit_code == 2 and "forums " in erased.stdout
    monkeypatch.undo()  # now as the consultant, for the advisory part
    advisory_only = cli("privacy", "erase", ANNE["email"], "--yes", "--area", "advisory")
    assert "Slettet: advisory " in advisory_only.output


def test_export_holds_the_emails_sent_and_the_consultants_audit_of_the_requests(
    api: Api, emulator: Emulator, tmp_path: Path,
) -> None:
    """What the person was mailed (the ledger of each registration's emails, the link's
    gate) and who of the consultants took, viewed or exported their requests, when."""
    from cli.resources import advisory_store
    from shared.advisory.models import AuditAction, AuditEntry
    from tests.support.registration_emulator import Mail, body, deliver, register_by_link

    mail = Mail(emulator)
    session = new_session(capacity=2)
    person = body(session, "udtraek")
    assert register_by_link(api, mail, person) == {"status": "confirmed"}
    assert deliver(api, mail.changes()) == {"batchItemFailures": []}  # the confirmation
    status, answer = api.request("POST", "/api/advisory-requests", {
        "kind": "conversation", "name": "Udtræk", "email": person["email"],
        "message": MESSAGE, "consent": True})
    assert status == 202
    viewed = datetime.now(UTC)
    advisory_store().record(AuditEntry(at=viewed, by="konsulent@personale.example.dk",
                                       reference=answer["reference"], action=AuditAction.VIEW),
                            expires_at=int(viewed.timestamp()) + 3600)
    advisory_store().record(AuditEntry(at=viewed, by="konsulent@personale.example.dk",
                                       reference="LR-ANDE-N1", action=AuditAction.VIEW),
                            expires_at=int(viewed.timestamp()) + 3600)  # someone else's

    out = tmp_path / "udtraek.json"
    cli("privacy", "export", person["email"], "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    [registration] = data["forums"]
    emails = {(e["round"], e["email"]) for e in registration["emails"]}
    assert emails == {("1", "confirmation_link"), ("1", "confirmation")}
    assert all(e.get("sent_at") or e.get("next_link_not_before")
               for e in registration["emails"])
    [request] = data["advisory"]
    assert [(e["by"], e["action"]) for e in request["audit"]] == [
        ("konsulent@personale.example.dk", "view"), (request["audit"][1]["by"], "export")]
