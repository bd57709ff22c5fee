"""Registrations in DynamoDB, with the seat count and the waiting list on the session item.

Nothing is decided here. The rules (shared.forums.registration.seats) decide a `Transition`
from the session they read; `apply` turns any transition into one conditional transaction:
each fact it relied on becomes a condition on the session item (catalogue table), each
registration a put conditioned on what it replaces, the submission it uses up a conditioned
delete, and the change of `confirmed` and `waiting` one update of the session item. So a
place in line never exists without its registration, and a seat never without its confirmed
one.

Items of the registrations table (`pk=SESSION#<session id>`), each with `expires_at` (TTL):
- `sk=REG#<id>`: the registration (the person's details and status);
- `sk=SUB#<id>#<submission>`: a submitted form waiting for its owner's confirmation;
- `sk=GATE#<id>`: when the address may next be mailed a confirmation link;
- `sk=MAIL#<id>#<round>#<kind>`: the ledger of emails sent (shared.adapters.dynamodb_ledger);
- `sk=MSG#<message id>`: the secretariat's message to the session (subject and text);
- `sk=OUT#<id>#<email>`: a request to send the registration one email (a resend, a message),
  shared.forums.registration.messages.
The table's stream carries every change to the notifications consumer.

AWS calls: a submission is one read of the session and one put. Confirming queries the
address's submissions (it confirms the newest), reads the registration and the session, then
writes one transaction (a seat or a place in line; for a place, one more read: the place),
and deletes the submissions the newest one superseded. Cancelling reads the registration and
the session (and, when the seat passes to the first in line, their registration), then
writes one transaction."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.adapters.dynamodb_catalogue import item_to_session, session_key
from shared.forms import mailbox_key
from shared.forums.registration.messages import Outgoing, SessionMessage
from shared.forums.registration.models import (
    AskedBy,
    CancelledBy,
    Registration,
    SessionState,
    Status,
    Submission,
)
from shared.forums.registration.ports import RegistrationStore
from shared.forums.registration.transitions import (
    Applied,
    AtRevision,
    Condition,
    Equals,
    InLineAt,
    LineLength,
    NoSeatFree,
    NotBefore,
    NotInLine,
    OneOf,
    Rejected,
    SeatFree,
    SeatTaken,
    SomeoneWaits,
    Transition,
    Write,
)
from shared.roles import Audience, Role


def registration_key(session_id: str, registration_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": f"REG#{registration_id}"}}


def submission_key(session_id: str, registration_id: str, submission_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SESSION#{session_id}"},
            "sk": {"S": f"SUB#{registration_id}#{submission_id}"}}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def epoch(moment: datetime) -> dict[str, str]:
    return {"N": str(int(moment.timestamp()))}


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
    for field in (*_PERSONAL, "submission", "consent_text_version", "entered_by",
                  "moved_from", "moved_to"):
        value = getattr(registration, field)
        if value:
            item[field] = {"S": value}
    for field in ("consented_at", "cancelled_at", "promoted_at"):
        moment = getattr(registration, field)
        if moment:
            item[field] = {"S": iso(moment)}
    if registration.asked_by:
        item["asked_by"] = {"S": registration.asked_by.value}
    if registration.cancelled_by:
        item["cancelled_by"] = {"S": registration.cancelled_by.value}
    if registration.expires_at:
        item["expires_at"] = epoch(registration.expires_at)
    if registration.session_revision:
        item["session_revision"] = {"N": str(registration.session_revision)}
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
        entered_by=text("entered_by"), moved_from=text("moved_from"),
        moved_to=text("moved_to"),
        asked_by=AskedBy(asked) if (asked := text("asked_by")) else None,
        session_revision=int(item.get("session_revision", {}).get("N", "0")),
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


def message_key(session_id: str, message_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": f"MSG#{message_id}"}}


def message_item(message: SessionMessage) -> dict[str, Any]:
    return {**message_key(message.session_id, message.id), "kind": {"S": "message"},
            "message_id": {"S": message.id}, "session_id": {"S": message.session_id},
            "subject": {"S": message.subject}, "text": {"S": message.text},
            "created_at": {"S": iso(message.created_at)},
            "expires_at": epoch(message.expires_at)}


def item_to_message(item: dict[str, Any]) -> SessionMessage:
    return SessionMessage(
        id=item["message_id"]["S"], session_id=item["session_id"]["S"],
        subject=item["subject"]["S"], text=item["text"]["S"],
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        expires_at=datetime.fromtimestamp(int(item["expires_at"]["N"]), UTC))


def outgoing_item(request: Outgoing) -> dict[str, Any]:
    # One item per registration and resend (the latest request), per registration and message.
    which = request.email if request.email == "resent" else request.ledger_name
    return {"pk": {"S": f"SESSION#{request.session_id}"},
            "sk": {"S": f"OUT#{request.registration_id}#{which}"},
            "kind": {"S": "outgoing"}, "session_id": {"S": request.session_id},
            "registration_id": {"S": request.registration_id},
            "email": {"S": request.email}, "key": {"S": request.key},
            "requested_at": {"S": iso(request.requested_at)},
            "expires_at": epoch(request.expires_at)}


def item_to_outgoing(item: dict[str, Any]) -> Outgoing:
    return Outgoing(
        session_id=item["session_id"]["S"], registration_id=item["registration_id"]["S"],
        email=item["email"]["S"], key=item["key"]["S"],
        requested_at=datetime.fromisoformat(item["requested_at"]["S"]),
        expires_at=datetime.fromtimestamp(int(item["expires_at"]["N"]), UTC))


def _state(item: dict[str, Any] | None) -> SessionState | None:
    if not item or "session_id" not in item:
        return None
    return SessionState(
        session=item_to_session(item),
        audience=Audience(item.get("audience", {}).get("S", Audience.LEADERS_OF_LEADERS.value)),
        waiting=[entry["S"] for entry in item.get("waiting", {}).get("L", [])],
    )


class _Expression:
    """A condition (or update) expression with its attribute names and values: the
    conditions of a transition translated one by one, nothing decided here."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        self.names[f"#{attribute}"] = attribute
        return f"#{attribute}"

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = (
            {"BOOL": value} if isinstance(value, bool) else
            {"N": str(value)} if isinstance(value, int) else
            {"S": iso(value)} if isinstance(value, datetime) else {"S": str(value)})
        return placeholder

    def condition(self, fact: Condition) -> str:
        # size() of a missing attribute is simply false in DynamoDB; moto raises instead,
        # so the attribute is tested first (a session nobody ever waited for has none).
        match fact:
            case Equals(field, value):
                return f"{self.name(field)} = {self.value(value)}"
            case NotBefore(field, moment):
                return f"{self.name(field)} >= {self.value(moment)}"
            case OneOf(field, values) if values:
                listed = ", ".join(self.value(v) for v in values)
                return f"{self.name(field)} IN ({listed})"
            case OneOf():
                return "attribute_not_exists(pk)"  # one of nothing: never
            case AtRevision(0):
                # A session never changed since revisions were kept has no revision stored.
                revision = self.name("revision")
                return f"(attribute_not_exists({revision}) OR {revision} = {self.value(0)})"
            case AtRevision(revision):
                return f"{self.name('revision')} = {self.value(revision)}"
            case SeatFree():
                return f"{self.name('confirmed')} < {self.name('capacity')}"
            case NoSeatFree():
                return f"{self.name('confirmed')} >= {self.name('capacity')}"
            case SeatTaken():
                return f"{self.name('confirmed')} > {self.value(0)}"
            case LineLength(0):
                waiting = self.name("waiting")
                return f"(attribute_not_exists({waiting}) OR size({waiting}) = {self.value(0)})"
            case LineLength(length):
                waiting = self.name("waiting")
                return f"(attribute_exists({waiting}) AND size({waiting}) = {self.value(length)})"
            case SomeoneWaits():
                waiting = self.name("waiting")
                return f"(attribute_exists({waiting}) AND size({waiting}) > {self.value(0)})"
            case NotInLine(registration_id):
                waiting = self.name("waiting")
                return (f"(attribute_not_exists({waiting}) OR "
                        f"NOT contains({waiting}, {self.value(registration_id)}))")
            case InLineAt(index, registration_id):
                return f"{self.name('waiting')}[{index}] = {self.value(registration_id)}"
        raise TypeError(f"no expression for {fact!r}")


def _session_change(catalogue: str, transition: Transition) -> dict[str, Any] | None:
    """The transition's conditions and changes on the session item: one update (or a check
    when nothing changes there), only while the session exists; None when it touches
    nothing of the session."""
    expression = _Expression()
    facts = [*transition.requires, *transition.leaves,
             *([NotInLine(transition.joins)] if transition.joins else [])]
    sets, removes = [], [f"{expression.name('waiting')}[{p.index}]" for p in transition.leaves]
    if transition.seats:
        confirmed = expression.name("confirmed")
        sets.append(f"{confirmed} = {confirmed} + {expression.value(transition.seats)}")
    if transition.joins:
        waiting = expression.name("waiting")
        expression.values[":empty"] = {"L": []}
        expression.values[":joins"] = {"L": [{"S": transition.joins}]}
        sets.append(f"{waiting} = list_append(if_not_exists({waiting}, :empty), :joins)")
    if not facts and not sets and not removes:
        return None
    condition = " AND ".join(["attribute_exists(pk)", *(expression.condition(f) for f in facts)])
    common = {"TableName": catalogue, "Key": session_key(transition.session_id),
              "ConditionExpression": condition,
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    # DynamoDB refuses an empty map of placeholders (a condition of no field names none).
    if expression.names:
        common["ExpressionAttributeNames"] = expression.names
    if expression.values:
        common["ExpressionAttributeValues"] = expression.values
    if not sets and not removes:
        return {"ConditionCheck": common}
    update = " ".join(part for part in (
        f"SET {', '.join(sets)}" if sets else "",
        f"REMOVE {', '.join(removes)}" if removes else "") if part)
    return {"Update": {**common, "UpdateExpression": update}}


def _as_read(registration: Registration, revision: bool = True) -> dict[str, Any]:
    """The condition that the stored registration is still this one: its status and round,
    and (`revision`) the session's revision it follows, so a write decided before the session
    moved does not put back the old revision and expiry. An item stored before registrations
    had rounds has no `round` and is read as round 1 (item_to_registration), so round 1 also
    holds while the attribute is missing; revision 0 is not stored, and holds likewise."""
    round_ = "#round = :round" + (" OR attribute_not_exists(#round)"
                                  if registration.round == 1 else "")
    condition: dict[str, Any] = {
        "ConditionExpression": f"#status = :status AND ({round_})",
        "ExpressionAttributeNames": {"#status": "status", "#round": "round"},
        "ExpressionAttributeValues": {":status": {"S": registration.status.value},
                                      ":round": {"N": str(registration.round)}}}
    if revision:
        followed = "#session_revision = :revision" + (
            " OR attribute_not_exists(#session_revision)"
            if registration.session_revision == 0 else "")
        condition["ConditionExpression"] += f" AND ({followed})"
        condition["ExpressionAttributeNames"]["#session_revision"] = "session_revision"
        condition["ExpressionAttributeValues"][":revision"] = {
            "N": str(registration.session_revision)}
    return condition


def _put(table: str, write: Write) -> dict[str, Any]:
    """Write the registration only while it is what it replaces (status, round and session
    revision), or while there is none."""
    put: dict[str, Any] = {"TableName": table, "Item": registration_item(write.registration)}
    if write.replaces is None:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put |= _as_read(write.replaces)
    return {"Put": put}


def _consume(table: str, submission: Submission) -> dict[str, Any]:
    """Delete the submission, only while it is held: a link whose submission was erased (or
    expired, or used) meanwhile places nothing."""
    return {"Delete": {"TableName": table, "Key": submission_key(
        submission.session_id, submission.registration_id, submission.id),
        "ConditionExpression": "attribute_exists(sk)"}}


def _held(reason: dict[str, Any]) -> bool:
    """The item of a cancelled transaction that was not why it was cancelled."""
    return reason.get("Code") in (None, "None")


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

    def apply(self, transition: Transition) -> Applied | Rejected:
        """One transaction: each registration put under the condition of what it replaces,
        the submission deleted while held, and the session's conditions and changes in one
        update (or check) of its item."""
        items = [_put(self._table, write) for write in transition.writes]
        if transition.consumes is not None:
            items.append(_consume(self._table, transition.consumes))
        session = _session_change(self._catalogue, transition)
        if session is not None:
            items.append(session)
        if not items:
            return Applied()  # nothing to write, nothing relied on
        reasons = self._transact(items)
        if reasons is None:
            return Applied()
        if session is not None and reasons[len(items) - 1].get("Code") == \
                "ConditionalCheckFailed" and all(_held(r) for r in reasons[:len(items) - 1]):
            return Rejected(_state(reasons[len(items) - 1].get("Item")), session_failed=True)
        return Rejected()

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
                **_as_read(registration, revision=False))
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        self.forget_submissions(registration.session_id, registration.id)
        return True

    def forget_submissions(self, session_id: str, registration_id: str) -> None:
        for prefix in (f"MAIL#{registration_id}#", f"SUB#{registration_id}#",
                       f"GATE#{registration_id}", f"OUT#{registration_id}#"):
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues={":pk": {"S": f"SESSION#{session_id}"},
                                           ":prefix": {"S": prefix}})
            for page in pages:
                for item in page.get("Items", []):
                    self._delete({"pk": item["pk"], "sk": item["sk"]})

    # -- the secretariat's requests to send (shared.forums.registration.messages) ------------

    def put_message(self, message: SessionMessage) -> None:
        self._client.put_item(TableName=self._table, Item=message_item(message))

    def message(self, session_id: str, message_id: str) -> SessionMessage | None:
        item = self._client.get_item(TableName=self._table, Key=message_key(
            session_id, message_id), ConsistentRead=True).get("Item")
        return item_to_message(item) if item else None

    def request(self, requests: list[Outgoing]) -> None:
        """Each request put (whole, so one stored before changes and is published again), 25
        to a BatchWriteItem; what DynamoDB leaves unprocessed is written again, with a pause
        growing each round (the Developer Guide's advice), until none is left."""
        pending = [{"PutRequest": {"Item": outgoing_item(r)}} for r in requests]
        for start in range(0, len(pending), 25):
            batch = pending[start:start + 25]
            for attempt in range(8):
                left = self._client.batch_write_item(
                    RequestItems={self._table: batch}).get("UnprocessedItems", {})
                batch = left.get(self._table, [])
                if not batch:
                    break
                time.sleep(0.05 * 2 ** attempt)
            if batch:
                raise RuntimeError("requests to send were left unprocessed")

    def request_once(self, request: Outgoing, until: datetime) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**outgoing_item(request), "until": {"S": iso(until)}},
                ConditionExpression="attribute_not_exists(pk) OR #until <= :now",
                ExpressionAttributeNames={"#until": "until"},
                ExpressionAttributeValues={":now": {"S": iso(request.requested_at)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    # -- the published changes (the table's stream) -----------------------------------------

    def decode(self, image: dict[str, Any] | None
               ) -> Registration | Submission | Outgoing | None:
        """The registration, submission or request to send a stream record's image holds (by
        its item's `kind`); None for no image or any other item (the ledger's, a mail
        gate's, a message's)."""
        kind = image.get("kind", {}).get("S") if image else None
        if kind == "outgoing":
            return item_to_outgoing(image or {})
        if kind == "submission":
            return item_to_submission(image or {})
        if kind == "registration":
            return item_to_registration(image or {})
        return None
