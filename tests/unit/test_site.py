"""The rendered pages: every template becomes a complete page whose fields are labelled and
whose references (error slots, help texts) exist; the build is reused while nothing changed."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from pages.site import TEMPLATES, build

PAGES = sorted(p.name for p in TEMPLATES.glob("[!_]*.html"))


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.fields: list[dict[str, str]] = []
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.add(found["id"])
        if tag == "html":
            self.lang = found.get("lang", "")
        if tag == "label" and "for" in found:
            self.label_for.add(found["for"])
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.fields.append(found)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("site"))


def test_the_build_is_reused_while_nothing_changed(site: Path) -> None:
    assert build(site.parent) == site
    assert {p.name for p in site.iterdir()} >= {*PAGES, "style.css", "form.js", "forums.js"}


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_complete_danish_and_every_field_is_labelled(site: Path, name: str) -> None:
    text = (site / name).read_text(encoding="utf-8")
    assert "{{" not in text and "{%" not in text
    outline = Outline()
    outline.feed(text)
    assert outline.lang == "da"
    assert "indhold" in outline.ids  # the skip link's target
    for field in outline.fields:
        assert field["id"] in outline.label_for, field
        for reference in field.get("aria-describedby", "").split():
            assert reference in outline.ids, (field["id"], reference)
