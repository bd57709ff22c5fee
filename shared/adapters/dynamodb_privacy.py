"""The privacy audit table: the audit of data-protection requests (`pk=REQUEST#<id>`,
`sk=<action>`: when, the operator, the counts per area, the areas not searched and the case;
never the address) and the cases the requests answer (`pk=CASE#<number>`: `sk=case` the case,
`sk=advisory` the consultant's contribution; `pk=CASEKEY#<hash>` the case of an address, kind
and day, so that opening it again meets it; `pk=CASECOUNTER#<year>` the year's last number)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.adapters.aws import DynamoTable
from shared.forms import normalise_email
from shared.platform.clock import to_copenhagen
from shared.privacy.cases import (
    CASE_KEPT_YEARS,
    Case,
    CaseForm,
    Contribution,
    Kind,
    case_key,
    case_number,
)
from shared.privacy.models import Report

# A closed case (it holds the address) is kept this long, as the record that the request was
# answered, then removed by the table's TTL; the audit records (no address) stay.
CASE_KEPT = timedelta(days=CASE_KEPT_YEARS * 365)


def _report(item: dict[str, Any]) -> Report:
    return Report(
        request_id=item["pk"]["S"].removeprefix("REQUEST#"), action=item["sk"]["S"],
        at=datetime.fromisoformat(item["at"]["S"]), by=item["by"]["S"],
        counts={area: int(n["N"]) for area, n in item.get("counts", {}).get("M", {}).items()},
        skipped=[area["S"] for area in item.get("not_searched", {}).get("L", [])],
        case=item.get("case", {}).get("S"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _case_key(number: str) -> dict[str, Any]:
    return {"pk": {"S": f"CASE#{number}"}, "sk": {"S": "case"}}


def _case(item: dict[str, Any]) -> Case:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    closed = text("closed_at")
    return Case(number=item["pk"]["S"].removeprefix("CASE#"), email=item["email"]["S"],
                kind=Kind(item["kind"]["S"]),
                received_on=date.fromisoformat(item["received_on"]["S"]), note=text("note"),
                opened_at=datetime.fromisoformat(item["opened_at"]["S"]),
                opened_by=item["opened_by"]["S"],
                closed_at=datetime.fromisoformat(closed) if closed else None,
                closed_by=text("closed_by"))


class DynamoAuditLog(DynamoTable):
    def record(self, report: Report) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": {"S": f"REQUEST#{report.request_id}"}, "sk": {"S": report.action},
            "at": {"S": report.at.astimezone(UTC).isoformat()}, "by": {"S": report.by},
            "counts": {"M": {area: {"N": str(n)} for area, n in report.counts.items()}},
            "not_searched": {"L": [{"S": area} for area in report.skipped]},
            **({"case": {"S": report.case}} if report.case else {}),
        })

    def reports(self, limit: int) -> list[Report]:
        """The newest `limit` records, newest first. The whole table is read: requests are a
        few a month, and the trail is read by one officer at a time."""
        items = self._scan("begins_with(pk, :request)", {":request": {"S": "REQUEST#"}},
                           consistent=True)
        return sorted((_report(item) for item in items), key=lambda r: r.at,
                      reverse=True)[:limit]


class DynamoCaseBook(DynamoTable):
    """Cases in the privacy audit table (shared.privacy.cases.CaseBook)."""

    def _claimed(self, key: str) -> str | None:
        item = self._client.get_item(
            TableName=self._table, ConsistentRead=True,
            Key={"pk": {"S": f"CASEKEY#{key}"}, "sk": {"S": "case"}}).get("Item")
        return item["number"]["S"] if item else None

    def open(self, form: CaseForm, by: str, now: datetime) -> tuple[Case, bool]:
        """The open case of this address, kind and day; else the year's next number, written
        with its key in one transaction. Two opening at once: one wins, the other answers
        with its case (the number it drew is skipped). A key left by a case closed (or
        expired) before closing removed it is taken over: the same request made again after
        its case was closed is a new case, never the closed one."""
        key = case_key(form.email, form.kind, form.received_on)
        number = self._claimed(key)
        found = self.case(number) if number is not None else None
        if found is not None and found.closed_at is None:
            return found, False
        stale = number
        year = to_copenhagen(now).year
        drawn = self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": f"CASECOUNTER#{year}"}, "sk": {"S": "counter"}},
            UpdateExpression="ADD #n :one", ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
        number = case_number(year, int(drawn["Attributes"]["n"]["N"]))
        item = {**_case_key(number), "email": {"S": normalise_email(form.email)},
                "kind": {"S": form.kind.value},
                "received_on": {"S": form.received_on.isoformat()},
                "opened_at": {"S": _iso(now)}, "opened_by": {"S": by},
                **({"note": {"S": form.note}} if form.note else {})}
        unclaimed: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        if stale is not None:
            unclaimed = {"ConditionExpression": "attribute_not_exists(pk) OR #n = :stale",
                         "ExpressionAttributeNames": {"#n": "number"},
                         "ExpressionAttributeValues": {":stale": {"S": stale}}}
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": {
                    "pk": {"S": f"CASEKEY#{key}"}, "sk": {"S": "case"},
                    "number": {"S": number}}, **unclaimed}},
                {"Put": {"TableName": self._table, "Item": item,
                         "ConditionExpression": "attribute_not_exists(pk)"}}])
        except self._client.exceptions.TransactionCanceledException:
            claimed = self._claimed(key)
            theirs = self.case(claimed) if claimed is not None else None
            if theirs is None:
                raise
            return theirs, False
        opened = self.case(number)
        assert opened is not None, "a case just written is read back"
        return opened, True

    def case(self, number: str) -> Case | None:
        item = self._client.get_item(TableName=self._table, Key=_case_key(number),
                                     ConsistentRead=True).get("Item")
        return _case(item) if item else None

    def open_cases(self) -> list[Case]:
        """Scanned: a few cases a month, read by one officer at a time."""
        items = self._scan("sk = :case AND begins_with(pk, :prefix) AND "
                           "attribute_not_exists(closed_at)",
                           {":case": {"S": "case"}, ":prefix": {"S": "CASE#"}},
                           consistent=True)
        return sorted((_case(item) for item in items), key=lambda c: (c.opened_at, c.number))

    def close(self, number: str, by: str, now: datetime) -> Case | None:
        """Closed once, kept CASE_KEPT; the key that made opening it again meet it (a hash of
        the address, kind and day) is deleted with the closing: the hash outlives nothing,
        and the same request made again is a new case."""
        found = self.case(number)
        if found is None or found.closed_at is not None:
            return found
        expires = {":expires": {"N": str(int((now + CASE_KEPT).timestamp()))}}
        key = case_key(found.email, found.kind, found.received_on)
        try:
            self._client.transact_write_items(TransactItems=[
                {"Update": {
                    "TableName": self._table, "Key": _case_key(number),
                    "UpdateExpression": "SET closed_at = :at, closed_by = :by, "
                                        "expires_at = :expires",
                    "ConditionExpression": "attribute_exists(pk) AND "
                                           "attribute_not_exists(closed_at)",
                    "ExpressionAttributeValues": {":at": {"S": _iso(now)}, ":by": {"S": by},
                                                  **expires}}},
                {"Delete": {
                    "TableName": self._table,
                    "Key": {"pk": {"S": f"CASEKEY#{key}"}, "sk": {"S": "case"}},
                    "ConditionExpression": "attribute_not_exists(pk) OR #n = :number",
                    "ExpressionAttributeNames": {"#n": "number"},
                    "ExpressionAttributeValues": {":number": {"S": number}}}}])
        except self._client.exceptions.TransactionCanceledException:
            return self.case(number)  # closed meanwhile: the first closing stays
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._client.update_item(  # no contribution: nothing to expire with it
                TableName=self._table, Key={"pk": {"S": f"CASE#{number}"},
                                            "sk": {"S": "advisory"}},
                UpdateExpression="SET expires_at = :expires",
                ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues=expires)
        return self.case(number)

    def contribute(self, number: str, contribution: Contribution) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": {"S": f"CASE#{number}"}, "sk": {"S": "advisory"},
            "contribution": {"S": contribution.model_dump_json()}})

    def contribution(self, number: str) -> Contribution | None:
        item = self._client.get_item(
            TableName=self._table, ConsistentRead=True,
            Key={"pk": {"S": f"CASE#{number}"}, "sk": {"S": "advisory"}}).get("Item")
        return Contribution.model_validate_json(item["contribution"]["S"]) if item else None
