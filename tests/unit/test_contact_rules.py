"""One table of email addresses and phone numbers, run through the server's rules
(shared/forms.py: email-validator, phonenumbers) and the browser's (pages/static/form.js with
the numbering plans the pages ship, under node), so the two cannot drift: a form the browser
lets through is one the server takes, and the other way round."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from pages.site import PHONE_LIBRARY, STATIC
from shared.forms import Email, Phone, normalise_email
from tests.support.contact import TABLE

RUNNER = """
const vm = require("vm"); const fs = require("fs");
const [lib, form] = process.argv.slice(2);
const page = { URL, document: { querySelector: () => null } };
page.window = page; page.self = page;
vm.createContext(page);
vm.runInContext(fs.readFileSync(lib, "utf8"), page);
vm.runInContext(fs.readFileSync(form, "utf8"), page);
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
console.log(JSON.stringify(cases.map(([rule, value]) => page.lederChecks[rule](value.trim()))));
"""

SERVER = {"email": TypeAdapter(Email), "phone": TypeAdapter(Phone)}


def server(rule: str, value: str) -> str | None:
    try:
        return str(SERVER[rule].validate_python(value))
    except ValidationError:
        return None


@pytest.mark.parametrize(("rule", "typed", "stored"), TABLE)
def test_the_server_stores_the_normalised_form_or_refuses(rule: str, typed: str,
                                                          stored: str | None) -> None:
    assert server(rule, typed) == stored


@pytest.mark.pages
def test_the_browser_accepts_exactly_what_the_server_accepts(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node runs the pages' script"
    runner = tmp_path / "run.js"
    runner.write_text(RUNNER)
    found = subprocess.run([node, str(runner), str(PHONE_LIBRARY), str(STATIC / "form.js")],
                           input=json.dumps([[rule, typed] for rule, typed, _ in TABLE]),
                           capture_output=True, text=True, check=True)
    browser = json.loads(found.stdout)
    disagreements = [(rule, typed, accepted) for (rule, typed, stored), accepted
                     in zip(TABLE, browser, strict=True) if accepted != (stored is not None)]
    assert not disagreements


def test_the_table_holds_both_answers_for_both_rules() -> None:
    for rule in SERVER:
        outcomes = {stored is None for r, _, stored in TABLE if r == rule}
        assert outcomes == {True, False}


# An address as a person types it again later (the operator's privacy export and erasure,
# a second signup): whatever case and script its domain is written in, it finds the records
# the form stored for it.
DOMAIN_LABEL = st.text(st.sampled_from("abcdeklmnostuvæøåäöüéABKLÆØÅÄÖÜÉ"), min_size=1,
                       max_size=12)


@given(local=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.+_-]{0,20}", fullmatch=True),
       labels=st.lists(DOMAIN_LABEL, min_size=1, max_size=3),
       tld=st.sampled_from(["dk", "DK", "com", "se"]), padding=st.sampled_from(["", " ", "\t"]))
def test_an_address_as_typed_finds_what_the_form_stored_for_it(
        local: str, labels: list[str], tld: str, padding: str) -> None:
    typed = f"{padding}{local}@{'.'.join(labels)}.{tld}{padding}"
    stored = server("email", typed)
    assume(stored is not None)
    assert normalise_email(typed) == normalise_email(stored)


def test_an_internationalised_domain_as_typed_is_the_key_of_its_idna_form() -> None:
    assert normalise_email("Anne@Købstad.DK") == "anne@xn--kbstad-bya.dk"
    assert normalise_email("anne@xn--kbstad-bya.dk") == "anne@xn--kbstad-bya.dk"
    assert normalise_email("not an address") == "not an address"  # no guess, no error
