"""cdk-nag acknowledgements, each with the reason it is right for this product.

Acknowledgements are made on the narrowest construct that raises the finding, so a new
resource of the same kind is checked afresh."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from constructs import IConstruct

from infra.function import PythonFunction

BUCKET_DEPLOYMENT_PREFIX = "Custom::CDKBucketDeployment"

RUNTIME_REASON = (
    "python3.13 is the runtime the dependencies layer is built for (pip --platform, cp313) "
    "and the one tested here; moving to a newer runtime is a deliberate upgrade of both."
)


def _ack(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions::AwsSolutions-{rule}",
                                                     reason=reason))


def acknowledge(stack: Stack) -> None:
    tables = [c for c in stack.node.find_all() if isinstance(c, dynamodb.Table)]
    for construct in stack.node.find_all():
        if isinstance(construct, PythonFunction):
            _function(stack, construct, tables)

    _bucket_deployment(stack)

    api = stack.node.find_child("Api").node.find_child("RestApi")
    public = ("The API serves anonymous members: the public forum catalogue and forms for "
              "registration, newsletter and advisory requests, which need no account by design. "
              "Abuse is limited by stage throttling, the WAF rate rule and a honeypot field; "
              "operators work through IAM (the leaders CLI), never through this API.")
    _ack(api, "APIG4", public)
    _ack(api, "COG4", public)
    _ack(api.node.find_child("CloudWatchRole"),
         "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
         "AmazonAPIGatewayPushToCloudWatchLogs]",
         "API Gateway's account-wide logging role; the AWS managed policy is the documented "
         "way to let API Gateway write execution logs.")

    registration = stack.node.find_child("Registration")
    _ack(registration.node.find_child("SigningSecret"), "SMG4",
         "The secret signs cancellation links that must keep working until their session "
         "starts; rotating it would break links already mailed. It is generated in AWS, never "
         "leaves it, and only the registration functions may read it.")
    _ack(stack.node.find_child("Newsletter").node.find_child("SigningSecret"), "SMG4",
         "The secret signs the unsubscribe links of every issue already sent, which must keep "
         "working (RFC 8058 one-click), and confirmation links; rotating it would break them. "
         "It is generated in AWS; only the newsletter functions may read it, and the privacy "
         "officer's role, which finds a subscriber by the keyed hash of the address.")
    _ack(stack.node.find_child("Advisory").node.find_child("LookupSecret"), "SMG4",
         "The secret keys the hashes of advisory senders' addresses that the table's index of "
         "them is built from; rotating it would leave every stored request unfindable by its "
         "address. It is generated in AWS; only the intake, the consultant's console function "
         "and the ConsultantRole may read it.")
    origin_secret = stack.node.find_child("Api").node.try_find_child("OriginSecret")
    if origin_secret is not None:
        _ack(origin_secret, "SMG4",
             "CloudFront sends this value to the API and the web ACL requires it; both read it "
             "from the secret at deployment, so a rotation in Secrets Manager alone would lock "
             "the pages out of the API until the next deploy. A deploy after changing it renews "
             "both at once.")
    _ack(stack.node.find_child("ScheduleDeadLetters"), "SQS3",
         "This queue is the dead-letter destination itself: where the schedules put an "
         "invocation they could not deliver. It has an alarm on any message.")
    _ack(registration.node.find_child("EventsDeadLetters"), "SQS3",
         "This queue is the dead-letter destination itself: the on-failure destination of the "
         "registrations stream mapping. It has an alarm on any message.")
    for capability, job in (("Registration", "Reminders"), ("Advisory", "Requeue"),
                            ("Newsletter", "Dispatch")):
        construct = stack.node.find_child(capability)
        schedule_policy = construct.node.find_child("ScheduleRole").node.find_child(
            "DefaultPolicy")
        function = construct.node.find_child(job).node.find_child("Function").node.default_child
        _ack(schedule_policy,
             f"IAM5[Resource::<{stack.get_logical_id(function)}.Arn>:*]",  # type: ignore[arg-type]
             "CDK's grant_invoke covers the scheduled function and its versions (`:*`); the "
             "role may invoke nothing else.")

    advisory = stack.node.find_child("Advisory")
    consultant_policy = advisory.node.find_child("ConsultantRole").node.find_child("DefaultPolicy")
    _ack(consultant_policy,
         f"IAM5[Resource::{_logical_arn(stack, advisory.node.find_child('Table'))}/index/*]",
         "The consultant lists open requests through the table's own Open index.")
    _ack(consultant_policy, "IAM5[Resource::*]",
         "cloudwatch:PutMetricData supports no resource-level permissions; the statement is "
         "limited to the product's metrics namespace by a cloudwatch:namespace condition.")

    officer = stack.node.find_child("Privacy").node.find_child("PrivacyOfficerRole")
    for capability in ("Forums", "Newsletter"):
        table = stack.node.find_child(capability).node.find_child("Table")
        _ack(officer.node.find_child("DefaultPolicy"),
             f"IAM5[Resource::{_logical_arn(stack, table)}/index/*]",
             "CDK's read-write grant on a table whose data a data-protection request reads and "
             "deletes; the wildcard covers only that table's own indexes.")

    staff_pool = stack.node.find_child("Staff").node.find_child("UserPool")
    if getattr(staff_pool.node.default_child, "mfa_configuration", "ON") != "ON":
        _ack(staff_pool, "COG2",
             "The deployment's configuration made TOTP optional (`staff_mfa: false`, e.g. a "
             "test deployment without real data); each staff user may still enrol an app. "
             "cdk.json requires it.")

    distribution = stack.node.find_child("Pages").node.find_child("Distribution")
    _ack(distribution, "CFR1",
         "Members are Danish but may travel; geo-blocking would lock them out of public forms. "
         "Abuse is limited by the API's WAF rate rule and stage throttling.")
    _ack(distribution, "CFR2",
         "A CloudFront web ACL must live in us-east-1, outside the EU region this stack is pinned "
         "to. The pages are static; the API behind /api/* has its own regional WAF (rate per "
         "client and AWS common rules).")
    _ack(distribution, "CFR3",
         "CloudFront's standard logs (legacy) always hold each request's query string beside "
         "the viewer's address, which would keep the tokens of links mailed before, the "
         "one-click unsubscribe URL's and the cancel page's look-up for the logs' lifetime; v2 "
         "logs, which can leave the query out, need a delivery source in us-east-1. The API's "
         "access log (without the query string) records every /api request.")
    _ack(distribution, "CFR4",
         "Without a custom domain (public_url) the distribution uses the *.cloudfront.net "
         "certificate whose protocol policy CloudFront fixes at TLSv1; with one, the "
         "distribution asks for TLSv1.2_2021 at least.")


def _logical_arn(stack: Stack, construct: IConstruct) -> str:
    resource = construct.node.default_child
    assert isinstance(resource, CfnElement)
    return f"<{stack.get_logical_id(resource)}.Arn>"


def _function(stack: Stack, fn: PythonFunction, tables: list[dynamodb.Table]) -> None:
    _ack(fn.function, "L1", RUNTIME_REASON)
    policy = fn.role.node.find_child("DefaultPolicy")
    _ack(policy, f"IAM5[Resource::{_logical_arn(stack, fn.log_group)}:*]",
         "Log streams are created by Lambda at run time with names not known in advance; the "
         "grant is limited to the function's own log group.")
    _ack(policy, "IAM5[Resource::*]",
         "Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support "
         "no resource-level permissions. Every other grant of this role names its resources.")
    for table in tables:
        _ack(policy, f"IAM5[Resource::{_logical_arn(stack, table)}/index/*]",
             "Queries through the secondary indexes of a table the function is granted; the "
             "wildcard covers only that table's own indexes.")


def _bucket_deployment(stack: Stack) -> None:
    """The CDK-provided function that copies pages/ into the bucket at deploy time."""
    for child in stack.node.children:
        if not child.node.id.startswith(BUCKET_DEPLOYMENT_PREFIX):
            continue
        _ack(child, "L1", "CDK's BucketDeployment provider chooses its own runtime; it runs only "
                          "during deployments and handles no member data.")
        role = child.node.find_child("ServiceRole")
        _ack(role, "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                   "AWSLambdaBasicExecutionRole]",
             "CDK's BucketDeployment provider; the managed policy grants only CloudWatch Logs "
             "writes for its own log output.")
        policy = role.node.find_child("DefaultPolicy")
        for finding in (
            "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*",
            "Action::s3:Abort*", "Action::s3:DeleteObject*",
            f"Resource::arn:aws:s3:::cdk-hnb659fds-assets-{stack.account}-{stack.region}/*",
            "Resource::<PagesBucket1F9960AC.Arn>/*",
            "Resource::*",
        ):
            _ack(policy, f"IAM5[{finding}]",
                 "Grants made by CDK's BucketDeployment: it reads the pages asset from the CDK "
                 "assets bucket and syncs (puts, deletes) every object of the pages bucket, "
                 "whose keys are not known in advance, and invalidates the distribution "
                 "(CloudFront invalidation actions take no resource-level permissions).")
