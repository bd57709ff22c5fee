"""`leaders forums import` as the secretariat uses it from a terminal: it prints what the file
would change, in the console's Danish words, and asks before anything is written (`--yes` for
scripts); a new session the same day in the same city as another asks again (or
`--same-day-ok`); errors name the forum or session and the field, not `forums.0.audience`;
`leaders forums template` prints a file that imports as it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cli.resources
from cli.main import main
from shared.forums.catalogue import Catalogue
from shared.forums.catalogue_file import template
from tests.support.registration import MemoryCatalogueStore

KOLDING = {"id": "evalueringskultur-kolding", "city": "Kolding", "venue": "Comwell",
           "starts_at": "2031-03-04T09:30", "ends_at": "2031-03-04T15:30",
           "registration_deadline": "2031-02-25T12:00", "capacity": 30}


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryCatalogueStore:
    store = MemoryCatalogueStore()
    monkeypatch.setattr(cli.resources, "catalogue", lambda: Catalogue(store))
    Catalogue(store).import_file({"forums": [{
        "id": "evalueringskultur", "title": "Evalueringskultur",
        "description": "Om data i hverdagen.", "sessions": [KOLDING]}]})
    return store


def write(tmp_path: Path, text: str, name: str = "katalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def leaders(*args: Any, input: str | None = None) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


MORE_SEATS = ("forums:\n  - id: evalueringskultur\n    sessions:\n"
              "      - id: evalueringskultur-kolding\n        capacity: 40\n")


def test_import_shows_the_change_and_no_writes_nothing(
        store: MemoryCatalogueStore, tmp_path: Path) -> None:
    done = leaders("forums", "import", write(tmp_path, MORE_SEATS), input="n\n")
    assert "Ændret: Kolding 4. marts 2031: Antal pladser 30 → 40" in done.output
    assert "Indlæs ændringerne? [j/n]" in done.output
    assert done.exit_code == 1 and "Intet er indlæst." in done.output
    assert store.session("evalueringskultur-kolding").capacity == 30


@pytest.mark.parametrize(("flags", "answer"), [([], "j\n"), (["--yes"], None)])
def test_import_applies_on_yes_and_keeps_what_the_file_leaves_out(
        store: MemoryCatalogueStore, tmp_path: Path, flags: list[str], answer: str | None,
        ) -> None:
    done = leaders("forums", "import", write(tmp_path, MORE_SEATS), *flags, input=answer)
    assert done.exit_code == 0, done.output
    assert ("[j/n]" in done.output) is (not flags)
    assert "Indlæst: 1 lederforum og 1 møde." in done.output
    session = store.session("evalueringskultur-kolding")
    assert (session.capacity, session.venue) == (40, "Comwell")
    assert store.forum("evalueringskultur").description == "Om data i hverdagen."


def test_the_same_file_again_says_nothing_changes_and_asks_nothing(
        store: MemoryCatalogueStore, tmp_path: Path) -> None:
    leaders("forums", "import", write(tmp_path, MORE_SEATS), "--yes")
    done = leaders("forums", "import", write(tmp_path, MORE_SEATS))
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "Intet ændres."


TYPO = ("forums:\n  - id: evalueringskultur\n    sessions:\n"
        "      - id: evalueringskultur-koldng\n        city: Kolding\n"
        "        starts_at: 2031-03-04 13:00\n        ends_at: 2031-03-04 15:00\n"
        "        registration_deadline: 2031-02-25 12:00\n        capacity: 30\n")


def test_a_new_session_the_same_day_asks_and_no_stores_nothing(
        store: MemoryCatalogueStore, tmp_path: Path) -> None:
    done = leaders("forums", "import", write(tmp_path, TYPO), input="n\n")
    assert ("Er evalueringskultur-koldng et ekstra møde samme dag som "
            "evalueringskultur-kolding? [j/n]") in done.output
    assert done.exit_code == 1 and "Ret mødets id i filen" in done.output
    assert store.session("evalueringskultur-koldng") is None


@pytest.mark.parametrize(("flags", "answer", "stored"), [
    (["--yes"], None, False), (["--yes", "--same-day-ok"], None, True),
    ([], "j\nj\n", True), (["--same-day-ok"], "j\n", True)])
def test_a_new_session_the_same_day_goes_in_only_when_said_to(
        store: MemoryCatalogueStore, tmp_path: Path, flags: list[str], answer: str | None,
        stored: bool) -> None:
    done = leaders("forums", "import", write(tmp_path, TYPO), *flags, input=answer)
    assert (done.exit_code == 0) is stored, done.output
    assert (store.session("evalueringskultur-koldng") is not None) is stored


def test_errors_name_the_forum_and_the_field_in_danish(
        store: MemoryCatalogueStore, tmp_path: Path) -> None:
    text = "forums:\n  - id: evalueringskultur\n    audience: ledere\n"
    done = leaders("forums", "import", write(tmp_path, text), "--yes")
    assert done.exit_code == 1
    assert ("Forum evalueringskultur, målgruppe: vælg en af leaders_of_leaders (ledere af "
            "ledere) eller leaders_and_administration") in done.output
    assert "forums.0" not in done.output


def test_the_printed_template_imports_as_it_is(
        store: MemoryCatalogueStore, tmp_path: Path) -> None:
    printed = leaders("forums", "template")
    assert printed.exit_code == 0 and printed.output == template()
    done = leaders("forums", "import", write(tmp_path, printed.output), "--yes")
    assert done.exit_code == 0, done.output
    assert "Nyt møde: Kolding 4. marts 2027 (id eksempel-lederforum-kolding-2027)" in done.output
    assert store.session("eksempel-lederforum-kolding-2027") is not None
