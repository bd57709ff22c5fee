"""Through `make run` and the operator CLI: a member's data in all three areas is exported,
then erased from every table, including the record of the emails sent to them."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
PERSON = {"name": "Signe Sletmig", "email": "signe.sletmig@example.dk", "phone": "+4587654321"}
MESSAGE = "Signes fortrolige spørgsmål om ledelse."


def test_export_then_erase_through_the_local_runtime(runtime: Running) -> None:
    runtime.remember(*PERSON.values(), MESSAGE)
    _, forums = runtime.json("GET", "/api/forums")
    session = next(s["id"] for f in forums["forums"] for s in f["sessions"]
                   if s["status"] == "open" and f["audience"] == "leaders_of_leaders")
    status, _ = runtime.register({
        "session_id": session, "role": "area_leader", "workplace": "Skive Kommune",
        "member_number": "777", "consent": True, **PERSON})
    assert status == 200
    assert runtime.json("POST", "/api/newsletter/subscriptions", {
        "name": PERSON["name"], "email": PERSON["email"], "role": "area_leader",
        "consent": True})[0] == 202
    assert runtime.json("POST", "/api/advisory-requests", {
        "kind": "conversation", "message": MESSAGE, "consent": True, **PERSON})[0] == 202
    runtime.mails(PERSON["email"], count=4)  # link, confirmation, opt-in, receipt

    exported = json.loads(runtime.leaders("privacy", "export", PERSON["email"]))
    assert [len(exported[a]) for a in ("forums", "newsletter", "advisory")] == [1, 1, 1]
    assert exported["advisory"][0]["message"] == MESSAGE
    registration = exported["forums"][0]["id"]

    erased = runtime.leaders("privacy", "erase", PERSON["email"], "--yes")
    assert "forums 1, newsletter 1, advisory 1" in erased
    runtime.settle()  # the stream consumer has seen the erasure: it must send nothing
    again = runtime.leaders("privacy", "erase", PERSON["email"], "--yes")
    assert "forums 0, newsletter 0, advisory 0" in again
    env = runtime.aws_env
    ddb = boto3.client("dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"],
                       region_name=env["AWS_REGION"], aws_access_key_id="local",
                       aws_secret_access_key="local")
    for table in ddb.list_tables()["TableNames"]:
        items = json.dumps([i for p in ddb.get_paginator("scan").paginate(TableName=table)
                            for i in p["Items"]], ensure_ascii=False)
        assert not [v for v in (*PERSON.values(), registration) if v in items], table
    sent = [m["subject"] for m in runtime.json("GET", "/_local/outbox")[1]
            if PERSON["email"] in m["to"]]
    assert len(sent) == 4, sent  # no cancellation email to an erased address
