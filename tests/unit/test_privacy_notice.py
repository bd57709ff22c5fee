"""The privacy notice: linked from every form, showing the version every consent records,
and that version changes with its text. Also: every email ends with the contact address, the
pages have a favicon, and a function that publishes no metric logs no warning about it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from pages.site import TEMPLATES, build, site_values
from shared.privacy_notice import PRIVACY_NOTICE_VERSION, PRIVACY_PAGE

# The text each version stands for (the first 16 hex digits of the template's SHA-256). A
# changed text needs a new version here and in shared/privacy_notice.py.
TEXTS = {"privatliv-2026-11-28": "ddecc0beb1c10169", "privatliv-2026-12-06": "27d61e301b80e5ed"}
FORMS = ["tilmelding.html", "nyhedsbrev.html", "lederkonsulent.html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("site"))


def test_the_version_recorded_is_the_version_of_the_text() -> None:
    text = (TEMPLATES / "privatliv.html").read_bytes()
    assert TEXTS.get(PRIVACY_NOTICE_VERSION) == hashlib.sha256(text).hexdigest()[:16], \
        "the privacy notice changed: give it a new PRIVACY_NOTICE_VERSION"


def test_the_page_shows_its_version_and_the_configured_contact(site: Path) -> None:
    page = (site / PRIVACY_PAGE.lstrip("/")).read_text(encoding="utf-8")
    assert PRIVACY_NOTICE_VERSION in page
    values = site_values()
    assert f"mailto:{values['contact_email']}" in page
    assert f"{values['advisory_retention_days']} dage" in page


@pytest.mark.parametrize("name", FORMS)
def test_every_form_links_to_the_notice_next_to_its_consent(site: Path, name: str) -> None:
    page = (site / name).read_text(encoding="utf-8")
    consent = page[page.index('id="consent"'):page.index('id="fejl-consent"')]
    assert f'href="{PRIVACY_PAGE}"' in consent


def test_every_page_names_its_icon(site: Path) -> None:
    assert (site / "favicon.svg").is_file()
    for page in site.glob("*.html"):
        assert 'rel="icon" href="/favicon.svg"' in page.read_text(encoding="utf-8")


def test_the_newsletter_records_the_notices_version() -> None:
    from shared.newsletter import service

    assert service.CONSENT_TEXT_VERSION == PRIVACY_NOTICE_VERSION


def test_a_function_without_metrics_logs_no_warning() -> None:
    # -W error: a warning would end the run with a traceback.
    program = ("from shared.platform.observability import metrics\n"
               "metrics.log_metrics(lambda event, context: None)({}, None)\n")
    done = subprocess.run([sys.executable, "-W", "error", "-c", program],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_email_ends_with_the_contact_address() -> None:
    program = ("import os; os.environ['CONTACT_EMAIL'] = 'kontakt@example.dk'\n"
               "from shared.email.render import render\n"
               "e = render('newsletter_confirm', 'a@example.dk', 'S', {'name': 'A', 'link': 'x'})\n"
               "assert e.text.rstrip().endswith('Kontakt: kontakt@example.dk'), e.text\n"
               "assert 'mailto:kontakt@example.dk' in e.html\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
