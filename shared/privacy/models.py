"""What a data-protection request answers and records: the audited report, what an area
holds, and the refusals (an area the caller may not read, an erasure outrun by new writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.errors import DomainError


class ErasureInterrupted(DomainError):
    """Something about the address was written at every look (a flood of submissions):
    the erasure stops rather than report an address erased that is not."""

    status = 409
    code = "erasure_interrupted"
    message = ("Der blev ved med at komme nye oplysninger om adressen, mens den blev slettet. "
               "Prøv igen om lidt; det, der allerede er slettet, forbliver slettet.")


class CorrectionInterrupted(DomainError):
    """A registration of the address changed at every look while it was being corrected."""

    status = 409
    code = "correction_interrupted"
    message = ("Tilmeldingerne blev ved med at ændre sig, mens de blev rettet. Prøv igen om "
               "lidt; det, der allerede er rettet, forbliver rettet.")


class Unreadable(DomainError):
    """An area the caller may not read; its message says who answers for it."""

    status = 403
    code = "cannot_decrypt"
    message = ("Henvendelserne til lederkonsulenten kunne ikke dekrypteres. Kun "
               "lederkonsulentens rolle (ConsultantRole) må det: kør kommandoen som den med "
               "--area advisory.")


# The staff console's privacy officer may not use the advisory key (only the consultant may,
# in the consultant's own area of the console): said in the export and in every answer that
# leaves the area out.
ADVISORY_BY_CONSULTANT = (
    "Henvendelser til lederkonsulenten er krypteret med en nøgle, som kun lederkonsulenten må "
    "bruge. Databeskyttelsen kan derfor hverken søge i, udtrække eller slette dem: "
    "lederkonsulenten besvarer den del af anmodningen i sit eget område af personalesiderne "
    "(Databeskyttelse: henvendelser fra en e-mailadresse).")


@dataclass(frozen=True)
class Report:
    """What one request did: counts per area, the areas it could not search; no personal
    data."""

    request_id: str
    action: str  # search | export | erase | correct
    at: datetime
    by: str
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    # Why each skipped area was left out (who answers for it); not audited.
    why: dict[str, str] = field(default_factory=dict, compare=False)
    # The data-protection case it was made for (shared.privacy.cases), when there is one.
    case: str | None = None


@dataclass(frozen=True)
class Held:
    """What one area holds about an address: how many records, and how many of each kind
    (a registration's or subscription's status: `confirmed`, `unconfirmed`, `pending`, …)."""

    count: int
    kinds: dict[str, int]

    @classmethod
    def of(cls, records: list[dict[str, Any]]) -> Held:
        kinds: dict[str, int] = {}
        for record in records:
            kind = str(record.get("status") or "held")
            kinds[kind] = kinds.get(kind, 0) + 1
        return cls(len(records), kinds)
