"""What members and staff read, as a native reader read it: every email template rendered
(through the code that sends it), every page rendered, and the console's scripts, checked for
the wording a Dane would stop at (absent) and the wording that replaced it (present)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import ValidationError

from pages.site import STATIC, build
from shared.advisory.mail import AdvisoryMailer, Consultant
from shared.advisory.models import AdvisoryRequest, Kind
from shared.advisory.models import Status as AdvisoryStatus
from shared.email.render import TEMPLATES
from shared.forums.models import Forum, Session
from shared.forums.registration.mail import (
    PREVIEW_NAME,
    Notifier,
    cancellation_preview,
    message_email,
)
from shared.forums.registration.messages import Outgoing, SessionMessage
from shared.forums.registration.models import (
    CancelledBy,
    Registration,
    RegistrationForm,
    Status,
    Submission,
)
from shared.newsletter.editor import draft
from shared.newsletter.mail import confirmation_email, issue_email, plain_text
from shared.newsletter.models import Subscriber
from shared.platform.names import ENV_CONTACT_EMAIL
from shared.roles import Audience
from shared.validation import field_errors

NOW = datetime(2027, 1, 16, 6, 0, tzinfo=UTC)  # Saturday 07.00, the reminders' daily run
SESSION = Session(id="evalueringskultur-kolding", forum_id="evalueringskultur", city="Kolding",
                  venue="Comwell Kolding", starts_at=datetime(2027, 1, 17, 8, 30, tzinfo=UTC),
                  ends_at=datetime(2027, 1, 17, 14, 30, tzinfo=UTC), capacity=40,
                  registration_deadline=datetime(2027, 1, 10, 8, 30, tzinfo=UTC))
FORUM = Forum(id="evalueringskultur", title="Evalueringskultur og datainformeret ledelse",
              description="…", audience=Audience.LEADERS_OF_LEADERS)
WHERE = "Evalueringskultur og datainformeret ledelse – Kolding 17. januar"


# -- the registration emails, sent by the notifier ----------------------------------------

class Outbox:
    sender = "ledere-af-ledere@example.dk"

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage, to: str) -> str:
        self.sent.append(message_from_bytes(message.as_bytes(), policy=policy.default))  # type: ignore[arg-type]
        return str(len(self.sent))


class World:
    """One forum, one session; the registration held (or not) and its place in line."""

    def __init__(self, held: Registration | None = None) -> None:
        self.held = held

    def session(self, session_id: str) -> Session:
        return SESSION

    def forum(self, forum_id: str) -> Forum:
        return FORUM

    def cancel_reason(self, session_id: str) -> str:
        return "Oplægsholderen er blevet syg."

    def submission(self, *args: object) -> object:
        return object()

    def get(self, session_id: str, registration_id: str) -> Registration | None:
        return self.held

    def position(self, session_id: str, registration_id: str) -> int:
        return 3

    def claim(self, *args: object, **kwargs: object) -> bool:
        return True

    def pass_gate(self, *args: object) -> bool:
        return True

    def cancel_token(self, *args: object) -> str:
        return "afmeld"

    def confirm_token(self, *args: object) -> str:
        return "bekraeft"

    def cancel_registration(self, token: str) -> str:
        return f"https://ledere.example.dk/afmeld.html?token={token}"

    def confirm_registration(self, token: str) -> str:
        return f"https://ledere.example.dk/bekraeft-tilmelding.html?token={token}"


def registration(**changes: object) -> Registration:
    values: dict[str, object] = {
        "id": "reg-1", "session_id": SESSION.id, "status": Status.CONFIRMED, "name": "Anne",
        "email": "anne@example.dk", "role": "area_leader", "workplace": "Kolding Kommune",
        "created_at": datetime(2027, 1, 1, tzinfo=UTC)}
    return Registration.model_validate({**values, **changes})


def notifier(world: World, outbox: Outbox) -> Notifier:
    return Notifier(world, world, world, world, outbox, world,  # type: ignore[arg-type]
                    clock=lambda: NOW)


def sent(kind: str, who: Registration) -> EmailMessage:
    outbox = Outbox()
    assert notifier(World(), outbox).send(kind, who)
    return outbox.sent[0]


def resent(who: Registration) -> EmailMessage:
    outbox = Outbox()
    request = Outgoing(session_id=SESSION.id, registration_id=who.id, email="resent",
                       key="1800000000", requested_at=NOW, expires_at=NOW)
    assert notifier(World(who), outbox).resend(who, request)
    return outbox.sent[0]


MESSAGE = SessionMessage(id="m1", session_id=SESSION.id, subject="Nyt om mødet i Kolding",
                         text="Kære alle\n\nHusk at tage jeres egne data med.\nVi ses!",
                         created_at=NOW, expires_at=NOW)


def submitted(held: Registration | None) -> EmailMessage:
    outbox = Outbox()
    submission = Submission(id="sub-1", registration_id="reg-1", session_id=SESSION.id,
                            name="Anne", email="anne@example.dk", role="area_leader",
                            workplace="Kolding Kommune", submitted_at=NOW,
                            expires_at=datetime(2027, 1, 18, 6, 0, tzinfo=UTC))
    assert notifier(World(held), outbox).on_submission(submission)
    return outbox.sent[0]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def advisory(kind: Kind, consultant: Consultant) -> dict[str, EmailMessage]:
    outbox = Outbox()
    mailer = AdvisoryMailer(outbox, consultant)  # type: ignore[arg-type]
    request = AdvisoryRequest(reference="LR-7K3M9Q", kind=kind, urgent=False,
                              status=AdvisoryStatus.WAITING, received_at=NOW, sealed="x",
                              queued_at=NOW, expires_at=0)
    mailer.receipt("anne@example.dk", request)
    mailer.notice(request)
    return {"receipt": outbox.sent[0], "notice": outbox.sent[1]}


def every_email() -> dict[str, EmailMessage]:
    """Each template, through the code that sends it (every variant its context selects)."""
    found = {
        "confirm_registration": submitted(None),
        "already_registered": submitted(registration()),
        "confirmation": sent("confirmation", registration()),
        "promoted": sent("promoted", registration()),
        "reminder": sent("reminder", registration()),
        "waitlisted": sent("waitlisted", registration(status=Status.WAITLISTED)),
        "cancelled": sent("cancelled", registration(status=Status.CANCELLED,
                                                    cancelled_by=CancelledBy.PARTICIPANT)),
        "session_cancelled": sent("cancelled", registration(
            status=Status.CANCELLED, cancelled_by=CancelledBy.SESSION_CANCELLED)),
        "session_changed": sent("session_changed", registration()),
        "session_changed_waiting": sent("session_changed",
                                        registration(status=Status.WAITLISTED)),
        "moved": sent("moved", registration(status=Status.CANCELLED,
                                            cancelled_by=CancelledBy.MOVED, moved_to="ny")),
        "moved_confirmation": sent("confirmation", registration(moved_from="gammel")),
        "moved_waitlisted": sent("waitlisted", registration(status=Status.WAITLISTED,
                                                            moved_from="gammel")),
        "resent_confirmation": resent(registration()),
        "resent_waitlisted": resent(registration(status=Status.WAITLISTED)),
    }
    default = Consultant(name="Lederkonsulenten", email="lk@example.dk")
    for kind in (Kind.CONVERSATION, Kind.IDEA):
        for name, message in advisory(kind, default).items():
            found[f"advisory_{name}_{kind.value}"] = message
    subscriber = Subscriber.model_validate({
        "id": "sub-1", "email": "anne@example.dk", "name": "Anne", "role": "area_leader",
        "status": "pending", "created_at": NOW})
    from shared.email.render import mime

    for name, email in (
            ("message", message_email(MESSAGE, SESSION, FORUM.title, "anne@example.dk")),
            ("newsletter_confirm", confirmation_email(subscriber, "https://x.example/b?token=t")),
            ("newsletter_issue", issue_email(
                draft("2027-marts", "Nyt", "Hej\n\nVenlig hilsen\nBestyrelsen", True, NOW),
                "anne@example.dk", "https://x.example/afmeld-nyhedsbrev.html?token=t"))):
        found[name] = message_from_bytes(  # type: ignore[assignment]
            mime(email, "ledere-af-ledere@example.dk", "Ledere af ledere").as_bytes(),
            policy=policy.default)
    return found


EMAILS = every_email()


def test_every_email_template_is_rendered_here() -> None:
    templates = {p.stem for p in TEMPLATES.glob("*.txt") if not p.stem.startswith("_")}
    rendered = set()
    for name in EMAILS:
        name = name.removesuffix("_waiting").removesuffix("_conversation").removesuffix("_idea")
        rendered.add(name if name in templates else name.removeprefix("session_").replace(
            "promoted", "confirmation").replace("reminder", "confirmation"))
    assert templates <= rendered


# Phrases a native reader stopped at: in no email, no page and no console script.
OLD = [
    "med denne mailadresse", "Linket virker til ", '"Bekræft tilmelding"',
    "så pladsen kan gå videre til en på ventelisten", "Din tilmelding er nu afmeldt",
    "Tak fordi", "Det du skriver", "framelde", "Kære Lederkonsulenten",
    "Lederkonsulenten, lederkonsulent", "tager en fortrolig samtale",
    "En idé eller et problem", "Kommende forum", "kommende lederforum.", "ingen forum",
    "kommende forum", "listen over forum", "Henter forum", "Du skal acceptere betingelserne",
    "hvis du er medlem (ledere af ledere)", "er lånt ud til dig", "Din indtil", "Bounced",
    '"Klager"', "eksemplet herunder følger med", '" forum og "', "Fristen var",
    "om {{ days_before }} dage", "husker vi kun, at adressen", "dateStyle",
    "Mødet er aflyst.\"); }\n    if (closed", "Sessionen", "sessionens",
]


@pytest.mark.parametrize("name", sorted(EMAILS))
def test_no_email_says_what_a_dane_would_stop_at(name: str) -> None:
    text, html = parts(EMAILS[name])
    for phrase in OLD:
        assert phrase not in text and phrase not in html, (name, phrase)
    # Phones lay the HTML out at their own width, not at 980 px.
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


# (email, its subject, phrases its text holds)
SAID = [
    ("confirm_registration", f"Bekræft din tilmelding: {WHERE}",
     ["en tilmelding fra denne mailadresse", "Linket virker indtil 18. januar 2027 kl. 07.00",
      "»Bekræft tilmelding«", "søndag den 17. januar 2027 kl. 09.30–15.30"]),
    ("already_registered", f"Du er allerede tilmeldt: {WHERE}",
     ["en tilmelding mere fra denne mailadresse",
      "Kan du alligevel ikke komme, beder vi dig melde afbud her, så en anden kan få pladsen"]),
    ("confirmation", f"Bekræftelse: {WHERE}",
     ["Kan du alligevel ikke komme, beder vi dig melde afbud her, så en anden kan få pladsen"]),
    ("promoted", f"Du har fået en plads: {WHERE}", ["rykket op fra ventelisten"]),
    # The daily run at 07.00 reaches a 09.30 session the day before: it says so.
    ("reminder", f"Påmindelse: {WHERE}",
     ["Vi glæder os til at se dig i morgen, søndag den 17. januar. Du er tilmeldt:",
      "Kan du alligevel ikke komme, beder vi dig melde afbud her, så en anden kan få pladsen"]),
    ("waitlisted", f"Venteliste: {WHERE}", ["kan du afmelde dig her"]),
    ("cancelled", f"Afmeldt: {WHERE}", ["Du er nu afmeldt:", "Tak, fordi du gav besked"]),
    # This world has one session: moved from it to it.
    ("moved", f"Flyttet: {WHERE}",
     ["Vi har flyttet din tilmelding fra Kolding 17. januar til Kolding 17. januar.",
      "Din tilmelding til dette møde er derfor afmeldt:",
      "Du får en særskilt mail om din tilmelding til det nye møde.",
      "fjerner det gamle møde fra din kalender"]),
    ("moved_confirmation", f"Bekræftelse: {WHERE}",
     ["Vi har flyttet din tilmelding fra Kolding 17. januar. Du har nu en plads på:"]),
    ("moved_waitlisted", f"Venteliste: {WHERE}",
     ["Vi har flyttet din tilmelding fra Kolding 17. januar.", "som nummer 3 til:"]),
    ("resent_confirmation", f"Bekræftelse: {WHERE}",
     ["Her er din bekræftelse igen. Du er tilmeldt:", "melde afbud her"]),
    ("resent_waitlisted", f"Venteliste: {WHERE}",
     ["Her er besked om din tilmelding igen. Du står på ventelisten som nummer 3 til:"]),
    ("message", "Nyt om mødet i Kolding",
     ["Kære alle", "Husk at tage jeres egne data med.", "Vi ses!",
      "Du får denne mail, fordi du er tilmeldt:", "Evalueringskultur og datainformeret ledelse",
      "Venlig hilsen"]),
    ("session_cancelled", f"Aflyst: {WHERE}", ["Vi må desværre aflyse:"]),
    ("session_changed", f"Ændret: {WHERE}",
     ["Vi har ændret tid eller sted for et møde, du er tilmeldt. Her er de nye oplysninger:",
      "Din plads er den samme.", "flytter mødet i din kalender",
      "Passer det nye tidspunkt eller sted dig ikke, beder vi dig melde afbud her"]),
    ("session_changed_waiting", f"Ændret: {WHERE}",
     ["for et møde, du står på ventelisten til. Her er de nye oplysninger:",
      "Du står stadig på ventelisten som nummer 3.", "kan du afmelde dig her"]),
    ("advisory_receipt_conversation", "Vi har modtaget din henvendelse (LR-7K3M9Q)",
     ["Lederkonsulenten kontakter dig inden for 3 arbejdsdage"]),
    ("advisory_receipt_idea", "Vi har modtaget din henvendelse (LR-7K3M9Q)",
     ["Lederkonsulenten læser den inden for 3 arbejdsdage"]),
    ("advisory_notice_idea", "Ny henvendelse i køen: LR-7K3M9Q", ["Kære lederkonsulent\n"]),
    ("newsletter_confirm", "Bekræft dit abonnement på nyhedsbrevet",
     ["Hej\n", "Var det dig, så bekræft"]),
]


@pytest.mark.parametrize(("name", "subject", "phrases"), SAID)
def test_each_email_says_it_the_way_a_dane_would(name: str, subject: str,
                                                  phrases: list[str]) -> None:
    message = EMAILS[name]
    assert message["Subject"] == subject
    text, html = parts(message)
    for phrase in phrases:
        assert phrase in text, (name, phrase)
        # The HTML says the same (its markup aside).
        assert phrase.strip() in re.sub(r"<[^>]+>", "", html).replace("\n", " ") or \
            phrase.strip() in plain_text(html).replace("\n", " "), (name, phrase)


@pytest.mark.parametrize("name", ["confirm_registration", "reminder", "session_cancelled",
                                  "waitlisted"])
def test_the_meeting_stands_as_a_block_of_its_own_in_the_text(name: str) -> None:
    text = parts(EMAILS[name])[0]
    assert ("\n\nEvalueringskultur og datainformeret ledelse\nSted: Kolding, Comwell Kolding\n"
            "Tid: søndag den 17. januar 2027 kl. 09.30–15.30\n\n") in text


def test_the_cancel_dialog_previews_the_very_email_participants_get() -> None:
    preview = cancellation_preview(SESSION, FORUM.title, "Oplægsholderen er blevet syg.")
    message = EMAILS["session_cancelled"]
    assert preview.subject == message["Subject"]
    assert preview.text.replace(PREVIEW_NAME, "Anne") == parts(message)[0]


def test_a_named_consultant_is_named_and_introduced() -> None:
    mails = advisory(Kind.CONVERSATION, Consultant(name="Anne Hansen", email="ah@example.dk"))
    assert "Kære Anne Hansen\n" in parts(mails["notice"])[0]
    assert "Anne Hansen, lederkonsulent, kontakter dig" in parts(mails["receipt"])[0]


def test_the_newsletter_keeps_single_line_breaks_and_spaces_its_footer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CONTACT_EMAIL, "kontakt@example.dk")
    email = issue_email(draft("2027-marts", "Nyt", "Hej\n\nVenlig hilsen\nBestyrelsen", True, NOW),
                        "anne@example.dk", "https://x.example/afmeld-nyhedsbrev.html?token=t")
    text, html = email.text, email.html
    assert "Venlig hilsen<br" in html and "Venlig hilsen\nBestyrelsen" in text
    assert "Afmeld med ét klik</a>.<br>" in html
    assert re.search(r"Afmeld med ét klik( \([^)]*\))?\.\nKontakt:", plain_text(html))


# -- server answers ---------------------------------------------------------------------

def errors_of(values: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        RegistrationForm.model_validate(values)
    return {e.field: e.message for e in field_errors(refused.value.errors())}


FORM = {"session_id": SESSION.id, "name": "Anne", "email": "anne@example.dk",
        "role": "area_leader", "workplace": "Kolding Kommune", "member_number": "123456",
        "consent": True, "website": ""}


def test_form_errors_say_what_to_do() -> None:
    assert errors_of({**FORM, "consent": False})["consent"] == \
        "Sæt kryds for at give dit samtykke."
    assert errors_of({**FORM, "member_number": None})["member_number"] == \
        "Skriv dit medlemsnummer."
    assert errors_of({**FORM, "member_number": "12 34"})["member_number"] == \
        "Må kun have tal, bogstaver og bindestreger, fx 123456."


def test_an_id_in_the_wrong_form_is_told_what_it_may_hold() -> None:
    with pytest.raises(ValidationError) as refused:
        Forum.model_validate({"id": "Evalueringskultur 2027", "title": "T"})
    (error,) = field_errors(refused.value.errors())
    assert error.message == ("Id må kun have små bogstaver (a-z), tal og bindestreger, 2-63 tegn "
                             "og ikke bindestreg først, fx evalueringskultur-kolding-2027.")


# -- the pages and the console ----------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("site"))


def readable(site: Path) -> dict[str, str]:
    """Every page and every script, as served."""
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("*")) if p.suffix in (".html", ".js")
            and p.name != "telefonnummer.js"}


def test_no_page_or_console_text_says_what_a_dane_would_stop_at(site: Path) -> None:
    for name, text in readable(site).items():
        for phrase in OLD:
            assert phrase not in text, (name, phrase)


# (page or script, phrases it holds)
SHOWN = [
    ("index.html", ["Her finder du de kommende lederforummer.", "Kommende møder"]),
    ("tilmelding.html", ["Skal udfyldes, når du er områdeleder, klyngeleder, distriktsleder "
                         "eller anden leder af ledere.",
                         'data-missing="Sæt kryds for at give dit samtykke."']),
    ("lederkonsulent.html", ["tilbyder fortrolige samtaler og sparring og hører gerne dine "
                             "idéer", "Det, du skriver, gemmes",
                             "En idé eller udfordring om at finde, motivere"]),
    ("afmeld.html", ["Står der nogen på ventelisten, får den første din plads.",
                     "Tak, fordi du gav besked."]),
    ("privatliv.html", ["Afmelder du dig, gemmer vi dit navn, din mail og din stilling i\n"
                        "              30 dage, så du ikke får flere numre"]),
    ("personale/index.html", ["Visningen herunder opdateres, mens du skriver.",
                              "Sekretariatet: lederforummer og møder"]),
    ("personale-raadgivning.js", ['"Reserveret til dig " + leaseEnd(', '"til kl. "']),
    ("personale-redaktion.js", ['"Afvist", "Spamklager"', " afvist, ", " spamklager, "]),
    ("personale-sekretariat.js", ['counted(result.forums, "lederforum", "lederforummer")',
                                  'counted(result.sessions, "møde", "møder")']),
    ("forums.js", ["Der er ingen kommende møder lige nu.", "tid.span("]),
]


@pytest.mark.parametrize(("name", "phrases"), SHOWN)
def test_each_page_says_it_the_way_a_dane_would(site: Path, name: str,
                                                 phrases: list[str]) -> None:
    text = readable(site)[name]
    for phrase in phrases:
        assert phrase in text, (name, phrase)


def test_every_page_with_a_script_writes_times_with_one_function(site: Path) -> None:
    for name, text in readable(site).items():
        if name.endswith(".html") and "<script" in text:
            assert text.index('src="/tid.js"') < text.index("<script src=") + 40, name
    for script in STATIC.glob("*.js"):
        if script.name != "tid.js":
            assert "Intl.DateTimeFormat" not in script.read_text(encoding="utf-8"), script.name


def test_password_fields_are_styled_like_every_other_field() -> None:
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    assert re.search(r"input\[type=password\][^{]*\{[^}]*border:", css)


def test_what_the_server_and_the_cli_say_names_a_meeting_the_office_way() -> None:
    """"Møde", the word the office uses, in every message of the API and the CLI."""
    root = Path(__file__).parents[2]
    for folder in ("shared", "functions", "cli"):
        for source in (root / folder).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            for word in ('"Sessionen', "sessionens ", " sessioner", "lånt ud", "Lånt til"):
                assert word not in text, (source.name, word)


def test_the_contact_line_is_written_from_the_setting_as_each_email_is_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that wrote an email before the setting was there (a test, the local runtime
    running every function in one process) still ends the next one with the contact line."""
    from shared.email.render import render

    monkeypatch.delenv(ENV_CONTACT_EMAIL, raising=False)
    context = {"name": "Anne", "kind": "confirmation", "session": SESSION,
               "forum_title": FORUM.title, "when": "i dag", "cancel_url": "https://x.example"}
    assert "Kontakt:" not in render("confirmation", "anne@example.dk", "Emne", context).text
    monkeypatch.setenv(ENV_CONTACT_EMAIL, "kontakt@example.dk")
    assert "Kontakt: kontakt@example.dk" in render("confirmation", "anne@example.dk", "Emne",
                                                   context).text


def test_the_advisory_console_has_a_danish_word_for_every_status() -> None:
    """The queue's history and the data-protection search name each status in Danish: never
    the code (`on_hold`) on the page."""
    script = (STATIC / "personale-raadgivning.js").read_text(encoding="utf-8")
    maps = re.findall(r"var status\w+ = \{([^}]*)\}", script)
    assert len(maps) == 2
    for words in maps:
        named = dict(re.findall(r"(\w+): \"([^\"]+)\"", words))
        assert set(named) == {status.value for status in AdvisoryStatus}, named
