"""The answer to an access request, rendered as the member reads it: the retention it tells
is the one the code deletes by (the configured periods and the newsletter's and the cases'
own constants, the TTL's delay and the backups), and whatever a person or the office typed
(names, workplaces, needs, forum titles, cities, newsletter subjects) is shown as text,
never as markup."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.adapters.dynamodb_privacy import CASE_KEPT
from shared.danish import counted
from shared.newsletter.models import LEFT_KEPT_DAYS
from shared.newsletter.service import CONFIRM_VALID, LEDGER_KEPT
from shared.privacy import answer
from shared.privacy.cases import Case, Kind

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
CASE = Case(number="DB-2026-0007", email="anne@example.dk", kind=Kind.ACCESS,
            received_on=date(2026, 12, 1), opened_at=NOW, opened_by="dpo@example.dk")


def days(n: int) -> str:
    return counted(n, "dag", "dage")


def text_of(page: str) -> str:
    """The page as read: tags gone, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def rendered(retention: answer.Retention, records: list[dict[str, Any]] | None = None,
             title: str = "Ledelse af klynger", city: str = "Odense",
             newsletter: list[dict[str, Any]] | None = None) -> str:
    session = SimpleNamespace(forum_id="f", city=city, starts_at=NOW + timedelta(days=9),
                              ends_at=NOW + timedelta(days=9, hours=6))
    forums = answer.registrations(records or [], lambda _: session,
                                  lambda _: SimpleNamespace(title=title))
    return answer.render(CASE, forums=forums, newsletter=answer.subscription(newsletter or []),
                         contribution=None, retention=retention, now=NOW)


@settings(max_examples=25)
@given(registration=st.integers(1, 3650), advisory=st.integers(1, 3650),
       link=st.integers(1, 336))
def test_the_retention_told_is_the_one_the_code_deletes_by(
    registration: int, advisory: int, link: int,
) -> None:
    page = text_of(rendered(answer.Retention(registration_days=registration,
                                             advisory_days=advisory,
                                             confirm_link_hours=link)))
    told = page[page.index("Hvor længe vi gemmer"):page.index("Hvis du vil klage")]
    assert f"({counted(link, 'time', 'timer')} efter, at du udfyldte den)" in told
    assert f"slettes {days(registration)} efter mødet" in told
    assert f"slettes {days(advisory)} efter, at vi har modtaget dem" in told
    # An unconfirmed newsletter signup expires by its own TTL (CONFIRM_VALID).
    assert f"nyhedsbrevet, du ikke har bekræftet, slettes efter {CONFIRM_VALID.days} dage" \
        in told
    assert f"slettes {LEFT_KEPT_DAYS} dage efter, at du har afmeldt det" in told
    assert f"slettes {LEDGER_KEPT.days} dage efter udsendelsen" in told
    assert f"gemmes i {CASE_KEPT.days // 365} år, efter at den er afsluttet" in told
    # A suppression outlives an erasure (docs/privacy.md), and TTL deletes within two days.
    assert "Den slettes ikke, heller ikke hvis du beder os slette" in told
    assert "inden for to døgn" in told and "yderligere 35 dage" in told


typed = st.lists(st.sampled_from(list("<>&\"'/ =abcæøå;()")) | st.sampled_from(
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&amp;", "\u202e", "</dd>"]),
    min_size=1, max_size=12).map("".join).filter(str.strip)


@settings(max_examples=40)
@given(name=typed, workplace=typed, needs=typed, title=typed, city=typed, subject=typed)
def test_what_people_typed_is_shown_as_text_never_as_markup(
    name: str, workplace: str, needs: str, title: str, city: str, subject: str,
) -> None:
    record = {"session_id": "s", "status": "confirmed", "name": name, "workplace": workplace,
              "needs": needs, "role": "area_leader", "phone": "+4520112233"}
    page = rendered(answer.Retention(365, 180), [record], title=title, city=city,
                    newsletter=[{"status": "subscribed", "name": name, "issues": [
                        {"subject": subject, "status": "sent"}]}])
    tags = re.findall(r"<\s*([a-zA-Z0-9]+)", page)
    assert set(tags) <= {"html", "head", "meta", "title", "link", "body", "main", "article",
                         "h1", "h2", "h3", "p", "strong", "section", "dl", "dt", "dd", "ul",
                         "li", "address", "br"}
    shown = text_of(page)
    for value in (name, workplace, needs, title, city, subject):
        assert re.sub(r"\s+", " ", value).strip() in shown


def test_the_answer_says_why_we_hold_each_part_who_processes_it_and_every_right() -> None:
    """What art. 15 gives the member beside the data: the purposes, the recipients, and the
    rights to correction, erasure, restriction and objection, as the privacy notice says them."""
    page = text_of(rendered(answer.Retention(registration_days=365, advisory_days=180,
                                             confirm_link_hours=24)))
    why = page[page.index("Hvorfor vi har oplysningerne"):page.index("Hvor længe vi gemmer")]
    for purpose in ("for at holde møderne", "for at sende dig nyhedsbrevet",
                    "så lederkonsulenten kan svare dig"):
        assert purpose in why
    assert "Vi giver ikke dine oplysninger videre til andre" in why
    assert "driftsleverandør i EU" in why and "kun efter vores instruks" in why
    rights = page[page.index("Hvor længe vi gemmer"):page.index("Hvis du vil klage")]
    for right in ("rette", "slette", "gøre indsigelse", "begrænse"):
        assert right in rights
