"""The in-memory catalogue store the domain tests use and the DynamoDB one on the emulator agree
on what an import writes: the same generated files, imported whole and then in part (after
seats were taken), leave the same forums and sessions (and each session's audience) in both,
and both refuse the same things the same way: a capacity below the seats taken names the same
sessions, an update of a forum or session that is gone raises CatalogueChanged, and a refused
write leaves both as they were."""

from __future__ import annotations

import itertools
from copy import deepcopy
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.emulator import Emulator
from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore, session_key
from shared.adapters.parameters import parameter
from shared.errors import InvalidInput
from shared.forums.catalogue import CapacityBelowConfirmed, Catalogue, CatalogueChanged
from shared.forums.catalogue_file import ForumWrite, SessionWrite
from shared.forums.models import Forum, Session
from shared.platform.names import PARAM_FORUMS_TABLE
from shared.roles import Audience
from tests.support.catalogue_files import catalogue_files, partial_files
from tests.support.registration import MemoryCatalogueStore

RUNS = itertools.count()


def prefixed(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The file with every id made unique to this run (the emulator's table is shared)."""
    out = deepcopy(data)
    for forum in out["forums"]:
        forum["id"] = f"{prefix}-{forum['id']}"
        for session in forum.get("sessions", []):
            session["id"] = f"{prefix}-{session['id']}"
    return out


def memory_state(store: MemoryCatalogueStore, prefix: str) -> dict[str, Any]:
    return {**{f.id: f.model_dump() for f in store.forums() if f.id.startswith(prefix)},
            **{s.id: {**s.model_dump(), "audience": store.audiences[s.id]}
               for s in store.sessions() if s.id.startswith(prefix)}}


def dynamo_state(emulator: Emulator, store: DynamoCatalogueStore, prefix: str) -> dict[str, Any]:
    table = parameter(PARAM_FORUMS_TABLE)
    sessions = {}
    for s in store.sessions():
        if s.id.startswith(prefix):
            item = emulator.client("dynamodb").get_item(
                TableName=table, Key=session_key(s.id), ConsistentRead=True)["Item"]
            sessions[s.id] = {**s.model_dump(), "audience": Audience(item["audience"]["S"])}
    return {**{f.id: f.model_dump() for f in store.forums() if f.id.startswith(prefix)},
            **sessions}


def take_seats(emulator: Emulator, memory: MemoryCatalogueStore, session_id: str,
               seats: int) -> None:
    memory.take_seats(session_id, seats)
    emulator.client("dynamodb").update_item(
        TableName=parameter(PARAM_FORUMS_TABLE), Key=session_key(session_id),
        UpdateExpression="SET confirmed = confirmed + :n",
        ExpressionAttributeValues={":n": {"N": str(seats)}})


def outcome(catalogue: Catalogue, data: dict[str, Any]) -> Any:
    try:
        return catalogue.import_file(deepcopy(data), same_day_ok=True)
    except InvalidInput as refused:
        return [(e.field, e.code, e.message) for e in refused.errors]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_both_stores_keep_and_refuse_the_same_for_a_whole_then_a_partial_import(
        emulator: Emulator, data: st.DataObject) -> None:
    prefix = f"kontrakt{next(RUNS)}"
    whole = data.draw(catalogue_files())
    partial = prefixed(data.draw(partial_files(whole)), prefix)
    whole = prefixed(whole, prefix)
    memory, dynamo = MemoryCatalogueStore(), DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))
    for store in (memory, dynamo):
        Catalogue(store).import_file(deepcopy(whole))
    sessions = [s["id"] for f in whole["forums"] for s in f["sessions"]]
    if sessions:
        chosen = data.draw(st.sampled_from(sessions))
        take_seats(emulator, memory, chosen, data.draw(st.integers(1, 60)))
    assert memory_state(memory, prefix) == dynamo_state(emulator, dynamo, prefix)
    assert outcome(Catalogue(memory), partial) == outcome(Catalogue(dynamo), partial)
    assert memory_state(memory, prefix) == dynamo_state(emulator, dynamo, prefix)


@pytest.mark.parametrize("gone", ["forum", "session"])
def test_an_update_of_what_is_gone_raises_catalogue_changed_in_both_and_writes_nothing(
        emulator: Emulator, gone: str) -> None:
    prefix = f"kontrakt-borte{next(RUNS)}"
    forum = Forum(id=f"{prefix}-forum", title="Forum")
    kolding = Session.model_validate({
        "id": f"{prefix}-kolding", "forum_id": forum.id, "city": "Kolding", "capacity": 5,
        "starts_at": "2031-03-04T09:30:00+01:00", "ends_at": "2031-03-04T15:30:00+01:00",
        "registration_deadline": "2031-02-25T12:00:00+01:00"})
    missing = kolding.model_copy(update={"id": f"{prefix}-borte"})
    memory, dynamo = MemoryCatalogueStore(), DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))
    for store in (memory, dynamo):
        store.write_catalogue([ForumWrite(forum, None)], [
            SessionWrite(kolding, Audience.LEADERS_OF_LEADERS, None)])
    before = memory_state(memory, prefix)
    assert before == dynamo_state(emulator, dynamo, prefix)
    renamed = forum.model_copy(update={"title": "Nyt navn"})
    for store in (memory, dynamo):
        with pytest.raises(CatalogueChanged):
            store.write_catalogue(
                [ForumWrite(renamed if gone == "session" else
                            renamed.model_copy(update={"id": f"{prefix}-borte"}),
                            frozenset({"title"}))],
                [SessionWrite(missing if gone == "session" else kolding,
                              Audience.LEADERS_OF_LEADERS, frozenset({"capacity"}))])
    assert memory_state(memory, prefix) == before == dynamo_state(emulator, dynamo, prefix)


def test_a_capacity_below_the_seats_taken_names_the_same_sessions_in_both(
        emulator: Emulator) -> None:
    prefix = f"kontrakt-pladser{next(RUNS)}"
    forum = Forum(id=f"{prefix}-forum", title="Forum")
    sessions = [Session.model_validate({
        "id": f"{prefix}-{city.lower()}", "forum_id": forum.id, "city": city, "capacity": 5,
        "starts_at": "2031-03-04T09:30:00+01:00", "ends_at": "2031-03-04T15:30:00+01:00",
        "registration_deadline": "2031-02-25T12:00:00+01:00"}) for city in ("Kolding", "Vejle")]
    memory, dynamo = MemoryCatalogueStore(), DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))
    for store in (memory, dynamo):
        store.write_catalogue([ForumWrite(forum, None)], [
            SessionWrite(s, Audience.LEADERS_OF_LEADERS, None) for s in sessions])
    for s in sessions:
        take_seats(emulator, memory, s.id, 4)
    before = memory_state(memory, prefix)
    shrunk = [SessionWrite(s.model_copy(update={"capacity": 3}), Audience.LEADERS_OF_LEADERS,
                           frozenset({"capacity"})) for s in sessions]
    named = []
    for store in (memory, dynamo):
        with pytest.raises(CapacityBelowConfirmed) as refused:
            store.write_catalogue([ForumWrite(forum, frozenset({"title"}))], shrunk)
        named.append(sorted(refused.value.session_ids))
    assert named[0] == named[1] == sorted(s.id for s in sessions)
    assert memory_state(memory, prefix) == before == dynamo_state(emulator, dynamo, prefix)


def test_a_new_time_is_written_only_over_the_revision_it_was_read_at_in_both(
        emulator: Emulator) -> None:
    """An import moving a session writes its next revision only while the session is at the
    one the import read: a change made meanwhile (in the console) raises CatalogueChanged in
    both, and nothing is written."""
    prefix = f"kontrakt-revision{next(RUNS)}"
    forum = Forum(id=f"{prefix}-forum", title="Forum")
    kolding = Session.model_validate({
        "id": f"{prefix}-kolding", "forum_id": forum.id, "city": "Kolding", "capacity": 5,
        "starts_at": "2031-03-04T09:30:00+01:00", "ends_at": "2031-03-04T15:30:00+01:00",
        "registration_deadline": "2031-02-25T12:00:00+01:00"})
    later = kolding.model_copy(update={"starts_at": kolding.starts_at + timedelta(hours=1),
                                       "revision": 1})
    memory, dynamo = MemoryCatalogueStore(), DynamoCatalogueStore(parameter(PARAM_FORUMS_TABLE))
    moved = frozenset({"starts_at", "revision"})
    for store in (memory, dynamo):
        store.write_catalogue([ForumWrite(forum, None)], [
            SessionWrite(kolding, Audience.LEADERS_OF_LEADERS, None)])
        store.write_catalogue([], [SessionWrite(later, Audience.LEADERS_OF_LEADERS, moved)])
        # Read at revision 0 again (a file previewed before that change): refused.
        with pytest.raises(CatalogueChanged):
            store.write_catalogue([], [SessionWrite(
                later.model_copy(update={"city": "Vejle"}), Audience.LEADERS_OF_LEADERS,
                moved | {"city"})])
    before = memory_state(memory, prefix)
    assert before == dynamo_state(emulator, dynamo, prefix)
    assert before[kolding.id]["revision"] == 1
    assert before[kolding.id]["city"] == "Kolding"
