"""The address's owner decides what is registered in their name, through the API and the email
function on the emulator:
- whoever submits first, the link the owner is mailed confirms the address's newest submission
  as the owner sees it (GET) and corrects it (POST), or discards it; a stranger's submission
  neither blocks the owner's own nor reaches the owner's registration unseen, and no email to
  the unconfirmed address carries anything typed;
- corrections are checked exactly as the registration form checks its fields;
- an old cancel link (before a cancellation and a new registration) is refused as renewed and
  changes nothing;
- subaddresses of one mailbox (`name+tag@`) are one person: one registration per session, one
  mail per gate; a member number two registrations give is shown to the secretariat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters.parameters import parameter
from shared.platform.names import PARAM_REGISTRATIONS_TABLE
from tests.integration.conftest import Api, bearer
from tests.support.registration_emulator import (
    CONFIRM,
    REGISTER,
    Mail,
    body,
    deliver,
    new_session,
    text_of,
    token_in,
)

DISCARD = "/api/registrations/discard"
CANCEL = "/api/registrations/cancel"
FIELDS = ("name", "phone", "role", "workplace", "member_number", "needs")
# Few examples, not shrunk: each is a dozen calls through the functions on the emulator.
SLOW = settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
# Words nobody else's text holds, so a search of a mail for them finds only what was typed.
WORD = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=8, max_size=12)


@pytest.fixture
def mail(emulator: Emulator) -> Mail:
    return Mail(emulator)


def flush(api: Api, mail: Mail) -> None:
    """The stream's changes since the last call, handed to the email function."""
    changes = mail.changes()
    if changes:
        assert deliver(api, changes) == {"batchItemFailures": []}


def person(session: str, email: str, word: str, **changes: Any) -> dict[str, Any]:
    """A form whose every typed field carries `word`."""
    return {**body(session, "x"), "email": email, "name": f"Navn {word}",
            "workplace": f"Sted {word}", "needs": f"Behov {word}", "member_number": "M" + word[:6],
            **changes}


def typed(form: dict[str, Any]) -> dict[str, Any]:
    return {field: form.get(field) for field in FIELDS}


def mailbox() -> str:
    return f"ejer-{uuid.uuid4().hex[:10]}@example.dk"


def stored(emulator: Emulator, session: str, prefix: str) -> list[dict[str, Any]]:
    found = emulator.client("dynamodb").query(
        TableName=parameter(PARAM_REGISTRATIONS_TABLE), ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": f"SESSION#{session}"},
                                   ":prefix": {"S": prefix}})
    return list(found["Items"])


def registered(emulator: Emulator, session: str) -> list[dict[str, Any]]:
    """The registrations of the session, each as its typed fields."""
    return [{f: item[f]["S"] if f in item else None for f in FIELDS}
            for item in stored(emulator, session, "REG#")]


# -- item: a stranger's submission and the owner's ------------------------------------------

@SLOW
@given(steps=st.lists(st.one_of(st.tuples(st.just("stranger"), WORD),
                                st.tuples(st.just("owner"), st.just("")),
                                st.tuples(st.just("press"), st.just(""))),
                      min_size=1, max_size=6),
       own=WORD)
def test_whoever_submits_first_the_owner_confirms_only_what_they_saw_and_sent(
    api: Api, mail: Mail, emulator: Emulator, steps: list[tuple[str, str]], own: str,
) -> None:
    """Strangers and the owner submit for one address in any order, and the owner presses
    whenever they hold a link: the page shows the newest submission; the owner confirms it
    as shown when it is their own, else with their own details typed over it. What is
    registered is exactly the owner's; nothing typed by anyone is in a mail before that."""
    session, owner = new_session(3), mailbox()
    mine = person(session, owner, own)
    submitted: list[dict[str, Any]] = []
    links: list[str] = []
    confirmed = False
    later = 0  # submissions after the press: each meets the registration, kept until it expires
    confirmations: list[str] = []
    for who, word in [*steps, ("owner", ""), ("press", "")]:
        if who == "press":
            if not links:
                continue
            status, answer = api.request("GET", f"{CONFIRM}?token={links[-1]}")
            assert status == 200, answer
            if confirmed:
                assert answer["status"] == "confirmed"
                continue
            assert answer["status"] == "pending"
            assert answer["forum_title"] == "Testforum" and answer["city"] == "Vejle"
            shown = {f: answer["details"].get(f) for f in FIELDS}
            assert shown == typed(submitted[-1]) and answer["details"]["email"] == owner
            corrections = {} if shown == typed(mine) else typed(mine)
            assert api.request("POST", CONFIRM, {"token": links[-1], **corrections}) == (
                200, {"status": "confirmed"})
            confirmed = True
            continue
        form = mine if who == "owner" else person(session, owner, word)
        assert api.request("POST", REGISTER, form) == (202, {"status": "received"})
        submitted.append(form)
        later += confirmed
        flush(api, mail)
        for message in mail.new_messages():
            assert message["To"] == owner
            if str(message["Subject"]).startswith("Bekræftelse"):
                confirmations.append(text_of(message))  # to the owner, as they confirmed it
                continue
            text = text_of(message) + str(message.get_body(("html",)).get_content())
            for earlier in submitted:
                assert all(str(v) not in text for v in typed(earlier).values()
                           if v and v != "district_leader")
            if str(message["Subject"]).startswith("Bekræft din tilmelding"):
                links.append(token_in(message))
        assert links, "the owner holds a link from the first submission on"
    assert confirmed
    assert registered(emulator, session) == [typed(mine)]
    assert len(stored(emulator, session, "SUB#")) == later  # the ones superseded are gone
    flush(api, mail)
    confirmations += [text_of(m) for m in mail.new_messages()
                      if str(m["Subject"]).startswith("Bekræftelse")]
    assert len(confirmations) == 1 and f"Kære Navn {own}" in confirmations[0]


def test_the_one_link_a_strangers_submission_let_out_confirms_the_owners_own(
    api: Api, mail: Mail, emulator: Emulator,
) -> None:
    """The attack as reported: a stranger submits the member's address with their own name,
    phone and needs; the owner submits a minute later (the gate lets no second link out);
    the owner presses the one link they got, even without looking: their own submission is
    what is registered, and the confirmation greets them by their own name."""
    session, owner = new_session(2), mailbox()
    stranger = person(session, owner, "fremmeding", phone="+4522334455",
                      needs="Diabetes, insulin")
    mine = person(session, owner, "medlemmet")
    for form in (stranger, mine):
        assert api.request("POST", REGISTER, form) == (202, {"status": "received"})
    flush(api, mail)
    (link,) = mail.new_messages()
    assert api.request("POST", CONFIRM, {"token": token_in(link)}) == (
        200, {"status": "confirmed"})
    assert registered(emulator, session) == [typed(mine)]
    flush(api, mail)
    (confirmation,) = mail.new_messages()
    assert "Kære Navn medlemmet" in text_of(confirmation)
    assert "fremmeding" not in text_of(confirmation) and "Diabetes" not in text_of(confirmation)


BAD = {
    "name": st.one_of(st.just(""), st.text(alphabet="abcæøå", min_size=201, max_size=230),
                      st.tuples(WORD, st.sampled_from("\n\r\x00\x1b\x07"), WORD).map("".join)),
    "phone": st.text(alphabet="0123456789", min_size=1, max_size=4),
    "role": WORD,
    "workplace": st.one_of(st.just("  "), st.text(alphabet="xyz", min_size=201, max_size=210)),
    "member_number": st.one_of(st.just(""), WORD.map(lambda w: w + "æ!"),
                               st.text(alphabet="0123456789", min_size=21, max_size=25)),
    "needs": st.one_of(st.tuples(st.text(alphabet="abc \n", min_size=501, max_size=520))
                       .map(lambda t: f"x{t[0]}x"),
                       st.tuples(WORD, st.just("\x00"), WORD).map("".join)),
}


@SLOW
@given(data=st.data())
def test_a_correction_is_checked_exactly_as_the_form_checks_it_and_nothing_is_placed(
    api: Api, mail: Mail, emulator: Emulator, data: st.DataObject,
) -> None:
    session, owner = new_session(2), mailbox()
    field = data.draw(st.sampled_from(sorted(BAD)))
    value = data.draw(BAD[field])
    form = person(session, owner, "korrekt")
    assert api.request("POST", REGISTER, form) == (202, {"status": "received"})
    flush(api, mail)
    token = token_in(mail.take(owner, "Bekræft din tilmelding"))

    status, answer = api.request("POST", CONFIRM, {"token": token, field: value})
    form_status, form_answer = api.request("POST", REGISTER, {**form, field: value})
    assert status == form_status == 422, (answer, form_answer)
    mine = {e["field"]: e for e in answer["errors"]}
    assert mine[field] == {e["field"]: e for e in form_answer["errors"]}[field]
    assert mine[field]["message"]  # Danish, per field, as the form's
    assert registered(emulator, session) == []
    assert api.request("GET", f"{CONFIRM}?token={token}")[1]["status"] == "pending"


def test_the_owner_discards_what_waits_and_the_link_then_confirms_nothing(
    api: Api, mail: Mail, emulator: Emulator,
) -> None:
    session, owner = new_session(2), mailbox()
    for word in ("fremmedet", "andenfremmed"):
        assert api.request("POST", REGISTER, person(session, owner, word)) == (
            202, {"status": "received"})
    flush(api, mail)
    token = token_in(mail.take(owner, "Bekræft din tilmelding"))
    assert api.request("POST", DISCARD, {"token": token}) == (200, {"status": "discarded"})
    assert stored(emulator, session, "SUB#") == []
    assert api.request("POST", DISCARD, {"token": token}) == (200, {"status": "discarded"})
    invalid = (400, {"code": "invalid_token", "message": "Linket er ugyldigt eller udløbet."})
    assert api.request("GET", f"{CONFIRM}?token={token}") == invalid
    assert api.request("POST", CONFIRM, {"token": token}) == invalid
    assert registered(emulator, session) == []
    assert api.request("POST", DISCARD, {"token": "forfalsket.token"})[0] == 400


# -- item: an old cancel link after registering again ---------------------------------------

def test_an_old_cancel_link_after_registering_again_is_refused_and_changes_nothing(
    api: Api, mail: Mail, emulator: Emulator, monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = api.environment  # the owner may register again at once
    monkeypatch.setattr(api, "environment", lambda logical_id: {
        **template(logical_id), "REGISTRATION_MAIL_INTERVAL_MINUTES": "0"})
    session, owner = new_session(1), mailbox()

    def register_and_cancel_link() -> str:
        assert api.request("POST", REGISTER, person(session, owner, "ejeren")) == (
            202, {"status": "received"})
        flush(api, mail)
        token = token_in(mail.take(owner, "Bekræft din tilmelding"))
        assert api.request("POST", CONFIRM, {"token": token}) == (200, {"status": "confirmed"})
        flush(api, mail)
        return token_in(mail.take(owner, "Bekræftelse"))

    first = register_and_cancel_link()
    assert api.request("POST", CANCEL, {"token": first}) == (200, {"status": "cancelled"})
    second = register_and_cancel_link()
    assert [str(m["Subject"]).split(" – ")[0] for m in mail.new_messages()] == [
        "Afmeldt: Testforum"]
    before = stored(emulator, session, "REG#")
    status, answer = api.request("POST", CANCEL, {"token": first})
    assert (status, answer["code"]) == (409, "registration_renewed")
    assert "tilmeldt dig igen" in answer["message"] and "nyeste mail" in answer["message"]
    assert stored(emulator, session, "REG#") == before  # still confirmed, the seat taken
    flush(api, mail)
    assert mail.new_messages() == []
    assert api.request("POST", CANCEL, {"token": second}) == (200, {"status": "cancelled"})
    assert api.request("POST", CANCEL, {"token": first}) == (200, {"status": "cancelled"})
    # Erased, then registered anew (round 1 again, the same id): a link from before the
    # erasure is for another registration and cancels nothing.
    from cli.resources import registration_store
    from shared.privacy.holders import ForumsHolder

    owner = mailbox()
    before_erasure = register_and_cancel_link()
    ForumsHolder(registration_store()).erase(owner, datetime.now(UTC))
    anew = register_and_cancel_link()
    before = stored(emulator, session, "REG#")
    status, answer = api.request("POST", CANCEL, {"token": before_erasure})
    assert status == 400 and stored(emulator, session, "REG#") == before
    assert api.request("POST", CANCEL, {"token": anew}) == (200, {"status": "cancelled"})


# -- item: subaddresses of one mailbox ------------------------------------------------------

def case_flips(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flips: "".join(c.upper() if f else c for c, f in zip(text, flips, strict=True)))


@st.composite
def subaddresses(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A mailbox and several of its addresses: with and without `+tag`, in any case."""
    local = "p" + uuid.uuid4().hex[:8]
    tags = draw(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-+_",
                                 min_size=1, max_size=8)
                         .filter(lambda t: not t.startswith(".") and not t.endswith(".")
                                 and ".." not in t),
                         min_size=2, max_size=4, unique=True))
    variants = [f"{local}+{tag}@example.dk" for tag in tags]
    return f"{local}@example.dk", [draw(case_flips(v)) for v in variants]


@SLOW
@given(mailbox_and_variants=subaddresses())
def test_subaddresses_of_one_mailbox_are_one_registration_and_one_mail(
    api: Api, mail: Mail, emulator: Emulator, mailbox_and_variants: tuple[str, list[str]],
) -> None:
    """`hoarder+1@`, `Hoarder+2@` … cannot take a seat each, nor get a mail each."""
    base, variants = mailbox_and_variants
    session = new_session(len(variants) + 1)
    for n, address in enumerate([*variants, base]):
        assert api.request("POST", REGISTER, person(session, address, f"hamster{n:02}")) == (
            202, {"status": "received"})
    flush(api, mail)
    (link,) = mail.new_messages()  # one mailbox, one gate
    assert str(link["To"]).lower().split("+")[0].split("@")[0] == base.split("@")[0]
    token = token_in(link)
    assert api.request("POST", CONFIRM, {"token": token}) == (200, {"status": "confirmed"})
    for n, address in enumerate(variants):
        assert api.request("POST", REGISTER, person(session, address, f"igen{n:02}")) == (
            202, {"status": "received"})
    flush(api, mail)
    assert [str(m["Subject"]).split(" – ")[0] for m in mail.new_messages()] == [
        "Bekræftelse: Testforum"]  # the gate of the round is closed: no note per variant
    assert len(registered(emulator, session)) == 1
    forums = api.request("GET", "/api/forums")[1]["forums"]
    seats = next(s for f in forums for s in f["sessions"] if s["id"] == session)
    assert seats["seats_left"] == len(variants)  # one seat taken, whatever the variants
    # A data-protection request for any spelling of the mailbox finds the registration (made
    # under whichever variant came last) and erases it.
    from cli.resources import registration_store
    from shared.privacy.holders import ForumsHolder

    holder = ForumsHolder(registration_store())
    asked = variants[0].upper()
    found = holder.export(asked)  # the registration, and the variants' submissions since
    assert [e["status"] for e in found if e.get("status") == "confirmed"] == ["confirmed"]
    assert len(found) == 1 + len(variants)
    holder.erase(base, datetime.now(UTC))
    assert registered(emulator, session) == [] and holder.export(asked) == []


def test_a_member_number_two_registrations_give_is_shown_to_the_secretariat(
    api: Api, mail: Mail, tokens: dict[str, dict[str, Any]],
) -> None:
    session = new_session(3)
    for who, number in (("anne", "12-345"), ("bo", "12345"), ("carl", "999")):
        form = {**person(session, mailbox(), who), "member_number": number}
        assert api.request("POST", REGISTER, form) == (202, {"status": "received"})
        flush(api, mail)
        token = token_in(mail.take(form["email"], "Bekræft din tilmelding"))
        assert api.request("POST", CONFIRM, {"token": token})[0] == 200  # never refused
    status, answer = api.request("GET", f"/api/staff/sessions/{session}/participants",
                                 headers=bearer(tokens["secretariat"]["IdToken"]))
    assert status == 200
    shown = {p["member_number"]: p["member_number_shared"] for p in answer["participants"]}
    assert shown == {"12-345": True, "12345": True, "999": False}


# -- a stranger's submission landing at every step of the owner's press ---------------------

@pytest.mark.parametrize("step", ["Query", "GetItem", "TransactWriteItems", "DeleteItem"])
@pytest.mark.parametrize("page", [True, False], ids=["details as shown", "no details"])
def test_a_strangers_submission_landing_during_the_press_never_becomes_the_registration(
    emulator: Emulator, step: str, page: bool,
) -> None:
    """The owner presses (as the page does, with the details shown, or without any, as an API
    client may); just before each of the press's calls a stranger submits the same address.
    What is registered is what the owner pressed, never the stranger's text."""
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.forums.registration.models import RegistrationForm
    from shared.forums.registration.service import Registrations
    from shared.platform.names import PARAM_FORUMS_TABLE
    from tests.support.interleavings import before_write

    store = DynamoRegistrationStore(parameter(PARAM_REGISTRATIONS_TABLE),
                                    parameter(PARAM_FORUMS_TABLE))
    service = Registrations(store, b"test-secret")
    session, owner = new_session(2), mailbox()

    def form(word: str) -> RegistrationForm:
        return RegistrationForm.model_validate(person(session, owner, word))

    service.submit(form("tidligfremmed"))  # a stranger's, earlier: superseded
    token = service.confirm_token(service.submit(form("ejerensegen")))
    mine = typed(person(session, owner, "ejerensegen"))
    corrections = {k: v for k, v in mine.items() if v is not None} if page else {}
    if not page and step == "Query":
        pytest.skip("before the press reads anything, the stranger's is the newest: the page "
                    "would show it (and send the owner's details over it)")
    with before_write(step, lambda: service.submit(form("senfremmed"))) as done:
        answer = (service.confirm_by_token(token, corrections) if corrections
                  else service.confirm_by_token(token))
        assert answer.status.value == "confirmed"
    assert done == [step]
    assert registered(emulator, session) == [mine]
    held = stored(emulator, session, "SUB#")
    assert all("senfremmed" in item["name"]["S"] for item in held)  # came after: waits, unseen


def test_no_browser_or_proxy_keeps_what_a_confirmation_link_shows(api: Api, mail: Mail) -> None:
    """The link's page shows what was typed (phone, member number, needs): no cache keeps it."""
    from tests.integration.conftest import raw

    session, owner = new_session(1), mailbox()
    api.request("POST", REGISTER, person(session, owner, "cache"))
    flush(api, mail)
    token = token_in(mail.take(owner, "Bekræft din tilmelding"))
    answer = raw(api, "GET", f"{CONFIRM}?token={token}", {})
    assert answer["statusCode"] == 200 and "Navn cache" in answer["body"]
    headers = {**(answer.get("headers") or {}),
               **{k: v[-1] for k, v in (answer.get("multiValueHeaders") or {}).items()}}
    assert headers.get("Cache-Control") == "no-store", answer
