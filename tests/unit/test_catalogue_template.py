"""The catalogue file's template, which the secretariat downloads and fills in: it imports as it
is, every field of the file has a Danish comment above it, and what the comments promise is
what the import does (the values to write, which fields a new forum or session needs, the
range of seats), so a comment cannot drift from the models without this failing."""

from __future__ import annotations

import re
import typing

import yaml
from annotated_types import Ge, Le

from shared.danish import AUDIENCE_NAMES
from shared.forums.catalogue import Catalogue
from shared.forums.catalogue_file import STATUS_NAMES, ForumEntry, SessionEntry, template
from shared.roles import Audience
from tests.support.registration import MemoryCatalogueStore

KEY = re.compile(r"^(?P<indent>\s*)(?:- )?(?P<key>[a-z_]+):")


def commented_fields() -> dict[str, dict[str, str]]:
    """Each field of the template with the comment block right above it, per kind (a forum's
    fields are indented less than a session's)."""
    lines = template().splitlines()
    start = lines.index("forums:")
    found: dict[str, dict[str, str]] = {"forum": {}, "session": {}}
    comment: list[str] = []
    for line in lines[start + 1:]:
        if line.strip().startswith("#"):
            comment.append(line.strip().lstrip("#").strip())
            continue
        match = KEY.match(line)
        if match:
            kind = "session" if len(match["indent"]) >= 6 else "forum"
            found[kind][match["key"]] = " ".join(comment)
        if line.strip():
            comment = []
    return found


def test_the_template_imports_as_it_is() -> None:
    store = MemoryCatalogueStore()
    catalogue = Catalogue(store)
    result = catalogue.import_text(template(), filename="katalog-skabelon.yaml")
    assert (result.forums, result.sessions) == (1, 1)
    (forum,) = store.forums()
    assert forum.description.startswith("Skriv her, hvad forummet handler om")
    (session,) = store.sessions()
    assert session.starts_at.isoformat() == "2027-03-04T09:30:00+01:00"  # Danish time
    assert catalogue.preview_text(template(), filename="katalog-skabelon.yaml").changes_nothing


def test_every_field_of_the_file_has_a_danish_comment_above_it() -> None:
    found = commented_fields()
    assert set(found["forum"]) == set(ForumEntry.model_fields)
    assert set(found["session"]) == set(SessionEntry.model_fields)
    assert all(found[kind][name] for kind in found for name in found[kind])


def test_the_comments_say_which_fields_a_new_forum_or_session_needs() -> None:
    found = commented_fields()
    for kind, model in (("forum", ForumEntry), ("session", SessionEntry)):
        required = {n for n, f in model.model_fields.items() if f.is_required()}
        said = {n for n, text in found[kind].items() if "skal udfyldes" in text}
        assert said == required, kind


def test_the_values_to_write_listed_are_the_values_the_import_takes() -> None:
    found = commented_fields()
    listed = dict(re.findall(r"(\b[a-z_]+\b) \(([^)]+)\)", found["forum"]["audience"]))
    assert set(listed) == {a.value for a in Audience}
    assert listed == {value: name.lower() for value, name in AUDIENCE_NAMES.items()}
    statuses = dict(re.findall(r"(\b[a-z_]+\b) \(([^)]+)\)", found["session"]["status"]))
    assert set(statuses) == set(typing.get_args(SessionEntry.model_fields["status"].annotation))
    assert statuses == STATUS_NAMES


def test_the_seats_range_said_is_the_models() -> None:
    capacity = SessionEntry.model_fields["capacity"]
    low = next(m.ge for m in capacity.metadata if isinstance(m, Ge))
    high = next(m.le for m in capacity.metadata if isinstance(m, Le))
    assert f"fra {low} til {high}" in commented_fields()["session"]["capacity"]


def test_the_times_are_said_to_be_danish_time_and_written_as_in_the_example() -> None:
    found = commented_fields()["session"]
    data = yaml.safe_load(template())["forums"][0]["sessions"][0]
    for name in ("starts_at", "ends_at", "registration_deadline"):
        assert "dansk tid" in found[name]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", data[name])
    head = template()[:template().index("forums:")]
    assert "ÅÅÅÅ-MM-DD tt:mm" in head and "dansk tid" in head
    assert "beholder de felter, du udelader" in head
    assert "Et id ændres aldrig" in head
