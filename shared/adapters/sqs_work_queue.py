"""The consultant's queues (SQS FIFO, KMS-encrypted): messages carry only the reference.

Each message is its own group, so one leased request never holds back the next, and a
reference sent twice within five minutes is kept once (deduplication id)."""

from __future__ import annotations

import hashlib
from typing import Any

from shared.adapters.aws import client
from shared.advisory.ports import Message


class SqsWorkQueue:
    def __init__(self, urgent_url: str, normal_url: str, sqs: Any = None) -> None:
        self._urls = {True: urgent_url, False: normal_url}
        self._sqs = sqs

    @property
    def _client(self) -> Any:
        return self._sqs or client("sqs")

    def send(self, reference: str, urgent: bool, deduplication: str) -> None:
        self._client.send_message(
            QueueUrl=self._urls[urgent], MessageBody=reference, MessageGroupId=reference,
            MessageDeduplicationId=hashlib.sha256(deduplication.encode()).hexdigest(),
        )

    def receive(self, urgent: bool, lease_seconds: int) -> list[Message]:
        found = self._client.receive_message(
            QueueUrl=self._urls[urgent], MaxNumberOfMessages=1, WaitTimeSeconds=0,
            VisibilityTimeout=lease_seconds,
        ).get("Messages", [])
        return [Message(m["Body"], m["ReceiptHandle"], urgent) for m in found]

    def delete(self, message: Message) -> None:
        if message.receipt:
            self._client.delete_message(QueueUrl=self._urls[message.urgent],
                                        ReceiptHandle=message.receipt)

    def set_lease(self, message: Message, seconds: int) -> None:
        if message.receipt:
            self._client.change_message_visibility(
                QueueUrl=self._urls[message.urgent], ReceiptHandle=message.receipt,
                VisibilityTimeout=seconds)
