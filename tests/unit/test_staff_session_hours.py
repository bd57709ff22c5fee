"""The staff console warns before its session ends and ends it itself when the refresh token
does: the pages' working day (SESSION_HOURS in personale.js) is the app client's refresh-token
validity (REFRESH_HOURS in infra/staff.py)."""

from __future__ import annotations

import re
from pathlib import Path

from infra.staff import REFRESH_HOURS

CONSOLE = Path(__file__).parents[2] / "pages" / "static" / "personale.js"


def test_the_pages_end_the_session_when_the_refresh_token_ends() -> None:
    found = re.findall(r"var SESSION_HOURS = (\d+);", CONSOLE.read_text(encoding="utf-8"))
    assert found == [str(REFRESH_HOURS)]
