"""The editor's side: a draft from a Markdown or HTML file, with its plain-text part derived."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from typing import ClassVar

from shared.newsletter.models import Issue, IssueStatus

ISSUE_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"


class _Text(HTMLParser):
    """HTML to readable plain text: paragraphs, line breaks, list items, link targets."""

    BLOCKS: ClassVar[set[str]] = {"p", "div", "h1", "h2", "h3", "h4", "ul", "ol", "table",
                                  "tr", "blockquote"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            self.parts.append(f" ({self._href})")
            self._href = None
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def plain_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def draft(issue_id: str, subject: str, source: str, markdown: bool, now: datetime) -> Issue:
    if markdown:
        import markdown as md

        html = md.markdown(source, extensions=["extra", "sane_lists"])
    else:
        html = source
    return Issue(id=issue_id, subject=subject, html=html, text=plain_text(html),
                 status=IssueStatus.DRAFT, created_at=now)
