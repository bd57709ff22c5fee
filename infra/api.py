"""The public REST API under /api: access logs, throttling, a WAF rate rule and body limits,
JSON answers for unknown routes, and one route per operation handed to its capability's
function."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

if TYPE_CHECKING:
    from infra.function import PythonFunction

from infra.config import DeployConfig
from infra.function import retention
from shared.edge.http import MAX_BODY_BYTES

STAGE = "prod"
API_ROOT = "api"
# The public forms, each with a tighter limit of its own than the stage's.
FORM_ROUTES = ("/api/registrations", "/api/newsletter/subscriptions", "/api/advisory-requests")
# CloudFront sends the secret in this header to the API; the web ACL refuses requests without it.
ORIGIN_HEADER = "x-origin-verify"
# The distribution's viewer-request function sets this header to the viewer's address.
VIEWER_ADDRESS_HEADER = "True-Client-IP"
# Rules of AWS's common rule set that only count (and label the request); the labels of the
# last two are blocked by a rule of ours everywhere but on the routes that need them.
COUNTED_COMMON_RULES = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY", "NoUserAgent_HEADER")
COMMON_RULES_LABEL = "awswaf:managed:aws:core-rule-set"
# The editor's routes carry Markdown and HTML (drafts, preview, test); the one-click unsubscribe
# is POSTed by mail providers (RFC 8058). Paths below /api, as in infra/newsletter.py.
EDITOR_PATHS = ("staff/newsletter/issues", "staff/newsletter/issues/{issue_id}",
                "staff/newsletter/preview", "staff/newsletter/issues/{issue_id}/test",
                "staff/newsletter/issues/{issue_id}/approve",
                "staff/newsletter/issues/{issue_id}/withdraw",
                "staff/newsletter/issues/{issue_id}/duplicate",
                "staff/newsletter/issues/{issue_id}/send-now",
                "staff/newsletter/issues/{issue_id}/archive")
UNSUBSCRIBE_ROUTE = "newsletter/unsubscribe"
# Routes whose function reads a larger body than 16 KB (shared.edge.http's body_limits).
LARGE_BODY_PATHS = ("staff/newsletter/subscribers/import",)
# The web ACL's own answers (Danish), by custom response body key.
WAF_ANSWERS = {
    "direct": ("forbidden", "Brug formularerne på foreningens hjemmeside."),
    "rate": ("too_many_requests", "For mange forespørgsler. Prøv igen om lidt."),
    "size": ("payload_too_large", "Forespørgslen er for stor."),
}


class PublicApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        # Each entry's `ip` is the address the request came from to API Gateway: CloudFront's
        # edge, not the member (the viewer's address reaches only the web ACL's rate rule).
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=retention(config.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            description="Leaders of leaders: public API for forms and the forum catalogue",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Execution logs need the account-wide API Gateway -> CloudWatch role.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=False,
                ),
                throttling_rate_limit=config.api_rate_limit,
                throttling_burst_limit=config.api_burst_limit,
                method_options={
                    f"{path}/POST": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=config.form_rate_limit,
                        throttling_burst_limit=config.form_burst_limit,
                        logging_level=apigw.MethodLoggingLevel.ERROR,
                        data_trace_enabled=False,
                    )
                    for path in FORM_ROUTES
                },
                tracing_enabled=True,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                # Request and response bodies are never logged: they hold personal data.
                data_trace_enabled=False,
            ),
        )
        # API Gateway writes the stage's execution logs to a group it names itself and would
        # create without an expiry on its first entry: made here first, with the retention.
        self.execution_logs = logs.LogGroup(
            self, "ExecutionLogs", retention=retention(config.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
            log_group_name=f"API-Gateway-Execution-Logs_{self.rest_api.rest_api_id}/{STAGE}",
        )
        self.rest_api.deployment_stage.node.add_dependency(self.execution_logs)
        self.validator = apigw.RequestValidator(
            self, "ParameterValidator", rest_api=self.rest_api,
            validate_request_parameters=True, validate_request_body=True,
        )
        for response_id, response_type, status, code, message in (
            ("NotFound", apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, "404",
             "not_found", "Adressen findes ikke."),
            ("TooLarge", apigw.ResponseType.REQUEST_TOO_LARGE, "413",
             "payload_too_large", "Forespørgslen er for stor."),
            ("Throttled", apigw.ResponseType.THROTTLED, "429",
             "too_many_requests", "For mange forespørgsler. Prøv igen om lidt."),
            # Blocks by AWS's common rules; the web ACL's own rules answer for themselves.
            ("Waf", apigw.ResponseType.WAF_FILTERED, "403",
             "request_refused", "Forespørgslen blev afvist af sikkerhedshensyn."),
        ):
            self.rest_api.add_gateway_response(
                response_id, type=response_type, status_code=status,
                templates={"application/json": f'{{"code": "{code}", "message": "{message}"}}'},
            )
        self.root = self.rest_api.root.add_resource(API_ROOT)
        # The value CloudFront sends in ORIGIN_HEADER and the web ACL requires: requests that
        # bypass the distribution (the API's own execute-api URL) are refused.
        self.origin_secret: secretsmanager.Secret | None = None
        if config.waf_enabled:
            self.origin_secret = secretsmanager.Secret(
                self, "OriginSecret",
                description="Header value CloudFront sends to the API; the web ACL requires it",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    password_length=48, exclude_punctuation=True),
            )
            self._waf(config)

    @property
    def origin_domain(self) -> str:
        """The API's regional domain, from the REST API alone (not its stage, which depends on
        every route's function: functions that need the distribution's address would make a
        cycle)."""
        stack = Stack.of(self)
        return f"{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}"

    def route(self, method: str, path: str, function: PythonFunction,
              authorizer: apigw.IAuthorizer | None = None) -> None:
        """`path` is below /api, e.g. "forums/{forum_id}". With `authorizer` (the staff's
        Cognito authorizer), the gateway refuses a request without a valid token (401)."""
        resource: apigw.IResource = self.root
        for part in path.strip("/").split("/"):
            resource = resource.get_resource(part) or resource.add_resource(part)
        resource.add_method(
            method,
            # One invoke permission per function for the whole API, not two per method (the
            # test-invoke's and the stage's): a stack holds at most 500 resources, and the
            # function answers only the routes that integrate it.
            apigw.LambdaIntegration(function.target, proxy=True,
                                    scope_permission_to_method=False),
            request_validator=self.validator,
            authorizer=authorizer,
            authorization_type=apigw.AuthorizationType.COGNITO if authorizer else None,
        )

    def site_route(self, method: str, path: str, function: PythonFunction) -> None:
        """A public route at the site's own path (not below /api), e.g. the newsletter's
        archive: CloudFront sends that path to the API (infra/pages.py SITE_API_PATHS)."""
        resource: apigw.IResource = self.rest_api.root
        for part in path.strip("/").split("/"):
            resource = resource.get_resource(part) or resource.add_resource(part)
        resource.add_method(method, apigw.LambdaIntegration(function.target, proxy=True),
                            request_validator=self.validator)

    def _waf(self, config: DeployConfig) -> None:
        """The regional web ACL: only requests that came through the distribution (its secret
        origin header), a rate limit per viewer address (a header CloudFront sets from the
        address it saw, so a client cannot choose it), the promised 16 KB body limit, and AWS's
        common rules. Each block is answered truthfully in Danish."""
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True,
            )

        def block(status: int, body: str) -> wafv2.CfnWebACL.RuleActionProperty:
            return wafv2.CfnWebACL.RuleActionProperty(block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=status, custom_response_body_key=body)))

        assert self.origin_secret is not None
        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("leaders-api"),
            custom_response_bodies={
                key: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=json.dumps(
                        {"code": code, "message": message}, ensure_ascii=False))
                for key, (code, message) in WAF_ANSWERS.items()
            },
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="through-the-distribution",
                    priority=0,
                    action=block(403, "direct"),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        not_statement=wafv2.CfnWebACL.NotStatementProperty(
                            statement=wafv2.CfnWebACL.StatementProperty(
                                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                        single_header={"Name": ORIGIN_HEADER}),
                                    positional_constraint="EXACTLY",
                                    search_string=self.origin_secret.secret_value.unsafe_unwrap(),
                                    text_transformations=[
                                        wafv2.CfnWebACL.TextTransformationProperty(
                                            priority=0, type="NONE")],
                                )))),
                    visibility_config=visibility("through-the-distribution"),
                ),
                wafv2.CfnWebACL.RuleProperty(
                    name="rate-per-viewer",
                    priority=1,
                    action=block(429, "rate"),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        # The distribution's viewer-request function writes the viewer's
                        # address into this header, replacing whatever the client sent.
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="FORWARDED_IP",
                            forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                                header_name=VIEWER_ADDRESS_HEADER, fallback_behavior="MATCH",
                            ),
                            limit=config.waf_requests_per_5_minutes,
                        )
                    ),
                    visibility_config=visibility("rate-per-viewer"),
                ),
                *(self._managed_rules(visibility, block) if config.waf_managed_rules else ()),
            ],
        )
        self.web_acl = acl
        stage_arn = Stack.of(self).format_arn(
            service="apigateway", account="",
            resource=f"/restapis/{self.rest_api.rest_api_id}/stages/{STAGE}",
        )
        association = wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=stage_arn, web_acl_arn=acl.attr_arn,
        )
        association.node.add_dependency(self.rest_api.deployment_stage)

    def _managed_rules(
        self,
        visibility: Callable[[str], wafv2.CfnWebACL.VisibilityConfigProperty],
        block: Callable[[int, str], wafv2.CfnWebACL.RuleActionProperty],
    ) -> tuple[wafv2.CfnWebACL.RuleProperty, ...]:
        """The promised 16 KB body limit, AWS's common rule set, and the two of its rules that
        would refuse legitimate requests on named routes: those only count in the group (and
        label the request), and a rule of ours blocks what they label everywhere else. The
        body cross-site-scripting rule would refuse the editor's Markdown and preview (HTML is
        what they carry); the missing-User-Agent rule would refuse a mail provider's RFC 8058
        one-click unsubscribe POST, which need not name itself."""
        statement = wafv2.CfnWebACL.StatementProperty
        path = wafv2.CfnWebACL.FieldToMatchProperty(uri_path={})
        none = [wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]

        def label(name: str) -> wafv2.CfnWebACL.StatementProperty:
            return statement(label_match_statement=wafv2.CfnWebACL.LabelMatchStatementProperty(
                scope="LABEL", key=f"{COMMON_RULES_LABEL}:{name}"))

        def on_path(pattern: str) -> wafv2.CfnWebACL.StatementProperty:
            return statement(regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                field_to_match=path, regex_string=pattern, text_transformations=none))

        def excepted(name: str, where: wafv2.CfnWebACL.StatementProperty,
                     ) -> wafv2.CfnWebACL.StatementProperty:
            return statement(and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=[
                label(name),
                statement(not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=where)),
            ]))

        unsubscribe_post = statement(and_statement=wafv2.CfnWebACL.AndStatementProperty(
            statements=[
                statement(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(method={}),
                    positional_constraint="EXACTLY", search_string="POST",
                    text_transformations=none)),
                on_path(route_pattern((UNSUBSCRIBE_ROUTE,))),
            ]))
        return (
            wafv2.CfnWebACL.RuleProperty(
                name="body-over-16kb",
                priority=2,
                action=block(413, "size"),
                # Except the editor's subscriber import, which takes a whole file (its function
                # refuses a body over 1 MB itself).
                statement=statement(and_statement=wafv2.CfnWebACL.AndStatementProperty(
                    statements=[
                        statement(size_constraint_statement=wafv2.CfnWebACL
                                  .SizeConstraintStatementProperty(
                                      field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                          body=wafv2.CfnWebACL.BodyProperty(
                                              oversize_handling="MATCH")),
                                      comparison_operator="GT",
                                      size=MAX_BODY_BYTES,  # the functions answer 413 too
                                      text_transformations=none)),
                        statement(not_statement=wafv2.CfnWebACL.NotStatementProperty(
                            statement=on_path(route_pattern(LARGE_BODY_PATHS)))),
                    ])),
                visibility_config=visibility("body-over-16kb"),
            ),
            wafv2.CfnWebACL.RuleProperty(
                name="aws-common",
                priority=3,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=statement(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name="AWSManagedRulesCommonRuleSet",
                        # Its body rule blocks over 8 KB; the API promises 16 KB (above). The
                        # other two are blocked below, outside their routes.
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(
                                    count={}))
                            for rule in COUNTED_COMMON_RULES],
                    )
                ),
                visibility_config=visibility("aws-common"),
            ),
            wafv2.CfnWebACL.RuleProperty(
                name="aws-common-outside-its-exceptions",
                priority=4,
                # A plain block, answered like the common rules' own (WAF_FILTERED, 403).
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=statement(or_statement=wafv2.CfnWebACL.OrStatementProperty(statements=[
                    excepted("CrossSiteScripting_Body", on_path(route_pattern(EDITOR_PATHS))),
                    excepted("NoUserAgent_Header", unsubscribe_post),
                ])),
                visibility_config=visibility("aws-common-outside-its-exceptions"),
            ),
        )


def route_pattern(paths: Iterable[str]) -> str:
    """A regular expression for exactly these routes below /api (`{name}` a path segment), as
    the web ACL sees the path: with or without the stage's name before it."""
    alternatives = sorted({"/".join("[^/]+" if part.startswith("{") else re.escape(part)
                                    for part in path.strip("/").split("/")) for path in paths})
    return f"^(/{STAGE})?/{API_ROOT}/({'|'.join(alternatives)})$"
