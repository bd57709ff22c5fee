"""Text that would stop or garble an email, through the API as a browser or the console posts
it: every one-line field of every form refuses each line break Python's email package knows
(U+2028, U+2029, U+0085 and the rest of str.splitlines()) and control characters, with the
field's Danish 422, and nothing is stored or sent; the secretariat's cancel reason refuses
control characters (NUL, ESC, BEL, ...) the same way, and the session stays as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT
from moto.ses.models import ses_backends

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.parameters import parameter
from shared.errors import InvalidInput
from shared.forums.catalogue import Catalogue
from shared.platform.names import PARAM_FORUMS_TABLE
from tests.integration.conftest import Api, bearer
from tests.support.registration_emulator import session_fixture

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
CONTROL = "\x00\x07\x1b\x7f\x9b"
ONE_LINE_REFUSAL = "Feltet må kun være én linje tekst."


def stored(emulator: Emulator) -> tuple[Any, ...]:
    """Every item of every table, and every email sent: what a refusal must leave alone."""
    ddb = emulator.client("dynamodb")
    tables = {}
    for table in ddb.list_tables()["TableNames"]:
        items = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
        tables[table] = sorted(json.dumps(i, sort_keys=True) for i in items)
    return tables, len(ses_backends[ACCOUNT][emulator.region].sent_messages)


@pytest.fixture(scope="module")
def session(emulator: Emulator) -> str:
    return session_fixture()


def registration(session: str) -> dict[str, Any]:
    return {"session_id": session, "name": "Anne Jensen", "email": "anne@example.dk",
            "role": "area_leader", "workplace": "Vejle Kommune", "member_number": "12345",
            "consent": True}


def catalogue_file(field: str, value: str) -> dict[str, Any]:
    """A catalogue of one new forum, as the console uploads it (JSON keeps every character)."""
    session = {"id": "hostile-1", "city": "Kolding", "venue": "Comwell",
               "starts_at": "2027-03-04T09:30", "ends_at": "2027-03-04T15:30",
               "registration_deadline": "2027-02-25T12:00", "capacity": 10}
    forum: dict[str, Any] = {"id": "hostile", "title": "Fjendtlig tekst", "sessions": [session]}
    if field == "title":
        forum["title"] = value
    else:
        session[field] = value
    return {"filename": "forums.json", "text": json.dumps({"forums": [forum]})}


# (form, field, how it is posted: value -> (method, path, body, who), the field as answered)
Form = tuple[str, str, Callable[[str, str], tuple[str, str, Any, str | None]], str]
FORMS: list[Form] = [
    *[("registration", f, lambda v, s, f=f: ("POST", "/api/registrations",
                                              {**registration(s), f: v}, None), f)
      for f in ("name", "workplace", "member_number")],
    ("newsletter signup", "name", lambda v, s: (
        "POST", "/api/newsletter/subscriptions",
        {"name": v, "email": "anne@example.dk", "role": "area_leader", "consent": True}, None),
     "name"),
    *[("advisory", f, lambda v, s, f=f: (
        "POST", "/api/advisory-requests",
        {"kind": "conversation", "message": "Hej", "email": "anne@example.dk",
         "contact_preference": "email", "consent": True, f: v}, None), f)
      for f in ("name", "topic")],
    ("newsletter issue", "subject", lambda v, s: (
        "PUT", "/api/staff/newsletter/issues/marts-2027", {"subject": v, "markdown": "# Hej"},
        "editor"), "subject"),
    *[("catalogue import", f, lambda v, s, f=f: (
        "POST", "/api/staff/forums/import", catalogue_file(f, v), "secretariat"),
       "forums.0.title" if f == "title" else f"forums.0.sessions.0.{f}")
      for f in ("title", "city", "venue")],
]


@pytest.mark.parametrize("form", FORMS, ids=[f"{f[0]}.{f[1]}" for f in FORMS])
@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(before=st.text(max_size=8), breaking=st.sampled_from(LINE_BREAKS + CONTROL),
       after=st.text(max_size=8))
def test_a_one_line_field_with_a_line_break_is_refused_on_that_field_and_nothing_is_kept(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]], session: str,
        form: Form, before: str, breaking: str, after: str) -> None:
    _, _, request, answered = form
    method, path, body, who = request(f"A{before}{breaking}{after}b", session)
    headers = bearer(tokens[who]["IdToken"]) if who else {}
    kept = stored(emulator)
    status, answer = api.request(method, path, body, headers)
    assert status == 422, answer
    errors = {e["field"]: e for e in answer["errors"]}
    assert set(errors) == {answered}, answer
    # The catalogue file's errors begin by naming the forum or session and the field.
    assert errors[answered]["message"].lower().endswith(
        (ONE_LINE_REFUSAL.lower(), "feltet har ikke den rigtige form."))
    assert stored(emulator) == kept


def test_the_clis_yaml_import_refuses_a_line_break_written_as_an_escape(
        emulator: Emulator) -> None:
    """YAML's own escapes for NEL, LS and PS (\\N, \\L, \\P) as the CLI reads the file."""
    catalogue = Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)))
    kept = stored(emulator)
    for escape in ("\\N", "\\L", "\\P", "\\e", "\\0"):
        text = ("forums:\n  - id: yaml-hostile\n"
                f'    title: "Evaluering{escape}Kolding"\n    sessions: []\n')
        with pytest.raises(InvalidInput) as refused:
            catalogue.import_text(text, filename="forums.yaml")
        assert [(e.field, e.message) for e in refused.value.errors] == [
            ("forums.0.title", "Forum yaml-hostile, titel: f" + ONE_LINE_REFUSAL[1:])]
    assert stored(emulator) == kept


@pytest.mark.parametrize("reason", ["Aflyst\x00", "Aflyst \x1b[31mnu", "Aflyst\x07!",
                                    "Aflyst\x85 pga. sygdom", "Aflyst\x7f"])
def test_a_cancel_reason_with_control_characters_is_refused_and_nothing_changes(
        api: Api, emulator: Emulator, tokens: dict[str, dict[str, Any]], reason: str) -> None:
    session = session_fixture()
    headers = bearer(tokens["secretariat"]["IdToken"])
    kept = stored(emulator)
    status, answer = api.request("POST", f"/api/staff/sessions/{session}/cancel",
                                 {"reason": reason}, headers)
    assert (status, answer) == (422, {"errors": [{
        "field": "reason", "code": "invalid_characters",
        "message": "Teksten indeholder ugyldige tegn."}]})
    assert stored(emulator) == kept
    status, answer = api.request("POST", f"/api/staff/sessions/{session}/cancel",
                                 {"reason": "Oplægsholderen er syg.\nVi finder en ny dato."},
                                 headers)
    assert (status, answer["status"]) == (200, "cancelled")
