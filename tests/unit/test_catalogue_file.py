"""One-line fields of the catalogue file refuse line breaks: they end up in email subjects and
headers, where a line break would make every email of that forum fail."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.forums.catalogue import Catalogue
from tests.support.registration import MemoryCatalogueStore

BREAKS = st.sampled_from(["\n", "\r", "\r\n", "\x0b", "\x0c", "\n\n", "\x1c", "\x1d", "\x1e",
                          "\x85", "\u2028", "\u2029"])
# Each field with its location and how the error names it (the entry by id, the field in Danish).
ONE_LINE = [("Forum forum, titel", ("forums", 0, "title")),
            ("Møde forum-kolding, by", ("forums", 0, "sessions", 0, "city")),
            ("Møde forum-kolding, sted", ("forums", 0, "sessions", 0, "venue"))]


def catalogue_file() -> dict[str, Any]:
    return {"forums": [{"id": "forum", "title": "Evalueringskultur", "sessions": [{
        "id": "forum-kolding", "city": "Kolding", "venue": "Comwell", "capacity": 10,
        "starts_at": "2099-03-04T09:30", "ends_at": "2099-03-04T15:30",
        "registration_deadline": "2099-02-25T12:00"}]}]}


def _set(data: dict[str, Any], path: tuple[Any, ...], value: str) -> None:
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


# Text around the break (the break itself would be trimmed at either end of a field).
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), min_size=1,
                max_size=30).filter(lambda t: t.strip() != "")


@given(field=st.sampled_from(ONE_LINE), before=WORDS, after=WORDS, line_break=BREAKS)
def test_a_line_break_in_a_one_line_field_refuses_the_import_with_the_fields_danish_error(
        field: tuple[str, tuple[Any, ...]], before: str, after: str, line_break: str) -> None:
    data = catalogue_file()
    _set(data, field[1], before + line_break + after)
    store = MemoryCatalogueStore()
    with pytest.raises(InvalidInput) as refused:
        Catalogue(store).import_file(data)
    errors = {e.field: e for e in refused.value.errors}
    name = ".".join(str(p) for p in field[1])
    assert errors[name].code == "invalid_characters"
    assert errors[name].message == f"{field[0]}: feltet må kun være én linje tekst."
    assert store.forums() == []  # nothing imported


def test_the_same_file_without_line_breaks_imports() -> None:
    store = MemoryCatalogueStore()
    Catalogue(store).import_file(catalogue_file())
    assert [f.title for f in store.forums()] == ["Evalueringskultur"]


def test_a_file_larger_than_one_transaction_is_refused_whole() -> None:
    """An import is one DynamoDB transaction, at most 100 items: a larger file is refused
    before anything is written, with a Danish request to split it."""
    data = catalogue_file()
    session = data["forums"][0]["sessions"][0]
    data["forums"][0]["sessions"] = [{**session, "id": f"forum-s{n}"} for n in range(100)]
    store = MemoryCatalogueStore()
    with pytest.raises(InvalidInput) as refused:
        Catalogue(store).import_file(data)
    assert [(e.field, e.code) for e in refused.value.errors] == [("forums", "too_many_items")]
    assert "højst rumme 100" in refused.value.errors[0].message
    assert store.forums() == [] and store.sessions() == []
    data["forums"][0]["sessions"].pop()  # 1 forum + 99 sessions (one day): one transaction
    assert Catalogue(store).import_file(data, same_day_ok=True).sessions == 99
