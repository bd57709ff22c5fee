"""Data-protection requests over every area: each holder asked in turn, one audit record per
request (the action, the operator, the counts; never the address)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.forms import normalise_email
from shared.platform.clock import Clock, utcnow
from shared.privacy.models import ErasureInterrupted, Held, Report, Unreadable
from shared.privacy.ports import AuditLog, Holder

# How often an area looks again for what was written while it erased (a pass finds nothing
# the second time unless a press raced the first).
ERASURE_PASSES = 5


def until_nothing_found(erase_once: Callable[[], set[str]]) -> int:
    """Run `erase_once` (which erases what it finds and names it) until a pass finds
    nothing; how many distinct things were erased. ErasureInterrupted when every pass found
    something."""
    erased: set[str] = set()
    for _ in range(ERASURE_PASSES):
        found = erase_once()
        if not found:
            return len(erased)
        erased |= found
    raise ErasureInterrupted()


class Privacy:
    """Asks every holder; an area the caller may not read (advisory without the consultant's
    key) is reported as skipped, so the rest is still answered and the gap is visible."""

    def __init__(self, holders: list[Holder], audit: AuditLog, by: str, clock: Clock = utcnow,
                 new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self._holders = holders
        self._audit = audit
        self._by = by
        self._clock = clock
        self._new_id = new_id

    def export(self, email: str, case: str | None = None) -> tuple[dict[str, Any], Report]:
        found, report = self._ask_each("export", lambda holder, _: holder.export(email), case)
        data = {"email": normalise_email(email), "exported_at": report.at.isoformat(), **found,
                "not_searched": report.skipped}
        if report.why:
            data["not_searched_why"] = report.why
        return data, report

    def answer(self, email: str, case: str) -> tuple[dict[str, Any], Report]:
        """What an access answer is written from: the export's records by area, audited as
        action `answer` under the case."""
        return self._ask_each("answer", lambda holder, _: holder.export(email), case)

    def contribution(self, email: str, case: str) -> tuple[dict[str, Any], Report]:
        """What each area holds, record by record as a search sees it (a status, and for
        advisory requests their kind and time of receipt; no contents): the consultant's
        contribution to an access answer, audited as action `contribute` under the case."""
        return self._ask_each("contribute", lambda holder, _: holder.held(email), case)

    def search(self, email: str, case: str | None = None) -> tuple[dict[str, Held], Report]:
        """What each area holds about the address, as counts by kind (the record's status):
        no contents. Audited like an export, as action `search`."""
        found, report = self._ask_each("search", lambda holder, _: holder.held(email), case)
        return {area: Held.of(records) for area, records in found.items()}, report

    def erase(self, email: str, case: str | None = None) -> Report:
        return self._ask_each("erase", lambda holder, now: holder.erase(email, now), case)[1]

    def correct(self, email: str, corrections: dict[str, str | None],
                case: str | None = None) -> Report:
        """The person's details corrected wherever an area keeps them (the counts: records
        changed; a repeat changes none). Audited as action `correct`."""
        return self._ask_each(
            "correct", lambda holder, _: holder.correct(email, corrections), case)[1]

    def _ask_each(self, action: str, ask: Callable[[Holder, datetime], Any],
                  case: str | None = None) -> tuple[dict[str, Any], Report]:
        """Every holder's answer by area, and the audited report of counts and skipped areas."""
        now = self._clock()
        answers: dict[str, Any] = {}
        why: dict[str, str] = {}
        for holder in self._holders:
            try:
                answers[holder.area] = ask(holder, now)
            except Unreadable as unreadable:
                why[holder.area] = unreadable.message
        counts = {area: len(a) if isinstance(a, list) else a for area, a in answers.items()}
        report = Report(self._new_id(), action, now, self._by, counts, list(why), why, case)
        self._audit.record(report)
        return answers, report
