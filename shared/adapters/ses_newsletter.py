"""The newsletter's emails through SES: the double opt-in, and each subscriber's copy of an
issue with their own one-click unsubscribe (RFC 8058 headers and a link in the body), sent
within the configured sending rate.

Every way SES can fail is told apart, because a copy must never go out twice and never be
stranded: a permanent refusal of the recipient (`Permanent`); an answer that says SES did not
take the message, or a connection that was never made (`Unsent`; throttling, server errors
and connection failures are first retried here with backoff); and a call whose answer was
lost after the request went out (`Uncertain`: SES may have accepted it). The SES client makes
one attempt per call (botocore's own retries would resend after a lost answer)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from shared.adapters.aws import session
from shared.email.render import mime
from shared.newsletter.mail import confirmation_email, subscriber_copy
from shared.newsletter.models import Issue, Subscriber
from shared.newsletter.ports import Permanent, Throttled, Uncertain, Unsent

THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException",
             "LimitExceededException"}
# The recipient or this message is refused; sending it again would be refused again.
# (NotFoundException is not among them: SendEmail answers it for a resource of ours that does
# not exist, such as a configuration set deleted or renamed by hand, never for a recipient;
# taking it as a refusal would record every subscriber's copy failed for good. It gives the
# copy back, like sending paused, and the dead-letter queue's alarm tells the operator.)
PERMANENT = {"MessageRejected", "BadRequestException"}
# SES did not take the message: worth a quick retry here (a 5xx answer means not accepted).
TRANSIENT = {"InternalFailure", "InternalServerError", "ServiceUnavailable",
             "ServiceUnavailableException"}
# No connection, so no request reached SES.
NOT_CONNECTED = (EndpointConnectionError, ConnectTimeoutError)
# The request went out and its answer was lost: SES may have accepted it.
ANSWER_LOST = (ReadTimeoutError, ConnectionClosedError)

_clients: dict[str | None, Any] = {}
_client_lock = threading.Lock()


def ses_client() -> Any:
    """SESv2 with one attempt per call, once per process (and endpoint)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    with _client_lock:
        if endpoint not in _clients:
            from botocore.config import Config

            _clients[endpoint] = session().create_client(
                "sesv2", config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        return _clients[endpoint]


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
        ses = self._ses or ses_client()
        for attempt in range(self._retries + 1):
            self._limiter.wait()
            try:
                return str(ses.send_email(**args)["MessageId"])
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
                if code in PERMANENT:
                    raise Permanent(code) from exc
                if code in THROTTLED:
                    failure: Unsent = Throttled(code)
                elif code in TRANSIENT or status >= 500:
                    failure = Unsent(code)
                else:  # sending paused, account suspended, MAIL FROM not verified, ...
                    raise Unsent(code) from exc
            except NOT_CONNECTED as exc:
                failure = Unsent(type(exc).__name__)
            except ANSWER_LOST as exc:
                raise Uncertain(type(exc).__name__) from exc
            if attempt == self._retries:
                raise failure
            time.sleep(min(0.05 * 2 ** attempt, 1.0))  # back off, then try again
        raise Throttled("retries exhausted")

    def confirmation(self, subscriber: Subscriber, link: str) -> None:
        self._send(mime(confirmation_email(subscriber, link), self.sender, self._sender_name),
                   subscriber.email, {"kind": "newsletter-confirm"})

    def issue(self, issue: Issue, subscriber: Subscriber, unsubscribe_url: str,
              unsubscribe_page: str, web_version: str | None = None) -> str:
        email = subscriber_copy(issue, subscriber, unsubscribe_url, unsubscribe_page,
                                self.sender, web_version)
        return self._send(mime(email, self.sender, self._sender_name), subscriber.email,
                          {"kind": "newsletter-issue", "issue": issue.id})
