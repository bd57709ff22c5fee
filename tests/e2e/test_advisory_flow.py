"""Through `make run`: a person submits each kind, gets the receipt in the outbox, and the
consultant works the queue with `leaders consultant next / done / release / list`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
LEADERS = str(Path(sys.executable).parent / "leaders")


def consultant(runtime: Running, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([LEADERS, "consultant", *args], env=runtime.aws_env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def test_the_consultants_day(runtime: Running) -> None:
    forms: list[dict[str, object]] = [
        {"kind": "conversation", "name": "Ida Holm", "email": "ida@example.dk",
         "contact_preference": "email", "topic": "Sparring om omstrukturering",
         "message": "Vi skal lægge tre institutioner sammen.", "urgent": True, "consent": True,
         "website": ""},
        {"kind": "idea", "message": "Lad erfarne ledere være mentorer for nye.", "consent": True,
         "website": ""},
        {"kind": "suggestion", "message": "Et netværksmøde i Nordjylland.",
         "email": "forslag@example.dk", "consent": True, "website": ""},
    ]
    for form in forms:
        runtime.remember(*(str(form.get(k, "")) for k in ("name", "email", "topic", "message")))
    references = []
    for form in forms:
        status, answer = runtime.json("POST", "/api/advisory-requests", form)
        assert status == 202
        references.append(answer["reference"])
    _, outbox = runtime.json("GET", "/_local/outbox")
    receipt = next(m for m in outbox if m["to"] == ["ida@example.dk"])
    assert references[0] in receipt["text"] and "sammen" not in receipt["text"]
    assert "lederkonsulent@example.dk" in receipt["text"]  # contact from configuration
    notices = [m for m in outbox if m["to"] == ["lederkonsulent@example.dk"]]
    assert len(notices) == 3 and all("Ida" not in m["text"] for m in notices)

    listing = consultant(runtime, "list").stdout
    assert all(reference in listing for reference in references)
    assert "Ida" not in listing and "institutioner" not in listing
    assert listing.splitlines()[0].startswith(references[0])  # urgent first

    first = consultant(runtime, "next").stdout
    assert references[0] in first and "Vi skal lægge tre institutioner sammen." in first
    assert "Ida Holm" in first
    consultant(runtime, "release", references[0])
    again = consultant(runtime, "next").stdout
    assert references[0] in again
    consultant(runtime, "done", references[0], "--note", "Ringet, møde aftalt")

    second = consultant(runtime, "next", "--lease-minutes", "5").stdout
    assert references[1] in second
    consultant(runtime, "done", references[1])
    third = consultant(runtime, "next").stdout
    assert references[2] in third
    consultant(runtime, "done", references[2])
    assert "Der venter ingen henvendelser." in consultant(runtime, "next").stdout
    assert "Der venter ingen henvendelser." in consultant(runtime, "list").stdout

    env = runtime.aws_env
    cloudwatch = boto3.client("cloudwatch", endpoint_url=env["AWS_ENDPOINT_URL"],
                              region_name=env["AWS_REGION"], aws_access_key_id="local",
                              aws_secret_access_key="local")
    metrics = {m["MetricName"] for m in
               cloudwatch.list_metrics(Namespace="LeadersOfLeaders")["Metrics"]}
    assert {"AdvisoryLeased", "AdvisoryDone", "AdvisoryReleased"} <= metrics

    repeat = consultant(runtime, "done", references[0])  # answered as the first
    assert f"{references[0]} er afsluttet." in repeat.stdout
    refused = subprocess.run([LEADERS, "consultant", "release", references[0]],
                             env=runtime.aws_env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "allerede afsluttet" in refused.stderr
