"""The newsletter's fan-out queue: each message names an issue and up to ten subscribers."""

from __future__ import annotations

import json
from typing import Any

from shared.adapters.aws import client


class SqsSendQueue:
    def __init__(self, url: str, sqs: Any = None) -> None:
        self._url = url
        self._sqs = sqs

    def send(self, issue_id: str, subscriber_ids: list[str]) -> None:
        (self._sqs or client("sqs")).send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps({"issue": issue_id, "subscribers": subscriber_ids}))
