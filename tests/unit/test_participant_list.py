"""What the secretariat reads on a participant list, on screen, on paper, in the spreadsheet
and from the CLI: phone numbers written the Danish way ("20 11 22 33", with or without +45, a
foreign number as typed), and a count that never takes a cancelled registration for a
participant ("14 tilmeldte, 3 på venteliste (2 afmeldte vises nederst)")."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cli.resources
from shared.danish import danish_phone, participant_summary
from shared.forums.registration.models import Status
from shared.forums.registration.secretariat import HeadCount, Secretariat
from shared.forums.spreadsheet import HEADINGS
from tests.unit.test_cli import FakeCatalogue, FakeRegistrations, FakeSession, leaders, person

# -- phone numbers ---------------------------------------------------------------------------

SEPARATOR = st.sampled_from(["", " ", "-", ".", "\u00a0"])
EIGHT = st.text("0123456789", min_size=8, max_size=8)
PREFIX = st.sampled_from(["", "+45", "0045", "(+45)"])


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


@st.composite
def danish_numbers(draw: st.DrawFn) -> tuple[str, str, str]:
    """A Danish number as people type it: (typed, its prefix, its eight digits)."""
    prefix, number = draw(PREFIX), draw(EIGHT)
    typed = prefix + draw(SEPARATOR) if prefix else ""
    for i, digit in enumerate(number):
        typed += digit + (draw(SEPARATOR) if i in (1, 3, 5) else "")
    return typed, prefix, number


@given(danish_numbers())
def test_a_danish_number_is_written_in_pairs_as_the_office_dials_it(
        number: tuple[str, str, str]) -> None:
    typed, _, eight = number
    pairs = " ".join(eight[i:i + 2] for i in range(0, 8, 2))
    assert danish_phone(typed) == pairs


# Anything a person might type into a phone field, foreign numbers and mistakes included.
TYPED = st.one_of(
    st.text("0123456789 +-.()/\u00a0x", max_size=24),
    st.text(max_size=24),
    danish_numbers().map(lambda n: n[0]),
    st.builds(lambda cc, rest: f"+{cc} {rest}", st.sampled_from(["46", "47", "49", "354", "1"]),
              st.text("0123456789 ", min_size=6, max_size=12)),
)


@given(TYPED)
def test_formatting_never_loses_or_adds_a_digit_and_is_idempotent(typed: str) -> None:
    shown = danish_phone(typed)
    assert danish_phone(shown) == shown
    if shown == typed:
        return
    # Rewritten only as a Danish number: its eight digits kept, in pairs, the country code
    # (+45 or 0045) left off as the office dials it.
    assert re.fullmatch(r"[0-9]{2}( [0-9]{2}){3}", shown), shown
    before = digits(typed)
    after = digits(shown)
    assert after == before[-8:] and before[:-8] in ("", "45", "0045")


@given(st.builds(lambda cc, rest: f"+{cc}{rest}", st.sampled_from(["46", "47", "49", "298",
                                                                   "299", "354", "44", "1"]),
                 st.text("0123456789", min_size=6, max_size=11)),
       st.sampled_from(["", " ", "-"]))
def test_a_foreign_number_is_left_as_typed(number: str, separator: str) -> None:
    typed = number[:3] + separator + number[3:]
    assert danish_phone(typed) == typed


@pytest.mark.parametrize("typed", ["", None])
def test_no_number_is_an_empty_cell(typed: str | None) -> None:
    assert danish_phone(typed) == ""


@pytest.mark.parametrize("typed", ["2011223", "201122334", "+452011223", "+45201122334",
                                   "45 20 11 22 33", "20 11 22 33 lokal 12"])
def test_a_number_of_the_wrong_length_is_left_as_typed(typed: str) -> None:
    assert danish_phone(typed) == typed


# -- the count ---------------------------------------------------------------------------------

STATUSES = st.lists(st.sampled_from(list(Status)), max_size=30)


def listed(statuses: list[Status]) -> list[object]:
    people = [person(f"Deltager {i}", status=s, number=i) for i, s in enumerate(statuses)]
    store = FakeRegistrations(people, line=[r.id for r in people
                                            if r.status is Status.WAITLISTED])
    return Secretariat(store, FakeCatalogue({})).participants("s-1")  # type: ignore[arg-type]


@given(STATUSES)
def test_the_count_leaves_the_cancelled_out_and_says_how_many_are_shown_below(
        statuses: list[Status]) -> None:
    count = HeadCount.of(listed(statuses))  # type: ignore[arg-type]
    confirmed, waiting = statuses.count(Status.CONFIRMED), statuses.count(Status.WAITLISTED)
    cancelled = statuses.count(Status.CANCELLED)
    assert (count.confirmed, count.waiting, count.cancelled) == (confirmed, waiting, cancelled)
    shown = count.summary
    said = re.fullmatch(r"(\d+) tilmeldte?, (ingen|\d+) på venteliste"
                        r"(?: \((\d+) afmeldte? vises nederst\))?", shown)
    assert said, shown
    assert int(said[1]) == confirmed
    assert (0 if said[2] == "ingen" else int(said[2])) == waiting
    assert int(said[3] or 0) == cancelled


def test_the_count_reads_as_danish() -> None:
    assert participant_summary(14, 3, 2) == \
        "14 tilmeldte, 3 på venteliste (2 afmeldte vises nederst)"
    assert participant_summary(1, 0, 1) == \
        "1 tilmeldt, ingen på venteliste (1 afmeldt vises nederst)"
    assert participant_summary(0, 1, 0) == "0 tilmeldte, 1 på venteliste"


def test_the_clis_list_and_file_count_no_cancelled_person_and_the_file_writes_phones_the_danish_way(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    people = [person("Anne Hansen", phone="+4520112233", number=1),
              person("Bo Berg", phone="0045 30 40 50 60", number=2, status=Status.WAITLISTED),
              person("Carl Dahl", phone="+46 70 123 45 67", number=3, status=Status.CANCELLED),
              person("Dorte Ek", phone="20112233", number=4, status=Status.CANCELLED)]
    store = FakeRegistrations(people, line=["r-2"])
    monkeypatch.setattr(cli.resources, "catalogue_store",
                        lambda: FakeCatalogue({"s-1": FakeSession("s-1")}))
    monkeypatch.setattr(cli.resources, "registration_store", lambda: store)
    listing = leaders("forums", "participants", "s-1")
    assert listing.exit_code == 0, listing.output
    assert "1 tilmeldt, 1 på venteliste (2 afmeldte vises nederst)." in listing.output
    out = tmp_path / "deltagere.csv"
    written = leaders("forums", "participants", "s-1", "--out", str(out))
    assert "1 tilmeldt, 1 på venteliste (2 afmeldte vises nederst)" in written.output
    with out.open(encoding="utf-8-sig", newline="") as opened:
        rows = list(csv.reader(opened, delimiter=";"))
    phones = {row[2]: row[HEADINGS.index("Telefon")] for row in rows[1:]}
    # A leading + is marked as text (the spreadsheet's formula guard).
    assert phones == {"Anne Hansen": "20 11 22 33", "Bo Berg": "30 40 50 60",
                      "Carl Dahl": "'+46 70 123 45 67", "Dorte Ek": "20 11 22 33"}
