"""The editor's area of the staff console on the template's table and SES in the emulator:
every route refuses the other groups (and changes nothing), a draft written, previewed,
tested to the editor's own address, approved (for the schedule or a Danish time of its own)
and withdrawn; bad input per field with nothing stored; unknown issues 404; a withdrawal
racing the dispatcher's claim in every order, and generated sequences of the editor's and the
dispatcher's steps against a model of the issue's state."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, Emulator
from local.plan import Plan
from shared.adapters.aws import client
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.parameters import parameter
from shared.adapters.ses_newsletter import SesNewsletterMail
from shared.errors import Conflict, InvalidInput
from shared.links import Links
from shared.newsletter.editor import Editor
from shared.newsletter.models import IssueStatus
from shared.platform.clock import COPENHAGEN
from shared.platform.names import PARAM_NEWSLETTER_SETTINGS, STAFF_GROUPS
from tests.integration.conftest import Api, bearer, staff_routes

EDITOR_ROUTES = [("GET", "/api/staff/newsletter/issues"),
                 ("GET", "/api/staff/newsletter/issues/{issue_id}"),
                 ("PUT", "/api/staff/newsletter/issues/{issue_id}"),
                 ("POST", "/api/staff/newsletter/preview"),
                 ("POST", "/api/staff/newsletter/issues/{issue_id}/test"),
                 ("POST", "/api/staff/newsletter/issues/{issue_id}/approve"),
                 ("POST", "/api/staff/newsletter/issues/{issue_id}/withdraw"),
                 ("DELETE", "/api/staff/newsletter/issues/{issue_id}"),
                 ("POST", "/api/staff/newsletter/issues/{issue_id}/duplicate"),
                 ("POST", "/api/staff/newsletter/issues/{issue_id}/send-now"),
                 ("PUT", "/api/staff/newsletter/issues/{issue_id}/archive")]
DRAFT = {"subject": "Nyt fra ledere af ledere", "markdown": "# Forår\n\nVi ses i *Vejle*."}
EDITOR = "editor@staff.example.dk"


def newsletter_settings() -> dict[str, str]:
    return dict(json.loads(parameter(PARAM_NEWSLETTER_SETTINGS)))


@pytest.fixture
def store(emulator: Emulator) -> DynamoNewsletterStore:
    return DynamoNewsletterStore(newsletter_settings()["NEWSLETTER_TABLE_NAME"])


@pytest.fixture
def editor(store: DynamoNewsletterStore) -> Editor:
    values = newsletter_settings()
    return Editor(store, SesNewsletterMail(values["SENDER_ADDRESS"], None, rate=1000),
                  Links("https://ledere-af-ledere.example.dk"))


def as_editor(tokens: dict[str, dict[str, Any]]) -> dict[str, str]:
    return bearer(tokens["editor"]["IdToken"])


def everything(store: DynamoNewsletterStore) -> list[dict[str, Any]]:
    """Every item of the newsletter's table (the store's), in a stable order."""
    items = []
    table = newsletter_settings()["NEWSLETTER_TABLE_NAME"]
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=table,
                                                                  ConsistentRead=True):
        items.extend(page["Items"])
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def sent(emulator: Emulator) -> list[Any]:
    return list(ses_backends[ACCOUNT][emulator.region].sent_messages)


def later(days: int = 30) -> str:
    """A Danish wall-clock time in the future, as the editor types it."""
    return (datetime.now(COPENHAGEN) + timedelta(days=days)).strftime("%Y-%m-%d 08:00")


def put(api: Api, tokens: dict[str, dict[str, Any]], issue_id: str,
        body: dict[str, Any] | None = None) -> tuple[int, Any]:
    return api.request("PUT", f"/api/staff/newsletter/issues/{issue_id}", body or DRAFT,
                       as_editor(tokens))


def test_the_editors_routes_are_the_templates(plan: Plan) -> None:
    mine = [(m, p) for m, p in staff_routes(plan) if p.startswith("/api/staff/newsletter")
            and "/subscribers" not in p]  # (test_staff_subscribers.py has those)
    assert sorted(mine) == sorted(EDITOR_ROUTES)
    functions = {r.function for r in plan.routes if r.path.startswith("/api/staff/newsletter")}
    assert len(functions) == 1
    assert plan.functions[functions.pop()].handler == \
        "functions.staff_newsletter.handler.lambda_handler"


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "editor"])
def test_every_other_group_gets_403_on_every_editor_route_and_nothing_changes(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]],
        store: DynamoNewsletterStore, group: str) -> None:
    issue_id = f"forbudt-{group.replace('_', '-')}"
    assert put(api, tokens, issue_id)[0] == 200
    assert api.request("POST", f"/api/staff/newsletter/issues/{issue_id}/approve", {},
                       as_editor(tokens))[0] == 200
    before, mails = everything(store), len(sent(emulator))
    for method, path in EDITOR_ROUTES:
        body = {**DRAFT, "send_at": later()} if method != "GET" else None
        if path.endswith("/approve"):
            body = {"send_at": later()}
        status, answer = api.request(method, path.replace("{issue_id}", issue_id), body,
                                     bearer(tokens[group]["IdToken"]))
        assert (status, answer) == (403, {
            "code": "forbidden",
            "message": "Du har ikke adgang til denne del af personalesiderne."}), path
    assert everything(store) == before
    assert len(sent(emulator)) == mails


def test_the_editor_writes_previews_tests_approves_and_withdraws(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]],
        store: DynamoNewsletterStore) -> None:
    headers = as_editor(tokens)
    base = "/api/staff/newsletter/issues/2099-foraar"
    status, saved = put(api, tokens, "2099-foraar")
    assert status == 200
    assert (saved["status"], saved["markdown"], saved["format"]) == (
        "draft", DRAFT["markdown"], "markdown")
    assert put(api, tokens, "2099-foraar")[1]["created_at"] == saved["created_at"]  # again
    changed = {**DRAFT, "markdown": DRAFT["markdown"] + "\n\n- Program\n- Tilmelding"}
    status, body = put(api, tokens, "2099-foraar", changed)
    assert status == 200 and body["markdown"] == changed["markdown"]
    status, body = api.request("GET", base, headers=headers)
    assert (status, body["subject"], body["markdown"]) == (200, DRAFT["subject"],
                                                           changed["markdown"])
    status, listed = api.request("GET", "/api/staff/newsletter/issues", headers=headers)
    assert status == 200
    mine = [i for i in listed["issues"] if i["id"] == "2099-foraar"]
    assert len(mine) == 1 and mine[0]["status"] == "draft" and mine[0]["send_at"] is None
    assert {"sent", "failed", "bounced", "complained", "unsubscribed", "recipients"} <= \
        set(mine[0])

    # The test: to the signed-in editor alone, as a subscriber's copy with the test mark.
    before = len(sent(emulator))
    status, body = api.request("POST", f"{base}/test", headers=headers)
    assert (status, body) == (200, {"status": "sent", "to": EDITOR})
    mails = sent(emulator)[before:]
    assert len(mails) == 1
    message = message_from_bytes(mails[0].raw_data.encode("utf-8", "surrogateescape"),
                                 policy=policy.default)
    assert message["To"] == EDITOR
    assert message["Subject"] == f"[TEST] {DRAFT['subject']}"
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "<h1>Forår</h1>" in html and "<li>Program</li>" in html
    assert "afmeld-nyhedsbrev.html#token=test" in html

    # Approved for the next scheduled send; then for a time of its own; a draft no longer.
    status, body = api.request("POST", f"{base}/approve", {}, headers)
    assert (status, body["status"], body["send_at"]) == (200, "approved", None)
    status, body = api.request("POST", f"{base}/approve", {"send_at": later(40)}, headers)
    assert status == 200 and body["send_at"].startswith(later(40)[:10] + "T08:00:00+0")
    stored = store.issue("2099-foraar")
    assert stored is not None and stored.send_at is not None
    assert stored.send_at.astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M") == later(40)
    status, body = api.request("POST", f"{base}/approve", {"send_at": None}, headers)
    assert (status, body["send_at"]) == (200, None)  # back to the schedule
    status, body = put(api, tokens, "2099-foraar")
    assert (status, body["code"]) == (409, "not_a_draft")

    # Withdrawn: a draft again, without its time; again changes nothing; editable again.
    api.request("POST", f"{base}/approve", {"send_at": later(40)}, headers)
    status, body = api.request("POST", f"{base}/withdraw", headers=headers)
    assert (status, body["status"], body["send_at"], body["approved_at"]) == (
        200, "draft", None, None)
    assert api.request("POST", f"{base}/withdraw", headers=headers)[1]["status"] == "draft"
    assert put(api, tokens, "2099-foraar")[0] == 200


def test_the_preview_is_a_subscribers_copy_and_stores_nothing(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]],
        store: DynamoNewsletterStore) -> None:
    before, mails = everything(store), len(sent(emulator))
    body = {"subject": "Eksempel", "markdown": "## Overskrift\n\n<script>alert(1)</script>\n\n"
                                               "Tekst med [link](https://example.dk)."}
    status, shown = api.request("POST", "/api/staff/newsletter/preview", body,
                                as_editor(tokens))
    assert status == 200 and shown["subject"] == "Eksempel"
    assert "<h2>Overskrift</h2>" in shown["html"]
    assert "afmeld-nyhedsbrev.html#token=eksempel" in shown["html"]  # the placeholder
    assert "Afmeld med ét klik" in shown["html"] and "Afmeld med ét klik" in shown["text"]
    assert "Tekst med link (https://example.dk)." in shown["text"]
    assert everything(store) == before and len(sent(emulator)) == mails


def test_bad_input_is_refused_per_field_and_nothing_is_stored(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]],
        store: DynamoNewsletterStore, editor: Editor) -> None:
    assert put(api, tokens, "felter-1")[0] == 200
    before, mails = everything(store), len(sent(emulator))
    headers = as_editor(tokens)

    def fields(method: str, path: str, body: Any) -> dict[str, str]:
        status, answer = api.request(method, path, body, headers)
        assert status == 422, (path, body, answer)
        return {e["field"]: e["code"] for e in answer["errors"]}

    issues = "/api/staff/newsletter/issues"
    assert fields("PUT", f"{issues}/Forkert Id", DRAFT) == {"issue_id": "invalid_format"}
    # The body is read before the path's id; the flow itself names every field at once.
    assert fields("PUT", f"{issues}/x", {"subject": "", "markdown": "Hej"}) == {
        "subject": "required"}
    with pytest.raises(InvalidInput) as refused:
        editor.save_draft("x", "", "Hej")
    assert {e.field: e.code for e in refused.value.errors} == {
        "issue_id": "invalid_format", "subject": "required"}
    assert fields("PUT", f"{issues}/felter-2", {"subject": "To\nlinjer", "markdown": "Hej"}) \
        == {"subject": "invalid_characters"}
    assert fields("PUT", f"{issues}/felter-2", {"subject": "Emne"}) == {"markdown": "required"}
    assert fields("PUT", f"{issues}/felter-2", {"subject": "Emne", "markdown": "   "}) == {
        "markdown": "required"}
    assert fields("PUT", f"{issues}/felter-2", {"subject": "x" * 201, "markdown": "Hej"}) == {
        "subject": "too_long"}
    assert fields("PUT", f"{issues}/felter-2", {**DRAFT, "to": "a@b.dk"}) == {
        "to": "unknown_field"}
    assert fields("POST", "/api/staff/newsletter/preview", {"subject": "Emne"}) == {
        "markdown": "required"}
    approve = f"{issues}/felter-1/approve"
    assert fields("POST", approve, {"send_at": "på tirsdag"}) == {"send_at": "invalid_datetime"}
    assert fields("POST", approve, {"send_at": "2020-01-01 08:00"}) == {"send_at": "in_the_past"}
    status, answer = api.request("POST", approve, {"send_at": "2020-01-01 08:00"}, headers)
    assert answer["errors"][0]["message"] == (
        "onsdag den 1. januar 2020 kl. 08.00 er allerede passeret; vælg et tidspunkt frem i "
        "tiden (dansk tid).")
    gap = api.request("POST", approve, {"send_at": "2099-03-29 02:30"}, headers)[1]
    assert "findes ikke i dansk tid" in gap["errors"][0]["message"]
    assert fields("POST", approve, {"send_at": 5}) == {"send_at": "invalid_type"}
    status, answer = api.request("PUT", f"{issues}/felter-2",
                                 {"subject": "Emne", "markdown": "æ" * 9000}, headers)
    assert (status, answer["code"]) == (413, "payload_too_large")
    assert everything(store) == before and len(sent(emulator)) == mails


def test_unknown_issues_are_404(api: Api, tokens: dict[str, dict[str, Any]]) -> None:
    headers = as_editor(tokens)
    for issue_id in ("findes-ikke", "ÆØÅ", "a" * 80):
        for method, suffix in (("GET", ""), ("POST", "/test"), ("POST", "/approve"),
                               ("POST", "/withdraw")):
            status, body = api.request(method, f"/api/staff/newsletter/issues/{issue_id}{suffix}",
                                       {} if method == "POST" else None, headers)
            assert (status, body["code"]) == (404, "unknown_issue"), (issue_id, suffix)


def test_the_test_goes_to_the_callers_own_address_and_no_other(
        api: Api, plan: Plan, emulator: Emulator, tokens: dict[str, dict[str, Any]]) -> None:
    from cli.staff import add_user, generated_password
    from tests.integration.conftest import pool_and_client, sign_in

    pool, client = pool_and_client(plan, emulator)
    password = generated_password()
    add_user(emulator.client("cognito-idp"), pool, "anden.redaktoer@staff.example.dk", "editor",
             password=password, permanent=True, send_invitation=False)
    other = sign_in(emulator, client, "anden.redaktoer@staff.example.dk", password)
    assert put(api, tokens, "proeve-1")[0] == 200
    before = len(sent(emulator))
    for token, address in ((tokens["editor"]["IdToken"], EDITOR),
                           (other["IdToken"], "anden.redaktoer@staff.example.dk")):
        status, body = api.request(
            "POST", "/api/staff/newsletter/issues/proeve-1/test",
            {"to": "fremmed@example.dk", "addresses": ["fremmed@example.dk"]}, bearer(token))
        assert (status, body["to"]) == (200, address)
    mails = sent(emulator)[before:]
    assert [sorted(set(m.destinations)) for m in mails] == [
        [EDITOR], ["anden.redaktoer@staff.example.dk"]]


# -- withdrawing races the dispatcher's claim -------------------------------------------------

def approved(editor: Editor, issue_id: str) -> None:
    editor.save_draft(issue_id, "Kapløb", "Hej")
    editor.approve(issue_id)


@pytest.mark.parametrize("withdraw_at", [0, 1, 2])
def test_a_withdrawal_and_the_dispatchers_claim_in_every_order_one_wins(
        api: Api, tokens: dict[str, dict[str, Any]], editor: Editor,
        store: DynamoNewsletterStore, withdraw_at: int) -> None:
    """The dispatcher reads the approved issue, then claims it (approved -> sending); the
    withdrawal comes before the read, between the two, or after the claim."""
    issue_id = f"kaploeb-{withdraw_at}-{datetime.now(UTC).timestamp():.0f}"
    approved(editor, issue_id)
    now = datetime.now(UTC)
    answers = []

    def withdraw() -> None:
        answers.append(api.request("POST", f"/api/staff/newsletter/issues/{issue_id}/withdraw",
                                   headers=as_editor(tokens)))

    steps = [lambda: store.issue(issue_id), lambda: store.start_dispatch(issue_id, now)]
    steps.insert(withdraw_at, withdraw)
    results = [step() for step in steps]
    claimed = next(r for r in results if isinstance(r, bool))
    (status, body), = answers
    final = store.issue(issue_id)
    assert final is not None
    if withdraw_at < 2:
        assert (status, body["status"], claimed, final.status) == (
            200, "draft", False, IssueStatus.DRAFT)
    else:
        assert (status, body["code"], claimed, final.status) == (
            409, "sending_started", True, IssueStatus.SENDING)
        assert body["message"] == (f"Udsendelsen af {issue_id} er begyndt, så godkendelsen "
                                   "kan ikke trækkes tilbage.")


def test_a_withdrawal_and_the_claim_at_the_same_moment_never_both_win(
        editor: Editor, store: DynamoNewsletterStore) -> None:
    for round_ in range(15):
        issue_id = f"samtidig-{round_}-{datetime.now(UTC).timestamp():.0f}"
        approved(editor, issue_id)
        start = threading.Barrier(2)
        outcome: dict[str, Any] = {}

        def withdraw(issue_id: str = issue_id, start: threading.Barrier = start,
                     outcome: dict[str, Any] = outcome) -> None:
            start.wait()
            try:
                outcome["withdrawn"] = editor.withdraw(issue_id).status is IssueStatus.DRAFT
            except Conflict:
                outcome["withdrawn"] = False

        def claim(issue_id: str = issue_id, start: threading.Barrier = start,
                  outcome: dict[str, Any] = outcome) -> None:
            start.wait()
            outcome["claimed"] = store.start_dispatch(issue_id, datetime.now(UTC))

        threads = [threading.Thread(target=withdraw), threading.Thread(target=claim)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        final = store.issue(issue_id)
        assert final is not None
        assert outcome["withdrawn"] != outcome["claimed"], outcome
        assert final.status is (IssueStatus.SENDING if outcome["claimed"] else IssueStatus.DRAFT)


class EditorAndDispatcher(RuleBasedStateMachine):
    """The editor's steps and the dispatcher's claim on a few issues in any order, against a
    model: a draft can be saved, an approved issue withdrawn, a sending one never changes."""

    def __init__(self) -> None:
        super().__init__()
        self.run = datetime.now(UTC).strftime("%H%M%S%f")
        self.model: dict[str, tuple[IssueStatus, str | None]] = {}

    def key(self, n: int) -> str:
        return f"maskine-{self.run}-{n}"

    @rule(n=st.integers(0, 2), subject=st.sampled_from(["Et", "To"]))
    def save(self, n: int, subject: str) -> None:
        status = self.model.get(self.key(n), (IssueStatus.DRAFT, None))[0]
        try:
            EDITOR_UNDER_TEST.save_draft(self.key(n), subject, f"# {subject}")
            assert status is IssueStatus.DRAFT
            self.model[self.key(n)] = (IssueStatus.DRAFT, None)
        except Conflict:
            assert status is not IssueStatus.DRAFT

    @rule(n=st.integers(0, 2), own_time=st.booleans())
    def approve(self, n: int, own_time: bool) -> None:
        if self.key(n) not in self.model:
            return
        when = later(10) if own_time else None
        try:
            EDITOR_UNDER_TEST.approve(self.key(n), when)
            assert self.model[self.key(n)][0] in (IssueStatus.DRAFT, IssueStatus.APPROVED)
            self.model[self.key(n)] = (IssueStatus.APPROVED, when)
        except Conflict:
            assert self.model[self.key(n)][0] is IssueStatus.SENDING

    @rule(n=st.integers(0, 2))
    def withdraw(self, n: int) -> None:
        if self.key(n) not in self.model:
            return
        try:
            EDITOR_UNDER_TEST.withdraw(self.key(n))
            assert self.model[self.key(n)][0] is not IssueStatus.SENDING
            self.model[self.key(n)] = (IssueStatus.DRAFT, None)
        except Conflict:
            assert self.model[self.key(n)][0] is IssueStatus.SENDING

    @rule(n=st.integers(0, 2))
    def claim(self, n: int) -> None:
        if self.key(n) not in self.model:
            return
        claimed = STORE_UNDER_TEST.start_dispatch(self.key(n), datetime.now(UTC))
        assert claimed == (self.model[self.key(n)][0] is IssueStatus.APPROVED)
        if claimed:
            self.model[self.key(n)] = (IssueStatus.SENDING, self.model[self.key(n)][1])

    @invariant()
    def stored_as_modelled(self) -> None:
        for issue_id, (status, when) in self.model.items():
            issue = STORE_UNDER_TEST.issue(issue_id)
            assert issue is not None and issue.status is status
            shown = issue.send_at.astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M") \
                if issue.send_at else None
            assert shown == when
            assert (issue.approved_at is None) == (status is IssueStatus.DRAFT)


EDITOR_UNDER_TEST: Editor
STORE_UNDER_TEST: DynamoNewsletterStore


def test_generated_sequences_of_editor_and_dispatcher_steps_keep_the_model(
        editor: Editor, store: DynamoNewsletterStore) -> None:
    global EDITOR_UNDER_TEST, STORE_UNDER_TEST
    EDITOR_UNDER_TEST, STORE_UNDER_TEST = editor, store
    run_state_machine_as_test(EditorAndDispatcher, settings=settings(
        max_examples=25, stateful_step_count=12, deadline=None,
        suppress_health_check=list(HealthCheck)))
