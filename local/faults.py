"""Faults that real AWS produces and the emulator does not: for tests and benchmarks."""

from __future__ import annotations

import random
import threading
from typing import Any

from botocore.exceptions import ClientError


class FlakySes:
    """An SES client that throttles a share of sends, and can fail right after a send that
    SES accepted (as if the process died before recording it)."""

    def __init__(self, real: Any, throttle: float = 0.0,
                 crash_after_send_to: set[str] | None = None, seed: int = 3) -> None:
        self.real = real
        self.throttle = throttle
        self.crash_after = set(crash_after_send_to or ())
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.throttled = 0

    def send_email(self, **args: Any) -> dict[str, Any]:
        with self._lock:
            throttle = self._random.random() < self.throttle
            if throttle:
                self.throttled += 1
        if throttle:
            raise ClientError({"Error": {"Code": "TooManyRequestsException",
                                         "Message": "Maximum sending rate exceeded."}},
                              "SendEmail")
        answer = dict(self.real.send_email(**args))
        to = args["Destination"]["ToAddresses"][0]
        with self._lock:
            crash = to in self.crash_after
            self.crash_after.discard(to)
        if crash:
            raise RuntimeError("the process died after SES accepted the message")
        return answer
