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

# (rule, as typed, what the server stores; None: refused)
TABLE: list[tuple[str, str, str | None]] = [
    ("email", "anne@example.dk", "anne@example.dk"),
    ("email", "  Anne.Hansen@Example.DK ", "Anne.Hansen@example.dk"),
    ("email", "anne@købstad.dk", "anne@xn--kbstad-bya.dk"),  # internationalised domain
    ("email", "søren@sø.dk", None),  # a non-ASCII part before the @: SES cannot send to it
    ("email", "ole+forum@mail.aarhus.dk", "ole+forum@mail.aarhus.dk"),
    ("email", "o'brien@example.ie", "o'brien@example.ie"),
    ("email", "x@xn--kbstad-bya.dk", "x@xn--kbstad-bya.dk"),
    ("email", ".a@example.dk", None),
    ("email", "a.@example.dk", None),
    ("email", "a..b@example.dk", None),
    ("email", "mette@example", None),
    ("email", "mette@localhost", None),
    ("email", "mette@example.test", None),
    ("email", "mette@printer.local", None),
    ("email", "mette@example.123", None),
    ("email", "mette@-example.dk", None),
    ("email", "mette@example-.dk", None),
    ("email", "mette@exa_mple.dk", None),
    ("email", "mette@exa mple.dk", None),
    ("email", "mette@@example.dk", None),
    ("email", "mette@[127.0.0.1]", None),
    ("email", '"mette hansen"@example.dk', None),
    ("email", "mette", None),
    ("email", "@example.dk", None),
    ("email", "a" * 100 + "@example.dk", "a" * 100 + "@example.dk"),
    ("email", "a" * 250 + "@example.dk", None),  # over 254 characters in all
    ("email", "mette@" + "a" * 64 + ".dk", None),
    # Invisible characters a copied address brings along: in the domain they are nothing
    # (IDNA's mapping, as the browser's URL parser applies it), around it they are trimmed.
    ("email", "anne@example.dk\u200b", "anne@example.dk"),  # zero-width space
    ("email", "anne@ex\u00adample.dk", "anne@example.dk"),  # soft hyphen
    ("email", "\ufeffanne@example.dk", "anne@example.dk"),  # byte order mark
    ("email", "an\u200bne@example.dk", None),  # before the @ nothing is mapped
    ("phone", "20 30 40 50", "+4520304050"),  # Danish without a country code
    ("phone", "20304050", "+4520304050"),
    ("phone", "+45 20 30 40 50", "+4520304050"),
    ("phone", "0045 20 30 40 50", "+4520304050"),
    ("phone", "(+45) 20-30-40-50", "+4520304050"),
    ("phone", "70 10 20 30", "+4570102030"),
    ("phone", "+46 8 123 456 78", "+46812345678"),
    ("phone", "+44 20 7946 0958", "+442079460958"),
    ("phone", "\ufeff20 30 40 50\u00a0", "+4520304050"),
    ("phone", "(((((((((", None),
    ("phone", "12 34 56 78", None),  # no Danish number begins with 1
    ("phone", "+45 12 34 56 78", None),
    ("phone", "2030405", None),  # too short for Denmark
    ("phone", "203040506", None),  # too long for Denmark
    ("phone", "+45 20 30 40 50 ext 1", None),
    ("phone", "ring 20304050", None),
    ("phone", "1-800-FLOWERS", None),
    ("phone", "+999 1234 5678", None),
]

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
