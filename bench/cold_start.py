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


def first_event(plan: Plan, logical_id: str) -> dict[str, Any]:
    """A first request for an API function: its first GET route without parameters."""
    gateway = Gateway(plan.routes, plan.gateway_responses)
    route = next(r for r in plan.routes if r.function == logical_id and "{" not in r.path)
    match = gateway.match(route.method, route.path)
    assert match is not None
    return gateway.event(match, route.method, route.path, {}, b"", "127.0.0.1")


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
        event = json.dumps(first_event(plan, logical_id))
        function_times, floor_times = [], []
        clients: list[str] = []
        for _ in range(rounds):  # interleaved, so drift of the machine hits both alike
            elapsed, out = _run([FUNCTION_SCRIPT, spec.handler, event], env)
            assert out["status"] == 200, out
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
