"""Every function's answers to bad input: per-field Danish errors, 400, 404, 413, never a 500."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from local.functions import LocalContext
from local.gateway import Gateway
from local.plan import Route
from shared.edge.http import MAX_BODY_BYTES, create_resolver
from shared.errors import Conflict


class Signup(BaseModel):
    name: str = Field(min_length=1, max_length=20)
    consent: bool


app = create_resolver()


@app.post("/api/things")
def create(signup: Annotated[Signup, Body()]) -> dict[str, Any]:
    if signup.name == "taken":
        raise Conflict("Navnet er taget.", code="taken")
    if signup.name == "boom":
        raise RuntimeError("a secret detail")
    return {"ok": True}


@app.post("/api/one-click")
def one_click(token: Annotated[str, Query(min_length=10)] = "") -> dict[str, str]:
    """Like the newsletter's RFC 8058 unsubscribe: the token in the query, the body ignored."""
    return {"status": "unsubscribed", "token": token}


def call(method: str, path: str, body: str | bytes | None = None,
         content_type: str = "application/json") -> tuple[int, dict[str, Any]]:
    gateway = Gateway([Route("POST", "/api/things", "f"), Route("POST", "/api/one-click", "f"),
                       Route("GET", "/api/{proxy+}", "f")], {})
    match = gateway.match(method, path.split("?")[0])
    assert match is not None
    event = gateway.event(match, method, path, {"Content-Type": content_type} if content_type
                          else {}, body if isinstance(body, bytes) else (body or "").encode(),
                          "127.0.0.1")
    result = app.resolve(event, LocalContext("f", 128, 3, "eu-north-1"))
    return result["statusCode"], json.loads(result["body"])


def test_valid_input_passes() -> None:
    assert call("POST", "/api/things", '{"name": "Anne", "consent": true}') == (200, {"ok": True})


def test_each_bad_field_gets_a_code_and_a_danish_message() -> None:
    status, body = call("POST", "/api/things", '{"name": "' + "x" * 21 + '"}')
    assert status == 422
    errors = {e["field"]: e for e in body["errors"]}
    assert errors["name"]["code"] == "too_long"
    assert errors["name"]["message"] == "Teksten er for lang (højst 20 tegn)."
    assert errors["consent"] == {"field": "consent", "code": "required",
                                 "message": "Feltet skal udfyldes."}


@pytest.mark.parametrize("body", ["{not json", "[1, 2", '{"name": "Anne", '])
def test_malformed_json_is_a_400(body: str) -> None:
    status, answer = call("POST", "/api/things", body)
    assert status == 400 and answer["code"] == "invalid_json"


@pytest.mark.parametrize("body", [b"\xff\xfe\x80", b'{"name": "\xc3"}', b"\x89PNG\r\n"])
def test_a_body_that_is_not_utf8_text_is_a_400_not_a_500(body: bytes) -> None:
    status, answer = call("POST", "/api/things", body)
    assert (status, answer["code"]) == (400, "invalid_encoding")


@pytest.mark.parametrize("media_type", ["text/plain", "TEXT/PLAIN", "multipart/mixed; boundary=x",
                                        "application/xml; charset=utf-8"])
def test_a_body_of_another_media_type_is_a_415(media_type: str) -> None:
    gateway = Gateway([Route("POST", "/api/things", "f")], {})
    match = gateway.match("POST", "/api/things")
    assert match is not None
    event = gateway.event(match, "POST", "/api/things", {"Content-Type": media_type},
                          b'{"name": "Anne", "consent": true}', "127.0.0.1")
    result = app.resolve(event, LocalContext("f", 128, 3, "eu-north-1"))
    assert result["statusCode"] == 415
    assert json.loads(result["body"])["code"] == "unsupported_media_type"


def test_unknown_route_is_a_json_404() -> None:
    assert call("GET", "/api/nowhere") == (
        404, {"code": "not_found", "message": "Adressen findes ikke."}
    )


def test_domain_errors_map_to_their_status() -> None:
    status, body = call("POST", "/api/things", '{"name": "taken", "consent": true}')
    assert (status, body) == (409, {"code": "taken", "message": "Navnet er taget."})


@pytest.mark.parametrize("size", [MAX_BODY_BYTES, MAX_BODY_BYTES + 1])
def test_too_large_body_is_refused_before_parsing(size: int) -> None:
    # A body of exactly the limit is read, one byte more is refused unread.
    start = '{"name": "Anne", "consent": true, "x": "'
    text = start + "a" * (size - len(start) - 2) + '"}'
    assert len(text.encode()) == size
    status, body = call("POST", "/api/things", text)
    assert (status == 413) is (size > MAX_BODY_BYTES)
    assert (body.get("code") == "payload_too_large") is (size > MAX_BODY_BYTES)


def test_unexpected_errors_say_nothing_of_their_cause() -> None:
    status, body = call("POST", "/api/things", '{"name": "boom", "consent": true}')
    assert status == 500 and "secret" not in json.dumps(body)


def plain_post(body: bytes, accept: str = "text/html,application/xhtml+xml,*/*;q=0.8",
               referer: str = "http://127.0.0.1:8000/nyhedsbrev.html") -> dict[str, Any]:
    gateway = Gateway([Route("POST", "/api/things", "f")], {})
    match = gateway.match("POST", "/api/things")
    assert match is not None
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept,
               "Referer": referer}
    event = gateway.event(match, "POST", "/api/things", headers, body, "127.0.0.1")
    return dict(app.resolve(event, LocalContext("f", 128, 3, "eu-north-1")))


def test_a_browsers_plain_form_post_gets_a_danish_page() -> None:
    done = plain_post(b"name=Anne&consent=on&website=")
    assert done["statusCode"] == 200 and done["headers"]["Content-Type"].startswith("text/html")
    assert "<h1>Tak!</h1>" in done["body"] and 'lang="da"' in done["body"]

    refused = plain_post(b"name=&consent=on", referer="https://evil.example/x")
    assert refused["statusCode"] == 422
    assert "<li>Navn: Feltet skal udfyldes.</li>" in refused["body"]
    assert 'href="/x"' in refused["body"]  # back to a path on this site, never elsewhere

    injected = plain_post(b"name=%3Cscript%3E" + b"x" * 30 + b"&consent=on")
    assert "<script>" not in injected["body"]


def test_a_form_post_asking_for_json_gets_json() -> None:
    answer = plain_post(b"name=Anne&consent=on", accept="application/json")
    assert json.loads(answer["body"]) == {"ok": True}


def _any_case(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(text, upper,
                                                                             strict=True)))


@given(media_type=_any_case("application/json"), params=st.sampled_from(
    ["", "; charset=utf-8", "; CHARSET=UTF-8", " ; charset=\"utf-8\""]))
def test_a_json_media_type_in_any_case_is_json(media_type: str, params: str) -> None:
    """Media types are case-insensitive (RFC 9110 8.3.1)."""
    assert call("POST", "/api/things", '{"name": "Anne", "consent": true}',
                media_type + params) == (200, {"ok": True})


@given(media_type=_any_case("application/x-www-form-urlencoded"))
def test_a_form_media_type_in_any_case_is_a_form(media_type: str) -> None:
    assert call("POST", "/api/things", "name=Anne&consent=on", media_type) == (200, {"ok": True})


@given(digits=st.integers(4301, 12000), sign=st.sampled_from(["", "-"]),
       where=st.sampled_from(['{"name": N, "consent": true}', '{"name": "Anne", "consent": N}',
                              "[N]", "N", '{"name": "Anne", "consent": true, "x": {"y": [N]}}']))
def test_a_json_integer_longer_than_python_reads_is_a_400(digits: int, sign: str,
                                                          where: str) -> None:
    status, answer = call("POST", "/api/things", where.replace("N", sign + "7" * digits))
    assert (status, answer["code"]) == (400, "unreadable_json")
    assert answer["message"].startswith("Indholdet kan ikke læses")


def test_json_nested_as_deep_as_the_body_limit_allows_is_refused_not_a_500() -> None:
    """Python 3.11's parser gives up (400 unreadable_json); 3.13 reads it (422, not an
    object). Either way our error body, never a 500."""
    status, answer = call("POST", "/api/things", "[" * 8000 + "]" * 8000)
    assert (status, answer.get("code")) == (400, "unreadable_json") or \
        (status == 422 and answer["errors"])


def multipart(fields: dict[str, str], boundary: str = "----graense42") -> tuple[bytes, str]:
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                   for k, v in fields.items()) + f"--{boundary}--\r\n"
    return body.encode(), f'multipart/form-data; boundary="{boundary}"'


@given(name=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                    min_size=1, max_size=20).filter(lambda n: n.strip() == n and n.strip()),
       media=_any_case("multipart/form-data"))
def test_a_multipart_form_is_read_like_the_same_json(name: str, media: str) -> None:
    body, content_type = multipart({"name": name, "consent": "on", "website": ""})
    assert call("POST", "/api/things", body, content_type.replace("multipart/form-data",
                                                                   media)) == (200, {"ok": True})


def test_a_multipart_form_with_errors_gets_field_errors_and_a_broken_one_a_400() -> None:
    body, content_type = multipart({"name": "", "consent": "on"})
    status, answer = call("POST", "/api/things", body, content_type)
    assert status == 422 and answer["errors"][0]["field"] == "name"
    for broken, media in ((b"--x\r\nno end", "multipart/form-data"),
                          (b"just text", "multipart/form-data; boundary=zz")):
        assert call("POST", "/api/things", broken, media)[0] == 400


TOKEN = "abcdefghijkl-token"


@pytest.mark.parametrize(("body", "content_type"), [
    multipart({"List-Unsubscribe": "One-Click"}),                     # RFC 8058: SHOULD
    (b"List-Unsubscribe=One-Click", "application/x-www-form-urlencoded"),  # MAY
    (b"", "application/x-www-form-urlencoded"),
    (b"", ""),                                                        # no body at all
    (b"", "multipart/form-data; boundary=x"),
])
def test_the_one_click_post_is_accepted_with_each_body_a_mail_client_sends(
        body: bytes, content_type: str) -> None:
    assert call("POST", f"/api/one-click?token={TOKEN}", body, content_type) == (
        200, {"status": "unsubscribed", "token": TOKEN})


def test_see_other_leads_to_a_path_with_a_page_for_clients_that_do_not_follow() -> None:
    from shared.edge.http import see_other

    answer = see_other("/afmeld-nyhedsbrev.html?token=a%2Bb")
    assert answer.status_code == 303 and answer.headers["Location"] == \
        "/afmeld-nyhedsbrev.html?token=a%2Bb"
    assert 'href="/afmeld-nyhedsbrev.html?token=a%2Bb"' in str(answer.body)


def test_json_that_begins_with_a_byte_order_mark_is_read() -> None:
    """RFC 8259 8.1: a parser MAY ignore a BOM; some Windows tools write one."""
    for media in ("application/json", "application/json; charset=utf-8", ""):
        assert call("POST", "/api/things", b'\xef\xbb\xbf{"name": "Anne", "consent": true}',
                    media) == (200, {"ok": True})


@given(accept=_any_case("text/html"))
def test_a_plain_form_post_accepting_html_in_any_case_gets_the_page(accept: str) -> None:
    """Media types in Accept are case-insensitive too (RFC 9110 8.3.1, 12.5.1)."""
    done = plain_post(b"name=Anne&consent=on&website=", accept=accept + ";q=0.9")
    assert done["headers"]["Content-Type"].startswith("text/html")
