"""The local runtime started as a user starts it (`make run`), driven over HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local.emulator import free_port
from local.synth import ROOT
from tests.fixtures.links import link_token
from tests.fixtures.log_scan import scan_logs

LEADERS = str(Path(sys.executable).parent / "leaders")


@dataclass
class Running:
    url: str
    process: subprocess.Popen[str]
    output: Path
    state: Path
    personal: set[str] = field(default_factory=set)  # what tests sent that must not be logged

    def remember(self, *values: str) -> None:
        self.personal.update(v for v in values if v)

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json",
                                                  **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, _, data = self.request(method, path, body)
        return status, json.loads(data)

    def settle(self) -> None:
        """Wait until the runtime's queue and stream consumers are idle: what the last request
        set off has run, so an absence (no second email) can be asserted without sleeping."""
        status, body = self.json("POST", "/_local/settle")
        assert status == 200, body

    def mails(self, to: str, subject: str = "", count: int = 1,
              seconds: float = 30) -> list[dict[str, Any]]:
        """The outbox's emails to `to` whose subject starts with `subject`, once there are
        `count` of them (the stream and queue consumers send a moment after the request)."""
        deadline = time.monotonic() + seconds
        found: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            found = [m for m in self.json("GET", "/_local/outbox")[1]
                     if to in m["to"] and m["subject"].startswith(subject)]
            if len(found) >= count:
                return found
            time.sleep(0.3)
        raise AssertionError(f"{count} × '{subject}' to {to}: found {len(found)}")

    def register(self, person: dict[str, Any]) -> tuple[int, Any]:
        """Submit the registration form, then press the link mailed to its address, as the
        owner does; the confirmation's answer."""
        subject = "Bekræft din tilmelding"
        before = len(self.mails(person["email"], subject, count=0))
        assert self.json("POST", "/api/registrations", person) == (202, {"status": "received"})
        mail = self.mails(person["email"], subject, count=before + 1)[before]
        return self.json("POST", "/api/registrations/confirm", {"token": token_of(mail)})

    def leaders(self, *args: str) -> str:
        """The operator CLI against this runtime's emulator, as an operator runs it; what it
        printed (it must succeed)."""
        done = subprocess.run([LEADERS, *args], env=self.aws_env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def one_seat_session(self, folder: Path, forum: tuple[str, str], session: tuple[str, str, str],
                         day: str) -> str:
        """A forum (id, title) with one session (id, city, venue) of one seat on `day`,
        imported through the operator CLI as the secretariat does; the session's id."""
        (forum_id, title), (session_id, city, venue) = forum, session
        catalogue = folder / f"{forum_id}.json"
        catalogue.write_text(json.dumps({"forums": [{
            "id": forum_id, "title": title, "sessions": [{
                "id": session_id, "city": city, "venue": venue, "capacity": 1,
                "starts_at": f"{day}T09:30", "ends_at": f"{day}T15:00",
                "registration_deadline": f"{day[:4]}-01-01T12:00"}]}]}), encoding="utf-8")
        self.leaders("forums", "import", str(catalogue), "--yes")
        return session_id

    @property
    def printed_line(self) -> str:
        """The environment line `make run` printed for the AWS CLI and `leaders`, verbatim."""
        lines = [line.strip() for line in self.output.read_text().splitlines()
                 if line.strip().startswith("export AWS_ENDPOINT_URL=")]
        assert len(lines) == 1, "make run printed no (or more than one) environment line"
        return lines[0]

    @property
    def aws_env(self) -> dict[str, str]:
        """This machine's environment without any AWS setting of its own, plus exactly what
        the printed line exports: what an operator has after pasting it."""
        from cli.environment import parse_export_line

        return {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
                **parse_export_line(self.printed_line)}


def token_of(mail: dict[str, Any]) -> str:
    """The token of the (first) link in an outbox email's text."""
    link = next(w for w in mail["text"].split() if "token=" in w)
    return link_token(link)


def start(tmp: Path, port: int, extra_env: dict[str, str] | None = None) -> Running:
    output = tmp / "run.log"
    env = {**os.environ, "PORT": str(port), "LOCAL_STATE_DIR": str(tmp / "state"),
           "LOCAL_LOG_LEVEL": "DEBUG", **(extra_env or {})}
    log = output.open("w")
    process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    running = Running(f"http://127.0.0.1:{port}", process, output, tmp / "state")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if "Ctrl-C stops it." in output.read_text():
            return running
        if process.poll() is not None:
            raise AssertionError("make run stopped:\n" + output.read_text())
        time.sleep(0.2)
    stop(running)
    raise AssertionError("make run did not start in time:\n" + output.read_text())


def stop(running: Running) -> int:
    """Ctrl-C, as a user stops it: SIGINT to the whole foreground process group."""
    os.killpg(running.process.pid, signal.SIGINT)
    return running.process.wait(timeout=60)


def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One runtime for a package of tests; at the end its logs hold none of their data."""
    running = start(tmp_path_factory.mktemp("runtime"), free_port())
    yield running
    if running.process.poll() is None:
        stop(running)
    leaks = personal_data_in_logs(running)
    assert not leaks, f"personal data in the logs: {leaks}"


runtime = pytest.fixture(scope="package", name="runtime")(serve)


def personal_data_in_logs(running: Running) -> list[str]:
    """Every log line the runtime and its functions wrote (at DEBUG), scanned for the names,
    emails, phones and message texts the tests sent."""
    return scan_logs([running.output, *sorted((running.state / "logs").glob("*.log"))],
                     running.personal)
