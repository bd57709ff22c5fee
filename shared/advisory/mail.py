"""The sender's receipt (the reference, who answers and within how many working days: nothing
the sender typed, not even the name, since nobody has confirmed the address it goes to) and
the consultant's notice (kind, urgency and reference only)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.advisory.models import AdvisoryRequest, Kind
from shared.email import Sender
from shared.email.render import mime, render

KIND_TEXT = {Kind.CONVERSATION: "fortrolig samtale / sparring",
             Kind.IDEA: "idé eller problem til rekrutteringsprojektet",
             Kind.SUGGESTION: "forslag til nye aktiviteter"}


@dataclass(frozen=True)
class Consultant:
    name: str
    email: str
    phone: str | None = None
    # Working days within which the consultant answers (configuration; the receipt says so).
    reply_days: int = 3


class AdvisoryMailer:
    def __init__(self, sender: Sender, consultant: Consultant,
                 sender_name: str = "Ledere af ledere") -> None:
        self._sender = sender
        self._consultant = consultant
        self._sender_name = sender_name

    def _context(self, request: AdvisoryRequest) -> dict[str, object]:
        return {"reference": request.reference, "kind": request.kind.value,
                "kind_text": KIND_TEXT[request.kind], "urgent": request.urgent,
                "consultant_name": self._consultant.name,
                "consultant_email": self._consultant.email,
                "consultant_phone": self._consultant.phone,
                "reply_days": self._consultant.reply_days}

    def receipt(self, to: str, request: AdvisoryRequest) -> None:
        email = render("advisory_receipt", to,
                       f"Vi har modtaget din henvendelse ({request.reference})",
                       self._context(request))
        self._sender.send(mime(email, self._sender.sender, self._sender_name), to)

    def notice(self, request: AdvisoryRequest) -> None:
        subject = f"Ny henvendelse i køen: {request.reference}" + \
            (" (haster)" if request.urgent else "")
        email = render("advisory_notice", self._consultant.email, subject,
                       self._context(request))
        self._sender.send(mime(email, self._sender.sender, self._sender_name),
                          self._consultant.email)
