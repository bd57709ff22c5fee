"""The consultant's queues (SQS FIFO, KMS-encrypted): messages carry only the reference.

Each message is its own group (named by its deduplication id), so one leased request never
holds back the next, nor a copy of a request another message of it; the same deduplication
id sent twice within five minutes is kept once."""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from shared.adapters.aws import client
from shared.advisory.ports import Message

# What SQS answers for a receipt no longer in flight (its visibility timeout ended, or the
# message was received again: AWS documents that a delete or a visibility change may then
# fail), and for a visibility beyond 12 hours since it was received. The desk's table says
# who holds a request; a copy left in the queue meets that lease, or is dropped, when pulled.
STALE_RECEIPT = ("MessageNotInflight", "ReceiptHandleIsInvalid", "InvalidParameterValue")


def _stale(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return any(code.endswith(stale) for stale in STALE_RECEIPT)


class SqsWorkQueue:
    def __init__(self, urgent_url: str, normal_url: str, sqs: Any = None) -> None:
        self._urls = {True: urgent_url, False: normal_url}
        self._sqs = sqs

    @property
    def _client(self) -> Any:
        return self._sqs or client("sqs")

    def send(self, reference: str, urgent: bool, deduplication: str) -> None:
        # Its own group, even beside another message of the same request: a copy hidden
        # while it met someone's lease never holds back the message that puts the request
        # back in the queue (a request reopened, then released).
        key = hashlib.sha256(deduplication.encode()).hexdigest()
        self._client.send_message(
            QueueUrl=self._urls[urgent], MessageBody=reference, MessageGroupId=key,
            MessageDeduplicationId=key,
        )

    def receive(self, urgent: bool, lease_seconds: int) -> list[Message]:
        found = self._client.receive_message(
            QueueUrl=self._urls[urgent], MaxNumberOfMessages=1, WaitTimeSeconds=0,
            VisibilityTimeout=lease_seconds,
        ).get("Messages", [])
        return [Message(m["Body"], m["ReceiptHandle"], urgent) for m in found]

    def delete(self, message: Message) -> None:
        if message.receipt:
            try:
                self._client.delete_message(QueueUrl=self._urls[message.urgent],
                                            ReceiptHandle=message.receipt)
            except ClientError as error:
                if not _stale(error):
                    raise

    def set_lease(self, message: Message, seconds: int) -> None:
        if message.receipt:
            try:
                self._client.change_message_visibility(
                    QueueUrl=self._urls[message.urgent], ReceiptHandle=message.receipt,
                    VisibilityTimeout=seconds)
            except ClientError as error:
                if not _stale(error):
                    raise
