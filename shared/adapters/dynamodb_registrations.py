"""Registrations in DynamoDB, with the seat count and the waiting list on the session item.

The session item (catalogue table) is the one place where seats and places in line are
decided: its `confirmed` counter only grows under the condition `confirmed < capacity` while
nobody waits, and its `waiting` list only grows while the session is full (or someone waits).
Each of these writes is one transaction with the registration item it concerns, so a place in
line never exists without its registration, and a seat never without its confirmed one.

Items of the registrations table (`pk=SESSION#<session id>`), each with `expires_at` (TTL):
- `sk=REG#<id>`: the registration (the person's details and status);
- `sk=SUB#<id>#<submission>`: a submitted form waiting for its owner's confirmation;
- `sk=GATE#<id>`: when the address may next be mailed a confirmation link;
- `sk=MAIL#<id>#<round>#<kind>`: the ledger of emails sent (shared.adapters.dynamodb_ledger).
The table's stream carries every change to the notifications consumer.

AWS calls: a submission is one read of the session and one put. Confirming queries the
address's submissions (it confirms the newest), reads the registration and the session, then
writes one transaction (a seat), or two transactions and a read of the place (a place in
line), and deletes the submissions the newest one superseded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.adapters.dynamodb_catalogue import item_to_session, session_key
from shared.forms import mailbox_key
from shared.forums.registration.models import (
    CancelledBy,
    Confirmed,
    Existing,
    Moved,
    Refused,
    Registration,
    SeatFreed,
    SessionState,
    Status,
    Submission,
    Waiting,
)
from shared.forums.registration.ports import RegistrationStore
from shared.roles import Audience, Role

_OPEN = ("attribute_exists(pk) AND closed = :false AND cancelled = :false "
         "AND registration_deadline > :now AND audience IN ({audiences})")
_NOBODY_WAITS = "(attribute_not_exists(waiting) OR size(waiting) = :zero)"
# size() of a missing attribute is simply false in DynamoDB; moto raises instead, so the
# attribute is tested first (a session nobody ever waited for has no `waiting`).
_FULL_OR_WAITING = ("(confirmed >= #capacity OR "
                    "(attribute_exists(waiting) AND size(waiting) > :zero))")


def registration_key(session_id: str, registration_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": f"REG#{registration_id}"}}


def submission_key(session_id: str, registration_id: str, submission_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SESSION#{session_id}"},
            "sk": {"S": f"SUB#{registration_id}#{submission_id}"}}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def epoch(moment: datetime) -> dict[str, str]:
    return {"N": str(int(moment.timestamp()))}


def _open_condition(admitted: list[Audience], now: datetime) -> tuple[str, dict[str, Any]]:
    names = [f":aud{i}" for i in range(len(admitted))]
    values: dict[str, Any] = {":false": {"BOOL": False}, ":now": {"S": iso(now)},
                              ":zero": {"N": "0"}}
    values.update({n: {"S": a.value} for n, a in zip(names, admitted, strict=True)})
    return _OPEN.format(audiences=", ".join(names)), values


_PERSONAL = ("phone", "member_number", "needs")


def registration_item(registration: Registration) -> dict[str, Any]:
    item: dict[str, Any] = {
        **registration_key(registration.session_id, registration.id),
        "kind": {"S": "registration"},
        "registration_id": {"S": registration.id},
        "session_id": {"S": registration.session_id},
        "status": {"S": registration.status.value},
        "name": {"S": registration.name},
        "email": {"S": registration.email},
        "email_lower": {"S": registration.email.lower()},
        "role": {"S": registration.role.value},
        "workplace": {"S": registration.workplace},
        "created_at": {"S": iso(registration.created_at)},
        "round": {"N": str(registration.round)},
    }
    for field in (*_PERSONAL, "submission", "consent_text_version"):
        value = getattr(registration, field)
        if value:
            item[field] = {"S": value}
    if registration.consented_at:
        item["consented_at"] = {"S": iso(registration.consented_at)}
    if registration.expires_at:
        item["expires_at"] = epoch(registration.expires_at)
    return item


def item_to_registration(item: dict[str, Any]) -> Registration:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    def moment(name: str) -> datetime | None:
        value = text(name)
        return datetime.fromisoformat(value) if value else None

    expires = item.get("expires_at", {}).get("N")
    return Registration(
        id=item["registration_id"]["S"], session_id=item["session_id"]["S"],
        status=Status(item["status"]["S"]),
        name=item["name"]["S"], email=item["email"]["S"], phone=text("phone"),
        role=item["role"]["S"], workplace=item["workplace"]["S"],
        member_number=text("member_number"), needs=text("needs"),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        cancelled_at=moment("cancelled_at"), promoted_at=moment("promoted_at"),
        cancelled_by=CancelledBy(by) if (by := text("cancelled_by")) else None,
        round=int(item.get("round", {}).get("N", "1")), submission=text("submission"),
        consent_text_version=text("consent_text_version"), consented_at=moment("consented_at"),
        expires_at=datetime.fromtimestamp(int(expires), UTC) if expires else None,
    )


def submission_item(submission: Submission) -> dict[str, Any]:
    item: dict[str, Any] = {
        **submission_key(submission.session_id, submission.registration_id, submission.id),
        "kind": {"S": "submission"},
        "submission_id": {"S": submission.id},
        "registration_id": {"S": submission.registration_id},
        "session_id": {"S": submission.session_id},
        "name": {"S": submission.name},
        "email": {"S": submission.email},
        "role": {"S": submission.role.value},
        "workplace": {"S": submission.workplace},
        "submitted_at": {"S": iso(submission.submitted_at)},
        "link_expires_at": {"S": iso(submission.expires_at)},
        "expires_at": epoch(submission.expires_at),
        "consent_text_version": {"S": submission.consent_text_version},
    }
    for field in _PERSONAL:
        value = getattr(submission, field)
        if value:
            item[field] = {"S": value}
    return item


def item_to_submission(item: dict[str, Any]) -> Submission:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    return Submission(
        id=item["submission_id"]["S"], registration_id=item["registration_id"]["S"],
        session_id=item["session_id"]["S"], name=item["name"]["S"], email=item["email"]["S"],
        phone=text("phone"), role=Role(item["role"]["S"]), workplace=item["workplace"]["S"],
        member_number=text("member_number"), needs=text("needs"),
        submitted_at=datetime.fromisoformat(item["submitted_at"]["S"]),
        expires_at=datetime.fromisoformat(item["link_expires_at"]["S"]),
        **({"consent_text_version": version}
           if (version := text("consent_text_version")) else {}),
    )


def _state(item: dict[str, Any] | None) -> SessionState | None:
    if not item or "session_id" not in item:
        return None
    return SessionState(
        session=item_to_session(item),
        audience=Audience(item.get("audience", {}).get("S", Audience.LEADERS_OF_LEADERS.value)),
        waiting=[entry["S"] for entry in item.get("waiting", {}).get("L", [])],
    )


def _put_registration(table: str, registration: Registration,
                      previous_round: int | None) -> dict[str, Any]:
    """Put a new registration, or take up the cancelled one of `previous_round` again (the
    submission it comes from is deleted in the same step: each link confirms once)."""
    put: dict[str, Any] = {"TableName": table, "Item": registration_item(registration),
                           "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if previous_round is None:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put |= {"ConditionExpression": "#status = :cancelled AND #round = :round",
                "ExpressionAttributeNames": {"#status": "status", "#round": "round"},
                "ExpressionAttributeValues": {":cancelled": {"S": Status.CANCELLED.value},
                                              ":round": {"N": str(previous_round)}}}
    return {"Put": put}


def _consume_submission(table: str, registration: Registration) -> dict[str, Any]:
    """Delete the submission the registration comes from, only while it is held: a link whose
    submission was erased (or expired, or used) meanwhile places nothing."""
    return {"Delete": {"TableName": table, "Key": submission_key(
        registration.session_id, registration.id, registration.submission or ""),
        "ConditionExpression": "attribute_exists(sk)"}}


def _failed(reason: dict[str, Any]) -> bool:
    return reason.get("Code") == "ConditionalCheckFailed"


def _moved_or_existing(reasons: list[dict[str, Any]]) -> Existing | Moved | None:
    """Why a placing transaction (registration, submission, session) wrote nothing, when the
    session is not the reason: the registration is there already (Existing); or something
    moved and the caller reads again (Moved): the registration or submission is gone, or the
    transaction was cancelled without a failed condition (DynamoDB's TransactionConflict with
    a concurrent transaction on one of the items, or throttling)."""
    mine, submission, session = reasons[:3]
    if _failed(mine) and mine.get("Item"):
        return Existing(item_to_registration(mine["Item"]))
    if _failed(mine) or _failed(submission) or not _failed(session):
        return Moved()
    return None


class DynamoRegistrationStore(DynamoTable, RegistrationStore):
    def __init__(self, registrations_table: str, catalogue_table: str,
                 dynamodb: Any = None) -> None:
        super().__init__(registrations_table, dynamodb)
        self._catalogue = catalogue_table

    # -- submitting -------------------------------------------------------------------------

    def put_submission(self, submission: Submission) -> None:
        self._client.put_item(TableName=self._table, Item=submission_item(submission))

    def submission(self, session_id: str, registration_id: str,
                   submission_id: str) -> Submission | None:
        item = self._client.get_item(
            TableName=self._table, Key=submission_key(session_id, registration_id, submission_id),
            ConsistentRead=True).get("Item")
        return item_to_submission(item) if item else None

    def submissions(self, session_id: str, registration_id: str) -> list[Submission]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :sub)",
            ExpressionAttributeValues={":pk": {"S": f"SESSION#{session_id}"},
                                       ":sub": {"S": f"SUB#{registration_id}#"}})
        return [item_to_submission(i) for page in pages for i in page["Items"]]

    def discard_submission(self, session_id: str, registration_id: str,
                           submission_id: str) -> None:
        self._delete(submission_key(session_id, registration_id, submission_id))

    # -- registering ------------------------------------------------------------------------

    def _transact(self, items: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """None when written; else the cancellation reasons, one per item."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException as exc:
            return [*exc.response.get("CancellationReasons", []), *([{}] * len(items))]
        return None

    def take_seat(self, registration: Registration, admitted: list[Audience], now: datetime,
                  previous_round: int | None) -> Confirmed | Existing | Refused | Moved:
        condition, values = _open_condition(admitted, now)
        values[":one"] = {"N": "1"}
        reasons = self._transact([
            _put_registration(self._table, registration, previous_round),
            _consume_submission(self._table, registration),
            {"Update": {"TableName": self._catalogue,
                        "Key": session_key(registration.session_id),
                        "UpdateExpression": "SET confirmed = confirmed + :one",
                        "ConditionExpression":
                            f"{condition} AND confirmed < #capacity AND {_NOBODY_WAITS}",
                        "ExpressionAttributeNames": {"#capacity": "capacity"},
                        "ExpressionAttributeValues": values,
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
        if reasons is None:
            return Confirmed()
        if (other := _moved_or_existing(reasons)) is not None:
            return other
        return Refused(_state(reasons[2].get("Item")))

    def join_waitlist(self, registration: Registration, admitted: list[Audience], now: datetime,
                      previous_round: int | None
                      ) -> Waiting | Existing | SeatFreed | Refused | Moved:
        condition, values = _open_condition(admitted, now)
        values.update({":me": {"L": [{"S": registration.id}]}, ":id": {"S": registration.id},
                       ":empty": {"L": []}})
        reasons = self._transact([
            _put_registration(self._table, registration, previous_round),
            _consume_submission(self._table, registration),
            {"Update": {
                "TableName": self._catalogue, "Key": session_key(registration.session_id),
                "UpdateExpression":
                    "SET waiting = list_append(if_not_exists(waiting, :empty), :me)",
                "ConditionExpression": f"{condition} AND {_FULL_OR_WAITING} AND "
                "(attribute_not_exists(waiting) OR NOT contains(waiting, :id))",
                "ExpressionAttributeNames": {"#capacity": "capacity"},
                "ExpressionAttributeValues": values,
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
        if reasons is None:
            return Waiting()
        if (other := _moved_or_existing(reasons)) is not None:
            return other
        state = _state(reasons[2].get("Item"))
        if state is not None and not state.waiting \
                and state.session.confirmed < state.session.capacity:
            return SeatFreed()
        return Refused(state)

    def promote_first(self, session_id: str, registration_id: str, now: datetime) -> bool:
        return self._transact([
            {"Update": {
                "TableName": self._catalogue, "Key": session_key(session_id),
                "UpdateExpression": "SET confirmed = confirmed + :one REMOVE waiting[0]",
                "ConditionExpression":
                    "waiting[0] = :id AND confirmed < #capacity AND cancelled = :false",
                "ExpressionAttributeNames": {"#capacity": "capacity"},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":false": {"BOOL": False},
                                              ":id": {"S": registration_id}}}},
            self._promote(session_id, registration_id, now),
        ]) is None

    # -- reading ----------------------------------------------------------------------------

    def session_state(self, session_id: str) -> SessionState | None:
        item = self._client.get_item(TableName=self._catalogue, Key=session_key(session_id),
                                     ConsistentRead=True).get("Item")
        return _state(item)

    def waiting(self, session_id: str) -> list[str]:
        state = self.session_state(session_id)
        return state.waiting if state else []

    def position(self, session_id: str, registration_id: str) -> int | None:
        waiting = self.waiting(session_id)
        return waiting.index(registration_id) + 1 if registration_id in waiting else None

    def get(self, session_id: str, registration_id: str) -> Registration | None:
        item = self._client.get_item(TableName=self._table,
                                     Key=registration_key(session_id, registration_id),
                                     ConsistentRead=True).get("Item")
        return item_to_registration(item) if item else None

    def registrations(self, session_id: str) -> list[Registration]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :reg)",
            ExpressionAttributeValues={":pk": {"S": f"SESSION#{session_id}"},
                                       ":reg": {"S": "REG#"}},
        )
        return [item_to_registration(i) for page in pages for i in page["Items"]]

    # -- cancelling -------------------------------------------------------------------------

    def cancel(self, registration: Registration, by: CancelledBy, now: datetime,
               round_: int | None = None) -> bool:
        for _ in range(10):  # the waiting list moved meanwhile: read it again
            current = self.get(registration.session_id, registration.id)
            if current is None or current.status is Status.CANCELLED or \
                    round_ not in (None, current.round):
                return False
            state = self.session_state(registration.session_id)
            if state is None:
                return False
            if self._cancel_once(current, state, by, now):
                return True
        raise RuntimeError("cancellation kept conflicting")

    def _cancel_once(self, registration: Registration, state: SessionState, by: CancelledBy,
                     now: datetime) -> bool:
        cancel_me = {"Update": {
            "TableName": self._table,
            "Key": registration_key(registration.session_id, registration.id),
            "UpdateExpression": "SET #status = :cancelled, cancelled_at = :now, cancelled_by = :by",
            "ConditionExpression": "#status = :was AND #round = :round",
            "ExpressionAttributeNames": {"#status": "status", "#round": "round"},
            "ExpressionAttributeValues": {":cancelled": {"S": Status.CANCELLED.value},
                                          ":now": {"S": iso(now)}, ":by": {"S": by.value},
                                          ":was": {"S": registration.status.value},
                                          ":round": {"N": str(registration.round)}},
        }}
        session = session_key(registration.session_id)
        items: list[dict[str, Any]] = [cancel_me]
        if registration.status is Status.WAITLISTED:
            if registration.id in state.waiting:
                index = state.waiting.index(registration.id)
                items.append(self._remove_waiting(session, index, registration.id))
        elif not state.waiting or state.session.cancelled:
            items.append({"Update": {
                "TableName": self._catalogue, "Key": session,
                "UpdateExpression": "SET confirmed = confirmed - :one",
                "ConditionExpression": "confirmed > :zero AND "
                "(attribute_not_exists(waiting) OR size(waiting) = :size)",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"},
                                              ":size": {"N": str(len(state.waiting))}},
            }})
        else:  # the seat passes to the first in line, in the same step (never into a
            # session cancelled meanwhile: then the step is read again and frees the seat)
            promoted = state.waiting[0]
            items.append(self._remove_waiting(session, 0, promoted, promoting=True))
            items.append(self._promote(registration.session_id, promoted, now))
        return self._transact(items) is None

    def _promote(self, session_id: str, registration_id: str, now: datetime) -> dict[str, Any]:
        return {"Update": {
            "TableName": self._table, "Key": registration_key(session_id, registration_id),
            "UpdateExpression": "SET #status = :confirmed, promoted_at = :now",
            "ConditionExpression": "#status = :waitlisted",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":confirmed": {"S": Status.CONFIRMED.value},
                                          ":waitlisted": {"S": Status.WAITLISTED.value},
                                          ":now": {"S": iso(now)}},
        }}

    def _remove_waiting(self, session: dict[str, Any], index: int, rid: str,
                        promoting: bool = False) -> dict[str, Any]:
        """Take `rid` off the waiting list at `index`; when it is promoted, only while the
        session is not cancelled (as every promotion: WaitingList.fill's too)."""
        values: dict[str, Any] = {":id": {"S": rid}}
        condition = f"waiting[{index}] = :id"
        if promoting:
            condition += " AND cancelled = :false"
            values[":false"] = {"BOOL": False}
        return {"Update": {
            "TableName": self._catalogue, "Key": session,
            "UpdateExpression": f"REMOVE waiting[{index}]",
            "ConditionExpression": condition, "ExpressionAttributeValues": values,
        }}

    # -- data-protection requests -----------------------------------------------------------

    def _personal_items(self, email: str, prefix: str) -> list[dict[str, Any]]:
        """The items of the address's mailbox (`name+tag@` and `name@` alike: one person, as
        the registration id counts them)."""
        wanted = mailbox_key(email)
        items = self._scan("begins_with(sk, :prefix)", {":prefix": {"S": prefix}},
                           consistent=True)
        return [item for item in items
                if mailbox_key(item.get("email", {}).get("S", "")) == wanted]

    def with_email(self, email: str) -> list[Registration]:
        """Every registration of this address's mailbox, in any session (a data-protection
        request)."""
        return [item_to_registration(item) for item in self._personal_items(email, "REG#")]

    def submissions_with_email(self, email: str) -> list[Submission]:
        """Every submission of this address's mailbox not yet expired, confirmed or not."""
        return [item_to_submission(item) for item in self._personal_items(email, "SUB#")]

    def mails(self, session_id: str, registration_id: str) -> list[dict[str, str]]:
        """The record of the emails sent for this registration (an export): each email of a
        round with when it was sent, and the confirmation link's gate (a link or "already
        registered" mailed; no other before `until`)."""
        found = []
        for prefix in (f"MAIL#{registration_id}#", f"GATE#{registration_id}"):
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table, ConsistentRead=True,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={":pk": {"S": f"SESSION#{session_id}"},
                                           ":prefix": {"S": prefix}})
            for page in pages:
                for item in page.get("Items", []):
                    # MAIL#<id>#<round>#<kind>, GATE#<id>#<round>
                    parts = [*item["sk"]["S"].split("#"), ""]
                    if prefix.startswith("MAIL"):
                        found.append({"round": parts[2], "email": parts[3],
                                      "sent_at": item.get("sent_at", {}).get("S", "")})
                    else:
                        found.append({"round": parts[2], "email": "confirmation_link",
                                      "next_link_not_before": item.get("until", {}).get("S", "")})
        return found

    def forget(self, registration: Registration) -> bool:
        """Delete the registration, its submissions, and the record of the emails it was sent;
        only while it is as given (status and round): False, and nothing deleted, when a
        press took it up again meanwhile (its seat is counted: the erasure reads it again)."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=registration_key(registration.session_id, registration.id),
                ConditionExpression="#status = :status AND #round = :round",
                ExpressionAttributeNames={"#status": "status", "#round": "round"},
                ExpressionAttributeValues={":status": {"S": registration.status.value},
                                           ":round": {"N": str(registration.round)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        self.forget_submissions(registration.session_id, registration.id)
        return True

    def forget_submissions(self, session_id: str, registration_id: str) -> None:
        for prefix in (f"MAIL#{registration_id}#", f"SUB#{registration_id}#",
                       f"GATE#{registration_id}"):
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={":pk": {"S": f"SESSION#{session_id}"},
                                           ":prefix": {"S": prefix}})
            for page in pages:
                for item in page.get("Items", []):
                    self._delete({"pk": item["pk"], "sk": item["sk"]})

    # -- the published changes (the table's stream) -----------------------------------------

    def decode(self, image: dict[str, Any] | None) -> Registration | Submission | None:
        """The registration or submission a stream record's image holds (by its item's
        `kind`); None for no image or any other item (the ledger's, a mail gate's)."""
        kind = image.get("kind", {}).get("S") if image else None
        if kind == "submission":
            return item_to_submission(image or {})
        if kind == "registration":
            return item_to_registration(image or {})
        return None
