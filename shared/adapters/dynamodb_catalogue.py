"""The forums catalogue table in DynamoDB.

Items: a forum is `pk=FORUM#<id>, sk=FORUM`; a session is `pk=SESSION#<id>, sk=SESSION` with
`forum_id` and `starts_at` for the SessionsByForum index. A session item's `confirmed` counter
belongs to registrations: updates of the description never overwrite it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shared.adapters.aws import DynamoTable
from shared.errors import Conflict, NotFound
from shared.forums.catalogue import CapacityBelowConfirmed, CatalogueChanged
from shared.forums.models import Forum, Session
from shared.platform.names import INDEX_SESSIONS_BY_FORUM
from shared.roles import Audience

if TYPE_CHECKING:
    from shared.forums.catalogue_file import ForumWrite, SessionWrite


def forum_key(forum_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"FORUM#{forum_id}"}, "sk": {"S": "FORUM"}}


def session_key(session_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": "SESSION"}}


def _utc(moment: datetime) -> str:
    """UTC, so that the index sorts sessions by time."""
    return moment.astimezone(UTC).isoformat()


class DynamoCatalogueStore(DynamoTable):
    def put_forum(self, forum: Forum) -> None:
        self._client.update_item(TableName=self._table, **_forum_update(forum))

    def add_forum(self, forum: Forum) -> Forum | None:
        holder = self._add(_forum_update(forum), forum_key(forum.id))
        return _forum(holder) if holder else None

    def change_forum(self, forum: Forum, session_ids: list[str]) -> bool:
        """The forum and its sessions' audience in one transaction (in transactions of at
        most 100 items for a forum of more sessions); a session deleted meanwhile is left
        out and the rest written again."""
        audience = _set_expression({"audience": {"S": forum.audience.value}})
        forum_item = {"Update": {"TableName": self._table, **_forum_update(forum),
                                 "ConditionExpression": "attribute_exists(pk)"}}
        sessions = list(session_ids)
        while True:
            items = [forum_item, *({"Update": {
                "TableName": self._table, "Key": session_key(session_id),
                "ConditionExpression": "attribute_exists(pk)", **audience}}
                for session_id in sessions)]
            try:
                for start in range(0, len(items), 100):
                    written = start
                    self._client.transact_write_items(TransactItems=items[start:start + 100])
            except self._client.exceptions.TransactionCanceledException as exc:
                reasons = exc.response.get("CancellationReasons", [])
                failed = {written + i for i, r in enumerate(reasons)
                          if r.get("Code") == "ConditionalCheckFailed"}
                if 0 in failed:
                    return False  # no such forum
                if not failed:
                    raise
                # Sessions deleted meanwhile: the rest (and the forum) written again.
                sessions = [s for i, s in enumerate(sessions, start=1) if i not in failed]
                continue
            return True

    def add_session(self, session: Session, audience: Audience) -> Session | None:
        holder = self._add(_session_update(session, audience), session_key(session.id))
        return item_to_session(holder) if holder else None

    def _add(self, update: dict[str, Any], key: dict[str, Any]) -> dict[str, Any] | None:
        """Write the item while none has its key: None when written, else the item that has
        it, read strongly consistent after the refusal (a default read may not show it yet);
        written again when that item was deleted meanwhile."""
        for _ in range(3):
            try:
                self._client.update_item(TableName=self._table, **{
                    **update, "ConditionExpression": "attribute_not_exists(pk)"})
                return None
            except self._client.exceptions.ConditionalCheckFailedException:
                item = self._client.get_item(TableName=self._table, Key=key,
                                             ConsistentRead=True).get("Item")
                if item:
                    return dict(item)
        raise Conflict("Der er stor søgning lige nu. Prøv igen om lidt.", code="busy")

    def delete_session(self, session_id: str) -> bool:
        """Delete the session while no seat is taken and nobody waits (False when either);
        NotFound when there is none. A registration's transaction conditions on the session
        item existing, so none is admitted once it is gone."""
        try:
            self._client.delete_item(
                TableName=self._table, Key=session_key(session_id),
                ConditionExpression="attribute_exists(pk) AND #confirmed = :none AND "
                                    "(attribute_not_exists(#waiting) OR size(#waiting) = :none)",
                ExpressionAttributeNames={"#confirmed": "confirmed", "#waiting": "waiting"},
                ExpressionAttributeValues={":none": {"N": "0"}})
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            if self.session(session_id) is None:
                raise NotFound("Mødet findes ikke.", code="session_not_found") from exc
            return False
        return True

    def put_session(self, session: Session, audience: Audience) -> None:
        try:
            self._client.update_item(TableName=self._table, **_session_update(session, audience))
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            raise CapacityBelowConfirmed(session.id) from exc

    def forums(self) -> list[Forum]:
        return [_forum(i) for i in self._scan() if i["kind"]["S"] == "forum"]

    def forum(self, forum_id: str) -> Forum | None:
        item = self._client.get_item(TableName=self._table, Key=forum_key(forum_id)).get("Item")
        return _forum(item) if item else None

    def sessions(self, forum_id: str | None = None) -> list[Session]:
        if forum_id is None:
            return [item_to_session(i) for i in self._scan() if i["kind"]["S"] == "session"]
        return [item_to_session(i) for i in self._query_forum(forum_id)]

    def session(self, session_id: str) -> Session | None:
        item = self._client.get_item(TableName=self._table, Key=session_key(session_id)).get("Item")
        return item_to_session(item) if item else None

    def cancel_reason(self, session_id: str) -> str | None:
        item = self._client.get_item(TableName=self._table,
                                     Key=session_key(session_id)).get("Item") or {}
        return item.get("cancel_reason", {}).get("S")

    def set_status(self, session_id: str, *, closed: bool | None = None,
                   cancelled: bool | None = None, reason: str | None = None) -> None:
        """The secretariat closes, reopens or cancels a session. A cancelled session is final:
        it cannot be reopened or uncancelled."""
        values: dict[str, Any] = {}
        if closed is not None:
            values["closed"] = {"BOOL": closed}
        if cancelled is not None:
            values["cancelled"] = {"BOOL": cancelled}
        if reason is not None:
            values["cancel_reason"] = {"S": reason}
        update = _set_expression(values)
        condition = "attribute_exists(pk)"
        if closed is False or cancelled is False:
            condition += " AND #cancelled = :not_cancelled"
            update["ExpressionAttributeNames"]["#cancelled"] = "cancelled"
            update["ExpressionAttributeValues"][":not_cancelled"] = {"BOOL": False}
        try:
            self._client.update_item(TableName=self._table, Key=session_key(session_id),
                                     ConditionExpression=condition, **update)
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            if self.session(session_id) is None:
                raise NotFound("Mødet findes ikke.", code="session_not_found") from exc
            raise Conflict("Mødet er aflyst og kan ikke åbnes igen.",
                           code="session_cancelled") from exc

    def change_session(self, changed: Session, read: Session) -> bool:
        """The secretariat's change of a session's details (`changed`, with its revision),
        written only while the session is still as read (its revision) and not cancelled,
        and while its new capacity holds the seats taken (else CapacityBelowConfirmed). False
        when another change came first (read again); NotFound when it is gone; Conflict when
        it was cancelled."""
        update = _set_expression({
            "city": {"S": changed.city},
            "venue": {"S": changed.venue},
            "starts_at": {"S": _utc(changed.starts_at)},
            "ends_at": {"S": _utc(changed.ends_at)},
            "capacity": {"N": str(changed.capacity)},
            "registration_deadline": {"S": _utc(changed.registration_deadline)},
            "revision": {"N": str(changed.revision)},
        })
        names, values = update["ExpressionAttributeNames"], update["ExpressionAttributeValues"]
        names |= {"#confirmed": "confirmed", "#cancelled": "cancelled"}
        values |= {":read": {"N": str(read.revision)}, ":false": {"BOOL": False}}
        # A session never changed since revisions were kept has none stored.
        as_read = "#revision = :read" if read.revision else \
            "(attribute_not_exists(#revision) OR #revision = :read)"
        try:
            self._client.update_item(
                TableName=self._table, Key=session_key(changed.id),
                ConditionExpression=f"attribute_exists(pk) AND {as_read} AND "
                                    "#cancelled = :false AND #confirmed <= :capacity",
                **update)
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            now = self.session(changed.id)
            if now is None:
                raise NotFound("Mødet findes ikke.", code="session_not_found") from exc
            if now.cancelled:
                raise Conflict("Mødet er aflyst og kan ikke ændres.",
                               code="session_cancelled") from exc
            if now.revision == read.revision and now.confirmed > changed.capacity:
                raise CapacityBelowConfirmed(changed.id) from exc
            return False
        return True

    def _query_forum(self, forum_id: str) -> Iterator[dict[str, Any]]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=INDEX_SESSIONS_BY_FORUM,
            KeyConditionExpression="forum_id = :forum",
            ExpressionAttributeValues={":forum": {"S": forum_id}},
        )
        for page in pages:
            yield from page["Items"]

    def write_catalogue(self, forums: list[ForumWrite], sessions: list[SessionWrite]) -> None:
        """An import's writes in one transaction (at most 100 items, which the domain keeps
        to): a new forum or session whole (put_forum, put_session), one that exists with only the
        named attributes and only while it exists (an update never makes a partial item).
        CapacityBelowConfirmed names every session whose new capacity is below its seats
        taken; CatalogueChanged when an item to change is gone."""
        updates: list[tuple[str | None, dict[str, Any]]] = []
        for f in forums:
            updates.append((None, _forum_update(f.forum) if f.fields is None else
                            _existing_update(forum_key(f.forum.id), _forum_values(f.forum),
                                             f.fields)))
        for w in sessions:
            if w.fields is None:
                updates.append((w.session.id, _session_update(w.session, w.audience)))
                continue
            update = _existing_update(session_key(w.session.id),
                                      _session_values(w.session, w.audience), w.fields)
            if "capacity" in w.fields:
                update["ConditionExpression"] += (
                    " AND (attribute_not_exists(#confirmed) OR #confirmed <= :capacity)")
                update["ExpressionAttributeNames"]["#confirmed"] = "confirmed"
            if "revision" in w.fields:
                # A new time or place is the next revision of the one read, or nothing.
                read = w.session.revision - 1
                update["ConditionExpression"] += " AND #revision = :read" if read else \
                    " AND (attribute_not_exists(#revision) OR #revision = :read)"
                update["ExpressionAttributeValues"][":read"] = {"N": str(read)}
            updates.append((w.session.id, update))
        if not updates:
            return
        try:
            self._client.transact_write_items(TransactItems=[
                {"Update": {"TableName": self._table, **update}} for _, update in updates])
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            failed = [(session_id, update) for (session_id, update), reason
                      in zip(updates, reasons, strict=False)
                      if reason.get("Code") == "ConditionalCheckFailed"]
            if not failed:
                raise
            # Which condition failed is not said: the item tells (gone, changed meanwhile, or
            # seats taken).
            below = []
            written = {w.session.id: w.session for w in sessions}
            for session_id, update in failed:
                item = self._client.get_item(TableName=self._table, Key=update["Key"],
                                             ConsistentRead=True).get("Item")
                if item is None or session_id is None:
                    raise CatalogueChanged(session_id) from exc
                if ":read" in update["ExpressionAttributeValues"] and \
                        item_to_session(item).revision != written[session_id].revision - 1:
                    raise CatalogueChanged(session_id) from exc
                below.append(session_id)
            raise CapacityBelowConfirmed(*below) from exc


def _forum_update(forum: Forum) -> dict[str, Any]:
    return {"Key": forum_key(forum.id), **_set_expression({
        "kind": {"S": "forum"},
        "forum_id": {"S": forum.id},
        "title": {"S": forum.title},
        "description": {"S": forum.description},
        "audience": {"S": forum.audience.value},
    })}


def _session_update(session: Session, audience: Audience) -> dict[str, Any]:
    """The session's description (with its forum's audience, which registration checks
    against), refused when the capacity is below the seats taken."""
    update = _set_expression({
        "audience": {"S": audience.value},
        "kind": {"S": "session"},
        "session_id": {"S": session.id},
        "forum_id": {"S": session.forum_id},
        "city": {"S": session.city},
        "venue": {"S": session.venue},
        "starts_at": {"S": _utc(session.starts_at)},
        "ends_at": {"S": _utc(session.ends_at)},
        "capacity": {"N": str(session.capacity)},
        "registration_deadline": {"S": _utc(session.registration_deadline)},
    })
    # Seats and the status belong to registrations and the secretariat once it exists.
    for name, value in (("confirmed", {"N": "0"}), ("closed", {"BOOL": session.closed}),
                        ("cancelled", {"BOOL": session.cancelled})):
        update["UpdateExpression"] += f", #{name} = if_not_exists(#{name}, :{name})"
        update["ExpressionAttributeNames"][f"#{name}"] = name
        update["ExpressionAttributeValues"][f":{name}"] = value
    return {"Key": session_key(session.id),
            "ConditionExpression": "attribute_not_exists(#confirmed) OR #confirmed <= :capacity",
            **update}


def _forum_values(forum: Forum) -> dict[str, Any]:
    return {"title": {"S": forum.title}, "description": {"S": forum.description},
            "audience": {"S": forum.audience.value}}


def _session_values(session: Session, audience: Audience) -> dict[str, Any]:
    return {
        "audience": {"S": audience.value}, "forum_id": {"S": session.forum_id},
        "city": {"S": session.city}, "venue": {"S": session.venue},
        "starts_at": {"S": _utc(session.starts_at)}, "ends_at": {"S": _utc(session.ends_at)},
        "capacity": {"N": str(session.capacity)},
        "registration_deadline": {"S": _utc(session.registration_deadline)},
        "revision": {"N": str(session.revision)},
    }


def _existing_update(key: dict[str, Any], values: dict[str, Any],
                     fields: frozenset[str]) -> dict[str, Any]:
    """Sets only these attributes of an item, on condition that it exists."""
    return {"Key": key, "ConditionExpression": "attribute_exists(pk)",
            **_set_expression({n: v for n, v in values.items() if n in fields})}


def _set_expression(values: dict[str, Any]) -> dict[str, Any]:
    """An UpdateItem that sets these attributes (names escaped: some are reserved words)."""
    return {
        "UpdateExpression": "SET " + ", ".join(f"#{name} = :{name}" for name in values),
        "ExpressionAttributeNames": {f"#{name}": name for name in values},
        "ExpressionAttributeValues": {f":{name}": value for name, value in values.items()},
    }


def _forum(item: dict[str, Any]) -> Forum:
    return Forum(
        id=item["forum_id"]["S"],
        title=item["title"]["S"],
        description=item.get("description", {}).get("S", ""),
        audience=item["audience"]["S"],
    )


def item_to_session(item: dict[str, Any]) -> Session:
    return Session(
        id=item["session_id"]["S"],
        forum_id=item["forum_id"]["S"],
        city=item["city"]["S"],
        venue=item.get("venue", {}).get("S", ""),
        starts_at=datetime.fromisoformat(item["starts_at"]["S"]),
        ends_at=datetime.fromisoformat(item["ends_at"]["S"]),
        capacity=int(item["capacity"]["N"]),
        registration_deadline=datetime.fromisoformat(item["registration_deadline"]["S"]),
        closed=item.get("closed", {}).get("BOOL", False),
        cancelled=item.get("cancelled", {}).get("BOOL", False),
        confirmed=int(item.get("confirmed", {}).get("N", "0")),
        revision=int(item.get("revision", {}).get("N", "0")),
    )

