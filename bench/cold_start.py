"""Cold start of each function as Lambda pays it, against the floor of the same run.

A function's cold start: a fresh interpreter of the Lambda runtime's Python version imports
the handler module from the built assets (the code asset and the dependencies layer, with the
byte code they ship; the layer's native arm64 wheels replaced by the same versions for this
machine) with the function's own environment from the template, and serves a first event;
it exits at once after it, as teardown is never paid in Lambda. The floor: a fresh interpreter
of the same Python, on the same layer, that imports boto3 and creates the clients the function
created. Both are measured as the child's CPU time (user + system, from `wait4`), so other
work on a shared machine barely moves them, and both talk to the local emulator (its time is
spent in this process, not in the child). Runs are interleaved (function, floor, next
function, …, round after round) and the medians compared.

That is the headline: every function starts so in the default deploy (SnapStart off). The
figure after a SnapStart restore (the priming hooks of shared/platform/snapstart.py run first, then
only the hooks after the restore and the first event are counted) is reported beside it for
a function one may switch on; it leaves out the restore itself, which only AWS measures."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.assets import dependencies_layer_dir, function_code_dir, lambda_python, local_layer_dir
from local.drivers import schedule_event
from local.emulator import Emulator
from local.gateway import Gateway
from local.plan import Plan

ROUNDS = 11
TARGET = 1.3

# Run in the child: handler import, first event, then exit without teardown.
FUNCTION_SCRIPT = """
import importlib, json, os, sys, time
module, _, attribute = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module), attribute)
imported = snapshotted = time.process_time()
if os.environ.get("BENCH_SNAPSHOT"):  # as SnapStart: the hooks before the snapshot, then
    import snapshot_restore_py as hooks  # from the restore on (Lambda's runtime calls them so)
    for hook, args, kwargs in reversed(hooks.get_before_snapshot()):
        hook(*args, **kwargs)
    snapshotted = time.process_time()
    for hook, args, kwargs in hooks.get_after_restore():
        hook(*args, **kwargs)

class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-north-1:123456789012:function:" + function_name
    memory_limit_in_mb = 512
    aws_request_id = "cold-start"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "cold-start"
    def get_remaining_time_in_millis(self):
        return 10000

result = handler(json.loads(sys.argv[2]), Context())
served = time.process_time()
aws = sys.modules.get("shared.adapters.aws")
primed = sys.modules.get("shared.platform.snapstart")
status = result.get("statusCode") if isinstance(result, dict) else None
failures = result.get("batchItemFailures") if isinstance(result, dict) else None
print(json.dumps({"status": status, "failures": failures, "imported": imported,
                  "snapshotted": snapshotted, "served": served,
                  "priming_failed": primed.failed if primed else [],
                  "clients": aws.created_clients() if aws else []}), flush=True)
os._exit(0)
"""

FLOOR_SCRIPT = """
import json, os, sys, time
import boto3
session = boto3.session.Session()
clients = [session.client(name) for name in json.loads(sys.argv[1])]
print(json.dumps({"imported": time.process_time()}), flush=True)
os._exit(0)
"""

# What Lambda's execution environment sets (beside the function's own variables).
TRACE_HEADER = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=1"


@dataclass
class Runtime:
    """The interpreter and the module folders a child runs with."""

    python: str
    version: str
    path: list[Path]


def shipped_runtime() -> Runtime:
    python, version = lambda_python()
    return Runtime(python, version,
                   [function_code_dir(), local_layer_dir(dependencies_layer_dir()) / "python"])


def with_snapshot_hooks(runtime: Runtime, folder: Path) -> Runtime:
    """The runtime with Lambda's `snapshot_restore_py` on its path, as Lambda's Python
    runtimes have it (the assets do not ship it): the same module, copied from the one the
    development environment installs from PyPI."""
    import importlib.util

    spec = importlib.util.find_spec("snapshot_restore_py")
    assert spec is not None and spec.origin is not None, "pip install snapshot-restore-py"
    shutil.copy(spec.origin, folder / "snapshot_restore_py.py")
    return Runtime(runtime.python, runtime.version, [*runtime.path, folder])


def child_cpu_seconds(runtime: Runtime, script: str, args: list[str],
                      env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """Runs `script` in a fresh interpreter; its CPU time (user + system) and last output."""
    child_env = {**env, "PYTHONPATH": os.pathsep.join(str(p) for p in runtime.path),
                 "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
    # -S: no site-packages of this machine's environment (the development tools' hundreds of
    # distributions would be scanned for entry points); the assets and the standard library
    # alone, as in Lambda.
    process = subprocess.Popen([runtime.python, "-S", "-c", script, *args], env=child_env,
                               cwd=runtime.path[0], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"cold-start child failed ({process.returncode}):\n{err[-3000:]}")
    return usage.ru_utime + usage.ru_stime, json.loads(out.strip().splitlines()[-1])


REGISTRATION = {"session_id": "skole-fritid-odense", "name": "Kold Start",
                "email": "kold.start@example.dk", "role": "area_leader", "workplace": "Odense",
                "member_number": "1", "consent": True, "website": ""}
ADVISORY = {"kind": "idea", "message": "Mentorordning for nye ledere", "consent": True,
            "website": ""}
SUBSCRIPTION = {"name": "Kold Start", "email": "kold.start@example.dk", "role": "area_leader",
                "consent": True, "website": ""}
FIRST_BODIES = {"/api/registrations": REGISTRATION, "/api/advisory-requests": ADVISORY,
                "/api/newsletter/subscriptions": SUBSCRIPTION}
# What the Cognito authorizer passes on for a signed-in member of every staff group.
STAFF_CLAIMS = {"email": "personale@example.dk", "email_verified": "true",
                "cognito:groups": "secretariat,editor,consultant,privacy_officer",
                "token_use": "id"}
# The first message a queue consumer gets: work that touches its code path end to end (the
# configuration set publishes bounces and complaints only).
BOUNCE = {"eventType": "Bounce", "mail": {"tags": {}},
          "bounce": {"bounceType": "Permanent",
                     "bouncedRecipients": [{"emailAddress": "kold.start@example.dk"}]}}
FIRST_MESSAGES = {
    "sqs-newsletter_sender": {"issue": "kold-start", "subscribers": []},
    "sqs-newsletter_feedback": {"Type": "Notification", "Message": json.dumps(BOUNCE)},
    # A request for a signup that is no longer pending: read, nothing sent.
    "sqs-newsletter_confirmations": {"subscriber": "kold-start"},
}


def first_event(plan: Plan, emulator: Emulator, logical_id: str) -> dict[str, Any]:
    """What the function serves first: an API request, a stream record or a schedule's input."""
    routes = [r for r in plan.routes if r.function == logical_id and "{" not in r.path]
    # A staff function's first request reads what its area shows first (its list).
    routes.sort(key=lambda r: bool(r.authorizer) and (r.method != "GET" or r.path.endswith("/me")))
    if routes:
        gateway = Gateway(plan.routes, plan.gateway_responses)
        route = routes[0]
        match = gateway.match(route.method, route.path)
        assert match is not None
        body = json.dumps(FIRST_BODIES[route.path]).encode() if route.method == "POST" else b""
        event = gateway.event(match, route.method, route.path,
                              {"Content-Type": "application/json"}, body, "127.0.0.1")
        if route.authorizer:  # a staff route: the claims API Gateway passes after the token
            event["requestContext"]["authorizer"] = {"claims": STAFF_CLAIMS}
        return event
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


@dataclass
class Subject:
    """One function under measurement, with its runs and its floor's runs."""

    function: str
    handler: str
    env: dict[str, str]
    event: str
    snap_start: bool = False
    clients: list[str] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    imported: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    restored: list[float] = field(default_factory=list)

    def _serve(self, runtime: Runtime, **env: str) -> tuple[float, dict[str, Any]]:
        """A fresh child that imports the handler and serves the first event."""
        cpu, out = child_cpu_seconds(runtime, FUNCTION_SCRIPT, [self.handler, self.event],
                                     {**self.env, **env})
        assert out["status"] in (200, 201, 202, None) and not out["failures"], out
        return cpu, out

    def run(self, runtime: Runtime) -> None:
        cpu, out = self._serve(runtime)
        self.clients = out["clients"]
        self.total.append(cpu)
        self.imported.append(out["imported"])

    def run_restored(self, runtime: Runtime) -> None:
        """As SnapStart runs it: import and the hooks before the snapshot, then the hooks
        after the restore and the first event, which alone are counted."""
        _, out = self._serve(runtime, BENCH_SNAPSHOT="1")
        assert not out["priming_failed"], (self.function, out["priming_failed"])
        self.restored.append(out["served"] - out["snapshotted"])

    def run_floor(self, runtime: Runtime) -> None:
        cpu, _ = child_cpu_seconds(runtime, FLOOR_SCRIPT, [json.dumps(self.clients)], self.env)
        self.floor.append(cpu)

    def row(self) -> dict[str, Any]:
        total, floor = statistics.median(self.total), statistics.median(self.floor)
        paired = sorted(t / f for t, f in zip(self.total, self.floor, strict=True))
        quartiles = statistics.quantiles(paired, n=4)
        restored = statistics.median(self.restored)
        return {"function": self.function, "handler": self.handler, "clients": self.clients,
                "snap_start": self.snap_start, "restored_ms": restored * 1000,
                "restored_ratio": restored / floor,
                "import_ms": statistics.median(self.imported) * 1000,
                "total_ms": total * 1000, "floor_ms": floor * 1000, "ratio": total / floor,
                "ratio_p25": quartiles[0], "ratio_p75": quartiles[2],
                "spread": (max(self.total) - min(self.total)) / total}


def subjects(plan: Plan, emulator: Emulator) -> list[Subject]:
    found = []
    for logical_id in sorted(plan.served_functions):
        spec = plan.functions[logical_id]
        env = {
            "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
            **{k: str(v) for k, v in emulator.resolve(spec.environment).items()},
            **emulator.environment,
            "AWS_LAMBDA_FUNCTION_NAME": logical_id,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "_HANDLER": spec.handler,
            "_X_AMZN_TRACE_ID": TRACE_HEADER,
        }
        event = json.dumps(first_event(plan, emulator, logical_id), default=str)
        found.append(Subject(spec.handler.rsplit(".", 2)[0], spec.handler, env, event,
                             snap_start=spec.snap_start))
    return found


def measure(plan: Plan, emulator: Emulator, rounds: int = ROUNDS) -> tuple[Runtime,
                                                                         list[dict[str, Any]]]:
    runtime = shipped_runtime()
    measured = subjects(plan, emulator)
    with tempfile.TemporaryDirectory() as hooks:
        restoring = with_snapshot_hooks(runtime, Path(hooks))
        for subject in measured:  # a first run finds each function's clients, warms the disk
            subject.run(runtime)
            subject.total.clear()
            subject.imported.clear()
        for _ in range(rounds):  # interleaved, so drift of the machine hits all alike
            for subject in measured:
                subject.run(runtime)
                subject.run_floor(runtime)
                subject.run_restored(restoring)
    return runtime, [subject.row() for subject in measured]


def seed_registration(emulator: Emulator) -> None:
    """One confirmed registration, so that the stream consumer's first event is real work."""
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.forums.registration.models import RegistrationForm
    from shared.forums.registration.service import Registrations
    from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE

    ssm = emulator.client("ssm")

    def name(parameter: str) -> str:
        return str(ssm.get_parameter(Name=parameter)["Parameter"]["Value"])

    store = DynamoRegistrationStore(name(PARAM_REGISTRATIONS_TABLE), name(PARAM_FORUMS_TABLE),
                                    dynamodb=emulator.client("dynamodb"))
    registrations = Registrations(store, b"seed")
    submission = registrations.submit(
        RegistrationForm.model_validate({**REGISTRATION, "email": "seed@example.dk"}))
    registrations.confirm_by_token(registrations.confirm_token(submission))


def main() -> None:
    """`python -m bench.cold_start`: this benchmark alone, printed as BENCHMARKS.md has it."""
    from bench.__main__ import cold_start_section
    from bench.emulated import emulated
    from local.runtime import LocalRuntime

    with emulated() as (plan, emulator):
        LocalRuntime.load_demo_into(emulator)
        seed_registration(emulator)
        rounds = int(sys.argv[1]) if sys.argv[1:] else ROUNDS
        runtime, rows = measure(plan, emulator, rounds)
    print("\n".join(cold_start_section(runtime, rows, rounds)))


if __name__ == "__main__":
    main()
