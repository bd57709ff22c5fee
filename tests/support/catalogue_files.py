"""The secretariat's catalogue files the catalogue tests share: generated whole files and
files giving some fields of some of their forums and sessions, and a table's items as read."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from local.emulator import Emulator
from shared.platform.clock import COPENHAGEN
from shared.roles import Audience


def table_items(emulator: Emulator, table: str) -> list[str]:
    items = emulator.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(json.dumps(i, sort_keys=True) for i in items)


FIRST_DAY = datetime(2031, 3, 3, tzinfo=COPENHAGEN)


CITIES = ["Kolding", "Ballerup", "Aarhus", "Odense"]


TYPED = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp"])


WORDS = st.text(TYPED, min_size=1, max_size=40).map(str.strip).filter(bool)


@st.composite
def times(draw: st.DrawFn, day: int) -> dict[str, str]:
    starts = FIRST_DAY + timedelta(days=day, hours=draw(st.integers(7, 17)),
                                   minutes=draw(st.sampled_from([0, 15, 30, 45])))
    ends = starts + timedelta(hours=draw(st.integers(1, 6)))
    deadline = starts - timedelta(days=draw(st.integers(1, 30)))
    return {"starts_at": starts.isoformat(), "ends_at": ends.isoformat(),
            "registration_deadline": deadline.replace(tzinfo=None).isoformat()}


@st.composite
def session_fields(draw: st.DrawFn, day: int) -> dict[str, Any]:
    return {"city": draw(st.sampled_from(CITIES)), "venue": draw(st.just("") | WORDS),
            "capacity": draw(st.integers(1, 200)), **draw(times(day))}


@st.composite
def forum_fields(draw: st.DrawFn) -> dict[str, Any]:
    return {"title": draw(WORDS), "description": draw(st.just("") | WORDS),
            "audience": draw(st.sampled_from([a.value for a in Audience]))}


@st.composite
def catalogue_files(draw: st.DrawFn) -> dict[str, Any]:
    """A whole file: every session on a day of its own (none asks about the same day)."""
    days = iter(draw(st.permutations(range(30))))
    return {"forums": [{
        "id": f"forum-{f}", **draw(forum_fields()),
        "sessions": [{"id": f"forum-{f}-m{s}", **draw(session_fields(next(days)))}
                     for s in range(draw(st.integers(0, 3)))]}
        for f in range(draw(st.integers(1, 3)))]}


def _some(draw: st.DrawFn, fields: dict[str, Any]) -> dict[str, Any]:
    chosen = draw(st.sets(st.sampled_from(sorted(fields))))
    return {name: value for name, value in fields.items() if name in chosen}


@st.composite
def partial_files(draw: st.DrawFn, whole: dict[str, Any]) -> dict[str, Any]:
    """Some of the file's forums and sessions, each with some of its fields given new values."""
    forums = []
    for forum in whole["forums"]:
        if not draw(st.booleans()):
            continue
        sessions = [{"id": s["id"], **_some(draw, draw(session_fields(31 + n)))}
                    for n, s in enumerate(forum["sessions"]) if draw(st.booleans())]
        forums.append({"id": forum["id"], **_some(draw, draw(forum_fields())),
                       "sessions": sessions})
    return {"forums": forums or [{"id": whole["forums"][0]["id"]}]}
