"""The public REST API under /api: access logs, throttling, a WAF rate rule and body limits,
JSON answers for unknown routes, and one route per operation handed to its capability's
function."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.config import DeployConfig

STAGE = "prod"
API_ROOT = "api"
# The public forms, each with a tighter limit of its own than the stage's.
FORM_ROUTES = ("/api/registrations", "/api/newsletter/subscriptions", "/api/advisory-requests")


class PublicApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS,
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
            ("Waf", apigw.ResponseType.WAF_FILTERED, "429",
             "too_many_requests", "For mange forespørgsler. Prøv igen om lidt."),
        ):
            self.rest_api.add_gateway_response(
                response_id, type=response_type, status_code=status,
                templates={"application/json": f'{{"code": "{code}", "message": "{message}"}}'},
            )
        self.root = self.rest_api.root.add_resource(API_ROOT)
        self._waf(config)

    def route(self, method: str, path: str, function: lambda_.IFunction) -> None:
        """`path` is below /api, e.g. "forums/{forum_id}"."""
        resource: apigw.IResource = self.root
        for part in path.strip("/").split("/"):
            resource = resource.get_resource(part) or resource.add_resource(part)
        resource.add_method(
            method,
            apigw.LambdaIntegration(function, proxy=True),
            request_validator=self.validator,
        )

    def _waf(self, config: DeployConfig) -> None:
        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True,
            )

        acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility("leaders-api"),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="rate-per-ip",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        # Requests arrive through CloudFront: count per viewer address.
                        rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                            aggregate_key_type="FORWARDED_IP",
                            forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                                header_name="X-Forwarded-For", fallback_behavior="MATCH",
                            ),
                            limit=config.waf_requests_per_5_minutes,
                        )
                    ),
                    visibility_config=visibility("rate-per-ip"),
                ),
                wafv2.CfnWebACL.RuleProperty(
                    name="aws-common",
                    priority=1,
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS", name="AWSManagedRulesCommonRuleSet",
                        )
                    ),
                    visibility_config=visibility("aws-common"),
                ),
            ],
        )
        stage_arn = Stack.of(self).format_arn(
            service="apigateway", account="",
            resource=f"/restapis/{self.rest_api.rest_api_id}/stages/{STAGE}",
        )
        association = wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=stage_arn, web_acl_arn=acl.attr_arn,
        )
        association.node.add_dependency(self.rest_api.deployment_stage)
