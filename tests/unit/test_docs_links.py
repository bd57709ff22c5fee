"""The README and the pages under docs/ stay a map that leads somewhere: every relative link
resolves to a file of the repository, every `#anchor` to a heading of its target as GitHub
names it, every page of docs/ is reachable from the README, and the README stays short
enough to be read first."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
README_MOST_LINES = 260

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose(text: str) -> str:
    """The text a reader sees as Markdown: no fenced blocks (their `#` lines are no headings,
    their brackets no links)."""
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading (github-slugger): the text as rendered, lower case, every
    character that is not a letter, digit, space, hyphen or underscore dropped, each space a
    hyphen."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = text.lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: Counter[str] = Counter()
    found = set()
    for heading in HEADING.findall(prose(path.read_text(encoding="utf-8"))):
        base = slug(heading)
        found.add(base if not seen[base] else f"{base}-{seen[base]}")
        seen[base] += 1
    return found


def links(path: Path) -> list[str]:
    return LINK.findall(CODE_SPAN.sub("", prose(path.read_text(encoding="utf-8"))))


def broken(path: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of `path` that leads nowhere, with the reason."""
    found = []
    for target in links(path):
        if EXTERNAL.match(target):
            continue
        file, _, anchor = target.partition("#")
        destination = (path.parent / file).resolve() if file else path
        if not destination.exists() or root not in (destination, *destination.parents):
            found.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            found.append(f"{target}: no heading #{anchor} in {destination.name}")
    return found


@pytest.mark.parametrize("document", [README, *PAGES], ids=lambda p: p.name)
def test_every_relative_link_resolves(document: Path) -> None:
    assert broken(document) == []


def test_the_readme_links_every_page_of_docs() -> None:
    linked = {(README.parent / t.partition("#")[0]).resolve() for t in links(README)}
    assert [p.name for p in PAGES if p.resolve() not in linked] == []


def test_the_readme_stays_short_enough_to_read_first() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= README_MOST_LINES, f"README.md has {lines} lines; move detail to docs/"


@pytest.mark.parametrize(("heading", "anchor"), [
    # As GitHub renders them (the headings of this repository's own pages).
    ("What is kept, and for how long", "what-is-kept-and-for-how-long"),
    ("The privacy officer's area", "the-privacy-officers-area"),
    ("What `make run` starts and prints", "what-make-run-starts-and-prints"),
    ("SnapStart: off by default, a switch per function",
     "snapstart-off-by-default-a-switch-per-function"),
    ("Newsletter for leaders of leaders", "newsletter-for-leaders-of-leaders"),
    ("Data-protection requests, the advisory part", "data-protection-requests-the-advisory-part"),
    ("Ledere af ledere – member services backend", "ledere-af-ledere--member-services-backend"),
])
def test_anchors_are_named_as_github_names_them(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_a_link_to_a_missing_file_or_heading_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## A part\n\n## A part\n", encoding="utf-8")
    page.write_text(
        "# Page\n\n[ok](other.md#a-part) [second](other.md#a-part-1) [here](#page)\n"
        "[gone](missing.md) [no part](other.md#b-part) [nothing](#nowhere)\n"
        "`[in code](missing-too.md)`\n\n```\n[in a block](missing-three.md)\n# not a heading\n```\n"
        "[web](https://example.org/x)\n",
        encoding="utf-8")
    assert broken(page, root=tmp_path) == [
        "missing.md: no such file",
        "other.md#b-part: no heading #b-part in other.md",
        "#nowhere: no heading #nowhere in page.md",
    ]
