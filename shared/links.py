"""The absolute links in emails: each lands on a page (which acts on a button press) or, for
the RFC 8058 one-click unsubscribe, on the API itself.

A page's link carries its token in the fragment (`/afmeld.html#token=…`): browsers never send
a fragment, so the token stays out of every access log (CloudFront's, the API's) and out of
every `Referer`; the page's script reads it and takes it off the address bar. The one-click
unsubscribe URL is POSTed by mail providers, who send no fragment: it keeps `?token=`, and
no log this stack writes holds a query string."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

# Where the archive of sent issues is served (the site's path, not below /api).
ARCHIVE_PATH = "/nyhedsbrev/arkiv"
# Site paths the API answers, not the pages' bucket (CloudFront's behaviours, the local
# server): the archive's list, issues and feed.
SITE_API_PATHS = (f"{ARCHIVE_PATH}*",)


def page_link(path: str, token: str, base: str = "") -> str:
    """A page's address with the token in its fragment (also for redirects to a page)."""
    return f"{base.rstrip('/')}/{path.lstrip('/')}#token={quote(token, safe='')}"


@dataclass(frozen=True)
class Links:
    public_url: str

    def _page(self, path: str, token: str) -> str:
        return page_link(path, token, self.public_url)

    def confirm_registration(self, token: str) -> str:
        return self._page("bekraeft-tilmelding.html", token)

    def cancel_registration(self, token: str) -> str:
        return self._page("afmeld.html", token)

    def confirm_subscription(self, token: str) -> str:
        return self._page("bekraeft-nyhedsbrev.html", token)

    def unsubscribe_page(self, token: str) -> str:
        return self._page("afmeld-nyhedsbrev.html", token)

    def unsubscribe_api(self, token: str) -> str:
        """The List-Unsubscribe URL (RFC 8058): an API route, POSTed without a browser."""
        return f"{self.public_url.rstrip('/')}/api/newsletter/unsubscribe?token={token}"

    def archive(self) -> str:
        """The public archive of sent issues."""
        return f"{self.public_url.rstrip('/')}{ARCHIVE_PATH}/"

    def archive_issue(self, issue_id: str) -> str:
        """An issue's web version in the archive: the same for every reader (no token)."""
        return f"{self.public_url.rstrip('/')}{ARCHIVE_PATH}/{quote(issue_id, safe='')}"

    def archive_feed(self) -> str:
        return f"{self.public_url.rstrip('/')}{ARCHIVE_PATH}/atom.xml"
