"""A mailed link carries its token in the fragment, which a browser never sends: the page
opened from it works, its address bar no longer holds the token (a reload still works), no
request the page makes sends a Referer or puts the token in an address, and every answer says
`Referrer-Policy: no-referrer`. A link mailed before (the token in the query) still works and
is cleaned the same way."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import link_in
from tests.e2e.conftest import Running
from tests.fixtures.links import link_token


def subscribe(runtime: Running, name: str, address: str) -> dict[str, Any]:
    runtime.remember(name, address)
    status, _ = runtime.json("POST", "/api/newsletter/subscriptions", {
        "name": name, "email": address, "role": "area_leader", "consent": True})
    assert status == 202
    return runtime.mails(address, "Bekræft")[0]


def watched(page: Page) -> list[Request]:
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    return requests


def test_a_fragment_link_works_and_leaves_no_token_in_the_address_or_a_referer(
        runtime: Running, page: Page) -> None:
    link = link_in(subscribe(runtime, "Frida Fragment", "frida@example.dk"),
                   "bekraeft-nyhedsbrev.html")
    token = link_token(link)
    assert "#token=" in link and "?" not in link
    requests = watched(page)
    answer = page.goto(link)
    assert answer is not None and answer.headers["referrer-policy"] == "no-referrer"
    button = page.get_by_role("button", name="Ja, send mig nyhedsbrevet")
    expect(button).to_be_visible()
    assert token not in page.url and page.url.endswith("/bekraeft-nyhedsbrev.html")
    page.reload()  # the token is kept for this tab, not in the address
    assert token not in page.url
    button.click()
    expect(page.locator("#resultat")).to_contain_text("Du får nu nyhedsbrevet")
    assert token not in page.url
    api = [r for r in requests if "/api/" in r.url]
    assert api and all(token not in r.url for r in requests)
    assert all(not r.all_headers().get("referer") for r in requests), [
        (r.url, r.headers.get("referer")) for r in requests]
    assert page.evaluate("document.referrer") == ""


def test_a_link_mailed_before_with_the_token_in_the_query_still_works_and_is_cleaned(
        runtime: Running, page: Page) -> None:
    token = link_token(link_in(subscribe(runtime, "Gorm Gammel", "gorm@example.dk"),
                               "bekraeft-nyhedsbrev.html"))
    requests = watched(page)
    page.goto(f"{runtime.url}/bekraeft-nyhedsbrev.html?token={token}")
    button = page.get_by_role("button", name="Ja, send mig nyhedsbrevet")
    expect(button).to_be_visible()
    assert "token" not in page.url
    button.click()
    expect(page.locator("#resultat")).to_contain_text("Du får nu nyhedsbrevet")
    assert all(not r.all_headers().get("referer") for r in requests)


def test_a_second_link_opened_in_the_same_tab_acts_on_its_own_token(
        runtime: Running, page: Page) -> None:
    first = link_in(subscribe(runtime, "Hanne Hash", "hanne@example.dk"),
                    "bekraeft-nyhedsbrev.html")
    second = link_in(subscribe(runtime, "Ivar Hash", "ivar@example.dk"),
                     "bekraeft-nyhedsbrev.html")
    page.goto(first)
    expect(page.get_by_role("button", name="Ja, send mig nyhedsbrevet")).to_be_visible()
    requests = watched(page)
    page.goto(second)  # the same page with another fragment: no new document by itself
    page.get_by_role("button", name="Ja, send mig nyhedsbrevet").click()
    expect(page.locator("#resultat")).to_contain_text("Du får nu nyhedsbrevet")
    posted = [r.post_data_json for r in requests
              if r.method == "POST" and r.url.endswith("/api/newsletter/confirm")]
    assert posted == [{"token": link_token(second)}]
