"""An erasure racing the person's own presses, forced at every step of the erasure: before each
DynamoDB call the erasure makes (botocore's `before-call` event on this process's client),
the press runs on another client, as another function would, for each of the three areas:

- forums: the owner presses the link of a submission made before the erasure; the press
  reads before the erasure began and writes at the step; a new form is sent and its link
  pressed at the step;
- newsletter: the owner presses the confirmation link of a signup made before the erasure;
  signs up again and presses at the step;
- advisory: the address sends another request at the step.

After every erasure nothing of the address is held, and a session's seat count and waiting
list match its registrations: a press racing an erasure writes nothing back. The steps are
counted until the press no longer lands inside the erasure (it then runs after it, which is
a new registration, signup or request and would stay: the check is then made before it)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from local.emulator import Emulator
from shared.adapters.aws import client
from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import parameter
from shared.adapters.sealing import KmsSealer
from shared.adapters.wiring import signing_secret
from shared.advisory.lookup import address_key
from shared.advisory.models import AdvisoryForm
from shared.advisory.service import Intake
from shared.errors import InvalidLink
from shared.forums.registration.models import Status
from shared.forums.registration.service import Registrations
from shared.links import Links
from shared.newsletter.models import SubscriberStatus, SubscriptionForm
from shared.newsletter.service import CONFIRM, Newsletter, subscriber_id
from shared.platform.names import (
    ENV_NEWSLETTER_TABLE,
    ENV_SIGNING_SECRET,
    PARAM_ADVISORY_KEY,
    PARAM_ADVISORY_TABLE,
    PARAM_FORUMS_TABLE,
    PARAM_NEWSLETTER_SETTINGS,
    PARAM_REGISTRATIONS_TABLE,
)
from shared.privacy.holders import AdvisoryHolder, ForumsHolder, NewsletterHolder
from shared.tokens import sign
from tests.support.advisory_emulator import lookup_secret
from tests.support.registration_emulator import SECRET, form, new_session, register

_people = itertools.count()


@contextmanager
def before_step(step: int, race: Callable[[], Any]) -> Iterator[list[int]]:
    """Run `race` once, just before this process's `step`-th DynamoDB call (from 0)."""
    calls, fired = itertools.count(), []

    def hook(**_: Any) -> None:
        if next(calls) == step:
            fired.append(step)
            race()

    dynamodb = client("dynamodb")
    dynamodb.meta.events.register("before-call.dynamodb", hook, unique_id="erasure-step")
    try:
        yield fired
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb", unique_id="erasure-step")


def at_every_step(scenario: Callable[[], tuple[Callable[[], Any], Callable[[], Any],
                                               Callable[[], None]]]) -> int:
    """For step 0, 1, …: a fresh `scenario()` gives (erase, race, check); the race runs
    before the erasure's step, `check` after the erasure. Until the erasure ends before the
    step; the number of steps it has."""
    for step in itertools.count():
        erase, race, check = scenario()
        with before_step(step, race) as fired:
            erase()
        check()
        if not fired:
            return step
    raise AssertionError("unreachable")


# -- forums -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stores(emulator: Emulator) -> tuple[DynamoRegistrationStore, DynamoRegistrationStore]:
    """The erasure's store (this process's client, where the steps are counted) and the
    press's (a client of its own, as the registration function's)."""
    tables = parameter(PARAM_REGISTRATIONS_TABLE), parameter(PARAM_FORUMS_TABLE)
    return (DynamoRegistrationStore(*tables),
            DynamoRegistrationStore(*tables, dynamodb=emulator.client("dynamodb")))


def consistent(store: DynamoRegistrationStore, session: str) -> None:
    """The session's seat count and waiting list are its registrations'."""
    state = store.session_state(session)
    assert state is not None
    everyone = store.registrations(session)
    assert state.session.confirmed == sum(r.status is Status.CONFIRMED for r in everyone)
    assert set(state.waiting) == {r.id for r in everyone if r.status is Status.WAITLISTED}


def pressed(press: Callable[[], Any], answers: list[Any]) -> Callable[[], None]:
    """The press, its answer (or the link refused) noted; anything else fails the test."""
    def run() -> None:
        try:
            answers.append(press().status)
        except InvalidLink:
            answers.append("invalid link")
    return run


def held_press(emulator: Emulator, token: str, answers: list[Any]
               ) -> Callable[[], None]:
    """The owner's press, started now: its reads run, its write waits until the returned
    function lets it go (and waits for the press to end)."""
    ready, go, held = threading.Event(), threading.Event(), []
    dynamodb = emulator.client("dynamodb")

    def hold(**_: Any) -> None:
        if not held:
            held.append(True)
            ready.set()
            go.wait(timeout=120)  # a guard against a hung test, never reached

    dynamodb.meta.events.register("before-call.dynamodb.TransactWriteItems", hold)
    service = Registrations(DynamoRegistrationStore(
        parameter(PARAM_REGISTRATIONS_TABLE), parameter(PARAM_FORUMS_TABLE),
        dynamodb=dynamodb), SECRET)
    thread = threading.Thread(target=pressed(lambda: service.confirm_by_token(token), answers))
    thread.start()
    assert ready.wait(timeout=120)

    def release() -> None:
        go.set()
        thread.join(timeout=120)
        assert not thread.is_alive()
    return release


@pytest.mark.parametrize("race", ["press", "press read before", "new form and press"])
def test_a_press_racing_any_step_of_a_forum_erasure_writes_nothing_back(
    emulator: Emulator, stores: tuple[DynamoRegistrationStore, DynamoRegistrationStore],
    race: str,
) -> None:
    mine, theirs = stores
    service, owner = Registrations(mine, SECRET), Registrations(theirs, SECRET)

    def scenario() -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], None]]:
        who = f"slet{next(_people)}"
        email = f"deltager{who}@example.dk"
        seated, pending = new_session(1), new_session(2)
        register(service, form(seated, who))
        register(service, form(seated, f"{who}venter"))  # waits behind the erased seat
        token = service.confirm_token(service.submit(form(pending, who)))
        answers: list[Any] = []
        if race == "press":
            press = pressed(lambda: owner.confirm_by_token(token), answers)
        elif race == "press read before":
            press = held_press(emulator, token, answers)
        else:
            press = pressed(lambda: owner.confirm_by_token(
                owner.confirm_token(owner.submit(form(pending, who)))), answers)

        def check() -> None:
            if not answers and race != "new form and press":
                press()  # the erasure ended before the step: the link is pressed after it
            assert answers[:1] in ([], [Status.CONFIRMED], ["invalid link"]), answers
            assert theirs.with_email(email) == [] and theirs.submissions_with_email(email) == []
            consistent(theirs, pending)
            consistent(theirs, seated)
            [promoted] = theirs.registrations(seated)
            assert promoted.status is Status.CONFIRMED

        return (lambda: ForumsHolder(mine).erase(email, datetime.now(UTC))), press, check

    assert at_every_step(scenario) > 10


# -- newsletter -------------------------------------------------------------------------------

class _NoQueue:
    def request(self, subscriber: str) -> None:
        pass


def _newsletter(store: DynamoNewsletterStore, secret: bytes) -> Newsletter:
    return Newsletter(store=store, mail=None, queue=None, secret=secret,  # type: ignore[arg-type]
                      links=Links("https://example.dk"), confirmations=_NoQueue())


@pytest.mark.parametrize("race", ["press", "signup and press"])
def test_a_press_racing_any_step_of_a_newsletter_erasure_writes_nothing_back(
    emulator: Emulator, race: str,
) -> None:
    settings = json.loads(parameter(PARAM_NEWSLETTER_SETTINGS))
    table, secret = settings[ENV_NEWSLETTER_TABLE], signing_secret(settings[ENV_SIGNING_SECRET])
    mine = DynamoNewsletterStore(table)
    theirs = DynamoNewsletterStore(table, dynamodb=emulator.client("dynamodb"))
    owner = _newsletter(theirs, secret)

    def scenario() -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], None]]:
        email = f"abonnent{next(_people)}@example.dk"
        signup = SubscriptionForm(name="Abonnent", email=email, role="area_leader",
                                  consent=True)
        owner.subscribe(signup)  # pending: the owner has not pressed yet
        sid = owner.subscriber_id(email)
        token = sign(secret, CONFIRM, {"subscriber": sid}, datetime.now(UTC) + timedelta(days=1))
        answers: list[Any] = []

        def press() -> None:
            if race == "signup and press":
                owner.subscribe(signup)
            try:
                answers.append(owner.confirm(token))
            except InvalidLink:
                answers.append("invalid link")

        def check() -> None:
            if not answers:
                press()  # after the erasure: the link's signup is gone
                assert race == "signup and press" or answers == ["invalid link"]
                return
            assert answers[0] in {SubscriberStatus.SUBSCRIBED, "invalid link"}
            assert theirs.subscriber(sid) is None

        erase = NewsletterHolder(mine, partial(subscriber_id, secret)).erase
        return (lambda: erase(email, datetime.now(UTC))), press, check

    assert at_every_step(scenario) >= 3


# -- advisory ---------------------------------------------------------------------------------

class _NoMail:
    def receipt(self, *_: Any, **__: Any) -> None:
        pass

    def notice(self, *_: Any) -> None:
        pass


class _NoWork:
    def send(self, *_: Any, **__: Any) -> None:
        pass


def test_a_request_sent_at_any_step_of_an_advisory_erasure_is_erased_too(
    emulator: Emulator,
) -> None:
    table, sealer = parameter(PARAM_ADVISORY_TABLE), KmsSealer(parameter(PARAM_ADVISORY_KEY))
    theirs = DynamoAdvisoryStore(table, dynamodb=emulator.client("dynamodb"))
    secret = lookup_secret()
    keyed = partial(address_key, secret)
    sender = Intake(store=theirs, sealer=sealer, queue=_NoWork(),  # type: ignore[arg-type]
                    mailer=_NoMail(), retention_days=180, secret=secret)  # type: ignore[arg-type]

    def scenario() -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], None]]:
        email = f"afsender{next(_people)}@example.dk"

        def send(message: str) -> None:
            sender.submit(AdvisoryForm(kind="conversation", name="Afsender", email=email,
                                       message=message, consent=True))

        send("Den første henvendelse.")

        def race() -> None:
            send("Den anden, sendt mens der slettes.")

        def check() -> None:
            assert AdvisoryHolder(theirs, sealer, keyed).held(email) == []

        erase = AdvisoryHolder(DynamoAdvisoryStore(table), sealer, keyed).erase
        return (lambda: erase(email, datetime.now(UTC))), race, check

    assert at_every_step(scenario) >= 2
