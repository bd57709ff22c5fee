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
from shared.names import PARAM_FORUMS_TABLE


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
    assert {(r.method, r.path) for r in plan.routes} >= {
        ("GET", "/api/forums"), ("GET", "/api/forums/{forum_id}"),
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
    stack.has_resource_properties("AWS::SES::EmailIdentity",
                                  {"EmailIdentity": config["sender_address"]})
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
    assert origin["OriginPath"]["Fn::Join"][1][0] == "/"  # the API's stage
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
