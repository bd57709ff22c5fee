"""The newsletter's queues: the fan-out queue (each message names an issue and up to ten
subscribers) and the queue of confirmation requests (each names one subscriber id, never an
address), and the dispatcher's queue of the editor's "send now" (each names an issue)."""

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

    def retry_later(self, receipt_handle: str, seconds: int) -> None:
        """A message that failed comes back after `seconds` rather than the queue's timeout."""
        (self._sqs or client("sqs")).change_message_visibility(
            QueueUrl=self._url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds)


class SqsConfirmationRequests:
    def __init__(self, url: str, sqs: Any = None) -> None:
        self._url = url
        self._sqs = sqs

    def request(self, subscriber_id: str) -> None:
        (self._sqs or client("sqs")).send_message(
            QueueUrl=self._url, MessageBody=json.dumps({"subscriber": subscriber_id}))


class SqsDispatchRequests:
    def __init__(self, url: str, sqs: Any = None) -> None:
        self._url = url
        self._sqs = sqs

    def request(self, issue_id: str) -> None:
        (self._sqs or client("sqs")).send_message(
            QueueUrl=self._url, MessageBody=json.dumps({"issue": issue_id}))
