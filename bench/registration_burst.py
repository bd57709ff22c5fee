"""A burst of confirmations against the local runtime (the step where seats are taken): 900
people have submitted the form, and 1,000 presses of their emailed links come from 32
threads on a session of 40 seats, some people pressing twice. Counts what must be zero
(overbooked, lost, duplicated) and compares throughput with a floor: the bare AWS calls a
confirmation needs (the service and store, no API, no function) from the same 32 threads,
same emulator. Then waits for the registrations table's stream to be drained and counts what
its consumer (the function that sends each email) spent: invocations and AWS calls per email
sent."""

from __future__ import annotations

import contextlib
import json
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from local.emulator import free_port
from local.runtime import LocalRuntime
from local.server import LocalServer

ATTEMPTS = 1000
PEOPLE = 900
THREADS = 32
SEATS = 40


def _catalogue(session_id: str) -> dict[str, Any]:
    starts = datetime.now(UTC) + timedelta(days=40)
    return {"forums": [{"id": f"bench-{session_id}", "title": "Benchmark", "sessions": [{
        "id": session_id, "city": "Odense", "capacity": SEATS,
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=4)).isoformat(),
        "registration_deadline": (starts - timedelta(days=2)).isoformat()}]}]}


def _person(session_id: str, who: int) -> dict[str, Any]:
    return {"session_id": session_id, "name": f"Person {who}", "email": f"p{who}@example.dk",
            "role": "area_leader", "workplace": "Odense", "member_number": "1",
            "consent": True, "website": ""}


def _attempts() -> list[int]:
    rng = random.Random(7)
    order = list(range(PEOPLE)) + [rng.randrange(PEOPLE) for _ in range(ATTEMPTS - PEOPLE)]
    rng.shuffle(order)
    return order


def _check(runtime: LocalRuntime, session_id: str,
           answers: list[tuple[int, int, dict[str, Any]]]) -> dict[str, int]:
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.adapters.parameters import parameter
    from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE

    store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                    parameter(PARAM_FORUMS_TABLE))
    stored = {r.id: r for r in store.registrations(session_id)}
    state = store.session_state(session_id)
    confirmed = sum(1 for r in stored.values() if r.status.value == "confirmed")
    by_email = {r.email: r for r in stored.values()}
    ids: dict[int, set[str]] = {}
    for who, status, body in answers:
        if status == 200:
            ids.setdefault(who, set()).add(body["status"])
    # Lost: a press answered with a seat or a place that is not stored, or not answered.
    lost = sum(1 for who in ids if _person("burst", who)["email"] not in by_email)
    lost += sum(1 for _, status, _ in answers if status != 200)
    emails = [r.email for r in stored.values()]
    duplicates = sum(1 for found in ids.values() if len(found) > 1)  # two presses, two answers
    duplicates += len(emails) - len(set(emails))
    waiting = state.waiting if state else []
    return {"overbooked": max(confirmed - SEATS, 0) + abs(confirmed - (state.session.confirmed
                                                                       if state else 0)),
            "lost": lost, "duplicates": duplicates, "confirmed": confirmed,
            "waitlisted": len(waiting), "people": len(ids)}


ANSWER_ROUNDS = 40


def _answer_times(url: str) -> dict[str, float]:
    """The form's answer time (median ms) by what the address is to the session: unknown,
    holding a seat, waiting. Interleaved rounds, one request of each kind per round, against
    the warm-up session whose first people hold seats (its last is a new address each time)."""
    kinds = {"unknown": None, "confirmed": 0, "waitlisted": THREADS - 1}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for round_ in range(ANSWER_ROUNDS):
        for kind, who in kinds.items():
            person = _person("warmup", 10_000 + round_ if who is None else who)
            data = json.dumps(person).encode()
            request = urllib.request.Request(url, data=data, method="POST",  # noqa: S310
                                             headers={"Content-Type": "application/json"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                assert response.status == 202
                response.read()
            times[kind].append((time.perf_counter() - started) * 1000)
    return {kind: statistics.median(values) for kind, values in times.items()}


def _press(service: Any, token: str) -> None:
    """A press of the floor. A second press racing the first can find neither the
    registration (not yet written) nor the submission (already consumed) and is refused as a
    bad link; the floor counts its calls all the same."""
    from shared.errors import InvalidLink

    with contextlib.suppress(InvalidLink):
        service.confirm_by_token(token)


STREAM_PEOPLE = 60


def stream_calls(*, filtered: bool) -> dict[str, Any]:
    """The stream consumer's cost per email: STREAM_PEOPLE forms submitted and their links
    pressed (40 seats, the rest waiting), against the template as synthesized or with the
    stream's event filter removed (what the consumer cost before it had one)."""
    from local.synth import load_template
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.adapters.parameters import parameter
    from shared.forums.catalogue import Catalogue
    from shared.forums.registration.models import RegistrationForm
    from shared.forums.registration.service import Registrations
    from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE

    template = load_template()
    if not filtered:
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::Lambda::EventSourceMapping":
                resource["Properties"].pop("FilterCriteria", None)
    runtime = LocalRuntime(template, concurrency=2)
    runtime.start(load_demo=False)
    try:
        store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                        parameter(PARAM_FORUMS_TABLE))
        Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))).import_file(
            _catalogue("stream"))
        service = Registrations(store, _signing_secret(runtime))
        for who in range(STREAM_PEOPLE):
            form = RegistrationForm.model_validate(_person("stream", who))
            service.confirm_by_token(service.confirm_token(service.submit(form)))
        events = next(f for name, f in runtime.functions.items()
                      if name.startswith("RegistrationEvents"))
        _stream_drained(events)
        emails = len(runtime.outbox.messages())
        return {"filtered": filtered, "people": STREAM_PEOPLE, "emails": emails,
                "invocations": events.invocations, "aws_calls": events.aws_calls,
                "calls_per_email": events.aws_calls / emails if emails else 0.0}
    finally:
        runtime.close()


def _stream_drained(events: Any) -> None:
    """Returns once the stream consumer has had nothing to do for three polls in a row (the
    local stream poller reads every 0.2 s)."""
    quiet, last = 0, -1
    while quiet < 3:
        time.sleep(1)
        quiet = quiet + 1 if events.invocations == last else 0
        last = events.invocations


def _signing_secret(runtime: LocalRuntime) -> bytes:
    """The secret the registration function signs its links with, from the emulator."""
    from shared.adapters.aws import client

    arn = next(f for name, f in runtime.functions.items()
               if name.startswith("RegistrationApi")).environment["SIGNING_SECRET_ARN"]
    return str(client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]).encode()


def run() -> dict[str, Any]:
    from local.synth import load_template
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.adapters.parameters import parameter
    from shared.forums.catalogue import Catalogue
    from shared.forums.registration.models import RegistrationForm
    from shared.forums.registration.service import Registrations
    from shared.platform.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE

    runtime = LocalRuntime(load_template(), concurrency=4)
    runtime.start(load_demo=False)
    port = free_port()
    runtime.public_url = f"http://127.0.0.1:{port}"
    server = LocalServer(("127.0.0.1", port), runtime, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                        parameter(PARAM_FORUMS_TABLE))
        catalogue = Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)))
        for session_id in ("burst", "floor", "warmup"):
            catalogue.import_file(_catalogue(session_id))
        service = Registrations(store, _signing_secret(runtime))
        bare = Registrations(store, b"floor")

        def submitted(who: int, session_id: str, to: Registrations = service) -> str:
            form = RegistrationForm.model_validate(_person(session_id, who))
            return to.confirm_token(to.submit(form))

        with ThreadPoolExecutor(THREADS) as pool:  # the forms, submitted before the burst
            tokens = dict(pool.map(lambda w: (w, submitted(w, "burst")), range(PEOPLE)))
            warm = dict(pool.map(lambda w: (w, submitted(w, "warmup")), range(THREADS)))
            floor_tokens = dict(pool.map(lambda w: (w, submitted(w, "floor", bare)),
                                         range(PEOPLE)))
        url = f"http://127.0.0.1:{port}/api/registrations/confirm"

        def post(who: int, token: str) -> tuple[int, int, dict[str, Any], float]:
            data = json.dumps({"token": token}).encode()
            request = urllib.request.Request(url, data=data, method="POST",
                                             headers={"Content-Type": "application/json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                    status, body = response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                status, body = error.code, json.loads(error.read() or b"{}")
            return who, status, body, time.perf_counter() - started

        with ThreadPoolExecutor(THREADS) as pool:  # warm every worker: cold starts apart
            list(pool.map(lambda who: post(who, warm[who]), range(THREADS)))
        api = next(f for name, f in runtime.functions.items() if name.startswith("RegistrationApi"))
        calls_before, invocations_before = api.aws_calls, api.invocations

        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda who: post(who, tokens[who]), _attempts()))
        burst_seconds = time.perf_counter() - started
        calls = api.aws_calls - calls_before
        invocations = api.invocations - invocations_before

        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda who: _press(bare, floor_tokens[who]), _attempts()))
        floor_seconds = time.perf_counter() - started

        answer_ms = _answer_times(f"http://127.0.0.1:{port}/api/registrations")
        events = next(f for name, f in runtime.functions.items()
                      if name.startswith("RegistrationEvents"))
        _stream_drained(events)
        emails = len(runtime.outbox.messages())
        latencies = sorted(r[3] for r in results)
        counts = _check(runtime, "burst", [(w, s, b) for w, s, b, _ in results])
        return {
            **counts,
            "attempts": ATTEMPTS, "threads": THREADS, "seats": SEATS,
            "throughput": ATTEMPTS / burst_seconds, "floor_throughput": ATTEMPTS / floor_seconds,
            "ratio": floor_seconds / burst_seconds,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "calls_per_confirmation": calls / invocations if invocations else 0.0,
            "answer_ms": answer_ms,
            # The stream consumer over the whole run (forms, presses, the answer rounds).
            "emails": emails, "stream_invocations": events.invocations,
            "stream_calls": events.aws_calls,
            "stream_calls_per_email": events.aws_calls / emails if emails else 0.0,
        }
    finally:
        server.shutdown()
        runtime.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["--stream"]:  # the stream consumer alone, without and with its filter
        print(json.dumps([stream_calls(filtered=False), stream_calls(filtered=True)], indent=2))
    else:
        print(json.dumps(run(), indent=2))
