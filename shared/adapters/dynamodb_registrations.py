"""Registrations in DynamoDB, with the seat count and the waiting list on the session item.

The session item (catalogue table) is the one place where seats and places in line are
decided: its `confirmed` counter only grows under the condition `confirmed < capacity`, and
its `waiting` list only grows while the session is full, appended atomically. A registration
item (registrations table, `pk=SESSION#<id>, sk=REG#<id>`) holds the person's details and
status; the table's stream carries every change to the notifications consumer.

AWS calls: a confirmed registration is one transaction; a waitlisted one is a failed
transaction (which returns the session's state), the list append and the item put."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.adapters.dynamodb_catalogue import item_to_session, session_key
from shared.forms import normalise_email
from shared.forums.registration import (
    CancelledBy,
    Confirmed,
    Existing,
    Refused,
    Registration,
    RegistrationStore,
    SeatFreed,
    SessionState,
    Status,
    Waiting,
)
from shared.roles import Audience

_OPEN = ("attribute_exists(pk) AND closed = :false AND cancelled = :false "
         "AND registration_deadline > :now AND audience IN ({audiences})")


def registration_key(session_id: str, registration_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": f"REG#{registration_id}"}}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _open_condition(admitted: list[Audience], now: datetime) -> tuple[str, dict[str, Any]]:
    names = [f":aud{i}" for i in range(len(admitted))]
    values: dict[str, Any] = {":false": {"BOOL": False}, ":now": {"S": iso(now)}}
    values.update({n: {"S": a.value} for n, a in zip(names, admitted, strict=True)})
    return _OPEN.format(audiences=", ".join(names)), values


def registration_item(registration: Registration, expires_at: int | None = None) -> dict[str, Any]:
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
    }
    for field in ("phone", "member_number", "needs", "idempotency_key", "forum_id"):
        value = getattr(registration, field)
        if value:
            item[field] = {"S": value}
    if expires_at:
        item["expires_at"] = {"N": str(expires_at)}
    return item


def item_to_registration(item: dict[str, Any]) -> Registration:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    def moment(name: str) -> datetime | None:
        value = text(name)
        return datetime.fromisoformat(value) if value else None

    return Registration(
        id=item["registration_id"]["S"], session_id=item["session_id"]["S"],
        forum_id=text("forum_id") or "", status=Status(item["status"]["S"]),
        name=item["name"]["S"], email=item["email"]["S"], phone=text("phone"),
        role=item["role"]["S"], workplace=item["workplace"]["S"],
        member_number=text("member_number"), needs=text("needs"),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        cancelled_at=moment("cancelled_at"), promoted_at=moment("promoted_at"),
        cancelled_by=CancelledBy(by) if (by := text("cancelled_by")) else None,
        idempotency_key=text("idempotency_key"),
    )


def _state(item: dict[str, Any] | None) -> SessionState | None:
    if not item or "session_id" not in item:
        return None
    return SessionState(
        session=item_to_session(item),
        audience=Audience(item.get("audience", {}).get("S", Audience.LEADERS_OF_LEADERS.value)),
        waiting=[entry["S"] for entry in item.get("waiting", {}).get("L", [])],
    )


class DynamoRegistrationStore(DynamoTable, RegistrationStore):
    def __init__(self, registrations_table: str, catalogue_table: str,
                 retention_days: int = 365, dynamodb: Any = None) -> None:
        super().__init__(registrations_table, dynamodb)
        self._catalogue = catalogue_table
        self._retention = retention_days

    def set_expiry(self, registration: Registration, session_ends: datetime) -> None:
        """Registrations are deleted (TTL) the retention period after their session ended."""
        expires = int(session_ends.timestamp()) + self._retention * 86400
        self._client.update_item(
            TableName=self._table, Key=registration_key(registration.session_id, registration.id),
            UpdateExpression="SET expires_at = :expires",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":expires": {"N": str(expires)}},
        )

    # -- registering ------------------------------------------------------------------------

    def confirm_new(self, registration: Registration, admitted: list[Audience],
                    now: datetime) -> Confirmed | Existing | Refused:
        condition, values = _open_condition(admitted, now)
        values[":one"] = {"N": "1"}
        item = registration_item(registration)
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": item,
                         "ConditionExpression": "attribute_not_exists(pk)",
                         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Update": {"TableName": self._catalogue,
                            "Key": session_key(registration.session_id),
                            "UpdateExpression": "SET confirmed = confirmed + :one",
                            "ConditionExpression": f"{condition} AND confirmed < #capacity",
                            "ExpressionAttributeNames": {"#capacity": "capacity"},
                            "ExpressionAttributeValues": values,
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            ])
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            mine, session = [*reasons, {}, {}][:2]
            if mine.get("Code") == "ConditionalCheckFailed" and mine.get("Item"):
                return Existing(item_to_registration(mine["Item"]))
            if session.get("Code") == "ConditionalCheckFailed":
                return Refused(_state(session.get("Item")))
            raise
        return Confirmed()

    def join_waitlist(self, session_id: str, registration_id: str, admitted: list[Audience],
                      now: datetime) -> Waiting | SeatFreed | Refused:
        condition, values = _open_condition(admitted, now)
        values.update({":me": {"L": [{"S": registration_id}]}, ":id": {"S": registration_id},
                       ":empty": {"L": []}})
        try:
            updated = self._client.update_item(
                TableName=self._catalogue, Key=session_key(session_id),
                UpdateExpression="SET waiting = list_append(if_not_exists(waiting, :empty), :me)",
                ConditionExpression=f"{condition} AND confirmed >= #capacity AND "
                "(attribute_not_exists(waiting) OR NOT contains(waiting, :id))",
                ExpressionAttributeNames={"#capacity": "capacity"},
                ExpressionAttributeValues=values,
                ReturnValues="UPDATED_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            state = _state(exc.response.get("Item"))
            if state is not None and registration_id in state.waiting:
                return Waiting(state.waiting.index(registration_id) + 1, joined=False)
            if state is not None and state.session.confirmed < state.session.capacity \
                    and not state.session.cancelled and not state.session.closed \
                    and now <= state.session.registration_deadline:
                return SeatFreed()
            return Refused(state)
        waiting = [entry["S"] for entry in updated["Attributes"]["waiting"]["L"]]
        return Waiting(waiting.index(registration_id) + 1)

    def put_waiting(self, registration: Registration) -> None:
        item = registration_item(registration)
        # Already there when an earlier attempt of the same request stored it.
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.put_item(TableName=self._table, Item=item,
                                  ConditionExpression="attribute_not_exists(pk)")

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

    def cancel(self, registration: Registration, by: CancelledBy, now: datetime) -> bool:
        for _ in range(10):  # the waiting list moved meanwhile: read it again
            current = self.get(registration.session_id, registration.id)
            if current is None or current.status is Status.CANCELLED:
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
            "ConditionExpression": "#status = :was",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":cancelled": {"S": Status.CANCELLED.value},
                                          ":now": {"S": iso(now)}, ":by": {"S": by.value},
                                          ":was": {"S": registration.status.value}},
        }}
        session = session_key(registration.session_id)
        items: list[dict[str, Any]] = [cancel_me]
        if registration.status is Status.WAITLISTED:
            if registration.id in state.waiting:
                index = state.waiting.index(registration.id)
                items.append(self._remove_waiting(session, index, registration.id))
        else:
            first = self._first_waiting(registration.session_id, state.waiting)
            if first is None or state.session.cancelled:
                items.append({"Update": {
                    "TableName": self._catalogue, "Key": session,
                    "UpdateExpression": "SET confirmed = confirmed - :one",
                    "ConditionExpression": "confirmed > :zero AND "
                    "(attribute_not_exists(waiting) OR size(waiting) = :size)",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":zero": {"N": "0"},
                                                  ":size": {"N": str(len(state.waiting))}},
                }})
            else:
                index, promoted = first
                items.append(self._remove_waiting(session, index, promoted))
                items.append({"Update": {
                    "TableName": self._table,
                    "Key": registration_key(registration.session_id, promoted),
                    "UpdateExpression": "SET #status = :confirmed, promoted_at = :now",
                    "ConditionExpression": "#status = :waitlisted",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {":confirmed": {"S": Status.CONFIRMED.value},
                                                  ":waitlisted": {"S": Status.WAITLISTED.value},
                                                  ":now": {"S": iso(now)}},
                }})
        try:
            self._client.transact_write_items(TransactItems=items)
        except self._client.exceptions.TransactionCanceledException:
            return False
        return True

    def _remove_waiting(self, session: dict[str, Any], index: int, rid: str) -> dict[str, Any]:
        return {"Update": {
            "TableName": self._catalogue, "Key": session,
            "UpdateExpression": f"REMOVE waiting[{index}]",
            "ConditionExpression": f"waiting[{index}] = :id",
            "ExpressionAttributeValues": {":id": {"S": rid}},
        }}

    def _first_waiting(self, session_id: str, waiting: list[str]) -> tuple[int, str] | None:
        """The first in line whose registration is stored (an id whose registration is still
        being written is passed over, it keeps its place for the next free seat)."""
        for index, rid in enumerate(waiting):
            found = self.get(session_id, rid)
            if found is not None and found.status is Status.WAITLISTED:
                return index, rid
        return None

    def with_email(self, email: str) -> list[Registration]:
        """Every registration of this address, in any session (a data-protection request)."""
        wanted = normalise_email(email)
        items = self._scan("begins_with(sk, :reg)", {":reg": {"S": "REG#"}}, consistent=True)
        return [item_to_registration(item) for item in items
                if normalise_email(item.get("email", {}).get("S", "")) == wanted]

    def forget(self, registration: Registration) -> None:
        """Delete the registration and the record of the emails it was sent."""
        self._delete(registration_key(registration.session_id, registration.id))
        sent = self._client.get_paginator("query").paginate(
            TableName=self._table, KeyConditionExpression="pk = :pk AND begins_with(sk, :mail)",
            ExpressionAttributeValues={":pk": {"S": f"SESSION#{registration.session_id}"},
                                       ":mail": {"S": f"MAIL#{registration.id}#"}})
        for page in sent:
            for item in page.get("Items", []):
                self._delete({"pk": item["pk"], "sk": item["sk"]})
