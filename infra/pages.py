"""The form pages: a private S3 bucket behind CloudFront, which also sends /api/* to the API so
that pages and API share one origin (as they do locally). The distribution serves the
configured domain (with its ACM certificate from us-east-1) or, without one, its own
cloudfront.net name; `link_base` is whichever it serves, and every emailed link starts with it."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.api import ORIGIN_HEADER, STAGE, VIEWER_ADDRESS_HEADER, PublicApi
from infra.config import ROOT, DeployConfig
from infra.function import retention
from pages.site import REFERRER_POLICY, content_security_policy, site_values
from pages.site import build as build_site
from shared.links import SITE_API_PATHS


def cognito_endpoint(region: str) -> str:
    """Cognito's API in the region: where the staff pages sign in."""
    return f"https://cognito-idp.{region}.amazonaws.com"

# The status codes CloudFront would cache (the ones it lets an error caching minimum TTL be set
# for, 416 aside, which it never caches): none is cached, each goes to the origin again.
UNCACHED_ERRORS = (400, 403, 404, 405, 414, 500, 501, 502, 503, 504)

# Runs at the edge on every /api request: the viewer's address, as CloudFront saw it, replaces
# any header of that name the client sent, so the web ACL's rate rule counts real viewers.
VIEWER_ADDRESS_FUNCTION = f"""function handler(event) {{
    var request = event.request;
    request.headers['{VIEWER_ADDRESS_HEADER.lower()}'] = {{value: event.viewer.ip}};
    return request;
}}
"""


# Runs at the edge on every page request: a folder's address (/personale/) serves its
# index.html, as the local server does (S3 behind CloudFront knows only whole keys).
FOLDER_INDEX_FUNCTION = """function handler(event) {
    var request = event.request;
    if (request.uri.endsWith('/')) { request.uri += 'index.html'; }
    return request;
}
"""


class Pages(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api: PublicApi,
                 config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        self.logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # The page bucket's server access logs (S3 writes them under its bucket policy;
            # the requester there is CloudFront, never a viewer).
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="s3/",
            # The pages are built from the repository: emptied (every version) and deleted
            # with the stack, so deleting the stack does not stop at a non-empty bucket.
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        viewer_address = cloudfront.Function(
            self, "ViewerAddress",
            code=cloudfront.FunctionCode.from_inline(VIEWER_ADDRESS_FUNCTION),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Sets the viewer's address header for the API's web ACL",
        )
        folder_index = cloudfront.Function(
            self, "FolderIndex",
            code=cloudfront.FunctionCode.from_inline(FOLDER_INDEX_FUNCTION),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Serves a folder's index.html (the staff console at /personale/)",
        )
        api_origin = origins.HttpOrigin(
            api.origin_domain,
            origin_path=f"/{STAGE}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            custom_headers={ORIGIN_HEADER: api.origin_secret.secret_value.unsafe_unwrap()}
            if api.origin_secret else None,
        )
        # Every answer, page or API: AWS's security headers and the strict CSP (no inline
        # script or style; connections only to this origin and to Cognito; never framed).
        headers = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders",
            comment="Security headers and the Content-Security-Policy of every page",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(
                        (cognito_endpoint(config.region),)),
                    override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                # No Referer at all: a page's address (a token in an old link's query
                # included) never reaches another site, nor this one's logs.
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy[
                        REFERRER_POLICY.upper().replace("-", "_")],
                    override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True,
                    override=True),
            ),
        )
        domain = config.domain_name
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Leaders of leaders: form pages and /api",
            default_root_object="index.html",
            # No standard logs: the legacy ones always hold the query string (old links'
            # tokens, the one-click unsubscribe URL's token, the cancel page's look-up) beside
            # the viewer's address, and cannot leave a field out; v2 logs with a field list
            # need a delivery source in us-east-1, outside this stack's region. The API's
            # access log (CloudWatch, no query string) and the WAF's metrics remain.
            enable_logging=False,
            # CloudFront caches an origin's error answer for 10 seconds by default, whatever
            # its Cache-Control says (Developer Guide, "Control how long CloudFront caches
            # errors"): an API's 403 or 5xx for one viewer could be served to another. Error
            # caching is a distribution setting, so the pages' errors are not cached either.
            error_responses=[cloudfront.ErrorResponse(http_status=status, ttl=Duration.seconds(0))
                             for status in UNCACHED_ERRORS],
            domain_names=[domain] if domain else None,
            certificate=acm.Certificate.from_certificate_arn(
                self, "Certificate", config.certificate_arn) if domain else None,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021
            if domain else None,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=headers,
                function_associations=[cloudfront.FunctionAssociation(
                    function=folder_index,
                    event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)],
            ),
            additional_behaviors={
                pattern: cloudfront.BehaviorOptions(
                    origin=api_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY
                    if pattern == "/api/*" else cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL
                    if pattern == "/api/*" else cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=headers,
                    function_associations=[cloudfront.FunctionAssociation(
                        function=viewer_address,
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)],
                )
                # The API, and the site's pages the API renders (the newsletter's archive).
                for pattern in ("/api/*", *SITE_API_PATHS)
            },
        )
        # The one rule for links in emails: the origin this distribution serves.
        self.link_base = (config.public_url if domain
                          else f"https://{self.distribution.distribution_domain_name}")
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deploy",
            sources=[s3deploy.Source.asset(
                str(build_site(ROOT / ".build", site_values(config))))],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            # CDK's copying function logs here, not to a group Lambda would make without expiry.
            log_group=logs.LogGroup(self, "DeployLogs",
                                    retention=retention(config.log_retention_days),
                                    removal_policy=RemovalPolicy.DESTROY),
        )
