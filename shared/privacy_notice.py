"""The privacy notice members read before they consent (pages/templates/privatliv.html).

Its version is this one constant: the page shows it, and every consent recorded (newsletter
subscription, forum registration, request to the consultant) records it, so a recorded
consent names the text the person was shown. Change the page's text, change the version:
tests/unit/test_privacy_notice.py fails while the text and the version disagree."""

from __future__ import annotations

PRIVACY_NOTICE_VERSION = "privatliv-2026-12-06"
PRIVACY_PAGE = "/privatliv.html"
