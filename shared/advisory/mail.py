"""The sender's receipt (the reference, who answers and within how many working days: nothing
the sender typed, not even the name, since nobody has confirmed the address it goes to) and
the consultant's notice (kind, urgency and reference only, and the link to the staff
console where the request is taken)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.advisory.models import AdvisoryRequest, Kind
from shared.email import Sender
from shared.email.render import mime, render
from shared.platform import defaults

KIND_TEXT = {Kind.CONVERSATION: "fortrolig samtale / sparring",
             Kind.IDEA: "idé eller problem til rekrutteringsprojektet",
             Kind.SUGGESTION: "forslag til nye aktiviteter"}


@dataclass(frozen=True)
class Consultant:
    name: str
    email: str
    phone: str | None = None
    # Working days within which the consultant answers (configuration; the receipt says so).
    reply_days: int = defaults.CONSULTANT_REPLY_DAYS

    @property
    def named(self) -> bool:
        """False when the configured name is the role's own title ("Lederkonsulenten", the
        default): the emails then speak of the role, not of a person."""
        return self.name.strip().lower() not in ("", "lederkonsulent", "lederkonsulenten")

    @property
    def addressed(self) -> str:
        """How the notice greets the consultant: "Kære Anne Hansen", or "Kære lederkonsulent"."""
        return self.name if self.named else "lederkonsulent"

    @property
    def who(self) -> str:
        """Who answers, as the receipt says it: "Anne Hansen, lederkonsulent,", or
        "Lederkonsulenten"."""
        return f"{self.name}, lederkonsulent," if self.named else "Lederkonsulenten"


class AdvisoryMailer:
    def __init__(self, sender: Sender, consultant: Consultant,
                 sender_name: str = "Ledere af ledere", public_url: str = "") -> None:
        self._sender = sender
        self._consultant = consultant
        self._sender_name = sender_name
        # The staff console, where the consultant signs in and takes the next request.
        self._console_url = f"{public_url.rstrip('/')}/personale/"

    def _context(self, request: AdvisoryRequest) -> dict[str, object]:
        return {"reference": request.reference, "kind": request.kind.value,
                "kind_text": KIND_TEXT[request.kind], "urgent": request.urgent,
                "consultant_name": self._consultant.name,
                "consultant_addressed": self._consultant.addressed,
                "consultant_who": self._consultant.who,
                "consultant_email": self._consultant.email,
                "consultant_phone": self._consultant.phone,
                "reply_days": self._consultant.reply_days,
                "console_url": self._console_url}

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
