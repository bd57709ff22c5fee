"""The local emulator answers the staff sign-in's CORS preflight as Cognito's endpoint does,
and passes anything else to moto."""

from __future__ import annotations

from typing import Any

import pytest

from local.emulator import _BrowserPreflight

SIGN_IN = {"REQUEST_METHOD": "OPTIONS", "PATH_INFO": "/", "HTTP_ORIGIN": "http://127.0.0.1:8000",
           "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
           "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "content-type,x-amz-target"}


def _answer(environ: dict[str, Any]) -> tuple[str, dict[str, str]]:
    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("500 MOTO", [])
        return [b""]

    seen: list[Any] = []
    _BrowserPreflight(moto)(environ, lambda status, headers: seen.append((status, headers)))
    status, headers = seen[0]
    return status, dict(headers)


def test_the_sign_ins_preflight_is_allowed_for_its_origin_method_and_headers() -> None:
    status, headers = _answer(SIGN_IN)
    assert status == "200 OK"
    assert headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8000"
    assert headers["Access-Control-Allow-Methods"] == "POST"
    assert headers["Access-Control-Allow-Headers"] == "content-type, x-amz-target"


@pytest.mark.parametrize("change", [
    {"REQUEST_METHOD": "POST"}, {"PATH_INFO": "/bucket"}, {"HTTP_ORIGIN": ""},
    {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}, {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": ""},
    {"HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "content-type,x-api-key"},
])
def test_anything_else_is_moto_s(change: dict[str, str]) -> None:
    assert _answer({**SIGN_IN, **change})[0] == "500 MOTO"
