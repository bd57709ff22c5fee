"""The answer to a plain HTML form post (no JavaScript in the browser): the API's JSON answer
shown as a small Danish page, so the newsletter signup and the consultant's form work without
a script. Field errors are listed with the field's label and a way back to the form."""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import urlsplit

LABELS = {
    "name": "Navn", "email": "E-mail", "phone": "Telefon", "role": "Din stilling",
    "workplace": "Arbejdsplads eller kommune", "member_number": "Medlemsnummer",
    "needs": "Særlige behov", "consent": "Samtykke", "kind": "Hvad drejer det sig om",
    "contact_preference": "Kontaktform", "topic": "Emne", "message": "Din besked",
    "urgent": "Det haster", "session_id": "Møde", "token": "Link",
}
OUTCOMES = {
    "confirmed": "Du har fået en plads. Vi har sendt en bekræftelse til din mail.",
    "waitlisted": "Mødet er fuldt, så du er skrevet på ventelisten som nummer {place}. "
                  "Du får en mail, hvis du får en plads.",
    "cancelled": "Du er nu afmeldt. Tak fordi du gav besked.",
    "subscribed": "Du får nu nyhedsbrevet.",
    "unsubscribed": "Du er afmeldt og får ikke flere numre af nyhedsbrevet.",
}


# The page each plainly posted form is on: the way back, since the pages send no Referer
# (`Referrer-Policy: no-referrer`, so that no address with a token in it is ever sent on).
FORM_PAGES = {"/api/newsletter/subscriptions": "/nyhedsbrev.html",
              "/api/advisory-requests": "/lederkonsulent.html"}


def wants_page(media_type: str, accept: str) -> bool:
    """A browser's own form post: a form (urlencoded or multipart), and HTML accepted (media
    types in Accept are case-insensitive, RFC 9110)."""
    return media_type in ("application/x-www-form-urlencoded", "multipart/form-data") and \
        "text/html" in accept.lower()


def _success(body: dict[str, Any]) -> str:
    if "reference" in body:
        return (f"Vi har modtaget din henvendelse. Dit referencenummer er {body['reference']}. "
                "Lederkonsulenten vender tilbage, hvis du har skrevet, hvordan vi kan "
                "kontakte dig.")
    status = str(body.get("status", ""))
    if status in OUTCOMES:
        return OUTCOMES[status].format(place=body.get("waitlist_position", ""))
    return str(body.get("message") or "Det er modtaget.")


def _back(referer: str) -> str:
    """The form the post came from, when the browser says so (a path on this site only)."""
    parts = urlsplit(referer)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else "/"


def page(result: dict[str, Any], referer: str, path: str = "") -> dict[str, Any]:
    """The resolver's JSON answer as an HTML page with the same status; `path` is the route
    posted to, whose form page is the way back (else the Referer's path, if a browser sent
    one)."""
    status = int(result["statusCode"])
    try:
        body = json.loads(result.get("body") or "{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if 200 <= status < 300:
        heading, lines = "Tak!", [_success(body)]
    elif isinstance(body.get("errors"), list):
        heading = "Formularen har fejl"
        lines = [f"{LABELS.get(str(e.get('field')), 'Formularen')}: {e.get('message', '')}"
                 for e in body["errors"] if isinstance(e, dict)]
    else:
        heading = "Det lykkedes ikke"
        lines = [str(body.get("message") or "Prøv igen om lidt.")]
    items = "\n".join(f"    <li>{escape(line)}</li>" for line in lines)
    back = escape(FORM_PAGES.get(path) or _back(referer), quote=True)
    html = (
        '<!doctype html>\n<html lang="da">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(heading)} – Ledere af ledere</title>\n"
        '<link rel="stylesheet" href="/style.css">\n</head>\n<body>\n'
        '<header><p class="brand"><a href="/">Ledere af ledere</a></p></header>\n'
        f'<main id="indhold">\n  <h1>{escape(heading)}</h1>\n  <ul class="svar">\n{items}\n'
        f'  </ul>\n  <p><a href="{back}">Tilbage til formularen</a></p>\n</main>\n'
        "</body>\n</html>\n")
    return {"statusCode": status, "headers": {"Content-Type": "text/html; charset=utf-8"},
            "body": html, "isBase64Encoded": False}
