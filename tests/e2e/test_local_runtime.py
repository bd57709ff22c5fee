"""`make run` as a newcomer uses it: pages, API, emulator endpoint, outbox, operator CLI."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from local.synth import ROOT
from tests.e2e.conftest import Running, free_port, start, stop
from tests.fixtures.links import link_token
from tests.infra.template import invoked_function

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


def test_start_page_is_danish_and_lists_forums_from_the_api(runtime: Running) -> None:
    status, headers, body = runtime.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<html lang="da">' in body.decode()
    status, _, script = runtime.request("GET", "/forums.js")
    assert status == 200 and b"/api/forums" in script
    status, _, _ = runtime.request("GET", "/../pyproject.toml")
    assert status == 404


def test_api_serves_the_demo_forums(runtime: Running) -> None:
    status, body = runtime.json("GET", "/api/forums")
    assert status == 200
    cities = sorted(s["city"] for f in body["forums"] for s in f["sessions"])
    assert cities == ["Aarhus", "Ballerup", "Kolding", "København", "Odense"]
    status, forum = runtime.json("GET", "/api/forums/evalueringskultur")
    assert status == 200 and forum["title"] == "Evalueringskultur og datainformeret ledelse"


def test_unknown_api_route_is_a_json_404(runtime: Running) -> None:
    assert runtime.json("GET", "/api/does-not-exist") == (
        404, {"code": "not_found", "message": "Adressen findes ikke."}
    )


def test_aws_cli_sees_the_tables_through_the_printed_endpoint(runtime: Running) -> None:
    env = runtime.aws_env
    assert f"AWS_ENDPOINT_URL={env['AWS_ENDPOINT_URL']}" in runtime.output.read_text()
    result = subprocess.run([str(BIN / "aws"), "dynamodb", "list-tables", "--output", "json",
                             "--endpoint-url", env["AWS_ENDPOINT_URL"]],
                            env=env, capture_output=True, text=True, check=True)
    tables = json.loads(result.stdout)["TableNames"]
    assert any(t.startswith("ForumsTable") for t in tables)


def test_operator_cli_imports_and_lists_forums_through_aws_endpoint_url(
    runtime: Running, tmp_path: Path
) -> None:
    catalogue = tmp_path / "forums.yaml"
    catalogue.write_text(
        "forums:\n"
        "  - id: nyt-forum\n"
        "    title: Nyt forum om rekruttering\n"
        "    audience: leaders_of_leaders\n"
        "    sessions:\n"
        "      - id: nyt-forum-vejle\n"
        "        city: Vejle\n"
        "        starts_at: 2099-03-01T10:00\n"
        "        ends_at: 2099-03-01T15:00\n"
        "        registration_deadline: 2099-02-20T12:00\n"
        "        capacity: 25\n",
        encoding="utf-8",
    )
    leaders = str(BIN / "leaders")
    for said in ("Indlæst: 1 lederforum og 1 møde.", "Intet ændres."):  # the second: nothing
        done = subprocess.run([leaders, "forums", "import", str(catalogue), "--yes"],
                              env=runtime.aws_env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert said in done.stdout
    listed = subprocess.run([leaders, "forums", "list"], env=runtime.aws_env,
                            capture_output=True, text=True, check=True).stdout
    assert "nyt-forum-vejle" in listed and "Vejle" in listed
    status, body = runtime.json("GET", "/api/forums/nyt-forum")
    assert status == 200 and body["sessions"][0]["starts_at"] == "2099-03-01T10:00:00+01:00"

    catalogue.write_text(catalogue.read_text().replace("capacity: 25", "capacity: 0"))
    refused = subprocess.run([leaders, "forums", "import", str(catalogue), "--yes"],
                             env=runtime.aws_env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "Møde nyt-forum-vejle, antal pladser: tallet skal være mindst 1." in refused.stderr
    assert "Traceback" not in refused.stderr


def test_outbox_shows_every_sent_email_and_writes_eml_files(runtime: Running) -> None:
    runtime.remember("deltager@example.dk")
    env = runtime.aws_env
    message = EmailMessage()
    message["From"] = "ledere-af-ledere@example.dk"
    message["To"] = "deltager@example.dk"
    message["Subject"] = "Prøve fra udbakken"
    message.set_content("Hej")
    message.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text",
                           subtype="calendar", filename="forum.ics")
    ses = boto3.client("sesv2", endpoint_url=env["AWS_ENDPOINT_URL"],
                       region_name=env["AWS_REGION"], aws_access_key_id="local",
                       aws_secret_access_key="local")
    folder = runtime.state / "outbox"
    before = set(folder.glob("*.eml"))
    ses.send_email(FromEmailAddress="ledere-af-ledere@example.dk",
                   Destination={"ToAddresses": ["deltager@example.dk"]},
                   Content={"Raw": {"Data": message.as_bytes()}})
    # Written as it is sent: nobody has asked for the outbox yet.
    (written,) = set(folder.glob("*.eml")) - before
    assert "Subject: =?utf-8?" in written.read_text() or "Prøve" in written.read_text()
    status, outbox = runtime.json("GET", "/_local/outbox")
    assert status == 200
    sent: dict[str, Any] = outbox[-1]
    assert sent["to"] == ["deltager@example.dk"]
    assert sent["subject"] == "Prøve fra udbakken"
    assert sent["text"].strip() == "Hej"
    assert sent["attachments"] == [{"filename": "forum.ics", "content_type": "text/calendar"}]
    eml = sorted((runtime.state / "outbox").glob("*.eml"))[-1]
    assert "Subject:" in eml.read_text()


def test_runtime_serves_exactly_what_the_template_defines(
    runtime: Running, template: dict[str, Any]
) -> None:
    """No drift: a resource added to infra without local support fails here."""
    resources = template["Resources"]

    def of_type(kind: str) -> dict[str, Any]:
        return {k: v for k, v in resources.items() if v["Type"] == kind}

    deploy_helpers = {json.dumps(r["Properties"]["ServiceToken"]).split('"')[3]
                      for r in resources.values() if r["Type"].startswith("Custom::")}
    functions = sorted(set(of_type("AWS::Lambda::Function")) - deploy_helpers)

    parents = {k: (v["Properties"]["ParentId"], v["Properties"]["PathPart"])
               for k, v in of_type("AWS::ApiGateway::Resource").items()}

    def path(resource_id: str) -> str:
        parent, part = parents[resource_id]
        return (path(parent["Ref"]) if "Ref" in parent else "") + "/" + part

    routes = sorted(f"{m['Properties']['HttpMethod']} {path(m['Properties']['ResourceId']['Ref'])}"
                    for m in of_type("AWS::ApiGateway::Method").values())
    mappings = sorted(
        f"{m['Properties']['EventSourceArn']['Fn::GetAtt'][0]}->"
        f"{invoked_function(template, m['Properties']['FunctionName'])}"
        for m in of_type("AWS::Lambda::EventSourceMapping").values())
    schedules = sorted(s["Properties"].get("Name", k)
                       for k, s in of_type("AWS::Scheduler::Schedule").items())

    status, info = runtime.json("GET", "/_local/info")
    assert status == 200
    assert info["functions"] == functions
    assert info["routes"] == routes
    assert info["queues"] == sorted(of_type("AWS::SQS::Queue"))
    assert info["event_sources"] == mappings
    assert info["schedules"] == schedules

    env = runtime.aws_env
    session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                    region_name=env["AWS_REGION"])
    endpoint = env["AWS_ENDPOINT_URL"]
    tables = session.client("dynamodb", endpoint_url=endpoint).list_tables()["TableNames"]
    assert sorted(tables) == info["tables"]
    assert len(tables) == len(of_type("AWS::DynamoDB::Table"))
    queues = session.client("sqs", endpoint_url=endpoint).list_queues().get("QueueUrls", [])
    assert len(queues) == len(of_type("AWS::SQS::Queue"))
    live = session.client("scheduler", endpoint_url=endpoint).list_schedules()["Schedules"]
    assert sorted(s["Name"] for s in live) == schedules


def test_the_printed_line_alone_drives_the_operator_cli_and_the_aws_cli(
        runtime: Running, tmp_path: Path) -> None:
    """A shell with no AWS setting of its own: paste the line `make run` printed, then run."""
    line = runtime.printed_line
    assert "AWS_DEFAULT_REGION=" in line  # botocore reads no other region variable
    bare = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run(["bash", "-c", f"{line}\nleaders forums list && "
                           "aws dynamodb list-tables --output text"],
                          env=bare, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "evalueringskultur-kolding" in done.stdout and "ForumsTable" in done.stdout
    # A session that does not exist: one Danish sentence naming it, and a non-zero exit.
    refused = subprocess.run(["bash", "-c", f"{line}\nleaders forums close nope"], env=bare,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "Mødet 'nope' findes ikke." in refused.stderr


def test_without_the_line_the_cli_finds_the_runtime_through_its_env_file(
        runtime: Running, tmp_path: Path) -> None:
    env_file = runtime.state / "env"
    assert env_file.read_text().strip() == runtime.printed_line
    bare = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
            "LOCAL_STATE_DIR": str(runtime.state)}
    done = subprocess.run([str(BIN / "leaders"), "forums", "list"], env=bare,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "evalueringskultur-kolding" in done.stdout
    assert f"Den lokale runtime: {runtime.aws_env['AWS_ENDPOINT_URL']}" in done.stderr


def test_list_unsubscribe_opened_leads_to_the_page_and_one_click_takes_every_encoding(
        runtime: Running, tmp_path: Path) -> None:
    """RFC 8058: the receiver SHOULD post multipart/form-data and MAY post urlencoded; some
    post nothing. A GET (a person, a client or a scanner opening the URL) changes nothing and
    lands on the page for that token, which acts only on its button."""
    address = "kant@example.dk"
    runtime.remember("Kaj Kant", address)
    assert runtime.json("POST", "/api/newsletter/subscriptions", {
        "name": "Kaj Kant", "email": address, "role": "area_leader", "consent": True,
        "website": ""})[0] == 202
    link = next(w for w in runtime.mails(address, "Bekræft")[0]["text"].split() if "token=" in w)
    token = link_token(link)
    assert runtime.json("POST", "/api/newsletter/confirm", {"token": token})[0] == 200
    issue = tmp_path / "kant-1.md"
    issue.write_text("Et nummer om kanter.\n", encoding="utf-8")
    runtime.leaders("newsletter", "draft", str(issue), "--subject", "Kanter nr. 1")
    runtime.leaders("newsletter", "approve", "kant-1")
    assert runtime.json("POST", "/_local/schedules/leaders-newsletter/fire")[0] == 200
    header = runtime.mails(address, "Kanter nr. 1")[0]["headers"]["List-Unsubscribe"]
    url = header.split(",")[0].strip(" <>")
    path = url[len(runtime.url):]
    one_click_token = parse_qs(urlsplit(url).query)["token"][0]  # a query: POSTed

    connection = http.client.HTTPConnection(urlsplit(runtime.url).netloc, timeout=60)
    connection.request("GET", path)
    opened = connection.getresponse()
    opened.read()
    connection.close()
    assert opened.status == 303
    landing = opened.getheader("Location") or ""
    assert urlsplit(landing).path == "/afmeld-nyhedsbrev.html"
    assert link_token(landing) == one_click_token and "?" not in landing
    status, _, page = runtime.request("GET", landing)
    assert status == 200 and b"<button" in page  # the page acts on its button only
    assert "afmeldt 0" in runtime.leaders("newsletter", "status", "kant-1")  # GET changed nothing

    boundary = "----kant"
    multipart = (f'--{boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"'
                 f"\r\n\r\nOne-Click\r\n--{boundary}--\r\n").encode()
    for body, media_type in ((multipart, f"multipart/form-data; boundary={boundary}"),
                             (b"List-Unsubscribe=One-Click", "application/x-www-form-urlencoded"),
                             (None, "")):
        headers = {"Content-Type": media_type} if media_type else {}
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert (answer.status, json.loads(answer.read())) == (
                200, {"status": "unsubscribed"}), media_type
    assert "afmeldt 1" in runtime.leaders("newsletter", "status", "kant-1")


@pytest.mark.parametrize("length", ["-1", "abc", " 12x"])
def test_a_content_length_that_is_no_count_is_a_400_not_a_hang(runtime: Running,
                                                                length: str) -> None:
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(runtime.url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    connection.putrequest("POST", "/api/newsletter/subscriptions")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", length)
    connection.endheaders()
    assert connection.getresponse().status == 400


def test_a_nul_byte_in_a_page_path_is_a_404_not_a_dropped_connection(runtime: Running) -> None:
    for path in ("/%00", "/forums.js%00.html", "/a/%00/b"):
        status, _, body = runtime.request("GET", path)
        assert status == 404 and "Siden findes ikke" in body.decode()


def test_bad_or_busy_port_gets_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    for port, expected in (("abc", "PORT must be a number"), ("70000", "PORT must be a number")):
        done = subprocess.run(["make", "--no-print-directory", "run"], cwd=ROOT,
                              env={**_env(), "PORT": port}, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode != 0 and expected in done.stderr
        assert "Traceback" not in done.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(["make", "--no-print-directory", "run"], cwd=ROOT,
                              env={**_env(), "PORT": str(port)}, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode != 0
    assert f"Port {port} is already in use" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_stops_it_cleanly_and_the_next_start_keeps_the_emulator_port(
        tmp_path: Path) -> None:
    running = start(tmp_path, free_port(), {"LOCAL_DEMO_DATA": "0"})
    first_line = running.printed_line
    assert (running.state / "env").is_file()
    status, _, _ = running.request("GET", "/api/forums")
    assert status == 200
    # make itself ends by the SIGINT it was sent, as in a terminal; what it ran ended cleanly.
    assert stop(running) in (0, -signal.SIGINT)
    output = running.output.read_text()
    assert output.rstrip().endswith("Stopped.") and "Traceback" not in output
    assert not (running.state / "env").exists()  # a stopped runtime sends the CLI nowhere
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # no worker or emulator process is left behind
        try:
            os.killpg(running.process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("processes of the runtime outlived Ctrl-C")
    again = start(tmp_path, free_port(), {"LOCAL_DEMO_DATA": "0"})
    try:
        assert again.printed_line == first_line  # the line pasted last time still works
    finally:
        stop(again)


def _env() -> dict[str, str]:
    return dict(os.environ)
