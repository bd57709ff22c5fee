"""Schemathesis against the local runtime: cases generated from docs/openapi.json for every
operation (examples, coverage of edge values, fuzzing, stateful sequences), each answer checked
for server errors, status codes and bodies outside the document, and content types."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ElementTree  # our own report file, not untrusted input
from pathlib import Path
from typing import Any

from local.synth import ROOT

DOCUMENT = ROOT / "docs" / "openapi.json"
CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance",
          "content_type_conformance")
BENCH_EXAMPLES = 30  # per operation and phase: well over 1,000 cases over the 38 operations


def fuzz(url: str, max_examples: int, report: Path,
         headers: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run schemathesis once; the cases it generated and the failures it found. `headers`
    (`NAME: VALUE`) go with every request, e.g. a staff user's bearer token."""
    report.parent.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sys.executable).parent / "st"), "run", str(DOCUMENT), "--url", url,
               "--max-examples", str(max_examples), "--checks", ",".join(CHECKS),
               "--report", "junit", "--report-junit-path", str(report),
               *(part for header in headers for part in ("--header", header))]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    generated = re.search(r"(\d+) generated", done.stdout)
    suites = ElementTree.parse(report).getroot()  # noqa: S314
    failures = [case.get("name", "") + ": " + (failure.get("message") or "")
                for case in suites.iter("testcase") for failure in case.iter("failure")]
    return {"cases": int(generated.group(1)) if generated else 0,
            "operations": sum(1 for c in suites.iter("testcase") if "Stateful" not in
                              (c.get("name") or "")),
            "failures": failures, "exit_code": done.returncode,
            "summary": done.stdout[-3000:], "max_examples": max_examples}


def every_role_token(base_url: str) -> str:
    """The ID token of a staff user in every group, made at the user pool the pages sign in
    to (the local emulator), so the staff routes are fuzzed past the authorizer and the group
    checks rather than stopping at 401 or 403."""
    import json
    import urllib.request

    from botocore.session import get_session

    from cli.staff import add_user, generated_password
    from shared.platform.names import STAFF_GROUPS

    with urllib.request.urlopen(  # noqa: S310 - the local runtime's own address
            f"{base_url}/personale/config.json", timeout=30) as answer:
        config = json.loads(answer.read())
    idp: Any = get_session().create_client(
        "cognito-idp", region_name=config["region"], endpoint_url=config["endpoint"],
        aws_access_key_id="local", aws_secret_access_key="local")
    email, password = "fuzz@personale.example.dk", generated_password()
    for group in STAFF_GROUPS:
        add_user(idp, config["userPoolId"], email, group, password=password, permanent=True,
                 send_invitation=False)
    tokens = idp.initiate_auth(ClientId=config["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": email, "PASSWORD": password})
    return str(tokens["AuthenticationResult"]["IdToken"])


def run() -> dict[str, Any]:
    """The bench run: a runtime of its own with the demo data, BENCH_EXAMPLES per operation."""
    from local.emulator import free_port
    from local.runtime import LocalRuntime
    from local.server import LocalServer
    from local.synth import load_template

    runtime = LocalRuntime(load_template(), concurrency=2)
    runtime.start()
    port = free_port()
    runtime.public_url = f"http://127.0.0.1:{port}"
    server = LocalServer(("127.0.0.1", port), runtime, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        report = ROOT / "test-artifacts" / "schemathesis-bench.xml"
        url = f"http://127.0.0.1:{port}"
        return fuzz(url, BENCH_EXAMPLES, report,
                    headers=(f"Authorization: Bearer {every_role_token(url)}",))
    finally:
        server.shutdown()
        runtime.close()
