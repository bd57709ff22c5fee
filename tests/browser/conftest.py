"""Debian's chromium, driven by Playwright, against the local runtime started as a user
starts it. Each page is checked with axe-core and photographed at desktop and phone width."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from local.synth import ROOT
from tests.e2e.conftest import Running, serve

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "pages"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
# Without these, chromium reaches for Google's services, which a closed network refuses.
QUIET = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

runtime = pytest.fixture(scope="package", name="runtime")(serve)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDTHS["desktop"], locale="da-DK")  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's findings of impact serious or critical on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Through the browser's debugging protocol: the pages' CSP refuses an injected <script>.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found: list[dict[str, Any]] = page.evaluate("axe.run(document).then(r => r.violations)")
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [n["target"] for n in v["nodes"]]}
            for v in found if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def link_in(mail: dict[str, Any], page_name: str) -> str:
    """The link in a mail's text that opens the given landing page."""
    match = re.search(rf"https?://\S+/{re.escape(page_name)}#token=[^\s>]+", mail["text"])
    assert match, f"no link to {page_name} in {json.dumps(mail['subject'])}"
    return match.group(0)


# -- the staff console ----------------------------------------------------------------------

def demo_users(runtime: Running) -> dict[str, tuple[str, str]]:
    """What `make run` printed: `staff ROLE: EMAIL PASSWORD`, one line per group."""
    found = re.findall(r"^staff (\w+): (\S+) (\S+)$", runtime.output.read_text(), re.MULTILINE)
    return {role: (email, password) for role, email, password in found}


@pytest.fixture
def console(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDTHS["desktop"], locale="da-DK",  # type: ignore[arg-type]
                                  accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Page, runtime: Running, email: str, password: str) -> None:
    page.goto(runtime.url + "/personale/")
    page.locator("#log-ind-form").get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Adgangskode", exact=True).fill(password)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name=f"Logget ind som {email}")).to_be_visible()


def axe_at_both_widths(page: Page, name: str) -> None:
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)  # type: ignore[arg-type]
        assert serious_violations(page) == [], f"{name} at {width}"
        screenshot(page, f"personale-{name}-{width}")
    page.set_viewport_size(WIDTHS["desktop"])  # type: ignore[arg-type]


def exported(page: Page, button: Any) -> tuple[str, Any]:
    """Click a data-protection export's button: the file downloaded is named by its audit
    reference (never after the address); its name and contents."""
    with page.expect_download() as download:
        button.click()
    named = download.value.suggested_filename
    assert re.fullmatch(r"udtraek-[0-9a-f]{32}\.json", named), named
    return named, json.loads(download.value.path().read_text(encoding="utf-8"))
