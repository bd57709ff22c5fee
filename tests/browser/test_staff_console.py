"""The staff console in chromium against `make run`: the secretariat's demo user signs in at
/personale/ with the password `make run` printed, sees its own area only, lists participants,
downloads the spreadsheet, closes and reopens a session and cancels one (asked first; every
participant mailed once); another role sees no secretariat area and its token is refused by
the secretariat's routes; an invited person chooses a password, sets up TOTP and gives a code
at the next sign-in. axe on every state of the console at both widths; the CSP on every
page, with no inline script or style anywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe_at_both_widths, demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
SESSION = "personale-horsens"


@pytest.fixture(scope="module")
def session(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A session of one seat with one participant and one waiting."""
    session_id = runtime.one_seat_session(tmp_path_factory.mktemp("catalogue"),
                                          ("personale-forum", "Forum for personaletesten"),
                                          (SESSION, "Horsens", "Horsens Ny Teater"),
                                          "2099-04-02")
    for name, email in (("Birthe Holm", "birthe@example.dk"), ("Jens Lund", "jens@example.dk")):
        runtime.remember(name, email)
        status, _ = runtime.register({
            "session_id": session_id, "name": name, "email": email, "role": "area_leader",
            "workplace": "Horsens Kommune", "member_number": "4711", "consent": True,
            "website": ""})
        assert status == 200
    return session_id


def row(page: Page) -> Any:
    return page.locator("tr", has=page.get_by_role("rowheader", name=re.compile("^Horsens")))


def test_every_page_carries_the_csp_and_no_page_has_inline_script_or_style(
        runtime: Running, console: Page) -> None:
    for path in ("/", "/nyhedsbrev.html", "/tilmelding.html?session=x", "/personale/",
                 "/privatliv.html", "/lederkonsulent.html"):
        answer = console.goto(runtime.url + path)
        assert answer is not None
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert console.locator("script:not([src]), style, [style]").count() == 0, path
    status, config = runtime.json("GET", "/personale/config.json")
    assert status == 200 and set(config) == {"region", "userPoolId", "clientId", "endpoint"}
    assert config["endpoint"].rstrip("/") in csp  # the staff sign in at the emulator


def test_a_wrong_password_and_an_unknown_address_are_told_the_same(
        runtime: Running, console: Page) -> None:
    email, _ = demo_users(runtime)["secretariat"]
    console.goto(runtime.url + "/personale/")
    axe_at_both_widths(console, "log-ind")
    messages = []
    for address in (email, "ukendt@example.dk"):
        console.locator("#log-ind-form").get_by_label("E-mail", exact=True).fill(address)
        console.get_by_label("Adgangskode", exact=True).fill("Forkert-Adgangskode-1")
        console.get_by_role("button", name="Log ind").click()
        alert = console.locator("#log-ind-fejl")
        expect(alert).not_to_be_empty()
        messages.append(alert.inner_text())
        alert.evaluate("node => node.textContent = ''")
    assert messages == ["Forkert e-mail eller adgangskode."] * 2


def test_the_secretariat_lists_participants_downloads_closes_reopens_and_cancels(
        runtime: Running, console: Page, session: str) -> None:
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    areas = console.get_by_role("navigation", name="Dine områder")
    expect(areas.get_by_role("link")).to_have_text(["Sekretariatet"])
    expect(console.get_by_role("heading", name="Redaktøren: nyhedsbrevet")).to_be_hidden()
    expect(row(console)).to_contain_text("1 af 1")
    expect(row(console).locator("td").nth(1)).to_have_text("1")  # waiting
    axe_at_both_widths(console, "sekretariat")
    assert console.evaluate("location.href").endswith("/personale/")  # no token in the address

    row(console).get_by_role("button", name=re.compile("^Deltagere")).click()
    participants = console.locator("#deltager-liste")
    expect(participants).to_contain_text("Birthe Holm")
    expect(participants).to_contain_text("På venteliste (nr. 1)")
    axe_at_both_widths(console, "deltagere")
    with console.expect_download() as download:
        console.get_by_role("button", name="Hent regneark (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8")
    assert text.startswith("\ufeffStatus;") and "Jens Lund" in text

    row(console).get_by_role("button", name=re.compile("^Luk tilmelding")).click()
    expect(console.locator("#konsol-status")).to_contain_text("Tilmeldingen er lukket")
    expect(row(console)).to_contain_text("Lukket")
    forums = runtime.json("GET", "/api/forums")[1]["forums"]
    seen = {s["id"]: s["status"] for f in forums for s in f["sessions"]}
    assert seen[session] == "closed"
    row(console).get_by_role("button", name=re.compile("^Åbn tilmelding")).click()
    expect(console.locator("#konsol-status")).to_contain_text("Tilmeldingen er åbnet")
    expect(row(console)).to_contain_text("Fuldt booket")

    row(console).get_by_role("button", name=re.compile("^Aflys")).click()
    console.get_by_role("button", name="Aflys mødet …").click()
    expect(console.locator("#aflys-fejl")).to_have_text("Skriv en begrundelse til deltagerne.")
    console.get_by_label("Begrundelse").fill("Oplægsholderen er syg; vi finder en ny dato.")
    console.get_by_role("button", name="Aflys mødet …").click()
    expect(console.locator("#aflys-advarsel")).to_contain_text("Alle 2 tilmeldte og ventende")
    # The email itself is shown before anything is sent: it already says "Vi må desværre
    # aflyse:" and names the meeting, so the reason need not.
    preview = console.locator("#aflys-mail-tekst")
    expect(preview).to_contain_text("Vi må desværre aflyse:")
    expect(preview).to_contain_text("Oplægsholderen er syg; vi finder en ny dato.")
    shown = preview.text_content() or ""
    subject = console.locator("#aflys-mail-emne").text_content()
    axe_at_both_widths(console, "aflys")
    console.get_by_role("button", name="Ja, aflys mødet").click()
    expect(console.locator("#konsol-status")).to_contain_text("er aflyst; 2 deltagere får besked")
    expect(row(console)).to_contain_text("Aflyst")
    for address, name in (("birthe@example.dk", "Birthe Holm"), ("jens@example.dk", "Jens Lund")):
        mails = runtime.mails(address, "Aflyst: ")
        assert len(mails) == 1 and mails[0]["subject"] == subject
        assert mails[0]["text"].strip() == shown.replace("[deltagerens navn]", name).strip()

    console.get_by_role("button", name="Log ud").click()
    expect(console.locator("#konsol-status")).to_have_text("Du er logget ud.")
    assert console.evaluate("sessionStorage.length") == 0
    console.reload()
    expect(console.get_by_role("button", name="Log ind")).to_be_visible()


def test_another_role_sees_no_secretariat_and_its_token_is_refused_there(
        runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["editor"]
    sign_in(console, runtime, email, password)
    areas = console.get_by_role("navigation", name="Dine områder")
    expect(areas.get_by_role("link")).to_have_text(["Redaktøren"])
    expect(console.get_by_role("heading", name="Sekretariatet: forum og møder")).to_be_hidden()
    axe_at_both_widths(console, "redaktoer")
    answers = console.evaluate("""async () => {
        const token = JSON.parse(sessionStorage.getItem('personale.session')).idToken;
        const out = [];
        const session = '/api/staff/sessions/skole-fritid-odense';
        for (const [method, path] of [['GET', '/api/staff/forums'],
                                      ['POST', session + '/close'],
                                      ['GET', session + '/participants']]) {
          const answer = await fetch(path, {method, headers: {Authorization: 'Bearer ' + token}});
          out.push([answer.status, (await answer.json()).code]);
        }
        const none = await fetch('/api/staff/forums');
        out.push([none.status, (await none.json()).code]);
        return out;
    }""")
    assert answers == [[403, "forbidden"]] * 3 + [[401, "unauthorized"]]


EXPIRE = """() => {
    const kept = JSON.parse(sessionStorage.getItem('personale.session'));
    kept.expiresAt = Date.now() - 1000;
    sessionStorage.setItem('personale.session', JSON.stringify(kept));
}"""


def test_an_expired_token_is_renewed_and_a_session_signed_out_elsewhere_ends(
        runtime: Running, console: Page) -> None:
    """The ID token lives five minutes in AWS: the page renews it with the refresh token, so
    a working day goes on; once the user is signed out everywhere (as `leaders staff remove`
    does first), Cognito refuses the renewal and the page signs out."""
    import boto3

    email, password = demo_users(runtime)["consultant"]
    sign_in(console, runtime, email, password)
    signed_in = console.get_by_role("heading", name=re.compile("^Logget ind som"))
    console.evaluate(EXPIRE)
    console.reload()
    expect(signed_in).to_be_visible()
    renewed = console.evaluate(
        "() => JSON.parse(sessionStorage.getItem('personale.session')).expiresAt > Date.now()")
    assert renewed is True

    config = runtime.json("GET", "/personale/config.json")[1]
    idp = boto3.client("cognito-idp", endpoint_url=config["endpoint"],
                       region_name=config["region"], aws_access_key_id="local",
                       aws_secret_access_key="local")
    idp.admin_user_global_sign_out(UserPoolId=config["userPoolId"], Username=email)
    console.evaluate(EXPIRE)
    console.reload()
    expect(console.get_by_role("button", name="Log ind")).to_be_visible()
    expect(signed_in).to_be_hidden()
    expect(console.get_by_text("din adgang er ændret")).to_be_visible()


def test_an_invited_person_chooses_a_password_sets_up_totp_and_gives_a_code_next_time(
        runtime: Running, console: Page) -> None:
    from tests.support.staff import totp_code

    email = "ny.sekretaer@example.dk"
    printed = runtime.leaders("staff", "invite", email, "--role", "secretariat")
    temporary = re.search(r"midlertidig adgangskode: (\S+)", printed)
    assert temporary, printed
    console.goto(runtime.url + "/personale/")
    console.locator("#log-ind-form").get_by_label("E-mail", exact=True).fill(email)
    console.get_by_label("Adgangskode", exact=True).fill(temporary.group(1))
    console.get_by_role("button", name="Log ind").click()
    expect(console.get_by_role("heading", name="Vælg din adgangskode")).to_be_visible()
    axe_at_both_widths(console, "ny-adgangskode")
    chosen = "Sekretariatets-Egen-Kode-1"
    console.get_by_label("Ny adgangskode").fill(chosen)
    console.get_by_label("Gentag adgangskoden").fill(chosen + "x")
    console.get_by_role("button", name="Gem adgangskode").click()
    expect(console.locator("#ny-adgangskode-fejl")).to_have_text("De to adgangskoder er ikke ens.")
    console.get_by_label("Gentag adgangskoden").fill(chosen)
    console.get_by_role("button", name="Gem adgangskode").click()
    expect(console.get_by_role("heading", name="Opsæt engangskoder")).to_be_visible()
    secret = console.locator("#mfa-noegle").inner_text()
    assert secret
    axe_at_both_widths(console, "mfa-opsaetning")
    console.get_by_label("Kode fra appen").fill("000000" if totp_code(secret) != "000000"
                                               else "111111")
    console.get_by_role("button", name="Bekræft").click()
    expect(console.locator("#mfa-opsaetning-fejl")).to_contain_text("Koden passer ikke")
    console.get_by_label("Kode fra appen").fill(totp_code(secret))
    console.get_by_role("button", name="Bekræft").click()
    expect(console.get_by_role("heading", name=f"Logget ind som {email}")).to_be_visible()
    console.get_by_role("button", name="Log ud").click()

    console.locator("#log-ind-form").get_by_label("E-mail", exact=True).fill(email)
    console.get_by_label("Adgangskode", exact=True).fill(chosen)
    console.get_by_role("button", name="Log ind").click()
    expect(console.get_by_role("heading", name="Kode fra din app")).to_be_visible()
    axe_at_both_widths(console, "mfa")
    console.get_by_label("Engangskode (6 cifre)").fill(totp_code(secret))
    console.get_by_role("button", name="Log ind").click()
    expect(console.get_by_role("heading", name=f"Logget ind som {email}")).to_be_visible()
    runtime.leaders("staff", "remove", email)


def test_the_secretariat_imports_a_catalogue_file_and_reads_each_error_by_field(
        runtime: Running, console: Page) -> None:
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    chooser = console.get_by_label("Katalogfil")
    bad = b"forums:\n  - id: konsol-forum\n    title: Konsolforum\n    sessions:\n" \
          b"      - id: konsol-vejle\n        city: Vejle\n        starts_at: 2099-05-02T09:00\n" \
          b"        ends_at: 2099-05-02T08:00\n        registration_deadline: 2099-04-20T12:00\n" \
          b"        capacity: 0\n"
    chooser.set_input_files(files=[{"name": "katalog.yaml", "mimeType": "application/yaml",
                                    "buffer": bad}])
    console.get_by_role("button", name="Se, hvad filen ændrer").click()
    errors = console.locator("#katalog-fejl li")
    expect(errors.first).to_be_visible()
    assert "Møde konsol-vejle, antal pladser: tallet skal være mindst 1." in \
        errors.all_inner_texts()
    expect(chooser).to_have_attribute("aria-invalid", "true")
    axe_at_both_widths(console, "katalog-fejl")
    assert not [f for f in runtime.json("GET", "/api/forums")[1]["forums"]
                if f["id"] == "konsol-forum"]

    good = bad.replace(b"08:00\n", b"15:00\n").replace(b"capacity: 0", b"capacity: 25")
    chooser.set_input_files(files=[{"name": "katalog.yaml", "mimeType": "application/yaml",
                                    "buffer": good}])
    console.get_by_role("button", name="Se, hvad filen ændrer").click()
    console.get_by_role("button", name="Indlæs", exact=True).click()
    expect(console.locator("#konsol-status")).to_have_text(
        "Kataloget er indlæst: 1 lederforum og 1 møde.")
    expect(console.locator("#katalog-fejl")).to_be_empty()
    expect(console.get_by_role("rowheader", name=re.compile("^Vejle"))).to_be_visible()
