"""The public archive of sent issues (`/nyhedsbrev/arkiv/`): a list of each issue's subject
and day, newest first, each issue's web version, and an Atom feed (RFC 4287). An issue is in
it once its sending began, unless the editor left it out; a web version is the issue's own
HTML in the site's frame, the same for every reader: no unsubscribe link, no token, no name.
The pages are rendered here with autoescaping (a subject is text; the issue's HTML is what
the editor wrote and is sent as it is) and served by the newsletter's public function,
under the site's Content-Security-Policy (no script or style of the issue runs)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from shared.danish import danish_date
from shared.errors import NotFound
from shared.newsletter.models import Issue, IssueStatus
from shared.platform.clock import COPENHAGEN
from shared.platform.names import ENV_CONTACT_EMAIL
from shared.privacy_notice import PRIVACY_PAGE

if TYPE_CHECKING:
    from jinja2 import Environment

    from shared.links import Links
    from shared.newsletter.ports import NewsletterStore

TEMPLATES = Path(__file__).parent / "templates"
ATOM = "http://www.w3.org/2005/Atom"
TITLE = "Nyhedsbrevet fra Ledere af ledere"
PUBLISHED = (IssueStatus.SENDING, IssueStatus.SENT)


@cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html",)),
                       trim_blocks=True, lstrip_blocks=True)


def published(issue: Issue) -> bool:
    return issue.status in PUBLISHED and issue.in_archive


def _sent_on(issue: Issue) -> datetime:
    return issue.dispatched_at or issue.approved_at or issue.created_at


def _day(moment: datetime) -> str:
    """The Danish day (as the page writes it) for `<time datetime>`: an issue sent at 00.30
    is of that day, not of UTC's day before."""
    return moment.astimezone(COPENHAGEN).date().isoformat()


class Archive:
    def __init__(self, store: NewsletterStore, links: Links) -> None:
        self._store = store
        self._links = links

    def issues(self) -> list[Issue]:
        """The issues shown, newest first."""
        return sorted((i for i in self._store.issues() if published(i)),
                      key=lambda i: (_sent_on(i), i.id), reverse=True)

    def issue(self, issue_id: str) -> Issue:
        found = self._store.issue(issue_id) if re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}",
                                                             issue_id) else None
        if found is None or not published(found):
            raise NotFound("Nummeret findes ikke i arkivet.", code="unknown_issue")
        return found

    def _page(self, template: str, **values: object) -> str:
        return _environment().get_template(template).render(
            contact_email=os.environ.get(ENV_CONTACT_EMAIL, ""), privacy_page=PRIVACY_PAGE,
            feed=self._links.archive_feed(), title_suffix="Ledere af ledere", **values)

    def index_page(self) -> str:
        return self._page("arkiv.html", issues=[
            {"subject": i.subject, "day": danish_date(_sent_on(i), weekday=False),
             "iso": _day(_sent_on(i)),
             "href": self._links.archive_issue(i.id)} for i in self.issues()])

    def issue_page(self, issue_id: str) -> str:
        issue = self.issue(issue_id)
        return self._page("arkiv_nummer.html", subject=issue.subject, body_html=issue.html,
                          day=danish_date(_sent_on(issue), weekday=False),
                          iso=_day(_sent_on(issue)),
                          archive=self._links.archive())

    def feed(self, now: datetime) -> bytes:
        """The Atom feed: the feed's id, title, updated, author and links; each entry's id
        (its web version's address, which never changes), title, updated, link and the
        issue's HTML as content."""
        issues = self.issues()
        ET.register_namespace("", ATOM)
        feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang":
                                               "da"})

        def sub(parent: ET.Element, name: str, text: str | None = None,
                **attributes: str) -> ET.Element:
            child = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
            if text is not None:
                child.text = text
            return child

        def stamp(moment: datetime) -> str:
            return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace(
                "+00:00", "Z")

        sub(feed, "id", self._links.archive())
        sub(feed, "title", TITLE)
        sub(feed, "updated", stamp(_sent_on(issues[0]) if issues else now))
        author = sub(feed, "author")
        sub(author, "name", "Ledere af ledere")
        sub(feed, "link", rel="self", type="application/atom+xml",
            href=self._links.archive_feed())
        sub(feed, "link", rel="alternate", type="text/html", href=self._links.archive())
        for issue in issues:
            entry = sub(feed, "entry")
            link = self._links.archive_issue(issue.id)
            sub(entry, "id", link)
            sub(entry, "title", issue.subject)
            sub(entry, "updated", stamp(_sent_on(issue)))
            sub(entry, "published", stamp(_sent_on(issue)))
            sub(entry, "link", rel="alternate", type="text/html", href=link)
            sub(entry, "content", issue.html, type="html")
        return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
