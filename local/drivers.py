"""What AWS does on its own, done locally: pollers that hand SQS messages to functions with
Lambda's batch semantics, and a clock that fires schedules."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.event_filter import admits
from local.functions import FunctionError, LocalFunction
from local.plan import EventSource, Schedule
from shared.schedule_expressions import next_fire


class _Poller:
    """A thread that polls its event source until the runtime stops, as Lambda's pollers do."""

    kind = "poller"
    idle_wait = 0.0

    def __init__(self, source: EventSource, function: LocalFunction,
                 stop: threading.Event) -> None:
        self.source = source
        self.function = function
        self.stop = stop
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"{self.kind}-{source.logical_id}")
        # For `settled()`: when the latest poll that found nothing began (None while work is
        # found), and when the latest poll that found work ended.
        self.quiet_from: float | None = None
        self.worked_until = 0.0

    def start(self) -> None:
        self.thread.start()

    def poll_once(self) -> int:
        raise NotImplementedError

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                began = time.monotonic()
                if self.poll_once() == 0:
                    self.quiet_from = began
                    if self.idle_wait:
                        self.stop.wait(self.idle_wait)
                else:
                    self.quiet_from, self.worked_until = None, time.monotonic()
            except Exception as exc:  # keep polling, as Lambda's poller does
                print(f"[{self.kind}] {self.source.logical_id}: {type(exc).__name__}", flush=True)
                self.stop.wait(1)


def settled(pollers: list[Any], since: float) -> bool:
    """Every poller has looked and found nothing, each time after `since` and after the last
    work any of them did (work may have produced another's records or messages). Messages a
    queue keeps invisible (a delay, or a visibility timeout after a failure) do not count."""
    quiet = [p.quiet_from for p in pollers]
    if not quiet:
        return True
    if any(q is None for q in quiet):
        return False
    latest_work = max((p.worked_until for p in pollers), default=0.0)
    return min(q for q in quiet if q is not None) > max(since, latest_work)


class QueuePoller(_Poller):
    """Lambda's SQS event source mapping: batches, partial batch failures, redrive by receives.

    A message is deleted only when its batch succeeded, or when the function reported other
    messages of the batch as failed. Failed messages become visible again after the queue's
    visibility timeout and move to the dead-letter queue after maxReceiveCount receives (the
    emulator's SQS does that, as SQS does)."""

    kind = "sqs"

    def __init__(self, source: EventSource, function: LocalFunction, sqs: Any, queue_url: str,
                 queue_arn: str, region: str, stop: threading.Event,
                 wait_seconds: int = 1) -> None:
        super().__init__(source, function, stop)
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.region = region
        self.wait_seconds = wait_seconds  # a long poll

    def poll_once(self) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.source.batch_size, 10),
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [self._record(m) for m in messages]}
        try:
            result = self.function.invoke(event)
        except FunctionError:
            return len(messages)  # the whole batch comes back after the visibility timeout
        failed: set[str] = set()
        if self.source.report_failures and isinstance(result, dict):
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                         for i, m in enumerate(done[start:start + 10])],
            )
        return len(messages)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            name: {"stringValue": value.get("StringValue"),
                   "binaryValue": value.get("BinaryValue"),
                   "stringListValues": [], "binaryListValues": [],
                   "dataType": value["DataType"]}
            for name, value in (message.get("MessageAttributes") or {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": attributes,
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }


class StreamPoller(_Poller):
    """Lambda's DynamoDB stream event source mapping: batches in order per shard; a failed
    batch (or the records from the first one the function reports failed) is retried up to
    MaximumRetryAttempts, then described to the on-failure queue and passed over."""

    kind = "stream"
    idle_wait = 0.2

    def __init__(self, source: EventSource, function: LocalFunction, streams: Any,
                 stream_arn: str, sqs: Any, failure_queue_url: str | None,
                 stop: threading.Event) -> None:
        super().__init__(source, function, stop)
        self.streams = streams
        self.stream_arn = stream_arn
        self.sqs = sqs
        self.failure_queue_url = failure_queue_url
        self._iterators: dict[str, str | None] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._attempts: dict[str, int] = {}

    def poll_once(self) -> int:
        handled = 0
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"][
            "Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id,
                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            pending = self._pending.setdefault(shard_id, [])
            iterator = self._iterators[shard_id]
            if len(pending) < self.source.batch_size and iterator:
                page = self.streams.get_records(ShardIterator=iterator,
                                                Limit=self.source.batch_size)
                # Lambda's event filtering: a record no filter matches is dropped unseen.
                pending.extend(r for r in page.get("Records", [])
                               if admits(self.source.filters, r))
                self._iterators[shard_id] = page.get("NextShardIterator")
            if pending:
                handled += self._deliver(shard_id, pending)
        return handled

    def _deliver(self, shard_id: str, pending: list[dict[str, Any]]) -> int:
        batch = pending[: self.source.batch_size]
        records = [{**r, "eventSourceARN": self.stream_arn} for r in batch]
        failed_from: int | None = None
        try:
            result = self.function.invoke({"Records": records})
            failures: list[dict[str, str]] = []
            if self.source.report_failures and isinstance(result, dict):
                failures = result.get("batchItemFailures") or []
            if failures:
                failed = {f["itemIdentifier"] for f in failures}
                positions = [i for i, r in enumerate(batch)
                             if r["dynamodb"]["SequenceNumber"] in failed]
                failed_from = positions[0] if positions else 0
        except FunctionError:
            failed_from = 0
        if failed_from is None:
            del pending[: len(batch)]
            self._attempts.pop(shard_id, None)
            return len(batch)
        del pending[:failed_from]  # what succeeded before the first failure is done
        attempts = self._attempts.get(shard_id, 0) + 1
        self._attempts[shard_id] = attempts
        if self.source.max_retries >= 0 and attempts > self.source.max_retries:
            given_up = batch[failed_from:]
            if self.failure_queue_url:
                self.sqs.send_message(QueueUrl=self.failure_queue_url, MessageBody=json.dumps({
                    "requestContext": {"condition": "RetryAttemptsExhausted",
                                       "functionArn": self.function.name},
                    "DDBStreamBatchInfo": {
                        "shardId": shard_id, "streamArn": self.stream_arn,
                        "batchSize": len(given_up),
                        "startSequenceNumber": given_up[0]["dynamodb"]["SequenceNumber"],
                        "endSequenceNumber": given_up[-1]["dynamodb"]["SequenceNumber"],
                    },
                }))
            del pending[: len(given_up)]
            self._attempts.pop(shard_id, None)
        else:
            self.stop.wait(min(0.2 * attempts, 2))  # back off before the retry
        return len(batch)


class ScheduleClock:
    """Fires each enabled schedule at its times, and any schedule on demand by name."""

    def __init__(self, schedules: list[Schedule], fire: Callable[[Schedule], Any],
                 stop: threading.Event, now: Callable[[], datetime] | None = None) -> None:
        self.schedules = {s.name: s for s in schedules}
        self._fire = fire
        self.stop = stop
        self._now = now or (lambda: datetime.now(UTC))
        start = self._now()
        self.next: dict[str, datetime | None] = {
            s.name: next_fire(s.expression, s.timezone, start) if s.enabled else None
            for s in schedules
        }
        self.fired: dict[str, int] = dict.fromkeys(self.schedules, 0)
        self.thread = threading.Thread(target=self._run, name="schedules", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def fire(self, name: str) -> Any:
        schedule = self.schedules[name]
        self.fired[name] += 1
        return self._fire(schedule)

    def tick(self) -> None:
        now = self._now()
        for name, due in list(self.next.items()):
            if due is not None and due <= now:
                schedule = self.schedules[name]
                self.next[name] = next_fire(schedule.expression, schedule.timezone, now)
                threading.Thread(target=self.fire, args=(name,), daemon=True).start()

    def _run(self) -> None:
        while not self.stop.wait(1):
            self.tick()


def schedule_event(schedule: Schedule) -> dict[str, Any]:
    """What the target receives: the schedule's Input, or EventBridge Scheduler's default."""
    if schedule.input:
        return dict(json.loads(schedule.input))
    return {"source": "aws.scheduler", "detail-type": "Scheduled Event",
            "resources": [schedule.name], "time": datetime.now(UTC).isoformat(), "detail": {}}
