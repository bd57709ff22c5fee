"""The newsletter's emails through SES: the double opt-in, and each subscriber's copy of an
issue with their own one-click unsubscribe (RFC 8058 headers and a link in the body), sent
within the configured sending rate, with throttling retried and permanent refusals told."""

from __future__ import annotations

import threading
import time
from typing import Any

from botocore.exceptions import ClientError

from shared.adapters.aws import client
from shared.email.render import mime, render
from shared.newsletter.models import Issue, Subscriber
from shared.newsletter.service import Permanent, Throttled

THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException",
             "LimitExceededException"}
PERMANENT = {"MessageRejected", "BadRequestException", "NotFoundException"}


class RateLimiter:
    """At most `rate` sends a second from this process (a token bucket of one second)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)


class SesNewsletterMail:
    def __init__(self, sender: str, configuration_set: str | None, rate: float,
                 retries: int = 4, ses: Any = None, sender_name: str = "Ledere af ledere") -> None:
        self.sender = sender
        self._configuration_set = configuration_set
        self._limiter = RateLimiter(rate)
        self._retries = retries
        self._ses = ses
        self._sender_name = sender_name

    def _send(self, message: Any, to: str, tags: dict[str, str]) -> str:
        args: dict[str, Any] = {
            "FromEmailAddress": self.sender, "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": message.as_bytes()}},
            "EmailTags": [{"Name": k, "Value": v} for k, v in tags.items()],
        }
        if self._configuration_set:
            args["ConfigurationSetName"] = self._configuration_set
        ses = self._ses or client("sesv2")
        for attempt in range(self._retries + 1):
            self._limiter.wait()
            try:
                return str(ses.send_email(**args)["MessageId"])
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code in PERMANENT:
                    raise Permanent(code) from exc
                if code not in THROTTLED:
                    raise
                if attempt == self._retries:
                    raise Throttled(code) from exc
                time.sleep(min(0.05 * 2 ** attempt, 1.0))  # back off, then try again
        raise Throttled("retries exhausted")

    def confirmation(self, subscriber: Subscriber, link: str) -> None:
        email = render("newsletter_confirm", subscriber.email,
                       "Bekræft dit abonnement på nyhedsbrevet", {"name": subscriber.name,
                                                                   "link": link})
        self._send(mime(email, self.sender, self._sender_name), subscriber.email,
                   {"kind": "newsletter-confirm"})

    def issue(self, issue: Issue, subscriber: Subscriber, unsubscribe_url: str,
              unsubscribe_page: str) -> str:
        mailto = f"mailto:{self.sender}?subject=afmeld"
        email = render(
            "newsletter_issue", subscriber.email, issue.subject,
            {"text": issue.text, "body_html": issue.html, "unsubscribe_page": unsubscribe_page},
            headers={"List-Unsubscribe": f"<{unsubscribe_url}>, <{mailto}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
        return self._send(mime(email, self.sender, self._sender_name), subscriber.email,
                          {"kind": "newsletter-issue", "issue": issue.id})
