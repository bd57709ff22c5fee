"""Every one-line field of every form (the public forms, the editor's, the catalogue file the
secretariat imports by CLI or console) refuses each character that Python's str.splitlines()
and the email package take for a line break (\\n \\r \\v \\f \\x1c \\x1d \\x1e \\x85 U+2028
U+2029) and every control character, with the field's own Danish error; and whatever it
accepts can stand in an email's subject, sender name and body: the message builds, and its
subject reads back as written."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from email import message_from_bytes, policy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import shared
from shared.email.render import Email, mime
from shared.validation import _MESSAGES, field_errors

# What str.splitlines() splits at, besides \r\n.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0))]

# A valid value of every model that has a one-line field: each field is tried in it.
SESSION = {"id": "kolding-1", "city": "Kolding", "venue": "Comwell",
           "starts_at": "2027-03-04T09:30", "ends_at": "2027-03-04T15:30",
           "registration_deadline": "2027-02-25T12:00", "capacity": 40}
EXAMPLES: dict[str, dict[str, Any]] = {
    "StaffRegistrationForm": {"name": "Anne Jensen", "email": "anne@example.dk",
                              "role": "area_leader", "workplace": "Vejle Kommune",
                              "member_number": "12345", "asked_by": "telefon"},
    "RegistrationForm": {"session_id": "kolding-1", "name": "Anne Jensen",
                         "email": "anne@example.dk", "role": "area_leader",
                         "workplace": "Vejle Kommune", "member_number": "12345", "consent": True},
    # The landing page of the confirmation link: the details as the owner sees and corrects
    # them, and the corrections sent with the confirmation.
    "RegistrationDetails": {"name": "Anne Jensen", "role": "area_leader",
                            "workplace": "Vejle Kommune", "member_number": "12345"},
    "DetailCorrections": {"name": "Anne Jensen", "workplace": "Vejle Kommune"},
    "SubscriptionForm": {"name": "Anne Jensen", "email": "anne@example.dk",
                         "role": "area_leader", "consent": True},
    "AdvisoryForm": {"kind": "suggestion", "message": "Et forslag", "consent": True},
    "DraftText": {"subject": "Nyhedsbrev marts", "markdown": "# Hej"},
    "SavedDraft": {"subject": "Nyhedsbrev marts", "markdown": "# Hej", "replace": True},
    "Approval": {"send_at": "2027-03-02 08:00"},
    # The secretariat's message to a session: its subject is one line, as any email's.
    "MessageForm": {"subject": "Nyt lokale", "text": "Vi mødes i sal 2."},
    # The console's forms for a session and a forum take the file's fields without the ids.
    "SessionDetails": {k: v for k, v in SESSION.items() if k != "id"},
    "ForumDetails": {"title": "Evalueringskultur", "audience": "leaders_of_leaders"},
    "SessionEntry": SESSION,
    "ForumEntry": {"id": "evaluering", "title": "Evalueringskultur", "sessions": [SESSION]},
    # The editor's copy of an issue: the new draft's id.
    "Duplicate": {"id": "nyhedsbrev-marts-kopi"},
    # The privacy officer's case: its note is one line in the audit's list of cases.
    "CaseForm": {"email": "anne@example.dk", "kind": "access", "received_on": "2026-12-01",
                 "note": "Brev af 30. november"},
}


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module in pkgutil.walk_packages(shared.__path__, "shared."):
        for _, value in inspect.getmembers(importlib.import_module(module.name),
                                           inspect.isclass):
            if issubclass(value, BaseModel) and value.__module__ == module.name:
                found[f"{value.__module__}.{value.__name__}"] = value
    return list(found.values())


def one_line_fields() -> list[tuple[type[BaseModel], str]]:
    """(model, field) for every field typed SingleLine or OptionalSingleLine in shared/."""
    return [(model, name) for model in _models()
            for name, info in model.model_fields.items()
            if "_single_line" in repr(info.annotation) + repr(info.metadata)]


FIELDS = one_line_fields()
DANISH = {message for _, message in _MESSAGES.values()} | {"Feltet må kun være én linje tekst."}


def test_every_form_with_a_one_line_field_is_tried() -> None:
    names = {model.__name__ for model, _ in FIELDS}
    assert names == set(EXAMPLES), "a model with a one-line field needs an example here"
    assert len(FIELDS) >= 11


TEXT = st.text(st.one_of(st.characters(), st.sampled_from(LINE_BREAKS),
                         st.sampled_from(CONTROL), st.characters(categories=["Cs"])),
               max_size=30)


@pytest.mark.parametrize(("model", "field"), FIELDS,
                         ids=[f"{m.__name__}.{f}" for m, f in FIELDS])
@given(before=TEXT, after=TEXT, breaking=st.sampled_from([*LINE_BREAKS, *CONTROL]))
def test_a_line_break_or_control_character_is_refused_on_its_field(
        model: type[BaseModel], field: str, before: str, after: str, breaking: str) -> None:
    value = f"A{before}{breaking}{after}b"
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**EXAMPLES[model.__name__], field: value})
    errors = field_errors(refused.value.errors())
    assert [e.field for e in errors] == [field]
    assert errors[0].message in DANISH or errors[0].message.startswith("Teksten er for lang")


@pytest.mark.parametrize(("model", "field"), FIELDS,
                         ids=[f"{m.__name__}.{f}" for m, f in FIELDS])
@settings(deadline=None)  # a busy machine's pause is no defect of a field
@given(value=TEXT)
def test_every_accepted_value_builds_an_email(model: type[BaseModel], field: str,
                                              value: str) -> None:
    try:
        form = model.model_validate({**EXAMPLES[model.__name__], field: value})
    except ValidationError as refused:
        assert [e.field for e in field_errors(refused.errors())] == [field]
        return
    stored = getattr(form, field) or ""
    assert not set(stored) & set(LINE_BREAKS)
    subject = f"Bekræftelse: {stored}"
    message = mime(Email(to="anne@example.dk", subject=subject, text=stored, html=stored),
                   "noreply@example.dk", stored or "Ledere af ledere")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert " ".join(str(parsed["Subject"]).split()) == " ".join(subject.split())
    assert str(parsed["To"]) == "anne@example.dk"


@pytest.mark.parametrize("override", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                      "\u2066", "\u2067", "\u2068", "\u2069"])
def test_a_bidirectional_override_is_refused_in_every_text_field(override: str) -> None:
    """A name that reads reversed in an email or a list (»Anne« stored as its mirror)."""
    from shared.forums.registration.models import RegistrationForm

    for field in ("name", "needs"):
        with pytest.raises(ValidationError) as refused:
            RegistrationForm.model_validate({**EXAMPLES["RegistrationForm"],
                                             field: f"Anne {override}nesnaH"})
        assert refused.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize("unseen", ["\u200b", "\u200b\u200b \u2060", "\ufeff\u00ad"])
def test_a_text_of_only_unseen_characters_is_an_empty_one(unseen: str) -> None:
    from shared.forums.registration.models import RegistrationForm

    with pytest.raises(ValidationError) as refused:
        RegistrationForm.model_validate({**EXAMPLES["RegistrationForm"], "name": unseen})
    assert [(e.field, e.code) for e in field_errors(refused.value.errors())] == [
        ("name", "required")]
