"""The union's CSV file as the import reads it: whatever the office's system wrote (either
separator, a byte order mark or none, Danish or English column names in any case, extra
columns, blank lines, quoted fields) the same rows come out; any text at all is read or
refused as a whole with a Danish 422 on `text`, never an exception; bad rows are named by
their line."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.newsletter.subscribers import COLUMNS, read_file
from shared.roles import Role

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SECRET = b"unit"


@st.composite
def files(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, bool]]]:
    separator = draw(st.sampled_from([";", ",", "\t"]))
    names = {column: draw(st.sampled_from(options)) for column, options in COLUMNS.items()
             if column in ("email", "name", "role", "consent_date", "consent_source")}
    if draw(st.booleans()):
        names = {k: v.upper() for k, v in names.items()}
    order = draw(st.permutations([*names, "extra"]))
    count = draw(st.integers(1, 8))
    rows = []
    for i in range(count):
        consent = draw(st.booleans())
        rows.append((f"person{i}@example.dk", draw(st.sampled_from(
            ["Anne Sørensen", "Bo, Jensen", 'Karl "K" Holm', ""])), consent))
    lines = [separator.join(names.get(c, "Medlemsnummer") for c in order)]
    for email, name, consent in rows:
        values = {"email": email, "name": name, "role": "Klyngeleder", "extra": "4711",
                  "consent_date": "01.02.2024" if consent else "",
                  "consent_source": "Medlemssystemet" if consent else ""}
        cells = [values[c] for c in order]
        lines.append(separator.join(
            f'"{v.replace(chr(34), chr(34) * 2)}"' if separator in v or '"' in v else v
            for v in cells))
        if draw(st.booleans()):
            lines.append("")  # a blank line
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return ("\ufeff" if draw(st.booleans()) else "") + newline.join(lines) + newline, rows


@settings(max_examples=150, deadline=None)
@given(files())
def test_what_the_office_exports_is_read_whatever_its_dialect(
        made: tuple[str, list[tuple[str, str, bool]]]) -> None:
    text, rows = made
    read = read_file(text, SECRET, NOW)
    assert read.refused == []
    assert [(r.email, r.name, r.consent_at is not None) for r in read.rows] == rows
    assert all(r.role is Role.CLUSTER_LEADER for r in read.rows)
    assert all(r.consent_source == "Medlemssystemet" for r in read.rows if r.consent_at)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | st.builds(
    lambda a, b: f"e-mail;samtykkedato;samtykkekilde;rolle\n{a}\n{b}", st.text(max_size=80),
    st.text(max_size=80)))
def test_any_text_is_read_or_refused_as_a_whole_in_danish(text: str) -> None:
    try:
        read = read_file(text, SECRET, NOW)
    except InvalidInput as refused:
        assert [e.field for e in refused.errors] == ["text"]
        assert all(e.message for e in refused.errors)
        return
    assert all(r.line >= 2 and r.message for r in read.refused)


def test_bad_rows_are_named_by_their_line() -> None:
    text = ("e-mail;navn;rolle;samtykkedato;samtykkekilde\n"
            "a@example.dk;A;;;\n"
            "\n"
            "b@example;B;;;\n"
            "c@example.dk;C;Andet;;\n"
            "d@example.dk;D;;1985-01-01;Formular\n"
            "A@EXAMPLE.DK;E;;;\n"
            "f@example.dk;F;;;Formular\n")
    read = read_file(text, SECRET, NOW)
    assert [(r.line, r.message) for r in read.refused] == [
        (4, "»b@example« er ikke en gyldig e-mailadresse."),
        (5, "Nyhedsbrevet er kun for ledere af ledere, ikke »Andet«."),
        (6, "Samtykkedatoen »1985-01-01« ligger før 1990; skriv den dato, samtykket blev "
            "givet."),
        (7, "Adressen står også på linje 2."),
        (8, "Der er en samtykkekilde, men ingen samtykkedato: skriv datoen, eller lad begge "
            "felter stå tomme (så får personen en mail og bekræfter selv).")]
