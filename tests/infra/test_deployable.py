"""What a fresh account needs for the stack to deploy and work: links that reach the pages,
overrides that take effect, regions that have every service, mail that passes DMARC, alarms
that reach someone, protection that holds, a key only the consultant opens, queues and
schedules that follow AWS's rules, and a stack that can be deleted."""

from __future__ import annotations

import json
import os
import re
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
from shared.platform import names
from shared.platform.names import ENV_PUBLIC_URL, STACK_NAME
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
    "function_error_alarms": "each",
    # The second deploy of a fresh account: the sender's domain is verified by now.
    "staff_email_through_ses": "true",
    "staff_threat_protection": "enforced",
    # Every function restored from a snapshot (the configuration switches on none).
    "snap_start": ",".join(sorted(v for k, v in vars(names).items() if k.startswith("SERVICE_"))),
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


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """With the WAF's managed rules switched on (`waf_managed_rules: true`), synthesized in
    this process."""
    from app import build_app

    out = tmp_path_factory.mktemp("cdk-screened")
    build_app(str(out), overrides={"waf_managed_rules": True}).synth()
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


def test_by_default_no_function_uses_snap_start_or_publishes_a_version(
    template: dict[str, Any],
) -> None:
    """A SnapStart version not invoked for 14 days turns inactive and fails its next call
    (SnapStartNotReadyException), and each snapshot cache is billed: off unless chosen."""
    assert load_config(cdk_context()).snap_start == ()
    ours = _ours(template)
    assert len(ours) >= 15 and all("SnapStart" not in f["Properties"] for f in ours.values())
    assert not resources(template, "AWS::Lambda::Alias")
    assert not resources(template, "AWS::Lambda::Version")
    for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
        assert invoked_function(template, mapping["Properties"]["FunctionName"]) in ours


def test_with_snap_start_every_trigger_invokes_the_published_alias(
    overridden: dict[str, Any],
) -> None:
    """$LATEST has no snapshot: a route, queue, stream or schedule that named the function
    itself would get the slow start SnapStart is paid to avoid. The overrides switch every
    function on."""
    template = overridden
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
    from infra.config import DeployConfig

    for key in OVERRIDES:  # a key of the configuration (cdk.json or a default)
        assert key in DeployConfig.model_fields, key


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


# -- the staff pool's mail and threat protection ------------------------------------------------


def _joined(value: Any) -> str:
    """A template string as text, its references left out (`Fn::Join` of literals)."""
    if isinstance(value, str):
        return value
    return "".join(p if isinstance(p, str) else "" for p in value["Fn::Join"][1])


def test_a_fresh_account_deploys_the_pool_with_cognitos_own_sender_and_no_custom_invitation(
    template: dict[str, Any],
) -> None:
    """CloudFormation allows a custom invitation text only with EmailSendingAccount DEVELOPER,
    which Cognito accepts only for an SES identity already verified: the first deploy sends
    with Cognito's own mail and asks for nothing SES must have verified."""
    _, pool = one(template, "AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props.get("EmailConfiguration", {}).get("EmailSendingAccount",
                                                   "COGNITO_DEFAULT") == "COGNITO_DEFAULT"
    assert "InviteMessageTemplate" not in props["AdminCreateUserConfig"]
    assert load_config(cdk_context()).staff_email_through_ses is False


def test_once_switched_on_the_pool_mails_in_danish_through_the_stacks_ses_identity(
    overridden: dict[str, Any],
) -> None:
    identity_id, identity = one(overridden, "AWS::SES::EmailIdentity")
    domain = identity["Properties"]["EmailIdentity"]
    configuration_set, _ = one(overridden, "AWS::SES::ConfigurationSet")
    _, pool = one(overridden, "AWS::Cognito::UserPool")
    props = pool["Properties"]
    mail = props["EmailConfiguration"]
    assert mail["EmailSendingAccount"] == "DEVELOPER"
    assert _joined(mail["SourceArn"]).endswith(f":identity/{domain}")
    assert mail["ConfigurationSet"] == {"Ref": configuration_set}
    assert mail["From"].endswith(f"<{OVERRIDES['sender_address']}>")
    assert identity_id in pool["DependsOn"]  # the identity exists before Cognito checks it
    invitation = props["AdminCreateUserConfig"]["InviteMessageTemplate"]
    body = _joined(invitation["EmailMessage"])
    assert "{username}" in body and "{####}" in body
    assert "https://tilmelding.example.org/personale/" in body
    assert invitation["EmailSubject"].startswith("Din adgang til personalesiderne")
    assert props["VerificationMessageTemplate"]["EmailSubject"] == "Din kode til Ledere af ledere"


def _risk(template: dict[str, Any]) -> dict[str, Any]:
    pool, _ = one(template, "AWS::Cognito::UserPool")
    _, risk = one(template, "AWS::Cognito::UserPoolRiskConfigurationAttachment")
    props = dict(risk["Properties"])
    assert props["UserPoolId"] == {"Ref": pool} and props["ClientId"] == "ALL"
    return props


def test_threat_protection_audits_by_default_with_an_explicit_risk_configuration(
    template: dict[str, Any], overridden: dict[str, Any],
) -> None:
    """AWS advises audit-only for two weeks or more before enforcing; what enforcing would do
    is written down either way: compromised credentials and high risk blocked, low and
    medium only logged, nobody mailed."""
    for synthesized, mode in ((template, "AUDIT"), (overridden, "ENFORCED")):
        _, pool = one(synthesized, "AWS::Cognito::UserPool")
        assert pool["Properties"]["UserPoolAddOns"] == {"AdvancedSecurityMode": mode}
        risk = _risk(synthesized)
        assert risk["CompromisedCredentialsRiskConfiguration"]["Actions"] == {
            "EventAction": "BLOCK"}
        assert "EventFilter" not in risk["CompromisedCredentialsRiskConfiguration"]  # all
        assert risk["AccountTakeoverRiskConfiguration"]["Actions"] == {
            "HighAction": {"EventAction": "BLOCK", "Notify": False},
            "MediumAction": {"EventAction": "NO_ACTION", "Notify": False},
            "LowAction": {"EventAction": "NO_ACTION", "Notify": False},
        }


# -- errors are not cached at the edge ----------------------------------------------------


def test_no_error_answer_is_cached_by_cloudfront(template: dict[str, Any]) -> None:
    """CloudFront keeps an error answer 10 seconds by default whatever Cache-Control says;
    the API's 403 or 5xx for one viewer must not reach the next at that edge."""
    _, distribution = one(template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    errors = {e["ErrorCode"]: e for e in config["CustomErrorResponses"]}
    assert set(errors) == {400, 403, 404, 405, 414, 500, 501, 502, 503, 504}
    for error in errors.values():
        assert error == {"ErrorCode": error["ErrorCode"], "ErrorCachingMinTTL": 0}
    api = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*")
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled


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


def test_with_an_alarm_per_function_each_names_its_function(
    overridden: dict[str, Any],
) -> None:
    alarms = [a["Properties"] for a in resources(overridden, "AWS::CloudWatch::Alarm").values()]
    errors = [a for a in alarms if a.get("MetricName") == "Errors"]
    ours = _ours(overridden)
    assert len(errors) == len(ours)
    for function in ours:
        watching = [a for a in errors if function in json.dumps(a.get("Dimensions", []))]
        assert len(watching) == 1, function
        assert "Alarms" in json.dumps(watching[0]["AlarmActions"])


def test_the_secretariat_hears_of_ses_bounce_and_complaint_rates_before_aws_reviews_them(
    template: dict[str, Any],
) -> None:
    """SES reviews an account above 5% bounces or 0.1% complaints and may pause its sending."""
    topic, _ = one(template, "AWS::SNS::Topic", "Alarms")
    alarms = {a["Properties"].get("MetricName"): a["Properties"]
              for a in resources(template, "AWS::CloudWatch::Alarm").values()
              if a["Properties"].get("Namespace") == "AWS/SES"}
    for metric, review in (("Reputation.BounceRate", 0.05), ("Reputation.ComplaintRate", 0.001)):
        alarm = alarms[metric]
        assert 0 < alarm["Threshold"] < review
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["Statistic"] == "Maximum" and "Dimensions" not in alarm  # the account's
        assert alarm["AlarmActions"] == [{"Ref": topic}]


def test_an_operations_dashboard_is_deployed_and_named_in_the_outputs(
    template: dict[str, Any],
) -> None:
    _, dashboard = one(template, "AWS::CloudWatch::Dashboard")
    assert dashboard["Properties"]["DashboardName"].startswith(STACK_NAME)
    assert template["Outputs"]["DashboardName"]["Value"] == dashboard["Properties"]["DashboardName"]
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    referenced = [json.dumps(p) for p in parts if not isinstance(p, str)]
    body = json.loads("".join(p if isinstance(p, str) else "TOKEN" for p in parts))
    metrics = [m for widget in body["widgets"]
               for m in widget["properties"].get("metrics", [])]
    names = {m[1] for m in metrics}
    for metric in ("RegistrationSubmitted", "RegistrationConfirmed", "RegistrationWaitlisted",
                   "RegistrationCancelled", "NewsletterRecipients", "NewsletterSent",
                   "NewsletterBounce", "Send", "Bounce", "Reputation.BounceRate",
                   "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage",
                   "Errors", "Throttles"):
        assert metric in names, metric
    for function in _ours(template):  # its errors (throttles are counted account-wide)
        assert sum(f'"{function}"' in r for r in referenced) == 1, function
    assert ["AWS/Lambda", "Throttles"] in [m[:2] for m in metrics]
    for queue in ("AdvisoryUrgentQueue", "AdvisoryQueue", "NewsletterSendQueue"):
        assert any(f'"{k}"' in r for r in referenced for k in resources(
            template, "AWS::SQS::Queue") if k.startswith(queue)), queue
    assert len(metrics) <= 50  # CloudWatch's always-free dashboards hold up to 50 metrics


# -- cost -----------------------------------------------------------------------------------


# What the cost table of docs/costs.md counts ("What it costs"), by resource type: a change
# here is a change of the bill, and the table's line with it.
BILLED = {
    "AWS::WAFv2::WebACL": 1, "AWS::KMS::Key": 1, "AWS::SecretsManager::Secret": 4,
    "AWS::CloudWatch::Alarm": 12, "AWS::CloudWatch::Dashboard": 1, "AWS::Logs::LogGroup": 20,
    "AWS::SQS::Queue": 13, "AWS::ApiGateway::RestApi": 1, "AWS::DynamoDB::Table": 6,
    "AWS::Cognito::UserPool": 1, "AWS::SES::EmailIdentity": 1, "AWS::SES::ConfigurationSet": 1,
    "AWS::CloudFront::Distribution": 1, "AWS::CloudFront::Function": 2, "AWS::S3::Bucket": 2,
    "AWS::SNS::Topic": 2, "AWS::Scheduler::Schedule": 4,
}


def test_the_cost_table_counts_what_the_default_template_holds(
    template: dict[str, Any],
) -> None:
    for kind, count in BILLED.items():
        assert len(resources(template, kind)) == count, kind
    assert len(waf_rules(template)) == 2  # $1 each; a rule group counts as one
    assert len(_ours(template)) == 16 and not resources(template, "AWS::Lambda::Version")
    polled = [m for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
              if "StreamArn" not in json.dumps(m["Properties"]["EventSourceArn"])]
    assert len(polled) == 4  # the queues Lambda's pollers receive from even when idle
    _, pool = one(template, "AWS::Cognito::UserPool")
    assert pool["Properties"]["UserPoolTier"] == "PLUS"  # $0.02 per monthly active user


# -- logs -----------------------------------------------------------------------------------


def test_every_log_group_the_stack_causes_has_a_retention(template: dict[str, Any]) -> None:
    """Lambda and API Gateway create a group without expiry for whatever logs before one
    exists: every function (CDK's own included) logs to a group of the stack, and the stage's
    execution logs group, named as API Gateway names it, exists before the stage."""
    groups = resources(template, "AWS::Logs::LogGroup")
    assert all(g["Properties"]["RetentionInDays"] == 90 for g in groups.values())
    for logical_id, function in resources(template, "AWS::Lambda::Function").items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]
        assert group["Ref"] in groups, logical_id
    api, _ = one(template, "AWS::ApiGateway::RestApi")
    execution = [k for k, g in groups.items() if g["Properties"].get("LogGroupName") == {
        "Fn::Join": ["", ["API-Gateway-Execution-Logs_", {"Ref": api}, "/prod"]]}]
    assert len(execution) == 1
    _, stage = one(template, "AWS::ApiGateway::Stage")
    assert execution[0] in stage["DependsOn"]
    assert stage["Properties"]["MethodSettings"][0]["LoggingLevel"] == "ERROR"
    access = stage["Properties"]["AccessLogSetting"]["DestinationArn"]["Fn::GetAtt"][0]
    assert access in groups


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
    screened: dict[str, Any], plan: Any,
) -> None:
    """Everywhere but on the editor's subscriber import, whose function reads a whole file
    (up to 1 MB) and refuses a larger one itself."""
    template = screened
    rules = waf_rules(template)
    size = rules["body-over-16kb"]
    larger, excepted = size["Statement"]["AndStatement"]["Statements"]
    constraint = larger["SizeConstraintStatement"]
    pattern = excepted["NotStatement"]["Statement"]["RegexMatchStatement"]["RegexString"]
    for route in plan.routes:
        for stage in ("", "/prod"):
            assert (re.search(pattern, stage + route.path) is not None) == (
                route.path == "/api/staff/newsletter/subscribers/import"), route
    assert constraint["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    assert (constraint["ComparisonOperator"], constraint["Size"]) == ("GT", 16 * 1024)
    assert size["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 413
    common = next(r for r in rules.values() if "ManagedRuleGroupStatement" in r["Statement"])
    group = common["Statement"]["ManagedRuleGroupStatement"]
    assert group["Name"] == "AWSManagedRulesCommonRuleSet"
    assert {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}} in \
        group["RuleActionOverrides"]


def _label_blocked(statement: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(label, where it is not blocked) of `label AND NOT where`."""
    label, excepted = statement["AndStatement"]["Statements"]
    return label["LabelMatchStatement"]["Key"], excepted["NotStatement"]["Statement"]


def test_two_common_rules_only_count_on_the_routes_they_would_break_and_block_elsewhere(
    screened: dict[str, Any], plan: Any,
) -> None:
    """The body cross-site-scripting rule would refuse the editor's Markdown and preview; the
    missing-User-Agent rule a mail provider's RFC 8058 one-click unsubscribe POST. In the group
    both only count (and label the request); a rule after it blocks either label anywhere
    but on exactly those routes."""
    template = screened
    from infra.newsletter import EDITOR_ROUTES

    rules = waf_rules(template)
    group = rules["aws-common"]["Statement"]["ManagedRuleGroupStatement"]
    counted = {o["Name"] for o in group["RuleActionOverrides"]
               if o["ActionToUse"] == {"Count": {}}}
    assert counted == {"SizeRestrictions_BODY", "CrossSiteScripting_BODY", "NoUserAgent_HEADER"}
    after = rules["aws-common-outside-its-exceptions"]
    assert after["Priority"] > rules["aws-common"]["Priority"]
    assert after["Action"] == {"Block": {}}  # answered as the group's own blocks (WAF_FILTERED)
    blocked = dict(_label_blocked(s) for s in after["Statement"]["OrStatement"]["Statements"])
    prefix = "awswaf:managed:aws:core-rule-set:"
    assert set(blocked) == {f"{prefix}CrossSiteScripting_Body", f"{prefix}NoUserAgent_Header"}

    def matches(statement: dict[str, Any], method: str, path: str) -> bool:
        if "AndStatement" in statement:
            return all(matches(s, method, path) for s in statement["AndStatement"]["Statements"])
        if "ByteMatchStatement" in statement:
            match = statement["ByteMatchStatement"]
            assert match["FieldToMatch"] == {"Method": {}}
            return bool(method == match["SearchString"])
        regex = statement["RegexMatchStatement"]
        assert regex["FieldToMatch"] == {"UriPath": {}}
        return re.search(regex["RegexString"], path) is not None

    editor = {("/api/" + p).replace("{issue_id}", "nr-7") for _, p in EDITOR_ROUTES}
    for route in plan.routes:
        path = route.path.replace("{", "").replace("}", "")  # a value for each parameter
        for stage in ("", "/prod"):  # the stage's name before the path, or not
            xss = matches(blocked[f"{prefix}CrossSiteScripting_Body"], route.method,
                          stage + path)
            agent = matches(blocked[f"{prefix}NoUserAgent_Header"], route.method, stage + path)
            assert xss == (route.path.replace("{issue_id}", "nr-7") in editor), route
            assert agent == ((route.method, route.path) ==
                             ("POST", "/api/newsletter/unsubscribe")), route
    assert any(r.path.startswith("/api/staff/newsletter/") for r in plan.routes)


def test_by_default_the_waf_keeps_the_origin_lock_and_the_rate_limit_only(
    template: dict[str, Any], screened: dict[str, Any],
) -> None:
    """The bill's cap: the managed rules are a switch, off by default."""
    assert set(waf_rules(template)) == {"through-the-distribution", "rate-per-viewer"}
    assert len(waf_rules(screened)) == 5


def test_every_waf_block_is_answered_in_danish_with_its_own_reason(
    screened: dict[str, Any],
) -> None:
    template = screened
    _, acl = one(template, "AWS::WAFv2::WebACL")
    bodies = acl["Properties"]["CustomResponseBodies"]
    answers: set[tuple[int, str]] = set()
    for rule in acl["Properties"]["Rules"]:
        if rule.get("Action", {}).get("Block") in (None, {}):
            continue  # a rule group, or a block answered as the common rules' (below)
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


# CloudFormation's quota: a template declares at most 500 resources (a deploy over it fails
# before anything is created). Headroom is kept so that a new route or function is not the one
# that finds the limit at deploy time.
STACK_RESOURCE_QUOTA = 500


def test_the_stack_stays_well_inside_cloudformations_resource_quota(
        template: dict[str, Any]) -> None:
    assert len(template["Resources"]) <= STACK_RESOURCE_QUOTA - 60, len(template["Resources"])
