"""The local runtime does what AWS does on its own: SQS event sources with Lambda's batch
semantics and redrive, schedules fired by time and by name, functions with their own env."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.plan import UnsupportedResource, build_plan
from local.runtime import LocalRuntime


def fn_arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def template(record_file: Path) -> dict[str, Any]:
    return {"Resources": {
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}},
        "Work": {"Type": "AWS::SQS::Queue", "Properties": {
            "VisibilityTimeout": 1,
            "RedrivePolicy": {"deadLetterTargetArn": fn_arn("Dlq"), "maxReceiveCount": 2},
        }},
        "Recorder": {"Type": "AWS::Lambda::Function", "Properties": {
            "Handler": "tests.fixtures.recorder.handler", "Timeout": 5, "MemorySize": 128,
            "Environment": {"Variables": {"RECORD_FILE": str(record_file),
                                          "GREETING": "hej", "WORK_QUEUE": {"Ref": "Work"}}},
        }},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Recorder"}, "EventSourceArn": fn_arn("Work"),
            "BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "KeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {
            "AliasName": "alias/test-key", "TargetKeyId": {"Ref": "Key"}}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {
            "GenerateSecretString": {"PasswordLength": 32}}},
        "Changes": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True}}},
        "StreamMapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Recorder"},
            "EventSourceArn": {"Fn::GetAtt": ["Changes", "StreamArn"]},
            "StartingPosition": "TRIM_HORIZON", "BatchSize": 5, "MaximumRetryAttempts": 1,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {"OnFailure": {"Destination": fn_arn("Dlq")}}}},
        "Daily": {"Type": "AWS::Scheduler::Schedule", "Properties": {
            "Name": "daily-reminders", "ScheduleExpression": "cron(0 7 * * ? *)",
            "ScheduleExpressionTimezone": "Europe/Copenhagen",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": fn_arn("Recorder"), "RoleArn": "arn:aws:iam::1:role/x",
                       "Input": json.dumps({"job": "reminders"})},
        }},
    }}


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[tuple[LocalRuntime, Path]]:
    record_file = tmp_path / "calls.jsonl"
    record_file.touch()
    local = LocalRuntime(template(record_file), region="eu-north-1", concurrency=1,
                         state=tmp_path / "state")
    local.start(load_demo=False)
    yield local, record_file
    local.close()


def calls(record_file: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record_file.read_text().splitlines()]


def wait_for(condition: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_partial_batch_failures_are_retried_then_dead_lettered(
    runtime: tuple[LocalRuntime, Path],
) -> None:
    local, record_file = runtime
    sqs = local.emulator.client("sqs")
    work = local.emulator.physical["Work"]["QueueUrl"]
    dlq = local.emulator.physical["Dlq"]["QueueUrl"]
    for body in ("ok-1", "fail-1", "ok-2"):
        sqs.send_message(QueueUrl=work, MessageBody=body)

    def dead_lettered() -> list[str]:
        found = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0).get("Messages", [])
        return [m["Body"] for m in found]

    wait_for(lambda: dead_lettered() == ["fail-1"])
    bodies = [r["body"] for c in calls(record_file) for r in c["event"].get("Records", [])]
    assert bodies.count("ok-1") == 1 and bodies.count("ok-2") == 1  # deleted after success
    assert bodies.count("fail-1") == 2  # maxReceiveCount deliveries, then the DLQ
    records = calls(record_file)[0]["event"]["Records"]
    assert records[0]["eventSource"] == "aws:sqs"
    assert records[0]["eventSourceARN"].endswith(":Work")


def test_schedules_fire_by_name_with_their_input_and_at_their_time(
    runtime: tuple[LocalRuntime, Path],
) -> None:
    local, record_file = runtime
    local.fire_schedule("daily-reminders")
    assert calls(record_file)[-1] == {"event": {"job": "reminders"}, "env": "hej"}
    assert local.clock is not None
    due = local.clock.next["daily-reminders"]
    assert due is not None and due.hour in (5, 6)  # 07:00 Copenhagen in UTC
    local.clock.next["daily-reminders"] = due.replace(year=2000)  # pretend the time came
    local.clock.tick()
    wait_for(lambda: len(calls(record_file)) == 2)
    assert local.emulator.client("scheduler").get_schedule(Name="daily-reminders")[
        "ScheduleExpressionTimezone"] == "Europe/Copenhagen"


def test_function_environment_is_resolved_from_the_template(
    runtime: tuple[LocalRuntime, Path],
) -> None:
    local, _ = runtime
    assert local.info()["event_sources"] == ["Changes->Recorder", "Work->Recorder"]
    assert local.info()["functions"] == ["Recorder"]


def test_keys_secrets_and_table_settings_come_from_the_template(
    runtime: tuple[LocalRuntime, Path],
) -> None:
    local, _ = runtime
    aliases = local.emulator.client("kms").list_aliases()["Aliases"]
    assert any(a["AliasName"] == "alias/test-key" for a in aliases)
    secret = local.emulator.physical["Secret"]["Ref"]
    value = local.emulator.client("secretsmanager").get_secret_value(SecretId=secret)
    assert len(value["SecretString"]) >= 32
    ttl = local.emulator.client("dynamodb").describe_time_to_live(TableName="Changes")
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_stream_changes_reach_the_function_and_failures_end_in_the_dead_letter_queue(
    runtime: tuple[LocalRuntime, Path],
) -> None:
    local, record_file = runtime
    ddb = local.emulator.client("dynamodb")
    for key in ("ok-a", "fail-b", "ok-c"):
        ddb.put_item(TableName="Changes", Item={"pk": {"S": key}})
    sqs = local.emulator.client("sqs")
    dlq = local.emulator.physical["Dlq"]["QueueUrl"]

    def failures() -> list[dict[str, Any]]:
        found = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0).get("Messages", [])
        return [json.loads(m["Body"]) for m in found]

    wait_for(lambda: len(failures()) == 1)
    info = failures()[0]["DDBStreamBatchInfo"]
    assert info["batchSize"] == 2  # the failed record and what came after it in its batch
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for c in calls(record_file)
            for r in c["event"].get("Records", []) if "dynamodb" in r]
    assert keys.count("ok-a") == 1  # done before the failure: not delivered again
    assert keys.count("fail-b") == 2  # the first delivery and one retry


def test_a_resource_the_runtime_cannot_emulate_stops_it() -> None:
    with pytest.raises(UnsupportedResource, match="AWS::StepFunctions::StateMachine"):
        build_plan({"Resources": {"Flow": {"Type": "AWS::StepFunctions::StateMachine",
                                           "Properties": {}}}})


def test_a_filtered_stream_hands_the_function_only_the_records_a_filter_matches(
    tmp_path: Path,
) -> None:
    record_file = tmp_path / "calls.jsonl"
    record_file.touch()
    resources = template(record_file)["Resources"]
    kept = {name: resources[name] for name in ("Dlq", "Work", "Recorder", "Changes")}
    pattern = {"dynamodb": {"NewImage": {"kind": {"S": ["registration", "submission"]}}}}
    kept["StreamMapping"] = {**resources["StreamMapping"], "Properties": {
        **resources["StreamMapping"]["Properties"],
        "FilterCriteria": {"Filters": [{"Pattern": json.dumps(pattern)}]}}}
    local = LocalRuntime({"Resources": kept}, region="eu-north-1", concurrency=1,
                         state=tmp_path / "state")
    local.start(load_demo=False)
    try:
        ddb = local.emulator.client("dynamodb")
        for key, kind in (("a", "mail"), ("b", "registration"), ("c", "gate"),
                          ("d", "submission"), ("e", None)):
            item = {"pk": {"S": key}} | ({"kind": {"S": kind}} if kind else {})
            ddb.put_item(TableName="Changes", Item=item)
        ddb.delete_item(TableName="Changes", Key={"pk": {"S": "b"}})  # no new image
        ddb.put_item(TableName="Changes", Item={"pk": {"S": "f"}, "kind": {"S": "submission"}})

        def delivered() -> list[str]:
            return [r["dynamodb"]["Keys"]["pk"]["S"] for c in calls(record_file)
                    for r in c["event"].get("Records", [])]

        wait_for(lambda: "f" in delivered())  # the last write: every earlier one was read
        assert delivered() == ["b", "d", "f"]
    finally:
        local.close()


@pytest.mark.parametrize("pattern", [
    {"dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "reg"}]}}}},
    {"dynamodb": {"Keys": {"pk": {"S": "exact"}}}},
])
def test_an_event_filter_the_runtime_cannot_emulate_stops_it(pattern: dict[str, Any]) -> None:
    mapping = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Fn::GetAtt": ["T", "StreamArn"]},
        "FilterCriteria": {"Filters": [{"Pattern": json.dumps(pattern)}]}}}
    with pytest.raises(UnsupportedResource, match="Mapping: event filter"):
        build_plan({"Resources": {
            "T": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "x.y"}},
            "Mapping": mapping}})


def test_settle_returns_once_every_consumer_has_handled_what_was_waiting(
    runtime: tuple[LocalRuntime, Path],
) -> None:
    """What the end-to-end tests wait on instead of sleeping: when `settle()` answers, every
    message and stream record that existed before it has reached the function."""
    local, record_file = runtime
    assert local.settle(seconds=10)
    sqs = local.emulator.client("sqs")
    work = local.emulator.physical["Work"]["QueueUrl"]
    table = local.emulator.physical["Changes"]["Ref"]
    for round_ in range(3):
        for n in range(4):
            sqs.send_message(QueueUrl=work, MessageBody=f"ok-{round_}-{n}")
            local.emulator.client("dynamodb").put_item(
                TableName=table, Item={"pk": {"S": f"item-{round_}-{n}"}})
        assert local.settle(seconds=20)
        seen = [r for c in calls(record_file) for r in c["event"].get("Records", [])]
        bodies = {r["body"] for r in seen if "body" in r}
        keys = {r["dynamodb"]["Keys"]["pk"]["S"] for r in seen if "dynamodb" in r}
        assert {f"ok-{round_}-{n}" for n in range(4)} <= bodies
        assert {f"item-{round_}-{n}" for n in range(4)} <= keys


def test_settled_needs_every_poller_quiet_after_the_last_work_of_any() -> None:
    from types import SimpleNamespace

    from local.drivers import settled

    def poller(quiet_from: float | None, worked_until: float) -> Any:
        return SimpleNamespace(quiet_from=quiet_from, worked_until=worked_until)

    assert settled([poller(5, 1), poller(6, 2)], since=4)
    assert not settled([poller(5, 1), poller(None, 2)], since=4)  # one is working
    assert not settled([poller(5, 1), poller(6, 2)], since=5.5)  # one looked before the call
    assert not settled([poller(5, 1), poller(8, 7)], since=4)  # one looked before the other's work
    assert settled([], since=0)
