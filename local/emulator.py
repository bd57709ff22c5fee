"""The embedded AWS emulator (moto's server, in this process) and the resources of the plan
built in it."""

from __future__ import annotations

import json
import logging
import os
import secrets as secrets_module
import socket
import threading
import urllib.request
from typing import Any

import boto3
from moto.moto_server.threaded_moto_server import MotoRequestHandler, ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from local import moto_fidelity
from local.plan import Plan, UnsupportedResource

ACCOUNT = "123456789012"  # moto's account
# The session every emulator client comes from (created on first use).
_SESSIONS: list[boto3.session.Session] = []
_SESSION_LOCK = threading.Lock()
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
}


class _DynamoDBSerialized:
    """moto's DynamoDB is not safe under concurrent requests (a transaction that fails
    restores a copy of the whole table, undoing writes made meanwhile). DynamoDB itself
    serializes writes to an item; here every DynamoDB request runs alone, which keeps local
    runs as atomic as DynamoDB. Other services (e.g. SQS long polls) stay concurrent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            return self.app(environ, start_response)
        with self.lock:
            return list(self.app(environ, start_response))


class _BrowserPreflight:
    """A browser's CORS preflight to the emulator, answered as Cognito's endpoint answers the
    staff pages' sign-in: moto gives an unsigned request without `X-Amz-Target` (a preflight
    carries neither) to its S3 backend, which fails on it from moto 5.2.6 on."""

    def __init__(self, app: Any) -> None:
        self.app = app

    # What the sign-in sends (pages/static/personale.js): a POST of JSON with its target.
    HEADERS = frozenset({"content-type", "x-amz-target", "x-amz-user-agent"})

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        asked = {h.strip().lower() for h in
                 environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").split(",") if h.strip()}
        if (environ.get("REQUEST_METHOD") != "OPTIONS" or environ.get("PATH_INFO") != "/"
                or environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD") != "POST"
                or not environ.get("HTTP_ORIGIN") or not asked <= self.HEADERS):
            return self.app(environ, start_response)  # moto's own answer
        start_response("200 OK", [
            ("Access-Control-Allow-Origin", environ["HTTP_ORIGIN"]),
            ("Access-Control-Allow-Methods", "POST"),
            ("Access-Control-Allow-Headers", ", ".join(sorted(asked))),
            ("Access-Control-Max-Age", "600"), ("Content-Length", "0")])
        return [b""]


class _MotoServer(ThreadedMotoServer):
    def _server_entry(self) -> None:
        app = _BrowserPreflight(_DynamoDBSerialized(
            DomainDispatcherApplication(create_backend_app)))
        self._server = make_server(self._ip_address, self._port, app, True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Emulator:
    def __init__(self, region: str, port: int | None = None) -> None:
        self.region = region
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = _MotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.physical: dict[str, dict[str, str]] = {}  # logical id -> Ref / attribute values
        # The link base rule (infra/pages.py): links start with the origin the distribution
        # serves. Locally the local server serves the pages in the distribution's place, so
        # every https:// address of a distribution resolves to this origin.
        self.served_origin = "http://127.0.0.1"
        self._distribution_urls: list[str] = []

    @property
    def environment(self) -> dict[str, str]:
        """What a process needs to reach the emulator with boto3 or the AWS CLI."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region}

    def start(self) -> None:
        moto_fidelity.install()
        # TOTP codes are checked against the secret moto gives every user (it accepts any
        # code otherwise), so a sign-in's second factor is exercised locally too.
        os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server.start()
        # moto keeps its state per process: begin empty even if an earlier emulator ran here.
        reset = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - our loopback endpoint

    def stop(self) -> None:
        self._server.stop()

    def client(self, service: str) -> Any:
        """A new client of the emulator, with events of its own (a test may hook one
        caller's calls), from the process's one session: a session per client read
        botocore's service models and endpoint rules again and registered its handlers, a
        fifth of a second each. Sessions create clients one at a time."""
        with _SESSION_LOCK:
            if not _SESSIONS:
                _SESSIONS.append(boto3.session.Session())
            return _SESSIONS[0].client(  # type: ignore[call-overload]
                service, endpoint_url=self.endpoint, region_name=self.region,
                aws_access_key_id="local", aws_secret_access_key="local",  # noqa: S106
            )

    # -- building -----------------------------------------------------------------------------

    def build(self, plan: Plan) -> None:
        for key in plan.keys:
            meta = self.client("kms").create_key(Description=key)["KeyMetadata"]
            self.physical[key] = {"Ref": meta["KeyId"], "Arn": meta["Arn"]}
        for alias, key in plan.aliases:
            self.client("kms").create_alias(AliasName=alias, TargetKeyId=self.physical[key]["Ref"])
        secrets = self.client("secretsmanager")
        for logical_id in plan.secrets:
            arn = secrets.create_secret(Name=logical_id,
                                        SecretString=secrets_module.token_urlsafe(48))["ARN"]
            self.physical[logical_id] = {"Ref": arn, "Arn": arn}
        sns = self.client("sns")
        for logical_id in plan.topics:
            arn = sns.create_topic(Name=logical_id)["TopicArn"]
            self.physical[logical_id] = {"Ref": arn, "TopicArn": arn, "TopicName": logical_id}
        for table in plan.tables:
            self._table(table.logical_id, table.properties)
        for queue in _dead_letter_first(plan):
            self._queue(queue.logical_id, queue.properties)
        for topic, protocol, endpoint, raw in plan.subscriptions:
            sns.subscribe(TopicArn=self.physical[topic]["Ref"], Protocol=protocol,
                          Endpoint=self.physical[endpoint]["Arn"],
                          Attributes={"RawMessageDelivery": str(raw).lower()})
        ses = self.client("sesv2")
        for identity in plan.identities:
            ses.create_email_identity(EmailIdentity=identity)
        for name in plan.configuration_sets:
            ses.create_configuration_set(ConfigurationSetName=name)
            self.physical[name] = {"Ref": name}
        for logical_id, function in plan.functions.items():
            arn = f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{logical_id}"
            self.physical[logical_id] = {"Ref": logical_id, "Arn": arn}
            del function
        for logical_id, aliases in plan.distributions.items():
            host = f"{logical_id.lower()}.cloudfront.invalid"
            self.physical[logical_id] = {"Ref": logical_id, "DomainName": host}
            self._distribution_urls += [f"https://{name}" for name in (host, *aliases)]
        self._cognito(plan)
        for name, value in plan.parameters:
            self.client("ssm").put_parameter(Name=name, Value=str(self.resolve(value)),
                                             Type="String", Overwrite=True)
        scheduler = self.client("scheduler")
        for schedule in plan.schedules:
            scheduler.create_schedule(
                Name=schedule.name,
                ScheduleExpression=schedule.expression,
                ScheduleExpressionTimezone=schedule.timezone,
                FlexibleTimeWindow={"Mode": "OFF"},
                Target={"Arn": self.physical[schedule.target]["Arn"],
                        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/local-scheduler",
                        **({"Input": schedule.input} if schedule.input else {})},
                State="ENABLED" if schedule.enabled else "DISABLED",
            )

    def _cognito(self, plan: Plan) -> None:
        """User pools (password policy, MFA, sign-in by email, invitations only), their groups
        and app clients, as the template defines them."""
        idp = self.client("cognito-idp")
        for logical_id, props in plan.user_pools:
            args: dict[str, Any] = {key: self.resolve(props[key]) for key in (
                "Policies", "UsernameAttributes", "AutoVerifiedAttributes",
                "AdminCreateUserConfig", "AccountRecoverySetting", "UsernameConfiguration",
                "Schema", "DeletionProtection") if key in props}
            pool = idp.create_user_pool(PoolName=props.get("UserPoolName", logical_id),
                                        **args)["UserPool"]
            mfa = props.get("MfaConfiguration", "OFF")
            if mfa != "OFF":
                idp.set_user_pool_mfa_config(
                    UserPoolId=pool["Id"], MfaConfiguration=mfa,
                    SoftwareTokenMfaConfiguration={
                        "Enabled": "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", [])})
            provider = f"cognito-idp.{self.region}.amazonaws.com/{pool['Id']}"
            self.physical[logical_id] = {"Ref": pool["Id"], "Arn": pool["Arn"],
                                         "ProviderName": provider,
                                         "ProviderURL": f"https://{provider}"}
        for logical_id, props in plan.user_pool_groups:
            pool_id = self.resolve(props["UserPoolId"])
            idp.create_group(UserPoolId=pool_id, GroupName=props["GroupName"],
                             **({"Description": props["Description"]}
                                if "Description" in props else {}))
            self.physical[logical_id] = {"Ref": props["GroupName"]}
        for logical_id, props in plan.user_pool_clients:
            client_args: dict[str, Any] = {key: props[key] for key in (
                "ExplicitAuthFlows", "GenerateSecret", "PreventUserExistenceErrors",
                "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity",
                "TokenValidityUnits", "EnableTokenRevocation", "ReadAttributes")
                if key in props}
            client = idp.create_user_pool_client(
                UserPoolId=self.resolve(props["UserPoolId"]),
                ClientName=props.get("ClientName", logical_id), **client_args)["UserPoolClient"]
            self.physical[logical_id] = {"Ref": client["ClientId"]}

    def _table(self, logical_id: str, props: dict[str, Any]) -> None:
        name = props.get("TableName", logical_id)
        args: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = [
                {k: v for k, v in index.items() if k != "ProvisionedThroughput"}
                for index in props["GlobalSecondaryIndexes"]
            ]
        if props.get("LocalSecondaryIndexes"):
            args["LocalSecondaryIndexes"] = props["LocalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        ddb = self.client("dynamodb")
        description = ddb.create_table(**args)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        self.physical[logical_id] = {"Ref": name, "Arn": description["TableArn"],
                                     "StreamArn": description.get("LatestStreamArn", "")}

    def _queue(self, logical_id: str, props: dict[str, Any]) -> None:
        default = f"{logical_id}.fifo" if props.get("FifoQueue") else logical_id
        name = props.get("QueueName", default)
        attributes: dict[str, str] = {}
        for prop, attribute in (
            ("VisibilityTimeout", "VisibilityTimeout"),
            ("MessageRetentionPeriod", "MessageRetentionPeriod"),
            ("DelaySeconds", "DelaySeconds"),
            ("ReceiveMessageWaitTimeSeconds", "ReceiveMessageWaitTimeSeconds"),
            ("FifoQueue", "FifoQueue"),
            ("ContentBasedDeduplication", "ContentBasedDeduplication"),
        ):
            if prop in props:
                value = props[prop]
                text = str(value)
                attributes[attribute] = text.lower() if isinstance(value, bool) else text
        if props.get("RedrivePolicy"):
            policy = props["RedrivePolicy"]
            attributes["RedrivePolicy"] = json.dumps({
                "deadLetterTargetArn": self.resolve(policy["deadLetterTargetArn"]),
                "maxReceiveCount": int(policy["maxReceiveCount"]),
            })
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.physical[logical_id] = {"Ref": url, "Arn": arn, "QueueUrl": url, "QueueName": name}

    # -- intrinsic functions ------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """A template value with Ref, Fn::GetAtt, Fn::Join, Fn::Select and Fn::Sub resolved, and
        the addresses a distribution serves replaced by the local origin."""
        resolved = self._resolve(value)
        return self._served_locally(resolved) if self._distribution_urls else resolved

    def _served_locally(self, value: Any) -> Any:
        if isinstance(value, str):
            for url in self._distribution_urls:
                value = value.replace(url, self.served_origin)
            return value
        if isinstance(value, list):
            return [self._served_locally(v) for v in value]
        if isinstance(value, dict):
            return {k: self._served_locally(v) for k, v in value.items()}
        return value

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self._ref(value["Ref"])
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            logical_id, attribute = att if isinstance(att, list) else att.split(".", 1)
            try:
                return self.physical[logical_id][attribute]
            except KeyError as exc:
                raise UnsupportedResource(f"cannot resolve {logical_id}.{attribute}") from exc
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(str(self._resolve(p)) for p in parts)
        if "Fn::Select" in value:
            index, items = value["Fn::Select"]
            return self._resolve(items)[int(index)]
        if "Fn::Sub" in value:
            text = value["Fn::Sub"]
            variables: dict[str, Any] = {}
            if isinstance(text, list):
                text, variables = text
            for name, sub in variables.items():
                text = text.replace("${" + name + "}", str(self._resolve(sub)))
            for pseudo in ("AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix"):
                text = text.replace("${" + pseudo + "}", str(self._ref(pseudo)))
            return text
        return {k: self._resolve(v) for k, v in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": self.region, "AWS::AccountId": ACCOUNT,
                  "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
                  "AWS::StackName": "local"}
        if name in pseudo:
            return pseudo[name]
        try:
            return self.physical[name]["Ref"]
        except KeyError as exc:
            raise UnsupportedResource(f"cannot resolve Ref {name}") from exc


def _dead_letter_first(plan: Plan) -> list[Any]:
    """Queues ordered so that every dead-letter queue exists before the queues that use it."""
    by_id = {q.logical_id: q for q in plan.queues}
    ordered: list[Any] = []

    def visit(queue: Any) -> None:
        if queue in ordered:
            return
        target = queue.dead_letter_target
        if target:
            visit(by_id[target])
        ordered.append(queue)

    for queue in plan.queues:
        visit(queue)
    return ordered
