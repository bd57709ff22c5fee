"""No link token in a log or a Referer, as the template deploys it: every answer (page or API)
says `Referrer-Policy: no-referrer`, CloudFront writes no standard logs (the legacy ones
always hold the query string beside the viewer's address), and the API's access log and
execution logs hold neither a query string nor a body."""

from __future__ import annotations

import json
from typing import Any

from pages.site import REFERRER_POLICY, security_headers
from tests.infra.template import resources


def test_every_answer_of_the_distribution_sends_no_referrer(template: dict[str, Any]) -> None:
    policies = resources(template, "AWS::CloudFront::ResponseHeadersPolicy")
    (distribution,) = resources(template, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b["PathPattern"] for b in config["CacheBehaviors"]} >= {"/api/*"}
    for behaviour in behaviours:
        policy = policies[behaviour["ResponseHeadersPolicyId"]["Ref"]]
        referrer = policy["Properties"]["ResponseHeadersPolicyConfig"][
            "SecurityHeadersConfig"]["ReferrerPolicy"]
        assert referrer == {"ReferrerPolicy": "no-referrer", "Override": True}
    assert REFERRER_POLICY == "no-referrer"
    assert security_headers()["Referrer-Policy"] == "no-referrer"  # what `make run` sends


def test_cloudfront_writes_no_log_that_holds_query_strings(template: dict[str, Any]) -> None:
    (distribution,) = resources(template, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert "Logging" not in config or not config["Logging"].get("Bucket")
    assert not resources(template, "AWS::CloudFront::RealtimeLogConfig")
    for delivery in resources(template, "AWS::Logs::Delivery").values():
        fields = delivery["Properties"].get("RecordFields")
        assert fields and "cs-uri-query" not in fields and "cs-cookie" not in fields


def test_the_api_logs_neither_query_strings_nor_bodies(template: dict[str, Any]) -> None:
    (stage,) = resources(template, "AWS::ApiGateway::Stage").values()
    access = json.loads(stage["Properties"]["AccessLogSetting"]["Format"])
    variables = " ".join(access.values())
    assert "$context.resourcePath" in variables  # the route's template, e.g. /api/x/{id}
    for leaking in ("$context.path", "$input", "$context.requestOverride", "querystring",
                    "$context.authorizer"):
        assert leaking not in variables, leaking
    settings = stage["Properties"]["MethodSettings"]
    assert settings and all(s.get("DataTraceEnabled") is False for s in settings)
    assert all(s.get("LoggingLevel") == "ERROR" for s in settings)
