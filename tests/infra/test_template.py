"""The synthesized template: what deploys is what the product needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from local.synth import OUT, ROOT
from shared.platform.names import PARAM_FORUMS_TABLE


@pytest.fixture(scope="module")
def stack(template: dict[str, Any]) -> Template:
    return Template.from_json(template)


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_functions_run_python_3_13_on_arm64_with_the_dependencies_layer(
    template: dict[str, Any], plan: Any
) -> None:
    for logical_id in plan.served_functions:
        props = template["Resources"][logical_id]["Properties"]
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert len(props["Layers"]) == 1
        assert props["Handler"].startswith("functions.")


def test_each_function_has_a_role_of_its_own_without_managed_policies(
    template: dict[str, Any], plan: Any
) -> None:
    roles = [template["Resources"][f]["Properties"]["Role"]["Fn::GetAtt"][0]
             for f in plan.served_functions]
    assert len(set(roles)) == len(roles)
    for role in roles:
        assert "ManagedPolicyArns" not in template["Resources"][role]["Properties"]


def test_forums_function_may_only_read_the_catalogue(template: dict[str, Any]) -> None:
    policies = resources(template, "AWS::IAM::Policy")
    forums = next(p for k, p in policies.items() if k.startswith("ForumsApiRole"))
    actions = {a for s in forums["Properties"]["PolicyDocument"]["Statement"]
               for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert not any(a.startswith("dynamodb:") and ("Put" in a or "Update" in a or "Delete" in a)
                   for a in actions)
    assert "dynamodb:Query" in actions and "dynamodb:GetItem" in actions


def test_api_stage_throttles_logs_access_and_is_behind_a_waf_rate_rule(stack: Template) -> None:
    stack.has_resource_properties("AWS::ApiGateway::Stage", {
        "StageName": "prod",
        "AccessLogSetting": Match.object_like({"DestinationArn": Match.any_value()}),
        "MethodSettings": Match.array_with([Match.object_like({
            "ThrottlingRateLimit": 20, "ThrottlingBurstLimit": 40, "DataTraceEnabled": False,
        })]),
    })
    stack.has_resource_properties("AWS::WAFv2::WebACL", {
        "Scope": "REGIONAL",
        "Rules": Match.array_with([Match.object_like({
            "Statement": {"RateBasedStatement": Match.object_like({"Limit": 500})},
        })]),
    })
    stack.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)


def test_unknown_api_routes_answer_404_json(stack: Template) -> None:
    stack.has_resource_properties("AWS::ApiGateway::GatewayResponse", {
        "ResponseType": "MISSING_AUTHENTICATION_TOKEN", "StatusCode": "404",
    })


def test_public_routes_are_the_product_interface(plan: Any) -> None:
    # Exactly these: a route that vanishes (or one that appears unreviewed) fails here. The
    # staff routes, behind their authorizer, are checked in test_staff_template.
    public = {(r.method, r.path) for r in plan.routes if r.authorizer is None}
    assert public == {
        ("GET", "/api/forums"), ("GET", "/api/forums/{forum_id}"),
        ("POST", "/api/registrations"), ("POST", "/api/registrations/confirm"),
        ("GET", "/api/registrations/confirm"), ("POST", "/api/registrations/discard"),
        ("POST", "/api/registrations/cancel"), ("GET", "/api/registrations/cancel"),
        ("POST", "/api/newsletter/subscriptions"), ("POST", "/api/newsletter/confirm"),
        ("POST", "/api/newsletter/unsubscribe"), ("GET", "/api/newsletter/unsubscribe"),
        ("POST", "/api/advisory-requests"),
        # The newsletter's archive, at the site's own path (CloudFront sends it to the API).
        ("GET", "/nyhedsbrev/arkiv"), ("GET", "/nyhedsbrev/arkiv/atom.xml"),
        ("GET", "/nyhedsbrev/arkiv/{issue_id}"),
    }


def test_catalogue_table_keeps_backups_and_survives_stack_deletion(stack: Template) -> None:
    stack.has_resource("AWS::DynamoDB::Table", {
        "DeletionPolicy": "Retain",
        "Properties": Match.object_like({
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": True,
            "BillingMode": "PAY_PER_REQUEST",
        }),
    })


def test_cli_finds_the_table_through_a_parameter(stack: Template) -> None:
    stack.has_resource_properties("AWS::SSM::Parameter", {"Name": PARAM_FORUMS_TABLE})


def test_email_sender_identity_and_configuration_set_come_from_configuration(
    stack: Template,
) -> None:
    config = json.loads((ROOT / "cdk.json").read_text())["context"]["leaders:config"]
    domain = config["sender_address"].split("@")[1]
    stack.has_resource_properties("AWS::SES::EmailIdentity", {
        "EmailIdentity": domain,  # a domain identity: DKIM-signed, DMARC-aligned
        "DkimAttributes": {"SigningEnabled": True},
        "MailFromAttributes": Match.object_like(
            {"MailFromDomain": f"{config['mail_from_subdomain']}.{domain}"}),
    })
    stack.resource_count_is("AWS::SES::ConfigurationSet", 1)


def test_pages_bucket_is_private_and_cloudfront_sends_api_to_api_gateway(
    template: dict[str, Any], stack: Template
) -> None:
    stack.has_resource_properties("AWS::S3::Bucket", {
        "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "BlockPublicPolicy": True,
            "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
        },
    })
    distribution = next(iter(resources(template, "AWS::CloudFront::Distribution").values()))
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    api = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*")
    assert "POST" in api["AllowedMethods"]
    origin = next(o for o in config["Origins"] if o["Id"] == api["TargetOriginId"])
    assert origin["OriginPath"] == "/prod"  # the API's stage
    assert "execute-api" in json.dumps(origin["DomainName"])


def test_stack_is_pinned_to_an_eu_region() -> None:
    manifest = json.loads((OUT / "manifest.json").read_text())
    environment = manifest["artifacts"]["LeadersOfLeaders"]["environment"]
    assert environment.split("/")[-1].startswith("eu-")


def test_cdk_nag_has_no_unacknowledged_finding_and_every_acknowledgement_has_a_reason() -> None:
    report = json.loads((OUT / "validation-report.json").read_text())
    nag = next(r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions")
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    assert nag["suppressedViolations"], "the report lists acknowledged findings"
    for suppressed in nag["suppressedViolations"]:
        assert len(suppressed["reason"]) > 60, suppressed["ruleName"]


def test_cfn_lint_is_clean() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks", "W3005", "--",
         str(OUT / "LeadersOfLeaders.template.json")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_registrations_table_streams_changes_and_expires_old_registrations(
    stack: Template,
) -> None:
    stack.has_resource_properties("AWS::DynamoDB::Table", {
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    })


def test_every_asynchronous_consumer_reports_partial_failures_and_has_a_dead_letter_queue(
    template: dict[str, Any],
) -> None:
    mappings = resources(template, "AWS::Lambda::EventSourceMapping")
    assert mappings
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    for mapping in mappings.values():
        props = mapping["Properties"]
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        if "StreamArn" in json.dumps(props["EventSourceArn"]):
            queue = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
            assert 0 < props["MaximumRetryAttempts"] <= 10
        else:
            queue_props = template["Resources"][props["EventSourceArn"]["Fn::GetAtt"][0]][
                "Properties"]
            queue = queue_props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        watched = [a for a in alarms.values()
                   if queue in json.dumps(a["Properties"].get("Dimensions", []))]
        assert watched, f"no alarm on the dead-letter queue {queue}"
        assert watched[0]["Properties"]["AlarmActions"]


def test_reminders_run_daily_in_copenhagen_time(stack: Template) -> None:
    stack.has_resource_properties("AWS::Scheduler::Schedule", {
        "ScheduleExpression": "cron(0 7 * * ? *)",
        "ScheduleExpressionTimezone": "Europe/Copenhagen",
        "FlexibleTimeWindow": {"Mode": "OFF"},
    })


@pytest.mark.parametrize(("secret_prefix", "readers_prefixes"), [
    # The secretariat's API derives the id of a registration it enters from session and address.
    ("RegistrationSigningSecret", ("Registration", "StaffApi")),
    # The privacy officer (the CLI's role and the console's function) computes subscriber ids
    # (keyed hashes of the address) to find and erase them.
    ("NewsletterSigningSecret", ("Newsletter", "PrivacyPrivacyOfficer", "PrivacyConsole")),
])
def test_only_the_capability_functions_may_read_its_signing_secret(
    template: dict[str, Any], secret_prefix: str, readers_prefixes: tuple[str, ...],
) -> None:
    secret = next(k for k in resources(template, "AWS::SecretsManager::Secret")
                  if k.startswith(secret_prefix))
    readers = [k for k, p in resources(template, "AWS::IAM::Policy").items()
               if secret in json.dumps(p["Properties"]["PolicyDocument"])]
    assert readers and all(k.startswith(readers_prefixes) for k in readers), readers
    for policy in readers:
        statements = template["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]
        granting = [s for s in statements if secret in json.dumps(s["Resource"])]
        assert granting, policy
        for statement in granting:  # every statement naming the secret, not the first alone
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            assert set(actions) <= {"secretsmanager:GetSecretValue",
                                    "secretsmanager:DescribeSecret"}, policy


def test_only_functions_that_email_may_send(template: dict[str, Any]) -> None:
    senders = [k for k, p in resources(template, "AWS::IAM::Policy").items()
               if "ses:SendRawEmail" in json.dumps(p["Properties"]["PolicyDocument"])]
    # The newsletter's signup answers without sending: its confirmation goes from a queue.
    # The editor's console function sends a test of an issue to the editor's own address.
    assert sorted(k.split("Role")[0] for k in senders) == [
        "AdvisoryIntake", "NewsletterConfirmations", "NewsletterSender",
        "NewsletterStaffConsole", "RegistrationEvents", "RegistrationReminders"]


def _statements_of(template: dict[str, Any], role_prefix: str) -> list[dict[str, Any]]:
    policies = [p for k, p in resources(template, "AWS::IAM::Policy").items()
                if k.startswith(role_prefix)]
    assert policies, role_prefix
    return [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _actions_on(statements: list[dict[str, Any]], resource: str) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        if resource in json.dumps(statement["Resource"]):
            actions = statement["Action"]
            found |= {actions} if isinstance(actions, str) else set(actions)
    return found


def test_only_the_consultant_may_decrypt_advisory_contents(template: dict[str, Any]) -> None:
    keys = resources(template, "AWS::KMS::Key")
    content_key = next(k for k in keys if k.startswith("AdvisoryContentKey"))
    assert keys[content_key]["Properties"]["EnableKeyRotation"] is True
    intake = _actions_on(_statements_of(template, "AdvisoryIntakeRole"), content_key)
    assert intake == {"kms:GenerateDataKey"}  # it may seal, never open
    consultant = _actions_on(_statements_of(template, "AdvisoryConsultantRole"), content_key)
    assert "kms:Decrypt" in consultant
    for prefix in ("AdvisoryRequeueRole", "RegistrationApiRole", "RegistrationEventsRole",
                   "ForumsApiRole", "PrivacyPrivacyOfficerRole"):
        assert not _actions_on(_statements_of(template, prefix), content_key)
    role = resources(template, "AWS::IAM::Role")
    assert any(k.startswith("AdvisoryConsultantRole") for k in role)


def test_the_privacy_officer_may_erase_forums_and_newsletter_data_and_both_roles_audit(
    template: dict[str, Any]
) -> None:
    tables = resources(template, "AWS::DynamoDB::Table")
    officer = _statements_of(template, "PrivacyPrivacyOfficerRole")
    consultant = _statements_of(template, "AdvisoryConsultantRole")
    for prefix in ("RegistrationTable", "NewsletterTable"):
        table = next(t for t in tables if t.startswith(prefix))
        assert "dynamodb:DeleteItem" in _actions_on(officer, table), prefix
    forums = next(t for t in tables if t.startswith("ForumsTable"))
    assert _actions_on(officer, forums) == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    advisory = next(t for t in tables if t.startswith("AdvisoryTable"))
    assert not _actions_on(officer, advisory)  # sealed requests are the consultant's to answer
    audit = next(t for t in tables if t.startswith("PrivacyTable"))
    for statements in (officer, consultant):
        assert _actions_on(statements, audit) == {"dynamodb:PutItem"}  # add, never remove
    assert tables[audit]["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True}


def test_advisory_table_and_queues_are_encrypted_at_rest_with_aws_keys_only_the_contents_sealed(
    template: dict[str, Any],
) -> None:
    """What the table and the queues hold in the clear is no person's: the contents are sealed
    under the content key, the queues carry references. At rest they use AWS's own keys (no
    second customer-managed key to pay for)."""
    keys = list(resources(template, "AWS::KMS::Key"))
    assert len(keys) == 1 and keys[0].startswith("AdvisoryContentKey")
    table = next(t for k, t in resources(template, "AWS::DynamoDB::Table").items()
                 if k.startswith("AdvisoryTable"))
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}  # aws/dynamodb
    queues = {k: q for k, q in resources(template, "AWS::SQS::Queue").items()
              if k.startswith("Advisory")}
    assert len(queues) == 3
    for queue in queues.values():
        assert queue["Properties"]["FifoQueue"] is True
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        assert "KmsMasterKeyId" not in queue["Properties"]
    for name, queue in queues.items():
        if "DeadLetters" not in name:
            assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 20


def test_public_forms_have_their_own_tighter_throttle(template: dict[str, Any]) -> None:
    stage = next(iter(resources(template, "AWS::ApiGateway::Stage").values()))
    settings = {(s["ResourcePath"], s["HttpMethod"]): s
                for s in stage["Properties"]["MethodSettings"]}
    for path in ("/~1api~1registrations", "/~1api~1newsletter~1subscriptions",
                 "/~1api~1advisory-requests"):
        form = settings[(path, "POST")]
        assert form["ThrottlingRateLimit"] < settings[("/*", "*")]["ThrottlingRateLimit"]
        assert form["DataTraceEnabled"] is False


def test_function_errors_and_api_server_errors_alarm_the_secretariat(
    template: dict[str, Any]
) -> None:
    """By default one alarm watches every function's errors (Lambda's account-wide metric, no
    dimension); the dashboard shows which function (tests/infra/test_deployable.py has the
    alarm per function that `function_error_alarms: each` gives)."""
    alarms = [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()]
    topic = next(k for k in resources(template, "AWS::SNS::Topic") if k.startswith("Alarms"))
    errors = [a for a in alarms if a.get("MetricName") == "Errors"]
    assert len(errors) == 1
    assert errors[0]["Namespace"] == "AWS/Lambda" and "Dimensions" not in errors[0]
    assert (errors[0]["Threshold"], errors[0]["Statistic"]) == (1, "Sum")
    assert topic in json.dumps(errors[0]["AlarmActions"])
    assert any(a.get("MetricName") == "5XXError" for a in alarms)


def _table_actions(template: dict[str, Any], role_prefix: str,
                   table_prefix: str) -> set[str]:
    """The item actions (not the stream's) a function's role has on a table of the stack."""
    table = next(k for k in resources(template, "AWS::DynamoDB::Table")
                 if k.startswith(table_prefix))
    return {a for a in _actions_on(_statements_of(template, role_prefix),
                                   f'"{table}", "Arn"')
            if a.startswith("dynamodb:")}


# What each function calls, read from the adapters (shared/adapters/dynamodb_*.py) along the
# paths its handler takes; a transaction's parts need PutItem, UpdateItem or DeleteItem. A
# registration is always written whole (PutItem): placed, cancelled or promoted.
TABLE_ACTIONS = {
    ("RegistrationApiRole", "RegistrationTable"): {"GetItem", "Query", "PutItem",
                                                   "DeleteItem"},
    ("RegistrationApiRole", "ForumsTable"): {"GetItem", "UpdateItem"},
    ("RegistrationEventsRole", "RegistrationTable"): {"GetItem", "PutItem", "DeleteItem"},
    ("RegistrationEventsRole", "ForumsTable"): {"GetItem"},
    ("RegistrationRemindersRole", "RegistrationTable"): {"Query", "GetItem", "PutItem",
                                                         "DeleteItem"},
    ("RegistrationRemindersRole", "ForumsTable"): {"Scan", "GetItem"},
    # the archive's issues found by their index and read besides
    ("NewsletterApiRole", "NewsletterTable"): {"PutItem", "GetItem", "UpdateItem", "Query",
                                               "BatchGetItem"},
    # No Scan: the issues are found by their index, the ledger and subscribers by queries.
    ("NewsletterDispatchRole", "NewsletterTable"): {"GetItem", "BatchGetItem", "Query",
                                                    "PutItem", "UpdateItem"},
    ("NewsletterSenderRole", "NewsletterTable"): {"GetItem", "UpdateItem", "Query"},
    ("NewsletterConfirmationsRole", "NewsletterTable"): {"GetItem", "PutItem", "DeleteItem"},
    ("NewsletterFeedbackRole", "NewsletterTable"): {"PutItem", "UpdateItem"},
    # The secretariat's console: lists, reads, imports and forms (updates), closes, cancels,
    # deletes a session that never had a registration.
    ("StaffApiRole", "ForumsTable"): {"Scan", "Query", "GetItem", "UpdateItem", "DeleteItem"},
    # ... and writes a message's requests to send, 25 a call (BatchWriteItem).
    ("StaffApiRole", "RegistrationTable"): {"Query", "GetItem", "PutItem", "BatchWriteItem"},
    # The daily requeue: open requests by their index, each requeued one marked.
    ("AdvisoryRequeueRole", "AdvisoryTable"): {"Query", "UpdateItem"},
    # The privacy officer's CLI role: what a data-protection request calls; a seat given up
    # before its session is a cancellation, the registration written whole (PutItem).
    ("PrivacyPrivacyOfficerRole", "RegistrationTable"): {"Scan", "Query", "GetItem",
                                                         "PutItem", "DeleteItem"},
    ("PrivacyPrivacyOfficerRole", "ForumsTable"): {"GetItem", "UpdateItem"},
    ("PrivacyPrivacyOfficerRole", "NewsletterTable"): {"GetItem", "Query", "BatchGetItem",
                                                       "DeleteItem"},
    ("PrivacyPrivacyOfficerRole", "PrivacyTable"): {"PutItem"},
}


@pytest.mark.parametrize(("role", "table"), sorted(TABLE_ACTIONS))
def test_each_function_may_do_exactly_the_table_actions_it_calls(
    template: dict[str, Any], role: str, table: str,
) -> None:
    expected = {f"dynamodb:{a}" for a in TABLE_ACTIONS[(role, table)]}
    assert _table_actions(template, role, table) == expected


def test_registration_and_newsletter_functions_touch_no_other_table(
    template: dict[str, Any],
) -> None:
    tables = [k.rstrip("0123456789ABCDEF") for k in resources(template, "AWS::DynamoDB::Table")]
    roles = {role for role, _ in TABLE_ACTIONS}
    for role in roles:
        for table in tables:
            if (role, table) not in TABLE_ACTIONS:
                assert not _table_actions(template, role, table), (role, table)


def test_the_registration_stream_invokes_its_function_only_for_what_can_call_for_an_email(
    template: dict[str, Any],
) -> None:
    from datetime import UTC, datetime

    from local.event_filter import admits
    from shared.adapters.dynamodb_registrations import registration_item, submission_item
    from shared.forums.registration.email_kinds import followed_records
    from shared.forums.registration.models import Registration, Status, Submission
    from shared.roles import Role

    mapping = next(v for k, v in resources(template, "AWS::Lambda::EventSourceMapping").items()
                   if k.startswith("RegistrationEvents"))
    patterns = [json.loads(f["Pattern"])
                for f in mapping["Properties"]["FilterCriteria"]["Filters"]]
    # Exactly the records the table of emails follows (shared.forums.registration.email_kinds).
    assert patterns == [{"dynamodb": {"NewImage": {"kind": {"S": followed_records()}}}}]
    now = datetime.now(UTC)
    person = {"session_id": "s", "name": "N", "email": "n@example.dk",
              "role": Role.AREA_LEADER, "workplace": "W"}
    registration = registration_item(Registration(id="r", status=Status.CONFIRMED,
                                                  created_at=now, **person))
    submission = submission_item(Submission(id="x", registration_id="r", submitted_at=now,
                                            expires_at=now, **person))

    def record(event: str, new: dict[str, Any] | None) -> dict[str, Any]:
        images = {"NewImage": new} if new else {}
        return {"eventName": event, "dynamodb": {"Keys": {}, **images}}

    assert admits(patterns, record("INSERT", registration))
    assert admits(patterns, record("MODIFY", registration))
    assert admits(patterns, record("INSERT", submission))
    for other in ("mail", "gate"):  # the ledger's and the mail gate's items
        assert not admits(patterns, record("INSERT", {"pk": {"S": "p"}, "kind": {"S": other}}))
    assert not admits(patterns, record("REMOVE", None))


def test_the_advisory_intake_puts_and_reads_only_resubmission_records(
    template: dict[str, Any],
) -> None:
    """The intake stores (a request with its resubmission record, the receipts' gate) and
    reads back only a resubmission record: never a request, sealed or not."""
    table = next(k for k in resources(template, "AWS::DynamoDB::Table")
                 if k.startswith("AdvisoryTable"))
    statements = [s for s in _statements_of(template, "AdvisoryIntakeRole")
                  if f'"{table}", "Arn"' in json.dumps(s["Resource"])]
    unconditioned = {a for s in statements if "Condition" not in s
                     for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
                     if a.startswith("dynamodb:")}
    assert unconditioned == {"dynamodb:PutItem"}
    [read] = [s for s in statements if "Condition" in s]
    assert read["Action"] == "dynamodb:GetItem"
    assert read["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["RESUBMIT#*"]}}


def test_advisory_requests_are_found_by_the_keyed_hash_of_the_address(
    template: dict[str, Any],
) -> None:
    from shared.platform.names import INDEX_REQUESTS_BY_ADDRESS

    table = next(t for k, t in resources(template, "AWS::DynamoDB::Table").items()
                 if k.startswith("AdvisoryTable"))
    [index] = [i for i in table["Properties"]["GlobalSecondaryIndexes"]
               if i["IndexName"] == INDEX_REQUESTS_BY_ADDRESS]
    assert index["KeySchema"] == [{"AttributeName": "address_key", "KeyType": "HASH"}]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}  # no sealed copy
