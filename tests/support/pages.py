"""What the browser tests share: a form's field by its label, and the registration form filled
in."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page


def field(page: Page, label: str) -> Locator:
    """The form field whose label starts with the given text."""
    return page.get_by_label(re.compile("^" + re.escape(label)))


def fill_registration(page: Page, name: str, email: str, member_number: str = "4711") -> None:
    field(page, "Navn").fill(name)
    field(page, "E-mail").fill(email)
    field(page, "Din stilling").select_option("district_leader")
    field(page, "Arbejdsplads eller kommune").fill("Vejle Kommune")
    field(page, "Medlemsnummer").fill(member_number)
    field(page, "Jeg accepterer").check()
