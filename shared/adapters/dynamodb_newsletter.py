"""The newsletter table: subscribers (`SUB#<id>`, sk `SUB`), the gate of their confirmation
emails (sk `GATE`, expires), issues (`ISSUE#<id>`, sk `ISSUE`), the ledger (`ISSUE#<id>`, sk
`TO#<subscriber>`), suppressions (`SUPPRESSED#<id>`: the keyed hash of the address, the
reason and the day; no other personal data and no expiry), and likewise the lasting markers of
an unsubscribe (`LEFT#<id>`) and of a staff invitation (`INVITED#<id>`), which keep staff from
adding the address again and from inviting it twice. Confirmed subscribers carry
`active=1` and appear in the sparse Active index, which is what a send snapshots. Issues
carry `issue_list` and appear in the sparse Issues index (keys only), which is how they are
found: no call reads the whole table, whose ledger grows by one item per issue and
subscriber (each expires, TTL)."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.newsletter.models import (
    FEEDBACK,
    LEFT_KEPT_DAYS,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)
from shared.newsletter.ports import Entry, Standing
from shared.platform.names import INDEX_ACTIVE_SUBSCRIBERS, INDEX_ISSUES, ISSUE_LIST
from shared.roles import Role


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _sub_key(subscriber_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SUB#{subscriber_id}"}, "sk": {"S": "SUB"}}


def _issue_key(issue_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ISSUE#{issue_id}"}, "sk": {"S": "ISSUE"}}


def _gate_key(subscriber_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SUB#{subscriber_id}"}, "sk": {"S": "GATE"}}


def _suppressed_key(subscriber_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SUPPRESSED#{subscriber_id}"}, "sk": {"S": "SUPPRESSED"}}


def _left_key(subscriber_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"LEFT#{subscriber_id}"}, "sk": {"S": "LEFT"}}


def _invited_key(subscriber_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"INVITED#{subscriber_id}"}, "sk": {"S": "INVITED"}}


def _ledger_key(issue_id: str, subscriber_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ISSUE#{issue_id}"}, "sk": {"S": f"TO#{subscriber_id}"}}


# Every issue's item carries ISSUE_LIST with this value: the Issues index's one partition.
ISSUE_LIST_VALUE = "ISSUES"
BATCH_GET = 100  # keys per BatchGetItem (DynamoDB's most)


def _text(item: dict[str, Any], name: str) -> str | None:
    return item[name]["S"] if name in item else None


def _moment(item: dict[str, Any], name: str) -> datetime | None:
    value = _text(item, name)
    return datetime.fromisoformat(value) if value else None


def _subscriber(item: dict[str, Any]) -> Subscriber:
    return Subscriber(
        id=item["subscriber_id"]["S"], email=item["email"]["S"], name=item["name"]["S"],
        role=Role(item["role"]["S"]), status=SubscriberStatus(item["status"]["S"]),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        confirmed_at=_moment(item, "confirmed_at"),
        consent_text_version=_text(item, "consent_text_version"),
        consent_source=_text(item, "consent_source"),
        consent_note=_text(item, "consent_note"),
        unsubscribed_at=_moment(item, "unsubscribed_at"),
        suppressed_reason=_text(item, "suppressed_reason"),
    )


def _issue(item: dict[str, Any]) -> Issue:
    def number(name: str) -> int:
        return int(item.get(name, {}).get("N", "0"))

    return Issue(
        id=item["issue_id"]["S"], subject=item["subject"]["S"], html=item["html"]["S"],
        text=item["text"]["S"], status=IssueStatus(item["status"]["S"]),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        send_at=_moment(item, "send_at"), approved_at=_moment(item, "approved_at"),
        dispatched_at=_moment(item, "dispatched_at"), snapshot="snapshot_taken" in item,
        fanned_out_at=_moment(item, "fanned_out_at"), recipients=number("recipients"),
        uncertain=number("uncertain"),
        sent=number("sent"), failed=number("failed"), bounced=number("bounced"),
        complained=number("complained"), unsubscribed=number("unsubscribed"),
        source=_text(item, "source"), source_format=_text(item, "source_format") or "html",
        in_archive="hidden_from_archive" not in item, copied_from=_text(item, "copied_from"),
    )


def _issue_item(issue: Issue) -> dict[str, Any]:
    item = {
        **_issue_key(issue.id), "kind": {"S": "issue"}, "issue_id": {"S": issue.id},
        "subject": {"S": issue.subject}, "html": {"S": issue.html}, "text": {"S": issue.text},
        "status": {"S": issue.status.value}, "created_at": {"S": _iso(issue.created_at)},
        ISSUE_LIST: {"S": ISSUE_LIST_VALUE},
    }
    if issue.source is not None:
        item["source"] = {"S": issue.source}
        item["source_format"] = {"S": issue.source_format}
    if not issue.in_archive:
        item["hidden_from_archive"] = {"N": "1"}
    if issue.copied_from:
        item["copied_from"] = {"S": issue.copied_from}
    return item


def _subscriber_item(subscriber: Subscriber) -> dict[str, Any]:
    """Who the subscriber is, as every subscriber item holds it (its status and consent are
    the caller's)."""
    return {**_sub_key(subscriber.id), "kind": {"S": "subscriber"},
            "subscriber_id": {"S": subscriber.id}, "email": {"S": subscriber.email},
            "name": {"S": subscriber.name}, "role": {"S": subscriber.role.value}}


class DynamoNewsletterStore(DynamoTable):
    # -- subscribers ------------------------------------------------------------------------

    def put_pending(self, subscriber: Subscriber, expires_at: int) -> None:
        item = {
            **_subscriber_item(subscriber),
            "status": {"S": SubscriberStatus.PENDING.value},
            "created_at": {"S": _iso(subscriber.created_at)},
            "consent_source": {"S": subscriber.consent_source or "web"},
            "expires_at": {"N": str(expires_at)},  # an unconfirmed address expires (TTL)
        }
        # New, or still pending / unsubscribed: (re)start the double opt-in. One call either
        # way; a subscribed or suppressed address stays as it is.
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.put_item(
                TableName=self._table, Item=item,
                ConditionExpression="attribute_not_exists(pk) OR #status IN (:pending, :gone)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":pending": {"S": SubscriberStatus.PENDING.value},
                                           ":gone": {"S": SubscriberStatus.UNSUBSCRIBED.value}},
            )

    def pass_confirmation_gate(self, subscriber_id: str, now: datetime,
                               until: datetime) -> bool:
        return self._pass_gate(_gate_key(subscriber_id), now, until)

    def reopen_confirmation_gate(self, subscriber_id: str, until: datetime) -> None:
        """Undo this pass (not a later one): its email was not sent."""
        self._reopen_gate(_gate_key(subscriber_id), until)

    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        item = self._client.get_item(TableName=self._table, Key=_sub_key(subscriber_id),
                                     ConsistentRead=True).get("Item")
        return _subscriber(item) if item else None

    def confirm(self, subscriber_id: str, now: datetime, version: str, source: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table, Key=_sub_key(subscriber_id),
                # The source stays as the signup recorded it (the form, staff, an import).
                UpdateExpression="SET #status = :subscribed, confirmed_at = if_not_exists("
                "confirmed_at, :now), consent_text_version = :version, consent_source = "
                "if_not_exists(consent_source, :source), active = :one REMOVE expires_at",
                ConditionExpression="#status IN (:pending, :subscribed)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":subscribed": {"S": SubscriberStatus.SUBSCRIBED.value},
                    ":pending": {"S": SubscriberStatus.PENDING.value},
                    ":now": {"S": _iso(now)}, ":version": {"S": version},
                    ":source": {"S": source}, ":one": {"N": "1"},
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _leave(self, subscriber_id: str, status: SubscriberStatus, extra: str,
               values: dict[str, Any]) -> bool:
        """Off the send list; the name and address are deleted (TTL) LEFT_KEPT_DAYS later:
        nobody is mailed again without a new double opt-in, and a bounce or complaint is
        remembered by its marker alone."""
        now = datetime.fromisoformat(values[":now"]["S"])
        forget = int((now + timedelta(days=LEFT_KEPT_DAYS)).timestamp())
        try:
            self._client.update_item(
                TableName=self._table, Key=_sub_key(subscriber_id),
                UpdateExpression=f"SET #status = :status, expires_at = :forget, {extra} "
                "REMOVE active",
                ConditionExpression="attribute_exists(pk) AND #status <> :status",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":status": {"S": status.value},
                                           ":forget": {"N": str(forget)}, **values},
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def unsubscribe(self, subscriber_id: str, now: datetime) -> bool:
        """Off the list, and a lasting marker (the keyed hash and the day, like a
        suppression's) that keeps staff from adding the address again after its item is
        gone; the owner may still sign up again through the form."""
        self._client.put_item(
            TableName=self._table,
            Item={**_left_key(subscriber_id), "kind": {"S": "left"},
                  "left_on": {"S": now.date().isoformat()}})
        return self._leave(subscriber_id, SubscriberStatus.UNSUBSCRIBED,
                           "unsubscribed_at = :now", {":now": {"S": _iso(now)}})

    def suppress(self, subscriber_id: str, reason: str, now: datetime) -> bool:
        """The lasting marker first (it alone blocks later mail, whatever happens to the
        subscriber item), then the subscriber leaves the send list."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**_suppressed_key(subscriber_id), "kind": {"S": "suppression"},
                      "reason": {"S": reason}, "suppressed_on": {"S": now.date().isoformat()}},
                ConditionExpression="attribute_not_exists(pk)")
            new = True
        except self._client.exceptions.ConditionalCheckFailedException:
            new = False
        self._leave(subscriber_id, SubscriberStatus.SUPPRESSED,
                    "suppressed_reason = :reason, suppressed_at = :now",
                    {":reason": {"S": reason}, ":now": {"S": _iso(now)}})
        return new

    def suppressed(self, subscriber_id: str) -> bool:
        return "Item" in self._client.get_item(TableName=self._table, ConsistentRead=True,
                                               Key=_suppressed_key(subscriber_id))

    def active_subscribers(self) -> Iterator[Subscriber]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, IndexName=INDEX_ACTIVE_SUBSCRIBERS,
            KeyConditionExpression="active = :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        for page in pages:
            for item in page["Items"]:
                yield _subscriber(item)

    # -- the editor's subscriber list ------------------------------------------------------

    def find_subscribers(self, query: str) -> list[Subscriber]:
        """Every subscriber whose address holds `query` (in any case), by address: a scan
        for the subscriber items (sk `SUB`), filtered here, since addresses are stored as
        typed and DynamoDB's `contains` tells case apart. The table holds a few thousand
        subscribers beside the ledger (bench/subscribers.py measures it)."""
        needle = query.strip().lower()
        found = (_subscriber(item) for item in
                 self._scan("sk = :sub", {":sub": {"S": "SUB"}}, consistent=True))
        return sorted((s for s in found if needle in s.email.lower()),
                      key=lambda s: (s.email.lower(), s.id))

    def standing(self, subscriber_ids: list[str]) -> dict[str, Standing]:
        """Where each address stands (its subscriber item, suppression, unsubscribe and
        invitation markers), read consistently in batches of 100 keys."""
        makers = (_sub_key, _suppressed_key, _left_key, _invited_key)
        keys = [make(sid) for sid in dict.fromkeys(subscriber_ids) for make in makers]
        items: dict[tuple[str, str], dict[str, Any]] = {}
        for start in range(0, len(keys), BATCH_GET):
            request: dict[str, Any] = {self._table: {
                "Keys": keys[start:start + BATCH_GET], "ConsistentRead": True,
                "ProjectionExpression": "pk, sk, #status, queued_at",
                "ExpressionAttributeNames": {"#status": "status"}}}
            for _ in range(10):
                answer = self._client.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self._table, []):
                    items[(item["pk"]["S"], item["sk"]["S"])] = item
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError("DynamoDB kept keys of subscribers unprocessed")

        def held(key: dict[str, Any]) -> dict[str, Any] | None:
            return items.get((key["pk"]["S"], key["sk"]["S"]))

        found = {}
        for sid in subscriber_ids:
            sub, invited = held(_sub_key(sid)), held(_invited_key(sid))
            found[sid] = Standing(
                status=SubscriberStatus(sub["status"]["S"]) if sub else None,
                suppressed=held(_suppressed_key(sid)) is not None,
                left=held(_left_key(sid)) is not None, invited=invited is not None,
                invitation_queued=bool(invited and "queued_at" in invited))
        return found

    def _never_left(self, subscriber_id: str) -> list[dict[str, Any]]:
        """A transaction's checks that the address was never suppressed nor unsubscribed."""
        return [{"ConditionCheck": {"TableName": self._table, "Key": key(subscriber_id),
                                    "ConditionExpression": "attribute_not_exists(pk)"}}
                for key in (_suppressed_key, _left_key)]

    def add_subscribed(self, subscriber: Subscriber) -> bool:
        """A subscriber with a documented consent (an import's), in one transaction: only if
        the address was never suppressed nor unsubscribed, and is new or pending. False when
        a condition failed (nothing written)."""
        item = {
            **_subscriber_item(subscriber),
            "status": {"S": SubscriberStatus.SUBSCRIBED.value},
            "created_at": {"S": _iso(subscriber.created_at)},
            "confirmed_at": {"S": _iso(subscriber.confirmed_at or subscriber.created_at)},
            "consent_source": {"S": subscriber.consent_source or "import"},
            "active": {"N": "1"},
        }
        if subscriber.consent_note:
            item["consent_note"] = {"S": subscriber.consent_note}
        return self._transact([*self._never_left(subscriber.id), {"Put": {
            "TableName": self._table, "Item": item,
            "ConditionExpression": "attribute_not_exists(pk) OR #status = :pending",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":pending": {"S": SubscriberStatus.PENDING.value}}}}])

    def add_invited(self, subscriber: Subscriber, expires_at: int) -> bool:
        """A pending subscription that staff asked for (by hand or an import), and the
        address's lasting invitation marker (the keyed hash and the day), in one transaction:
        only if the address was never suppressed nor unsubscribed, is new or pending, and
        was never invited before, or was but its invitation never queued (a retry). False
        when a condition failed (nothing written)."""
        item = {
            **_subscriber_item(subscriber),
            "status": {"S": SubscriberStatus.PENDING.value},
            "created_at": {"S": _iso(subscriber.created_at)},
            "consent_source": {"S": subscriber.consent_source or "staff"},
            "expires_at": {"N": str(expires_at)},  # an unconfirmed address expires (TTL)
        }
        marker = {**_invited_key(subscriber.id), "kind": {"S": "invitation"},
                  "invited_on": {"S": subscriber.created_at.date().isoformat()}}
        return self._transact([
            *self._never_left(subscriber.id),
            {"Put": {"TableName": self._table, "Item": marker,
                     "ConditionExpression": "attribute_not_exists(pk) OR "
                                            "attribute_not_exists(queued_at)"}},
            {"Put": {"TableName": self._table, "Item": item,
                     "ConditionExpression": "attribute_not_exists(pk) OR #status = :pending",
                     "ExpressionAttributeNames": {"#status": "status"},
                     "ExpressionAttributeValues": {
                         ":pending": {"S": SubscriberStatus.PENDING.value}}}}])

    def invitation_queued(self, subscriber_id: str, now: datetime) -> None:
        """The invitation's confirmation request is on the queue: no import asks again."""
        self._client.update_item(
            TableName=self._table, Key=_invited_key(subscriber_id),
            UpdateExpression="SET queued_at = if_not_exists(queued_at, :now)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":now": {"S": _iso(now)}})

    def claim_invitation(self, subscriber_id: str, now: datetime) -> bool:
        """True once per invitation: its email may go out now (a second request finds it
        claimed and sends nothing)."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_invited_key(subscriber_id),
                UpdateExpression="SET mailed_at = :now",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(mailed_at)",
                ExpressionAttributeValues={":now": {"S": _iso(now)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def reopen_invitation(self, subscriber_id: str) -> None:
        """Undo the claim: the invitation's email did not go out."""
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.update_item(
                TableName=self._table, Key=_invited_key(subscriber_id),
                UpdateExpression="REMOVE mailed_at", ConditionExpression="attribute_exists(pk)")

    # -- issues -----------------------------------------------------------------------------

    def put_issue(self, issue: Issue, replace: bool = False) -> bool:
        """The issue as given, unless one of this id is approved or sent (False then; with
        `replace` also when there is none: a deleted draft is not written back)."""
        try:
            self._client.put_item(
                TableName=self._table, Item=_issue_item(issue),
                ConditionExpression="#status = :draft" if replace
                else "attribute_not_exists(pk) OR #status = :draft",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":draft": {"S": IssueStatus.DRAFT.value}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def create_issue(self, issue: Issue) -> bool:
        try:
            self._client.put_item(TableName=self._table, Item=_issue_item(issue),
                                  ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def delete_draft(self, issue_id: str) -> bool:
        """One conditional delete: approval (`draft -> approved`) and this exclude each
        other, so a deleted draft is never sent and a sent issue never deleted."""
        try:
            self._client.delete_item(
                TableName=self._table, Key=_issue_key(issue_id),
                ConditionExpression="#status = :draft",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":draft": {"S": IssueStatus.DRAFT.value}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def show_in_archive(self, issue_id: str, shown: bool) -> bool:
        try:
            self._client.update_item(
                TableName=self._table, Key=_issue_key(issue_id),
                UpdateExpression="REMOVE hidden_from_archive" if shown
                else "SET hidden_from_archive = :one",
                ConditionExpression="attribute_exists(pk)",
                **({} if shown else {"ExpressionAttributeValues": {":one": {"N": "1"}}}))
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def subscriber_count(self) -> int:
        """A count of the Active index (DynamoDB reads the items to count them: one query
        of the sparse index, 1 MB a page)."""
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, IndexName=INDEX_ACTIVE_SUBSCRIBERS, Select="COUNT",
            KeyConditionExpression="active = :one",
            ExpressionAttributeValues={":one": {"N": "1"}})
        return sum(int(page["Count"]) for page in pages)

    def issue(self, issue_id: str) -> Issue | None:
        item = self._client.get_item(TableName=self._table, Key=_issue_key(issue_id),
                                     ConsistentRead=True).get("Item")
        return _issue(item) if item else None

    def issues(self) -> list[Issue]:
        """Every issue: their keys from the Issues index (a query of one partition, which
        holds nothing but the issues), then the items themselves read consistently."""
        keys = [{"pk": item["pk"], "sk": item["sk"]}
                for page in self._client.get_paginator("query").paginate(
                    TableName=self._table, IndexName=INDEX_ISSUES,
                    KeyConditionExpression="#list = :issues",
                    ExpressionAttributeNames={"#list": ISSUE_LIST},
                    ExpressionAttributeValues={":issues": {"S": ISSUE_LIST_VALUE}})
                for item in page["Items"]]
        found: list[Issue] = []
        for start in range(0, len(keys), BATCH_GET):
            request: dict[str, Any] = {self._table: {"Keys": keys[start:start + BATCH_GET],
                                                     "ConsistentRead": True}}
            for _ in range(10):
                answer = self._client.batch_get_item(RequestItems=request)
                found.extend(_issue(i) for i in answer["Responses"].get(self._table, []))
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError("DynamoDB kept keys of issues unprocessed")
        return sorted(found, key=lambda i: (i.created_at, i.id))

    def approve(self, issue_id: str, send_at: datetime | None, now: datetime) -> bool:
        values: dict[str, Any] = {":approved": {"S": IssueStatus.APPROVED.value},
                                  ":draft": {"S": IssueStatus.DRAFT.value},
                                  ":now": {"S": _iso(now)}}
        # Approved again: the time changes (or goes), its place in the queue stays.
        update = "SET #status = :approved, approved_at = if_not_exists(approved_at, :now)"
        if send_at:
            update += ", send_at = :at"
            values[":at"] = {"S": _iso(send_at)}
        else:
            update += " REMOVE send_at"
        try:
            self._client.update_item(
                TableName=self._table, Key=_issue_key(issue_id), UpdateExpression=update,
                ConditionExpression="#status IN (:draft, :approved)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values)
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def withdraw(self, issue_id: str) -> bool:
        """approved -> draft in one conditional write: `start_dispatch` makes the other
        (approved -> sending), so exactly one of them wins a race."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_issue_key(issue_id),
                UpdateExpression="SET #status = :draft REMOVE approved_at, send_at",
                ConditionExpression="#status = :approved",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":draft": {"S": IssueStatus.DRAFT.value},
                                           ":approved": {"S": IssueStatus.APPROVED.value}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def start_dispatch(self, issue_id: str, now: datetime) -> bool:
        try:
            self._client.update_item(
                TableName=self._table, Key=_issue_key(issue_id),
                UpdateExpression="SET #status = :sending, dispatched_at = :now",
                ConditionExpression="#status = :approved",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":sending": {"S": IssueStatus.SENDING.value},
                                           ":approved": {"S": IssueStatus.APPROVED.value},
                                           ":now": {"S": _iso(now)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def snapshot_taken(self, issue_id: str, copies: int) -> None:
        """Once: a run that took the snapshot too (a race) leaves the count as it is, since
        senders may already be counting it down."""
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.update_item(
                TableName=self._table, Key=_issue_key(issue_id),
                UpdateExpression="SET snapshot_taken = :one, remaining = :copies",
                ConditionExpression="attribute_not_exists(snapshot_taken)",
                ExpressionAttributeValues={":one": {"N": "1"}, ":copies": {"N": str(copies)}})

    def fanned_out(self, issue_id: str, now: datetime, recipients: int) -> None:
        self._client.update_item(
            TableName=self._table, Key=_issue_key(issue_id),
            UpdateExpression="SET fanned_out_at = :now, recipients = :n",
            ExpressionAttributeValues={":now": {"S": _iso(now)}, ":n": {"N": str(recipients)}})

    def finish_dispatch(self, issue_id: str, totals: dict[str, int]) -> None:
        names = {f"#{name}": name for name in totals}
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.update_item(
                TableName=self._table, Key=_issue_key(issue_id),
                UpdateExpression="SET #status = :status, "
                + ", ".join(f"#{name} = :{name}" for name in totals),
                ConditionExpression="#status = :sending",
                ExpressionAttributeNames={"#status": "status", **names},
                ExpressionAttributeValues={
                    ":status": {"S": IssueStatus.SENT.value},
                    ":sending": {"S": IssueStatus.SENDING.value},
                    **{f":{k}": {"N": str(v)} for k, v in totals.items()}})

    def count(self, issue_id: str, field: str) -> None:
        self._client.update_item(
            TableName=self._table, Key=_issue_key(issue_id),
            UpdateExpression="ADD #field :one", ExpressionAttributeNames={"#field": field},
            ExpressionAttributeValues={":one": {"N": "1"}})

    # -- the ledger -------------------------------------------------------------------------

    def queue_delivery(self, issue_id: str, subscriber_id: str, expires_at: int) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**_ledger_key(issue_id, subscriber_id), "kind": {"S": "delivery"},
                      "status": {"S": DeliveryStatus.QUEUED.value},
                      "expires_at": {"N": str(expires_at)}},  # TTL
                ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def claim_delivery(self, issue_id: str, subscriber_id: str, now: datetime,
                       claim: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table, Key=_ledger_key(issue_id, subscriber_id),
                UpdateExpression="SET #status = :sending, claimed_at = :now, claim = :claim",
                ConditionExpression="#status = :queued",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":sending": {"S": DeliveryStatus.SENDING.value},
                                           ":queued": {"S": DeliveryStatus.QUEUED.value},
                                           ":now": {"S": _iso(now)}, ":claim": {"S": claim}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_delivery(self, issue_id: str, subscriber_id: str, claim: str) -> None:
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.update_item(
                TableName=self._table, Key=_ledger_key(issue_id, subscriber_id),
                UpdateExpression="SET #status = :queued REMOVE claim, claimed_at",
                ConditionExpression="#status = :sending AND claim = :claim",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":sending": {"S": DeliveryStatus.SENDING.value},
                                           ":queued": {"S": DeliveryStatus.QUEUED.value},
                                           ":claim": {"S": claim}})

    def finish_delivery(self, issue_id: str, subscriber_id: str, claim: str,
                        status: DeliveryStatus) -> int | None:
        """The copy's outcome while this claim holds it, and on the issue one copy fewer
        left (and one more sent or failed), in one transaction: the issue's counts are
        always its ledger's, also when the process dies between the two. Then the copies
        left, read consistently."""
        counted = {DeliveryStatus.SENT: "sent", DeliveryStatus.FAILED: "failed"}.get(status)
        if not self._transact([
                {"Update": {
                    "TableName": self._table, "Key": _ledger_key(issue_id, subscriber_id),
                    "UpdateExpression": "SET #status = :status",
                    "ConditionExpression": "#status = :sending AND claim = :claim",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {
                        ":status": {"S": status.value},
                        ":sending": {"S": DeliveryStatus.SENDING.value},
                        ":claim": {"S": claim}}}},
                {"Update": {
                    "TableName": self._table, "Key": _issue_key(issue_id),
                    "UpdateExpression": "ADD remaining :less"
                    + (", #counted :one" if counted else ""),
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":less": {"N": "-1"},
                                                  **({":one": {"N": "1"}} if counted else {})},
                    **({"ExpressionAttributeNames": {"#counted": counted}}
                       if counted else {})}},
        ], token=claim):
            return None
        item = self._client.get_item(TableName=self._table, Key=_issue_key(issue_id),
                                     ConsistentRead=True,
                                     ProjectionExpression="remaining").get("Item", {})
        return int(item.get("remaining", {}).get("N", "0"))

    def record_feedback(self, issue_id: str, subscriber_id: str, field: str) -> bool:
        if field not in FEEDBACK:
            raise ValueError(f"unknown feedback {field!r}")
        return self._transact([
                {"Update": {
                    "TableName": self._table, "Key": _ledger_key(issue_id, subscriber_id),
                    "UpdateExpression": "SET #mark = :one",
                    "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#mark)",
                    "ExpressionAttributeNames": {"#mark": f"feedback_{field}"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Update": {
                    "TableName": self._table, "Key": _issue_key(issue_id),
                    "UpdateExpression": "ADD #field :one",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeNames": {"#field": field},
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ])

    def _transact(self, items: list[dict[str, Any]], token: str | None = None,
                  attempts: int = 8) -> bool:
        """The writes together, or none: False when a condition failed. Every copy's outcome
        updates its issue's item, so senders' transactions meet on it: one cancelled by
        another (TransactionConflict) or throttled is tried again, with backoff. With
        `token` (ClientRequestToken, one per attempt), botocore's own retry of a call whose
        answer was lost succeeds again instead of finding its own write."""
        for attempt in range(attempts):
            extra = {"ClientRequestToken": f"{token[:32]}-{attempt}"} if token else {}
            try:
                self._client.transact_write_items(TransactItems=items, **extra)
            except self._client.exceptions.TransactionCanceledException as exc:
                codes = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
                if "ConditionalCheckFailed" in codes or attempt == attempts - 1:
                    if "ConditionalCheckFailed" in codes:
                        return False
                    raise
            except self._client.exceptions.TransactionConflictException:
                if attempt == attempts - 1:
                    raise
            else:
                return True
            time.sleep(min(0.02 * 2 ** attempt, 0.5) * random.random())
        return False

    def ledger(self, issue_id: str) -> list[Entry]:
        """Every subscriber of the issue's snapshot, where their copy stands, and when it was
        claimed."""
        found: list[Entry] = []
        for page in self._client.get_paginator("query").paginate(
            TableName=self._table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :to)",
            ExpressionAttributeValues={":pk": {"S": f"ISSUE#{issue_id}"}, ":to": {"S": "TO#"}},
        ):
            found.extend(Entry(item["sk"]["S"][3:], DeliveryStatus(item["status"]["S"]),
                               _moment(item, "claimed_at"),
                               frozenset(f for f in FEEDBACK if f"feedback_{f}" in item))
                         for item in page["Items"])
        return found

    def deliveries(self, issue_id: str) -> dict[str, DeliveryStatus]:
        return {entry.subscriber_id: entry.status for entry in self.ledger(issue_id)}

    def delivery(self, issue_id: str, subscriber_id: str) -> DeliveryStatus | None:
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key=_ledger_key(issue_id, subscriber_id)).get("Item")
        return DeliveryStatus(item["status"]["S"]) if item else None

    def rename(self, subscriber_id: str, name: str) -> bool:
        """A data-protection correction: the subscriber's name replaced (only while there is
        one, and only when it differs: a repeat writes nothing)."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_sub_key(subscriber_id),
                UpdateExpression="SET #name = :name",
                ConditionExpression="attribute_exists(pk) AND #name <> :name",
                ExpressionAttributeNames={"#name": "name"},
                ExpressionAttributeValues={":name": {"S": name}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def forget(self, subscriber_id: str) -> None:
        """Delete the subscriber, the gate of their confirmation emails and their line in
        every issue's ledger (the issues' counts stay, as anonymous totals). A suppression
        stays: it exists to honour the objection, and holds nothing but the keyed hash. An
        erased subscriber leaves the unsubscribe marker (the keyed hash and the day), so the
        union's list imported again does not put them back; they may sign up themselves."""
        if self.subscriber(subscriber_id) is not None:
            self._client.put_item(
                TableName=self._table,
                Item={**_left_key(subscriber_id), "kind": {"S": "left"},
                      "left_on": {"S": datetime.now(UTC).date().isoformat()}})
        self._delete(_sub_key(subscriber_id))
        self._delete(_gate_key(subscriber_id))
        for issue in self.issues():
            self._delete(_ledger_key(issue.id, subscriber_id))
