"""Demo data: the source's three forums and their cities, with dates a few months ahead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from shared.platform.clock import COPENHAGEN

FORUMS: list[dict[str, Any]] = [
    {
        "id": "evalueringskultur",
        "title": "Evalueringskultur og datainformeret ledelse",
        "description": "Hvordan bruger vi data og evaluering til at lede på tværs af flere "
        "enheder uden at drukne i dokumentation?",
        "audience": "leaders_of_leaders",
        "sessions": [("evalueringskultur-kolding", "Kolding", "Comwell Kolding", 40, 42),
                     ("evalueringskultur-ballerup", "Ballerup", "Ballerup Rådhus", 40, 49)],
    },
    {
        "id": "skole-fritid",
        "title": "Ledelse af skole-fritidsområdet",
        "description": "Ledelse af SFO og fritidstilbud i samspil med skolen.",
        "audience": "leaders_of_leaders",
        "sessions": [("skole-fritid-odense", "Odense", "Odense Congress Center", 30, 63)],
    },
    {
        "id": "ledelseskommissionen",
        "title": "Ledelseskommissionens anbefalinger",
        "description": "Hvad betyder Ledelseskommissionens anbefalinger for ledere af ledere?",
        "audience": "leaders_and_administration",
        "sessions": [("ledelseskommissionen-aarhus", "Aarhus", "Aarhus Rådhus", 60, 77),
                     ("ledelseskommissionen-kobenhavn", "København", "BUPL, Blegdamsvej 124",
                      60, 84)],
    },
]


def catalogue(today: date | None = None) -> dict[str, Any]:
    """The demo catalogue in the secretariat's file format, dated relative to `today`."""
    today = today or datetime.now(COPENHAGEN).date()
    forums = []
    for forum in FORUMS:
        sessions = []
        for session_id, city, venue, capacity, in_days in forum["sessions"]:
            day = today + timedelta(days=in_days)
            starts = datetime.combine(day, time(9, 30), COPENHAGEN)
            sessions.append({
                "id": session_id, "city": city, "venue": venue, "capacity": capacity,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=6)).isoformat(),
                "registration_deadline": (starts - timedelta(days=7)).isoformat(),
            })
        forums.append({k: v for k, v in forum.items() if k != "sessions"} | {"sessions": sessions})
    return {"forums": forums}
