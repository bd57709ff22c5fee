"""The absolute links in emails: each lands on a page (which acts on a button press) or, for
the RFC 8058 one-click unsubscribe, on the API itself. Tokens go in `token=`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    public_url: str

    def _at(self, path: str, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/{path}?token={token}"

    def confirm_registration(self, token: str) -> str:
        return self._at("bekraeft-tilmelding.html", token)

    def cancel_registration(self, token: str) -> str:
        return self._at("afmeld.html", token)

    def confirm_subscription(self, token: str) -> str:
        return self._at("bekraeft-nyhedsbrev.html", token)

    def unsubscribe_page(self, token: str) -> str:
        return self._at("afmeld-nyhedsbrev.html", token)

    def unsubscribe_api(self, token: str) -> str:
        return self._at("api/newsletter/unsubscribe", token)
