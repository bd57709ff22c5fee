"""What the privacy modules of tests/integration share on the emulator: a registration made
and confirmed by its owner, and every item of every table."""

from __future__ import annotations

from typing import Any

from local.emulator import Emulator
from local.plan import Plan
from shared.forums.registration.models import RegistrationForm
from shared.forums.registration.service import Registrations


def registration_form(session: str, person: dict[str, str]) -> RegistrationForm:
    return RegistrationForm.model_validate({
        "session_id": session, "role": "district_leader", "consent": True,
        "workplace": "Aalborg Kommune", "member_number": "1", **person})


def register(session: str, person: dict[str, str]) -> dict[str, Any]:
    """Submitted and confirmed by the owner; the registration's id and status."""
    from cli.resources import registration_store

    service = Registrations(registration_store(), b"privacy-test")
    submission = service.submit(registration_form(session, person))
    answer = service.confirm_by_token(service.confirm_token(submission))
    return {"id": submission.registration_id, "status": answer.status.value}


def every_item(emulator: Emulator, plan: Plan) -> dict[str, list[dict[str, Any]]]:
    ddb = emulator.client("dynamodb")
    found = {}
    for name in ddb.list_tables()["TableNames"]:
        found[name] = [item for page in ddb.get_paginator("scan").paginate(TableName=name)
                       for item in page["Items"]]
    return found


def forum_session(title: str, city: str, capacity: int) -> str:
    """A fresh forum of its own title with one session in `city` (a month ahead)."""
    from datetime import UTC, datetime, timedelta
    from uuid import uuid4

    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
    from shared.adapters.parameters import parameter
    from shared.forums.catalogue import Catalogue
    from shared.platform.names import PARAM_FORUMS_TABLE

    slug = f"svar-{uuid4().hex[:10]}"
    starts = datetime(2027, 3, 2, 8, 30, tzinfo=UTC) + timedelta(days=len(city))
    Catalogue(DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))).import_file({"forums": [{
        "id": slug, "title": title, "audience": "leaders_of_leaders",
        "sessions": [{
            "id": f"{slug}-1", "city": city, "venue": "Rådhuset",
            "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=6)).isoformat(),
            "registration_deadline": (datetime.now(UTC) + timedelta(days=20)).isoformat(),
            "capacity": capacity, "status": "open",
        }],
    }]})
    return f"{slug}-1"
