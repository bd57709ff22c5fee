"""Staff access: the administrator's console function behind /api/staff/staff (who may sign
in to the console, in which roles) and the audit table of its changes (also written by
`leaders staff …`). The function may call exactly the user-pool actions shared.staff_access
and its Cognito adapter use, on the staff pool alone."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.function import FunctionRuntime, PythonFunction
from infra.parts import capability_table, grant_items
from infra.staff import StaffConsole
from shared.platform.names import (
    ENV_STAFF_ACCESS_AUDIT_TABLE,
    ENV_STAFF_USER_POOL,
    PARAM_STAFF_ACCESS_AUDIT_TABLE,
    SERVICE_STAFF_ACCESS,
)

# What shared.adapters.cognito_staff calls: the staff listed (users, each group's members, each
# user's MFA settings and sign-in events), invited or re-invited (AdminCreateUser, with
# MessageAction RESEND), roles added and removed, a password or a lost authenticator reset,
# signed out everywhere, disabled, enabled, deleted.
USER_POOL_ACTIONS = (
    "ListUsers", "ListUsersInGroup", "AdminGetUser", "AdminListUserAuthEvents",
    "AdminCreateUser", "AdminAddUserToGroup", "AdminRemoveUserFromGroup",
    "AdminResetUserPassword", "AdminDeleteSoftwareToken", "AdminUserGlobalSignOut",
    "AdminDisableUser", "AdminEnableUser", "AdminDeleteUser",
)
# The administrator's routes below /api (the handler checks the group as well).
ADMINISTRATOR_ROUTES = (
    ("GET", "staff/staff"),
    ("POST", "staff/staff"),
    ("POST", "staff/staff/resend"),
    ("POST", "staff/staff/groups/add"),
    ("POST", "staff/staff/groups/remove"),
    ("POST", "staff/staff/password/reset"),
    ("POST", "staff/staff/authenticator/reset"),
    ("POST", "staff/staff/disable"),
    ("POST", "staff/staff/enable"),
    ("POST", "staff/staff/remove"),
    ("GET", "staff/staff/audit"),
)
# The audit's records expire (TTL) on this attribute (shared.adapters.dynamodb_staff_access).
TTL_ATTRIBUTE = "expires_at"


class StaffAccess(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, runtime: FunctionRuntime,
                 staff: StaffConsole) -> None:
        super().__init__(scope, construct_id)
        self.table = capability_table(self, ttl=TTL_ATTRIBUTE)
        ssm.StringParameter(
            self, "AuditTableParameter", parameter_name=PARAM_STAFF_ACCESS_AUDIT_TABLE,
            string_value=self.table.table_name,
            description="Audit of changes to staff access, for `leaders staff`")
        pool = staff.user_pool
        self.function = PythonFunction(
            self, "Console", runtime=runtime, service=SERVICE_STAFF_ACCESS,
            handler="functions.staff_access.handler.lambda_handler",
            description="The administrator's console: staff, roles, resets, audit",
            environment={ENV_STAFF_USER_POOL: pool.user_pool_id,
                         ENV_STAFF_ACCESS_AUDIT_TABLE: self.table.table_name},
            timeout=Duration.seconds(29),
        )
        self.function.function.add_to_role_policy(iam.PolicyStatement(
            actions=[f"cognito-idp:{action}" for action in USER_POOL_ACTIONS],
            resources=[pool.user_pool_arn]))
        # Changes added (never changed or removed) and the newest read for the trail.
        grant_items(self.table, self.function.function, "PutItem", "Query")
        staff.add_routes(self.function, ADMINISTRATOR_ROUTES)
