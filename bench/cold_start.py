"""Cold start of each function as a whole process, against the floor of the same run.

A function's cold start: a fresh interpreter imports the handler module (with the function's
own environment from the template) and serves a first event. The floor: a fresh interpreter
that imports boto3 and creates the same clients the function created. Both run against the
local emulator, so network time is loopback."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from local.drivers import schedule_event
from local.emulator import Emulator
from local.gateway import Gateway
from local.plan import Plan
from local.synth import ROOT

FUNCTION_SCRIPT = """
import importlib, json, sys
from local.functions import LocalContext
module, _, attribute = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module), attribute)
result = handler(json.loads(sys.argv[2]), LocalContext("bench", 512, 10, "eu-north-1"))
from shared.adapters.aws import created_clients
print(json.dumps({"status": result.get("statusCode"), "clients": created_clients()}))
"""

FLOOR_SCRIPT = """
import json, sys
import boto3
session = boto3.session.Session()
clients = [session.client(name) for name in json.loads(sys.argv[1])]
print(json.dumps({"clients": len(clients)}))
"""


def _run(args: list[str], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(done.stdout.strip().splitlines()[-1])


REGISTRATION = {"session_id": "skole-fritid-odense", "name": "Kold Start",
                "email": "kold.start@example.dk", "role": "area_leader", "workplace": "Odense",
                "member_number": "1", "consent": True, "website": ""}


ADVISORY = {"kind": "idea", "message": "Mentorordning for nye ledere", "website": ""}
SUBSCRIPTION = {"name": "Kold Start", "email": "kold.start@example.dk", "role": "area_leader",
                "consent": True, "website": ""}
FIRST_BODIES = {"/api/registrations": REGISTRATION, "/api/advisory-requests": ADVISORY,
                "/api/newsletter/subscriptions": SUBSCRIPTION}
# The first message a queue consumer gets: work that touches its code path end to end.
FIRST_MESSAGES = {
    "sqs-newsletter_sender": {"issue": "kold-start", "subscribers": []},
    "sqs-newsletter_feedback": {"Type": "Notification",
                                "Message": json.dumps({"eventType": "Delivery"})},
}


def first_event(plan: Plan, emulator: Emulator, logical_id: str) -> dict[str, Any]:
    """What the function serves first: an API request, a stream record or a schedule's input."""
    routes = [r for r in plan.routes if r.function == logical_id and "{" not in r.path]
    if routes:
        gateway = Gateway(plan.routes, plan.gateway_responses)
        route = routes[0]
        match = gateway.match(route.method, route.path)
        assert match is not None
        body = json.dumps(FIRST_BODIES[route.path]).encode() if route.method == "POST" else b""
        return gateway.event(match, route.method, route.path,
                             {"Content-Type": "application/json"}, body, "127.0.0.1")
    schedule = next((s for s in plan.schedules if s.target == logical_id), None)
    if schedule is not None:
        return schedule_event(schedule)
    source = next(s for s in plan.event_sources if s.function == logical_id)
    if source.kind == "sqs":
        module = plan.functions[logical_id].handler.split(".")[1]
        message = json.dumps(FIRST_MESSAGES[f"sqs-{module}"])
        return {"Records": [{"messageId": "kold-start", "receiptHandle": "r", "body": message,
                             "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
                             "eventSource": "aws:sqs", "awsRegion": emulator.region,
                             "eventSourceARN": emulator.physical[source.source]["Arn"]}]}
    return {"Records": _stream_records(emulator, source.source)}


def _stream_records(emulator: Emulator, table: str) -> list[dict[str, Any]]:
    streams = emulator.client("dynamodbstreams")
    arn = emulator.physical[table]["StreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [{**r, "eventSourceARN": arn}
            for r in streams.get_records(ShardIterator=iterator)["Records"]]


def measure(plan: Plan, emulator: Emulator, rounds: int = 9) -> list[dict[str, Any]]:
    rows = []
    for logical_id in sorted(plan.served_functions):
        spec = plan.functions[logical_id]
        env = {
            "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8",
            **{k: str(v) for k, v in emulator.resolve(spec.environment).items()},
            **emulator.environment,
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        event = json.dumps(first_event(plan, emulator, logical_id), default=str)
        function_times, floor_times = [], []
        clients: list[str] = []
        for _ in range(rounds):  # interleaved, so drift of the machine hits both alike
            elapsed, out = _run([FUNCTION_SCRIPT, spec.handler, event], env)
            assert out["status"] in (200, 201, 202, None), out
            clients = out["clients"]
            function_times.append(elapsed)
            elapsed, _ = _run([FLOOR_SCRIPT, json.dumps(clients)], env)
            floor_times.append(elapsed)
        function_ms = statistics.median(function_times) * 1000
        floor_ms = statistics.median(floor_times) * 1000
        rows.append({"function": spec.handler.rsplit(".", 2)[0],
                     "handler": spec.handler, "clients": clients,
                     "function_ms": function_ms, "floor_ms": floor_ms,
                     "ratio": function_ms / floor_ms})
    return rows


def seed_registration(emulator: Emulator) -> None:
    """One registration, so that the stream consumer's first event is a real change."""
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.forums.registration import RegistrationForm, Registrations
    from shared.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE

    ssm = emulator.client("ssm")

    def name(parameter: str) -> str:
        return str(ssm.get_parameter(Name=parameter)["Parameter"]["Value"])

    store = DynamoRegistrationStore(name(PARAM_REGISTRATIONS_TABLE), name(PARAM_FORUMS_TABLE),
                                    dynamodb=emulator.client("dynamodb"))
    Registrations(store, b"seed").register(
        RegistrationForm.model_validate({**REGISTRATION, "email": "seed@example.dk"}))
