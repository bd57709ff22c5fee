"""The forum catalogue: its table, the public read API function and its routes, and the
parameter through which the operator CLI finds the table."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.api import PublicApi
from infra.function import FunctionRuntime, PythonFunction
from infra.parts import capability_table
from shared.platform.names import (
    ENV_FORUMS_TABLE,
    INDEX_SESSIONS_BY_FORUM,
    PARAM_FORUMS_TABLE,
    SERVICE_FORUMS_API,
)


class ForumsCatalogue(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, runtime: FunctionRuntime, api: PublicApi
    ) -> None:
        super().__init__(scope, construct_id)
        self.table = capability_table(self)
        self.table.add_global_secondary_index(
            index_name=INDEX_SESSIONS_BY_FORUM,
            partition_key=dynamodb.Attribute(name="forum_id", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="starts_at", type=dynamodb.AttributeType.STRING),
        )
        self.api_function = PythonFunction(
            self,
            "Api",
            runtime=runtime,
            handler="functions.forums_api.handler.lambda_handler",
            service=SERVICE_FORUMS_API,
            description="Public read API of the forum catalogue",
            environment={ENV_FORUMS_TABLE: self.table.table_name},
        )
        self.table.grant_read_data(self.api_function.function)
        api.route("GET", "forums", self.api_function)
        api.route("GET", "forums/{forum_id}", self.api_function)
        ssm.StringParameter(
            self,
            "TableParameter",
            parameter_name=PARAM_FORUMS_TABLE,
            string_value=self.table.table_name,
            description="Forum catalogue table, for the operator CLI",
        )
