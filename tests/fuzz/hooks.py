"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks): besides what the document
describes, requests as clients really send them. Each generated case with a body may become
one of these edges, chosen by hypothesis like any other part of the case:

- its JSON under a media type in another case (`APPLICATION/Json`): media types are
  case-insensitive (RFC 9110), so it must be read as JSON;
- a JSON integer longer than Python reads (over 4,300 digits) in place of one of its values;
- its fields as multipart/form-data (RFC 7578), as a mail client's one-click unsubscribe sends.

The tally of edges sent goes to the file FUZZ_EDGE_TALLY names, so the test can prove that the
run generated each of them."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st

MARK, DIGITS = "X-Fuzz-Edge", "X-Fuzz-Digits"
EDGES = ("none", "media-type-case", "huge-integer", "multipart")
BOUNDARY = "----fuzzedge"
_tally: Counter[str] = Counter()


def _cased(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda upper: "".join(c.upper() if u else c.lower()
                              for c, u in zip(text, upper, strict=True))).filter(
        lambda t: t != text)


@schemathesis.hook
def flatmap_case(context: Any, case: Any) -> Any:
    if not isinstance(case.body, dict | list) or not case.media_type:
        return st.just(case)

    def mark(edge: str, media_type: str = "", digits: int = 0) -> Any:
        if edge != "none":
            case.headers = {**(case.headers or {}), MARK: edge,
                            **({"Content-Type": media_type} if media_type else {}),
                            **({DIGITS: str(digits)} if digits else {})}
        return case

    return st.one_of(
        st.just("none").map(mark),
        _cased(case.media_type).map(lambda media: mark("media-type-case", media)),
        st.integers(4301, 9000).map(lambda digits: mark("huge-integer", digits=digits)),
        st.just("multipart").map(mark),
    )


def _huge_integer_body(body: Any, digits: int) -> bytes:
    """The body's JSON with its first value (or the whole body) a very long integer, written
    by hand: Python itself cannot turn such an int into text."""
    number = "9" * digits
    if isinstance(body, dict) and body:
        first = next(iter(body))
        rest = {k: v for k, v in body.items() if k != first}
        tail = json.dumps(rest)[1:-1]
        return ("{" + json.dumps(first) + ": " + number + (", " + tail if tail else "")
                + "}").encode()
    return ("[" + number + "]").encode()


def _multipart(body: Any) -> bytes:
    fields = body if isinstance(body, dict) else {"value": body}
    parts = []
    for name, value in fields.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if value is True:
            text = "on"
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{text}\r\n")
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode("utf-8")


def _take(headers: Any, name: str) -> str | None:
    found = [k for k in headers if k.lower() == name.lower()]
    return str(headers.pop(found[0])) if found else None


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Applies the edge drawn for this case: headers on the case itself, a raw body as the
    transport's `data` (which takes the place of the serialized JSON)."""
    headers = case.headers if case.headers is not None else {}
    edge = _take(headers, MARK) or "none"
    digits = int(_take(headers, DIGITS) or 4301)
    if edge in ("huge-integer", "multipart"):
        _take(headers, "Content-Type")
        if edge == "huge-integer":
            headers["Content-Type"] = "application/json"
            kwargs["data"] = _huge_integer_body(case.body, digits)
        else:
            headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
            kwargs["data"] = _multipart(case.body)
        kwargs["json"] = None
    _tally[edge] += 1
    tally = os.environ.get("FUZZ_EDGE_TALLY")
    if tally:
        Path(tally).write_text(json.dumps(_tally), encoding="utf-8")
