"""The editor's desk and the public archive on the template's functions and table in the
emulator: the subscriber count and the next scheduled send on the list; autosave repeated,
a draft deleted (only a draft, again harmlessly), an issue duplicated (the same id again
answers the same copy), "send now" clicked twice asking the dispatcher and sending nobody
twice, the archive choice; Danish 422s per field with nothing stored; every other group
refused on each new route. The archive: sent issues newest first with their Danish day,
subjects escaped, a left-out issue absent everywhere, each web version without anyone's
link, and an Atom feed with RFC 4287's required elements."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from local.emulator import Emulator
from shared.adapters.aws import client
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.parameters import parameter
from shared.danish import danish_date
from shared.newsletter.editor import draft
from shared.newsletter.models import DeliveryStatus, IssueStatus, Subscriber, SubscriberStatus
from shared.platform.names import PARAM_NEWSLETTER_SETTINGS, STAFF_GROUPS
from shared.roles import Role
from tests.integration.conftest import Api, bearer, raw

ATOM = "{http://www.w3.org/2005/Atom}"
ISSUES = "/api/staff/newsletter/issues"
NEW_ROUTES = [("DELETE", ISSUES + "/{issue_id}"), ("POST", ISSUES + "/{issue_id}/duplicate"),
              ("POST", ISSUES + "/{issue_id}/send-now"), ("PUT", ISSUES + "/{issue_id}/archive")]
DRAFT = {"subject": "Nyt fra ledere af ledere", "markdown": "# Forår\n\nVi ses i *Vejle*."}


@pytest.fixture
def store(emulator: Emulator) -> DynamoNewsletterStore:
    values = json.loads(parameter(PARAM_NEWSLETTER_SETTINGS))
    return DynamoNewsletterStore(values["NEWSLETTER_TABLE_NAME"])


def as_editor(tokens: dict[str, dict[str, Any]]) -> dict[str, str]:
    return bearer(tokens["editor"]["IdToken"])


def subscribe(store: DynamoNewsletterStore, n: int, prefix: str) -> None:
    now = datetime.now(UTC)
    for i in range(n):
        sid = f"{prefix}-{i}"
        store.put_pending(Subscriber(id=sid, email=f"{prefix}{i}@example.dk", name="Leder",
                                     role=Role.AREA_LEADER, status=SubscriberStatus.PENDING,
                                     created_at=now), int((now + timedelta(days=1)).timestamp()))
        store.confirm(sid, now, "v1", "web")


def dispatch_requests(emulator: Emulator) -> list[str]:
    sqs = client("sqs")
    urls = [u for u in sqs.list_queues()["QueueUrls"] if "DispatchQueue" in u]
    assert len(urls) == 1
    found = []
    while True:
        answer = sqs.receive_message(QueueUrl=urls[0], MaxNumberOfMessages=10)
        if not answer.get("Messages"):
            return found
        for message in answer["Messages"]:
            found.append(json.loads(message["Body"])["issue"])
            sqs.delete_message(QueueUrl=urls[0], ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.parametrize("group", [g for g in STAFF_GROUPS if g != "editor"])
def test_every_other_group_is_refused_on_the_desks_routes_and_nothing_changes(
        api: Api, tokens: dict[str, dict[str, Any]], store: DynamoNewsletterStore,
        group: str) -> None:
    issue_id = f"desk-forbudt-{group.replace('_', '-')}"
    assert api.request("PUT", f"{ISSUES}/{issue_id}", DRAFT, as_editor(tokens))[0] == 200
    before = store.issue(issue_id)
    for method, path in NEW_ROUTES:
        status, answer = api.request(method, path.replace("{issue_id}", issue_id),
                                     {"in_archive": False} if method == "PUT" else {},
                                     bearer(tokens[group]["IdToken"]))
        assert (status, answer["code"]) == (403, "forbidden"), path
    assert store.issue(issue_id) == before
    assert store.issue(f"{issue_id}-kopi") is None
    status, answer = api.request("GET", ISSUES, headers=bearer(tokens[group]["IdToken"]))
    assert status == 403


def test_the_list_counts_the_subscribers_and_names_the_next_scheduled_send(
        api: Api, tokens: dict[str, dict[str, Any]], store: DynamoNewsletterStore) -> None:
    status, before = api.request("GET", ISSUES, headers=as_editor(tokens))
    assert status == 200
    subscribe(store, 3, "taelles")
    status, after = api.request("GET", ISSUES, headers=as_editor(tokens))
    assert after["subscribers"] == before["subscribers"] + 3
    nxt = datetime.fromisoformat(after["next_scheduled_send"])
    assert nxt > datetime.now(UTC) and nxt.utcoffset() in (timedelta(hours=1),
                                                             timedelta(hours=2))


def test_autosave_delete_duplicate_send_now_and_the_archive_choice(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]],
        store: DynamoNewsletterStore) -> None:
    headers = as_editor(tokens)
    base = f"{ISSUES}/desk-marts"
    first = api.request("PUT", base, DRAFT, headers)
    again = api.request("PUT", base, DRAFT, headers)  # the autosave repeated
    assert first == again and first[0] == 200

    # Deleted: a draft, once; again answers the same; gone from the list.
    assert api.request("DELETE", base, headers=headers) == (200, {"status": "deleted"})
    assert api.request("DELETE", base, headers=headers) == (200, {"status": "deleted"})
    assert store.issue("desk-marts") is None
    assert all(i["id"] != "desk-marts"
               for i in api.request("GET", ISSUES, headers=headers)[1]["issues"])

    # Send now, clicked twice: approved for now, the dispatcher asked, nothing else changes.
    api.request("PUT", base, DRAFT, headers)
    dispatch_requests(emulator)
    one = api.request("POST", f"{base}/send-now", headers=headers)
    two = api.request("POST", f"{base}/send-now", headers=headers)
    assert one[0] == two[0] == 200 and one[1]["status"] == two[1]["status"] == "approved"
    assert dispatch_requests(emulator) == ["desk-marts", "desk-marts"]
    issue = store.issue("desk-marts")
    assert issue is not None and issue.send_at is not None
    assert issue.send_at <= datetime.now(UTC)
    status, body = api.request("DELETE", base, headers=headers)
    assert (status, body["code"]) == (409, "not_a_draft")
    assert store.issue("desk-marts") is not None
    # Once the dispatcher took it, send now starts nothing more.
    assert store.start_dispatch("desk-marts", datetime.now(UTC))
    assert api.request("POST", f"{base}/send-now", headers=headers)[1]["status"] == "sending"
    assert dispatch_requests(emulator) == []

    # Duplicated as a new draft, with the id asked for; asked again, the same copy.
    status, copy = api.request("POST", f"{base}/duplicate", {"id": "desk-marts-kopi"}, headers)
    assert (status, copy["status"], copy["subject"], copy["markdown"], copy["copied_from"]) == (
        201, "draft", DRAFT["subject"], DRAFT["markdown"], "desk-marts")
    status, again_copy = api.request("POST", f"{base}/duplicate", {"id": "desk-marts-kopi"},
                                     headers)
    assert status == 201 and again_copy["created_at"] == copy["created_at"]
    status, other = api.request("POST", f"{base}/duplicate", {}, headers)
    assert (status, other["id"]) == (201, "desk-marts-kopi-2")
    status, body = api.request("POST", f"{ISSUES}/desk-marts-kopi-2/duplicate",
                               {"id": "desk-marts-kopi"}, headers)
    assert (status, body["code"]) == (409, "id_taken")  # a copy of another issue

    # Left out of the archive, and back.
    status, body = api.request("PUT", f"{base}/archive", {"in_archive": False}, headers)
    assert (status, body["in_archive"]) == (200, False)
    assert api.request("PUT", f"{base}/archive", {"in_archive": False}, headers)[0] == 200
    stored = store.issue("desk-marts")
    assert stored is not None and not stored.in_archive
    assert api.request("PUT", f"{base}/archive", {"in_archive": True}, headers)[1][
        "in_archive"] is True


def test_bad_input_on_the_desks_routes_is_refused_per_field_and_nothing_is_stored(
        api: Api, tokens: dict[str, dict[str, Any]], store: DynamoNewsletterStore) -> None:
    headers = as_editor(tokens)
    api.request("PUT", f"{ISSUES}/desk-fejl", DRAFT, headers)
    before = store.issues()

    def fields(method: str, path: str, body: Any) -> dict[str, str]:
        status, answer = api.request(method, path, body, headers)
        assert status == 422, answer
        return {e["field"]: e["message"] for e in answer["errors"]}

    assert "id" in fields("POST", f"{ISSUES}/desk-fejl/duplicate", {"id": "Ikke Gyldigt!"})
    assert set(fields("PUT", f"{ISSUES}/desk-fejl/archive", {"in_archive": "måske"})) == \
        {"in_archive"}
    assert set(fields("PUT", f"{ISSUES}/desk-fejl/archive", {})) == {"in_archive"}
    assert store.issues() == before
    assert api.request("POST", f"{ISSUES}/findes-ikke/send-now", headers=headers)[0] == 404
    assert api.request("POST", f"{ISSUES}/findes-ikke/duplicate", {}, headers)[0] == 404
    assert api.request("DELETE", f"{ISSUES}/Ugyldigt", headers=headers)[0] == 422


# -- the archive -------------------------------------------------------------------------------


def sent_issue(store: DynamoNewsletterStore, issue_id: str, subject: str, days_ago: int,
               shown: bool = True) -> None:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    made = draft(issue_id, subject, f"# {issue_id}\n\nIndhold af *{issue_id}*.", True, when)
    store.create_issue(made.model_copy(update={"in_archive": shown}))
    store.approve(issue_id, None, when)
    store.start_dispatch(issue_id, when)
    store.finish_dispatch(issue_id, {"recipients": 0})


def page(api: Api, path: str) -> tuple[int, dict[str, str], str]:
    answer = raw(api, "GET", path, {})
    headers = {k: v[-1] for k, v in (answer.get("multiValueHeaders") or {}).items()} | \
        dict(answer.get("headers") or {})
    return answer["statusCode"], headers, answer["body"]


def test_the_archive_lists_sent_issues_newest_first_and_leaves_out_what_the_editor_did(
        api: Api, store: DynamoNewsletterStore) -> None:
    sent_issue(store, "arkiv-gammel", "Gammelt nummer", 60)
    sent_issue(store, "arkiv-ny", "Nyt <b>nummer</b> & mere", 2)
    sent_issue(store, "arkiv-skjult", "Hemmeligt nummer", 1, shown=False)
    store.put_issue(draft("arkiv-kladde", "Kladdenummer", "# Kladde", True, datetime.now(UTC)))
    status, headers, html = page(api, "/nyhedsbrev/arkiv/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert html.index("Nyt &lt;b&gt;nummer&lt;/b&gt; &amp; mere") < html.index("Gammelt nummer")
    assert "<b>nummer</b>" not in html
    assert danish_date(datetime.now(UTC) - timedelta(days=2), weekday=False) in html
    assert "Hemmeligt" not in html and "Kladdenummer" not in html
    assert '/nyhedsbrev/arkiv/arkiv-ny">' in html
    for hidden in ("arkiv-skjult", "arkiv-kladde", "findes-ikke", "..", "Store"):
        assert page(api, f"/nyhedsbrev/arkiv/{hidden}")[0] == 404, hidden


def test_a_web_version_holds_the_issue_and_nobodys_link(
        api: Api, store: DynamoNewsletterStore) -> None:
    subscribe(store, 1, "webudgave")  # a subscriber, whose name and address must not show
    sent_issue(store, "arkiv-web", "Webudgaven", 3)
    status, headers, html = page(api, "/nyhedsbrev/arkiv/arkiv-web")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=300"
    assert "<h1>Webudgaven</h1>" in html and "Indhold af <em>arkiv-web</em>" in html
    for personal in ("token", "afmeld", "unsubscribe", "Leder,", "webudgave0@"):
        assert personal not in html, personal
    assert "<script" not in html and "style=" not in html  # under the site's CSP


def test_the_atom_feed_has_rfc_4287s_required_elements(
        api: Api, store: DynamoNewsletterStore) -> None:
    sent_issue(store, "arkiv-feed", "Feed & <nummer>", 4)
    sent_issue(store, "arkiv-feed-skjult", "Skjult i feed", 4, shown=False)
    status, headers, body = page(api, "/nyhedsbrev/arkiv/atom.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(body.encode())  # noqa: S314 - our own answer, in a test
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert "Feed & <nummer>" in titles and "Skjult i feed" not in titles
    updated = [datetime.fromisoformat(str(e.findtext(f"{ATOM}updated"))) for e in entries]
    assert updated == sorted(updated, reverse=True)
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{name}"), name
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None and link.get("href") == entry.findtext(f"{ATOM}id")
    assert str(feed.findtext(f"{ATOM}updated")) == str(entries[0].findtext(f"{ATOM}updated"))


def test_a_sent_issue_is_in_the_archive_while_it_is_still_being_sent(
        store: DynamoNewsletterStore, api: Api) -> None:
    made = draft("arkiv-sendes", "Sendes lige nu", "# Hej", True, datetime.now(UTC))
    store.create_issue(made)
    store.approve("arkiv-sendes", None, datetime.now(UTC))
    store.start_dispatch("arkiv-sendes", datetime.now(UTC))
    issue = store.issue("arkiv-sendes")
    assert issue is not None and issue.status is IssueStatus.SENDING
    assert page(api, "/nyhedsbrev/arkiv/arkiv-sendes")[0] == 200


def test_a_copys_outcome_cancelled_by_another_senders_transaction_is_tried_again(
        store: DynamoNewsletterStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every copy's outcome updates its issue's item, so two senders' transactions meet there
    and DynamoDB cancels one (TransactionConflict; moto never does): it is tried again, and
    the outcome and the issue's counts are written once."""
    made = draft("desk-konflikt", "Konflikt", "# Hej", True, datetime.now(UTC))
    store.create_issue(made)
    store.approve("desk-konflikt", None, datetime.now(UTC))
    store.start_dispatch("desk-konflikt", datetime.now(UTC))
    store.queue_delivery("desk-konflikt", "modtager", 2_000_000_000)
    store.snapshot_taken("desk-konflikt", 1)
    assert store.claim_delivery("desk-konflikt", "modtager", datetime.now(UTC), "k" * 32)
    ddb = client("dynamodb")
    sender = DynamoNewsletterStore(store._table, ddb)
    real = ddb.transact_write_items
    calls: list[dict[str, Any]] = []

    def conflicting(**request: Any) -> Any:
        calls.append(request)
        if len(calls) < 3:
            raise ddb.exceptions.TransactionCanceledException(
                {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                 "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}]},
                "TransactWriteItems")
        return real(**request)

    monkeypatch.setattr(ddb, "transact_write_items", conflicting)
    assert sender.finish_delivery("desk-konflikt", "modtager", "k" * 32,
                                 DeliveryStatus.SENT) == 0
    issue = store.issue("desk-konflikt")
    assert issue is not None and issue.sent == 1
    assert store.delivery("desk-konflikt", "modtager") is DeliveryStatus.SENT
    assert len(calls) == 3 and len({c["ClientRequestToken"] for c in calls}) == 3
    # The same outcome again (a redelivered message): the claim no longer holds it.
    assert sender.finish_delivery("desk-konflikt", "modtager", "k" * 32,
                                  DeliveryStatus.SENT) is None
    assert (store.issue("desk-konflikt") or issue).sent == 1


def test_a_sender_that_dies_while_recording_a_copy_leaves_the_outcome_and_count_together(
        store: DynamoNewsletterStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The outcome on the ledger line and the count on the issue are one write: a failure
    at any point leaves both or neither (before, two writes could leave the copy sent and
    the issue one short, "Sendes nu" until the hourly run)."""
    made = draft("desk-doed", "Død", "# Hej", True, datetime.now(UTC))
    store.create_issue(made)
    store.approve("desk-doed", None, datetime.now(UTC))
    store.start_dispatch("desk-doed", datetime.now(UTC))
    store.queue_delivery("desk-doed", "modtager", 2_000_000_000)
    store.snapshot_taken("desk-doed", 1)
    assert store.claim_delivery("desk-doed", "modtager", datetime.now(UTC), "d" * 32)
    ddb = client("dynamodb")
    sender = DynamoNewsletterStore(store._table, ddb)
    real_update, real_transact = ddb.update_item, ddb.transact_write_items

    def dies_on_the_issue(**request: Any) -> Any:
        if request["Key"]["sk"]["S"] == "ISSUE":
            raise ConnectionError("the process died")
        return real_update(**request)

    def dies(**request: Any) -> Any:
        raise ConnectionError("the process died")

    monkeypatch.setattr(ddb, "update_item", dies_on_the_issue)
    monkeypatch.setattr(ddb, "transact_write_items", dies)
    with pytest.raises(ConnectionError):
        sender.finish_delivery("desk-doed", "modtager", "d" * 32, DeliveryStatus.SENT)
    issue = store.issue("desk-doed")
    assert issue is not None and issue.sent == 0
    assert store.delivery("desk-doed", "modtager") is DeliveryStatus.SENDING
    monkeypatch.setattr(ddb, "update_item", real_update)
    monkeypatch.setattr(ddb, "transact_write_items", real_transact)
    assert sender.finish_delivery("desk-doed", "modtager", "d" * 32, DeliveryStatus.SENT) == 0
    issue = store.issue("desk-doed")
    assert issue is not None and issue.sent == 1
    assert store.delivery("desk-doed", "modtager") is DeliveryStatus.SENT
