"""The staff console in chromium against `make run`, attacked and used carelessly: markup a
member types is shown as text, and the password typed at sign-in does not stay in the page
while the user works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import demo_users, sign_in
from tests.e2e.conftest import Running

pytestmark = pytest.mark.e2e
MARKUP = {"name": "Anna <img src=x id=injiceret-navn>",
          "needs": "<script id=injiceret-behov>alert(1)</script> & <b>glutenfri</b>",
          "email": "anna.angreb@example.dk"}


@pytest.fixture(scope="module")
def session(runtime: Running, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A session of one seat, held by a member whose name and needs are markup."""
    session_id = runtime.one_seat_session(tmp_path_factory.mktemp("catalogue"),
                                          ("angreb-forum", "Forum <i>for</i> angreb"),
                                          ("angreb-kolding", "Kolding <u>by</u>",
                                           "Kolding Bibliotek"), "2099-06-03")
    runtime.remember(MARKUP["name"], MARKUP["email"])
    status, _ = runtime.register({
        "session_id": session_id, "role": "area_leader", "workplace": "Kolding Kommune",
        "member_number": "1212", "consent": True, "website": "", **MARKUP})
    assert status == 200
    return session_id


def test_markup_a_member_typed_is_text_and_signing_in_keeps_no_password(
        runtime: Running, console: Page, session: str) -> None:
    email, password = demo_users(runtime)["secretariat"]
    sign_in(console, runtime, email, password)
    for field in ("#adgangskode", "#ny", "#gentag", "#mfa-kode", "#mfa-ny-kode"):
        assert console.locator(field).input_value() == "", field
    assert password not in console.content()
    expect(console.get_by_role("table", name="Forum <i>for</i> angreb")).to_be_visible()
    row = console.locator("tr", has=console.get_by_role("rowheader", name="Kolding <u>by</u>",
                                                         exact=False))
    row.get_by_role("button", name="Deltagere").click()
    people = console.get_by_role("table", name="1 tilmeldt, ingen på venteliste")
    expect(people.get_by_role("cell", name=MARKUP["name"], exact=True)).to_be_visible()
    expect(people.get_by_role("cell", name=MARKUP["needs"], exact=True)).to_be_visible()
    assert console.locator("#injiceret-navn, #injiceret-behov, #deltager-liste b").count() == 0
