"""The staff console's data-protection requests and answers, one shape for both halves: the
privacy officer's function answers for forums and newsletter, the consultant's for advisory
requests (which only it may open). An address asked about, an erasure confirmed, what each
area holds, what was erased, the export as a download named by its audit reference, and the
three routes (search, export, erase) that each function adds under its own path. Each may
name a data-protection case (`case`, shared.privacy.cases) instead of the address: the
address is the case's, and the request is audited under the case's number."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shared.edge.http import BODY_REFUSALS, Body, Resolver, Response, staff_responses
from shared.edge.staff import SECURITY
from shared.errors import DomainError, NotFound
from shared.forms import Email
from shared.platform.observability import logger
from shared.privacy.cases import CASE_NUMBER
from shared.validation import DanishValueError

if TYPE_CHECKING:  # the service loads with the first request (cold starts)
    from shared.privacy.cases import Case
    from shared.privacy.models import Held, Report
    from shared.privacy.service import Privacy

CaseNumber = Annotated[str, Field(pattern=CASE_NUMBER, max_length=20)]


class CaseClosed(DomainError):
    status = 409
    code = "case_closed"
    message = "Sagen er afsluttet. Åbn en ny sag for en ny anmodning."


def open_case(found: Case | None) -> Case:
    """The case asked for, while it is open: 404 for none, 409 for a closed one."""
    if found is None:
        raise NotFound("Sagen findes ikke.", code="case_not_found")
    if found.closed_at is not None:
        raise CaseClosed()
    return found


def _confirmed(value: bool) -> bool:
    if value is not True:
        raise DanishValueError("confirm_required",
                               "Bekræft, at alle oplysninger om adressen skal slettes.")
    return value


class AddressRequest(BaseModel):
    """The address asked about, or the case whose address it is (the console sends the
    case, so that every request is audited under it)."""

    model_config = ConfigDict(extra="forbid")

    email: Email | None = Field(default=None, max_length=254)
    case: CaseNumber | None = None

    @model_validator(mode="after")
    def _an_address(self) -> AddressRequest:
        if self.email is None and self.case is None:
            raise DanishValueError("required", "Skriv personens e-mailadresse.", "email")
        if self.email is not None and self.case is not None:
            # One address per request: never answered for the case while naming another.
            raise DanishValueError("case_and_email",
                                   "Angiv enten sagen eller e-mailadressen, ikke begge.",
                                   "email")
        return self


class EraseRequest(AddressRequest):
    confirm: Annotated[bool, AfterValidator(_confirmed)]


class NotSearched(BaseModel):
    area: str
    reason: str


class AreaHeld(BaseModel):
    area: str
    count: int
    # How many records of each kind: a registration's, subscription's or request's status.
    kinds: dict[str, int]


class Found(BaseModel):
    reference: str
    areas: list[AreaHeld]
    not_searched: list[NotSearched]

    @classmethod
    def of(cls, held: dict[str, Held], report: Report) -> Found:
        return cls(reference=report.request_id, not_searched=_not_searched(report), areas=[
            AreaHeld(area=area, count=h.count, kinds=h.kinds) for area, h in held.items()])


class Erased(BaseModel):
    reference: str
    erased: dict[str, int]
    not_searched: list[NotSearched]

    @classmethod
    def of(cls, report: Report) -> Erased:
        return cls(reference=report.request_id, erased=report.counts,
                   not_searched=_not_searched(report))


def _not_searched(report: Report) -> list[NotSearched]:
    return [NotSearched(area=area, reason=report.why.get(area, "")) for area in report.skipped]


def _logged(report: Report) -> None:
    """The request in the function's log: the action, the reference and the counts only."""
    logger.info("privacy request", extra={"action": report.action,
                                          "reference": report.request_id, "case": report.case,
                                          "counts": report.counts,
                                          "not_searched": report.skipped})


def _export_answer(documented: dict[int, Any]) -> dict[int, Any]:
    """The OpenAPI answers of an export route: the download, beside the refusals given."""
    return {**documented, 200: {
        "description": "Everything held about the address as a JSON file (a download: "
                       "`Content-Disposition: attachment`, named by the audit reference)",
        "content": {"application/json": {"schema": {"type": "object"}}}}}


def _export_download(data: dict[str, Any], report: Report) -> Response[Any]:
    """The `leaders privacy export` file as a download named by the audit reference (never
    by the address), kept by no cache."""
    return Response(status_code=200, content_type="application/json; charset=utf-8",
                    body=json.dumps(data, ensure_ascii=False, indent=2),
                    headers={"Content-Disposition":
                             f'attachment; filename="udtraek-{report.request_id}.json"',
                             "Cache-Control": "no-store"})


def add_request_routes(app: Resolver, base: str, service: Callable[[], Privacy],
                       described: dict[str, str],
                       case: Callable[[str], Case | None] | None = None) -> None:
    """`POST {base}/search`, `…/export` and `…/erase` on a console function's resolver: the
    address in the body only, answered by `service()` (the signed-in caller's: it refuses
    another group first), each request logged by action, reference and counts. `described`
    gives each route's OpenAPI description, by its last word. `case(number)` reads a case
    named instead of an address (404 for none, 409 for a closed one)."""

    def about(request: AddressRequest) -> tuple[str, str | None]:
        """The address and the case number the request is audited under."""
        if request.case is None or case is None:
            if request.email is None:
                raise NotFound("Sagen findes ikke.", code="case_not_found")
            return request.email, None
        found = open_case(case(request.case))
        return found.email, found.number

    @app.post(f"{base}/search", responses=staff_responses({200: Found}, *BODY_REFUSALS, 404,
                                                          409),
              security=SECURITY, description=described["search"])
    def search(request: Annotated[AddressRequest, Body()]) -> Found:
        privacy = service()
        held, report = privacy.search(*about(request))
        _logged(report)
        return Found.of(held, report)

    @app.post(f"{base}/export",
              responses=_export_answer(staff_responses({}, *BODY_REFUSALS, 404, 409)),
              security=SECURITY, description=described["export"])
    def export(request: Annotated[AddressRequest, Body()]) -> Response[Any]:
        privacy = service()
        data, report = privacy.export(*about(request))
        _logged(report)
        return _export_download(data, report)

    # 409: something about the address was written at every look (ErasureInterrupted), or
    # the case is closed.
    @app.post(f"{base}/erase", responses=staff_responses({200: Erased}, *BODY_REFUSALS, 404,
                                                         409),
              security=SECURITY, description=described["erase"])
    def erase(request: Annotated[EraseRequest, Body()]) -> Erased:
        privacy = service()
        report = privacy.erase(*about(request))
        _logged(report)
        return Erased.of(report)
