"""What the newsletter says to people: the double opt-in's confirmation, and each
subscriber's copy of an issue (its HTML and plain text in the newsletter's frame, with the
subscriber's own one-click unsubscribe in the headers, RFC 8058, and a link in the body). The
plain-text part of a draft is derived from its HTML here too."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from shared.email.render import Email
    from shared.newsletter.models import Issue, Subscriber


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


def issue_email(issue: Issue, to: str, unsubscribe_page: str,
                headers: dict[str, str] | None = None, web_version: str | None = None) -> Email:
    """A subscriber's copy of the issue: its HTML and text in the newsletter's frame, with the
    unsubscribe link in the body and, when the issue is in the archive, "Læs i browseren"
    linking to its web version (what SES sends, and what the preview shows)."""
    from shared.email.render import render

    return render("newsletter_issue", to, issue.subject,
                  {"text": issue.text, "body_html": issue.html,
                   "unsubscribe_page": unsubscribe_page, "web_version": web_version},
                  headers=headers)


def confirmation_email(subscriber: Subscriber, link: str) -> Email:
    """The double opt-in: the link that confirms the subscription. Nothing typed in the form
    (the name) goes in it: the address's owner has not confirmed anything yet, and a stranger
    may have typed it."""
    from shared.email.render import render

    return render("newsletter_confirm", subscriber.email,
                  "Bekræft dit abonnement på nyhedsbrevet", {"link": link})


def subscriber_copy(issue: Issue, subscriber: Subscriber, unsubscribe_url: str,
                    unsubscribe_page: str, sender: str, web_version: str | None = None) -> Email:
    """One subscriber's copy: one-click unsubscribe by its URL (a POST, RFC 8058) or by a
    mail to the sender, and the unsubscribe page linked in the body."""
    mailto = f"mailto:{sender}?subject=afmeld"
    return issue_email(
        issue, subscriber.email, unsubscribe_page, web_version=web_version,
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>, <{mailto}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
