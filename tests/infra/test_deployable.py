"""What a fresh account needs for the stack to deploy and work: links that reach the pages,
overrides that take effect, regions that have every service, mail that passes DMARC, alarms
that reach someone, protection that holds, a key only the consultant opens, queues and
schedules that follow AWS's rules, and a stack that can be deleted."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from infra.api import ORIGIN_HEADER, VIEWER_ADDRESS_HEADER
from infra.config import cdk_context, eu_regions_with_every_service, load_config
from infra.pages import VIEWER_ADDRESS_FUNCTION
from local.plan import build_plan
from local.synth import ROOT
from shared import names
from shared.names import ENV_PUBLIC_URL, STACK_NAME
from tests.infra.template import invoked_function

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f8e6d4c-1b2a-4c3d-9e8f-123456789abc"
OVERRIDES = {
    "public_url": "https://tilmelding.example.org",
    "certificate_arn": CERTIFICATE,
    "region": "eu-west-1",
    "alarm_email": "vagt@example.org",
    "waf_enabled": "false",
    "waf_requests_per_5_minutes": "300",
    "consultant_principals": "role/konsulent,user/anna",
    "sender_address": "nyt@example.org",
    "staff_mfa": "false",
    # No function restored from a snapshot (the configuration switches on every one).
    "snap_start": "[]",
}


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def one(template: dict[str, Any], kind: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
    found = [(k, v) for k, v in resources(template, kind).items() if k.startswith(prefix)]
    assert len(found) == 1, (kind, prefix, [k for k, _ in found])
    return found[0]


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["Statement"])


def actions(statement: dict[str, Any]) -> set[str]:
    found = statement["Action"]
    return {found} if isinstance(found, str) else set(found)


@pytest.fixture(scope="module")
def overridden(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real synth by the CDK CLI with `-c leaders:KEY=VALUE` overrides."""
    out = tmp_path_factory.mktemp("cdk-overrides")
    command = ["npx", "--no-install", "cdk", "synth", "--quiet", "--output", str(out)]
    for key, value in OVERRIDES.items():
        command += ["-c", f"leaders:{key}={value}"]
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
           "CDK_DISABLE_VERSION_CHECK": "true"}
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return dict(json.loads((out / f"{STACK_NAME}.template.json").read_text()))


def link_bases(template: dict[str, Any]) -> list[Any]:
    return [f["Properties"]["Environment"]["Variables"][ENV_PUBLIC_URL]
            for f in resources(template, "AWS::Lambda::Function").values()
            if ENV_PUBLIC_URL in f["Properties"].get("Environment", {}).get("Variables", {})]


# -- links ----------------------------------------------------------------------------------


def test_without_a_domain_every_link_starts_with_the_distributions_own_address(
    template: dict[str, Any],
) -> None:
    distribution, props = one(template, "AWS::CloudFront::Distribution")
    assert "Aliases" not in props["Properties"]["DistributionConfig"]
    bases = link_bases(template)
    assert len(bases) >= 5
    for base in bases:
        assert base == {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution,
                                                                      "DomainName"]}]]}


def test_with_a_domain_the_distribution_serves_it_and_every_link_starts_with_it(
    overridden: dict[str, Any],
) -> None:
    _, distribution = one(overridden, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["tilmelding.example.org"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == CERTIFICATE
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    assert set(map(json.dumps, link_bases(overridden))) == {'"https://tilmelding.example.org"'}


def test_the_local_runtime_resolves_the_link_base_to_the_origin_serving_the_pages(
    template: dict[str, Any], overridden: dict[str, Any],
) -> None:
    from local.emulator import Emulator

    for synthesized in (template, overridden):
        plan = build_plan(synthesized)
        emulator = Emulator("eu-north-1")
        emulator.served_origin = "http://127.0.0.1:8123"
        emulator.physical = {}
        emulator._distribution_urls = []
        for logical_id, aliases in plan.distributions.items():  # as Emulator.build does
            host = f"{logical_id.lower()}.cloudfront.invalid"
            emulator.physical[logical_id] = {"Ref": logical_id, "DomainName": host}
            emulator._distribution_urls += [f"https://{n}" for n in (host, *aliases)]
        for base in link_bases(synthesized):
            assert emulator.resolve(base) == "http://127.0.0.1:8123"
        assert emulator.resolve("https://elsewhere.example.dk") == "https://elsewhere.example.dk"


# -- SnapStart -------------------------------------------------------------------------------


def _ours(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in resources(template, "AWS::Lambda::Function").items()
            if str(v["Properties"]["Handler"]).startswith("functions.")}


def test_without_snap_start_no_function_publishes_a_version(
    overridden: dict[str, Any],
) -> None:
    ours = _ours(overridden)
    assert len(ours) >= 15 and all("SnapStart" not in f["Properties"] for f in ours.values())
    assert not resources(overridden, "AWS::Lambda::Alias")
    assert not resources(overridden, "AWS::Lambda::Version")
    for mapping in resources(overridden, "AWS::Lambda::EventSourceMapping").values():
        assert invoked_function(overridden, mapping["Properties"]["FunctionName"]) in ours


def test_the_configuration_restores_every_function_from_a_snapshot() -> None:
    services = {v for k, v in vars(names).items() if k.startswith("SERVICE_")}
    assert set(load_config(cdk_context()).snap_start) == services


def test_with_snap_start_every_trigger_invokes_the_published_alias(
    template: dict[str, Any],
) -> None:
    """$LATEST has no snapshot: a route, queue, stream or schedule that named the function
    itself would get the slow start SnapStart is paid to avoid. The configuration as
    committed switches every function on."""
    ours = _ours(template)
    assert len(ours) >= 15
    for function in ours.values():
        assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    aliases = resources(template, "AWS::Lambda::Alias")
    behind = {k: a["Properties"]["FunctionName"]["Ref"] for k, a in aliases.items()}
    assert sorted(behind.values()) == sorted(ours)
    assert all(a["Properties"]["Name"] == "live" for a in aliases.values())
    # Only the version in use keeps a snapshot (each is paid for while it exists).
    versions = resources(template, "AWS::Lambda::Version")
    assert len(versions) == len(ours)
    assert {v["DeletionPolicy"] for v in versions.values()} == {"Delete"}
    invoked: list[str] = []

    def through_alias(reference: Any) -> None:
        text = json.dumps(reference)
        assert not any(f'"{function}"' in text for function in ours), text
        named = [alias for alias in aliases if f'"{alias}"' in text]
        assert len(named) == 1, text
        invoked.extend(named)

    for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
        through_alias(mapping["Properties"]["FunctionName"])
    for method in resources(template, "AWS::ApiGateway::Method").values():
        integration = method["Properties"].get("Integration", {})
        if integration.get("Type") == "AWS_PROXY":
            through_alias(integration["Uri"])
    for schedule in resources(template, "AWS::Scheduler::Schedule").values():
        through_alias(schedule["Properties"]["Target"]["Arn"])
    for permission in resources(template, "AWS::Lambda::Permission").values():
        if permission["Properties"]["Principal"] != "apigateway.amazonaws.com":
            continue
        through_alias(permission["Properties"]["FunctionName"])
    assert set(invoked) <= set(aliases) and len(set(invoked)) == len(ours)
    plan = build_plan(template)  # the local runtime runs the function behind each alias
    assert {r.function for r in plan.routes} | {e.function for e in plan.event_sources} | {
        s.target for s in plan.schedules} == set(ours)


def test_snap_start_names_known_functions_only() -> None:
    context = {**cdk_context(), "leaders:snap_start": "advisory-intake,kaffemaskine"}
    with pytest.raises(ValueError, match="unknown functions kaffemaskine"):
        load_config(context)


# -- overrides and regions --------------------------------------------------------------------


def test_every_key_can_be_overridden_on_the_command_line(overridden: dict[str, Any]) -> None:
    _, identity = one(overridden, "AWS::SES::EmailIdentity")
    assert identity["Properties"]["EmailIdentity"] == "example.org"
    _, subscription = one(overridden, "AWS::SNS::Subscription", "Alarms")
    assert subscription["Properties"]["Endpoint"] == "vagt@example.org"
    assert not resources(overridden, "AWS::WAFv2::WebACL")  # waf_enabled=false
    _, role = one(overridden, "AWS::IAM::Role", "AdvisoryConsultantRole")
    trust = statements(role["Properties"]["AssumeRolePolicyDocument"])[0]
    assert [p.split(":")[-1] for p in trust["Condition"]["ArnLike"]["aws:PrincipalArn"]] == [
        "role/konsulent", "user/anna"]
    _, pool = one(overridden, "AWS::Cognito::UserPool")
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"  # staff_mfa=false, acknowledged
    _, headers = one(overridden, "AWS::CloudFront::ResponseHeadersPolicy")
    csp = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com;" in csp
    for key in OVERRIDES:
        assert key in cdk_context()["leaders:config"], key


@pytest.mark.parametrize("region", ["us-east-1", "eu-east-9", "ap-south-1"])
def test_a_region_without_every_service_or_outside_the_eu_is_refused_clearly(region: str) -> None:
    context = cdk_context()
    context["leaders:region"] = region
    with pytest.raises(ValidationError) as refused:
        load_config(context)
    message = str(refused.value)
    assert region in message and "eu-west-1" in message


def test_every_allowed_region_is_in_the_eu_and_has_ses() -> None:
    import botocore

    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    aws = next(p for p in data["partitions"] if p["partition"] == "aws")
    allowed = eu_regions_with_every_service()
    assert "eu-north-1" in allowed
    for region in allowed:
        assert region.startswith("eu-")
        assert region in aws["services"]["email"]["endpoints"]
        assert region in aws["services"]["scheduler"]["endpoints"]


def test_a_domain_without_its_certificate_is_refused() -> None:
    context = cdk_context()
    context["leaders:public_url"] = "https://tilmelding.example.org"
    with pytest.raises(ValidationError, match="us-east-1"):
        load_config(context)


@pytest.mark.parametrize("typed", ["https://tilmelding.example.org/", "https://Tilmelding.Example.ORG",
                                   " https://tilmelding.example.org// "])
def test_the_site_address_is_taken_as_an_operator_writes_it(typed: str) -> None:
    """With a trailing slash (as the SiteUrl output shows it) or capitals, the address is the
    same name: links never get a double slash."""
    context = {**cdk_context(), "leaders:public_url": typed, "leaders:certificate_arn": CERTIFICATE}
    config = load_config(context)
    assert config.public_url == "https://tilmelding.example.org"
    assert config.domain_name == "tilmelding.example.org"


@pytest.mark.parametrize("typed", ["http://tilmelding.example.org", "https://tilmelding.example.org/x",
                                   "tilmelding.example.org"])
def test_a_site_address_that_is_not_a_https_name_is_refused_naming_the_key(typed: str) -> None:
    context = {**cdk_context(), "leaders:public_url": typed, "leaders:certificate_arn": CERTIFICATE}
    with pytest.raises(ValidationError, match="public_url"):
        load_config(context)


# -- mail -----------------------------------------------------------------------------------


def test_the_sender_domain_signs_with_easy_dkim_and_its_own_mail_from_and_the_records_are_output(
    template: dict[str, Any],
) -> None:
    identity_id, identity = one(template, "AWS::SES::EmailIdentity")
    props = identity["Properties"]
    assert "@" not in props["EmailIdentity"]
    assert props["DkimAttributes"] == {"SigningEnabled": True}
    assert props["DkimSigningAttributes"] == {"NextSigningKeyLength": "RSA_2048_BIT"}
    mail_from = props["MailFromAttributes"]["MailFromDomain"]
    assert mail_from.endswith("." + props["EmailIdentity"])
    outputs = template["Outputs"]
    dkim = [o for k, o in outputs.items() if k.startswith("DnsRecordDkim")]
    assert len(dkim) == 3
    for i, output in enumerate(dkim, start=1):
        assert f"DkimDNSTokenName{i}" in json.dumps(output["Value"])
        assert f"DkimDNSTokenValue{i}" in json.dumps(output["Value"])
        assert identity_id in json.dumps(output["Value"])
    mx = json.dumps(outputs["DnsRecordMailFromMx"]["Value"])
    assert mail_from in mx and "feedback-smtp." in mx and ".amazonses.com" in mx
    assert "v=spf1 include:amazonses.com" in json.dumps(outputs["DnsRecordMailFromSpf"]["Value"])


def test_senders_may_send_as_the_domain_identity(template: dict[str, Any]) -> None:
    _, identity = one(template, "AWS::SES::EmailIdentity")
    domain = identity["Properties"]["EmailIdentity"]
    senders = [s for p in resources(template, "AWS::IAM::Policy").values()
               for s in statements(p["Properties"]["PolicyDocument"])
               if "ses:SendRawEmail" in actions(s)]
    assert senders
    for statement in senders:
        assert f"identity/{domain}" in json.dumps(statement["Resource"])


# -- alarms ---------------------------------------------------------------------------------


def test_cloudwatch_of_this_account_may_publish_alarms_and_a_person_is_subscribed(
    template: dict[str, Any],
) -> None:
    topic, _ = one(template, "AWS::SNS::Topic", "Alarms")
    policies = [p for p in resources(template, "AWS::SNS::TopicPolicy").values()
                if topic in json.dumps(p["Properties"]["Topics"])]
    allows = [s for p in policies for s in statements(p["Properties"]["PolicyDocument"])
              if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allows] == [{"Service": "cloudwatch.amazonaws.com"}]
    assert actions(allows[0]) == {"sns:Publish"}
    assert allows[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": "000000000000"}
    assert ":alarm:*" in json.dumps(allows[0]["Condition"]["ArnLike"]["aws:SourceArn"])
    _, subscription = one(template, "AWS::SNS::Subscription", "Alarms")
    assert subscription["Properties"]["Protocol"] == "email"
    assert topic in json.dumps(subscription["Properties"]["TopicArn"])


# -- protection -----------------------------------------------------------------------------


def waf_rules(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    _, acl = one(template, "AWS::WAFv2::WebACL")
    return {r["Name"]: r for r in acl["Properties"]["Rules"]}


def test_the_rate_rule_counts_an_address_cloudfront_sets_from_the_viewer(
    template: dict[str, Any],
) -> None:
    rate = next(r for r in waf_rules(template).values() if "RateBasedStatement" in r["Statement"])
    statement = rate["Statement"]["RateBasedStatement"]
    assert statement["AggregateKeyType"] == "FORWARDED_IP"
    header = statement["ForwardedIPConfig"]["HeaderName"]
    assert header.lower() != "x-forwarded-for" and header == VIEWER_ADDRESS_HEADER
    assert rate["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    # The distribution sets that header from event.viewer.ip on every /api request.
    function_id, function = one(template, "AWS::CloudFront::Function", "PagesViewerAddress")
    assert f"headers['{header.lower()}'] = {{value: event.viewer.ip}}" in \
        function["Properties"]["FunctionCode"]
    assert function["Properties"]["FunctionCode"] == VIEWER_ADDRESS_FUNCTION
    _, distribution = one(template, "AWS::CloudFront::Distribution")
    api = next(b for b in distribution["Properties"]["DistributionConfig"]["CacheBehaviors"]
               if b["PathPattern"] == "/api/*")
    assert [a["EventType"] for a in api["FunctionAssociations"]] == ["viewer-request"]
    assert function_id in json.dumps(api["FunctionAssociations"])


def test_the_api_refuses_requests_that_did_not_come_through_the_distribution(
    template: dict[str, Any],
) -> None:
    rules = waf_rules(template)
    first = min(rules.values(), key=lambda r: r["Priority"])
    match = first["Statement"]["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": ORIGIN_HEADER}}
    assert match["PositionalConstraint"] == "EXACTLY"
    secret, _ = one(template, "AWS::SecretsManager::Secret", "ApiOriginSecret")
    assert secret in json.dumps(match["SearchString"])
    assert "{{resolve:secretsmanager:" in json.dumps(match["SearchString"])  # never in clear
    assert first["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 403
    _, distribution = one(template, "AWS::CloudFront::Distribution")
    origins = distribution["Properties"]["DistributionConfig"]["Origins"]
    api_origin = next(o for o in origins if "execute-api" in json.dumps(o["DomainName"]))
    headers = {h["HeaderName"]: h["HeaderValue"] for h in api_origin["OriginCustomHeaders"]}
    assert headers[ORIGIN_HEADER] == match["SearchString"]


def test_bodies_up_to_16_kb_pass_the_waf_and_larger_ones_get_a_413(
    template: dict[str, Any],
) -> None:
    rules = waf_rules(template)
    size = next(r for r in rules.values() if "SizeConstraintStatement" in r["Statement"])
    constraint = size["Statement"]["SizeConstraintStatement"]
    assert constraint["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    assert (constraint["ComparisonOperator"], constraint["Size"]) == ("GT", 16 * 1024)
    assert size["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 413
    common = next(r for r in rules.values() if "ManagedRuleGroupStatement" in r["Statement"])
    group = common["Statement"]["ManagedRuleGroupStatement"]
    assert group["Name"] == "AWSManagedRulesCommonRuleSet"
    assert {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}} in \
        group["RuleActionOverrides"]


def test_every_waf_block_is_answered_in_danish_with_its_own_reason(
    template: dict[str, Any],
) -> None:
    _, acl = one(template, "AWS::WAFv2::WebACL")
    bodies = acl["Properties"]["CustomResponseBodies"]
    answers: set[tuple[int, str]] = set()
    for rule in acl["Properties"]["Rules"]:
        if "Action" not in rule:
            continue
        response = rule["Action"]["Block"]["CustomResponse"]
        body = bodies[response["CustomResponseBodyKey"]]
        assert body["ContentType"] == "APPLICATION_JSON"
        content = json.loads(body["Content"])
        assert set(content) == {"code", "message"}
        answers.add((response["ResponseCode"], content["message"]))
    assert len(answers) == 3 and len({m for _, m in answers}) == 3
    assert any("for mange" in m.lower() for s, m in answers if s == 429)
    waf = next(r for r in resources(template, "AWS::ApiGateway::GatewayResponse").values()
               if r["Properties"]["ResponseType"] == "WAF_FILTERED")
    assert waf["Properties"]["StatusCode"] == "403"  # the common rules: refused, not "too many"
    assert "for mange" not in json.dumps(waf["Properties"]).lower()


def test_the_content_key_is_manageable_but_only_the_consultant_may_decrypt(
    template: dict[str, Any],
) -> None:
    _, key = one(template, "AWS::KMS::Key", "AdvisoryContentKey")
    policy = statements(key["Properties"]["KeyPolicy"])
    crypto = {"kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
              "kms:CreateGrant", "kms:*", "kms:GenerateDataKey"}
    decrypters = [s["Principal"] for s in policy if s["Effect"] == "Allow"
                  and actions(s) & {"kms:Decrypt", "kms:*", "kms:Decrypt*"}]
    # The consultant: the CLI's role and the console's function (its execution role).
    assert decrypters == [{"AWS": [
        {"Fn::GetAtt": [one(template, "AWS::IAM::Role", role)[0], "Arn"]}
        for role in ("AdvisoryConsoleRole", "AdvisoryConsultantRole")]}]
    admin = [s for s in policy if "root" in json.dumps(s["Principal"])]
    assert len(admin) == 1
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"} <= actions(admin[0])
    assert not actions(admin[0]) & crypto
    assert not any(a.endswith("*") for a in actions(admin[0]))


def test_the_consultant_role_trusts_named_principals_not_the_whole_account(
    template: dict[str, Any],
) -> None:
    _, role = one(template, "AWS::IAM::Role", "AdvisoryConsultantRole")
    trust = statements(role["Properties"]["AssumeRolePolicyDocument"])
    assert len(trust) == 1
    principals = trust[0]["Condition"]["ArnLike"]["aws:PrincipalArn"]
    assert principals and all(":root" not in json.dumps(p) for p in principals)


# -- operations -----------------------------------------------------------------------------


def test_every_queue_event_source_has_six_times_the_functions_timeout(
    template: dict[str, Any],
) -> None:
    checked = 0
    for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        if "StreamArn" in json.dumps(props["EventSourceArn"]):
            continue
        queue = template["Resources"][props["EventSourceArn"]["Fn::GetAtt"][0]]["Properties"]
        function = template["Resources"][invoked_function(template, props["FunctionName"])][
            "Properties"]
        window = int(props.get("MaximumBatchingWindowInSeconds", 0))
        assert int(queue["VisibilityTimeout"]) >= 6 * int(function["Timeout"]) + window
        checked += 1
    assert checked >= 2


def test_every_schedule_has_a_dead_letter_queue_and_its_role_trusts_only_this_account(
    template: dict[str, Any],
) -> None:
    schedules = resources(template, "AWS::Scheduler::Schedule")
    assert len(schedules) >= 4
    alarms = json.dumps(resources(template, "AWS::CloudWatch::Alarm"))
    for schedule in schedules.values():
        target = schedule["Properties"]["Target"]
        queue = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
        assert "FifoQueue" not in template["Resources"][queue]["Properties"]
        assert queue in alarms
        role = template["Resources"][target["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
        trust = statements(role["AssumeRolePolicyDocument"])
        assert all(s["Condition"]["StringEquals"]["aws:SourceAccount"] for s in trust)
        sends = [s for p in resources(template, "AWS::IAM::Policy").values()
                 if target["RoleArn"]["Fn::GetAtt"][0] in json.dumps(p["Properties"]["Roles"])
                 for s in statements(p["Properties"]["PolicyDocument"])
                 if "sqs:SendMessage" in actions(s)]
        assert any(queue in json.dumps(s["Resource"]) for s in sends)


def test_secrets_stay_with_the_tables_and_the_pages_bucket_empties_on_delete(
    template: dict[str, Any],
) -> None:
    for logical_id, secret in resources(template, "AWS::SecretsManager::Secret").items():
        if "SigningSecret" in logical_id:
            assert secret["DeletionPolicy"] == "Retain", logical_id
    bucket, props = one(template, "AWS::S3::Bucket", "PagesBucket")
    assert props["DeletionPolicy"] == "Delete"
    auto_delete = [r for r in resources(template, "Custom::S3AutoDeleteObjects").values()
                   if r["Properties"]["BucketName"] == {"Ref": bucket}]
    assert len(auto_delete) == 1
