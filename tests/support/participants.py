"""The secretariat's participants through the staff API, for the integration tests of its
routes: a forum with sessions in the emulator, a person's details as the secretariat types
them, registering, the participant list and the seats taken."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.parameters import parameter
from shared.forums.catalogue import Catalogue
from shared.platform.names import PARAM_FORUMS_TABLE
from tests.integration.conftest import Api, bearer

Tokens = dict[str, dict[str, Any]]


def forum(*capacities: int, cities: tuple[str, ...] = ("Vejle", "Aarhus", "Odense")) -> list[str]:
    """A forum with a session of each capacity; their ids."""
    number = time.monotonic_ns()
    starts = datetime.now(UTC) + timedelta(days=30)
    sessions = [{
        "id": f"one-{number}-{i}", "city": cities[i], "venue": "Spinderihallerne",
        "starts_at": (starts + timedelta(days=i)).isoformat(),
        "ends_at": (starts + timedelta(days=i, hours=5)).isoformat(),
        "registration_deadline": (starts - timedelta(days=5)).isoformat(),
        "capacity": capacity, "status": "open"} for i, capacity in enumerate(capacities)]
    Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))).import_file({"forums": [{
        "id": f"one-forum-{number}", "title": "Enkeltforum", "sessions": sessions}]})
    return [s["id"] for s in sessions]


def person(who: str, **changes: Any) -> dict[str, Any]:
    return {"name": f"Deltager {who}", "email": f"{who}@example.dk", "phone": "+4520304050",
            "role": "district_leader", "workplace": "Vejle Kommune", "member_number": "98765",
            "needs": "Vegetar", "asked_by": "telefon", **changes}


def secretariat(tokens: Tokens) -> dict[str, str]:
    return bearer(tokens["secretariat"]["IdToken"])


def register(api: Api, tokens: Tokens, session: str, who: str,
             **changes: Any) -> tuple[int, Any]:
    return api.request("POST", f"/api/staff/sessions/{session}/registrations",
                       person(who, **changes), secretariat(tokens))


def listed(api: Api, tokens: Tokens, session: str) -> list[dict[str, Any]]:
    status, body = api.request("GET", f"/api/staff/sessions/{session}/participants",
                               headers=secretariat(tokens))
    assert status == 200
    return list(body["participants"])


def seats(session: str) -> int:
    found = DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE)).session(session)
    assert found is not None
    return found.confirmed
