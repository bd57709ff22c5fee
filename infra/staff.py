"""The staff console: the staff's Cognito user pool (invited only, strong passwords, TOTP
MFA, recovery by email), one group per role, the app client the pages sign in with, the
API's Cognito authorizer on the ID token, and the staff API function behind /api/staff.
The pages read the pool and client from /personale/config.json, written at deployment."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.api import PublicApi
from infra.config import DeployConfig
from infra.email import Email
from infra.forums import ForumsCatalogue
from infra.function import FunctionRuntime, PythonFunction
from infra.pages import Pages, cognito_endpoint
from infra.parts import grant_items
from infra.registrations import ForumRegistration
from shared.platform.names import (
    ENV_CONTACT_EMAIL,
    ENV_FORUMS_TABLE,
    ENV_REGISTRATIONS_TABLE,
    ENV_RETENTION_DAYS,
    ENV_SIGNING_SECRET,
    OUTPUT_STAFF_CLIENT,
    OUTPUT_STAFF_USER_POOL,
    PARAM_STAFF_USER_POOL,
    SERVICE_STAFF_API,
    STAFF_CONFIG_PATH,
    STAFF_GROUPS,
)

GROUP_DESCRIPTIONS = {
    "secretariat": "Forums, sessions, participant lists, close, reopen and cancel",
    "editor": "Newsletter issues: write, test, approve, withdraw",
    "consultant": "The advisory queue: take, read, note, finish, release",
    "privacy_officer": "Data-protection requests: what is held, export, erase, audit",
    "administrator": "Staff access: invite, roles, password and authenticator resets, audit",
}
# The secretariat's routes below /api (each also checks the group in the handler).
SECRETARIAT_ROUTES = (
    ("GET", "staff/forums"),
    ("POST", "staff/forums/import"),
    ("POST", "staff/forums/import/preview"),
    ("GET", "staff/forums/import/template"),
    ("POST", "staff/forums"),
    ("PUT", "staff/forums/{forum_id}"),
    ("POST", "staff/forums/{forum_id}/sessions"),
    ("DELETE", "staff/sessions/{session_id}"),
    ("GET", "staff/sessions/{session_id}/participants"),
    ("POST", "staff/sessions/{session_id}/close"),
    ("POST", "staff/sessions/{session_id}/reopen"),
    ("POST", "staff/sessions/{session_id}/cancel"),
    ("POST", "staff/sessions/{session_id}/cancel/preview"),
    ("PUT", "staff/sessions/{session_id}"),
    ("POST", "staff/sessions/{session_id}/changes/preview"),
    ("POST", "staff/sessions/{session_id}/registrations"),
    ("POST", "staff/registrations/{registration_id}/cancel"),
    ("POST", "staff/registrations/{registration_id}/move"),
    ("POST", "staff/registrations/{registration_id}/resend"),
    ("POST", "staff/sessions/{session_id}/messages"),
    ("POST", "staff/sessions/{session_id}/messages/preview"),
)
# What the secretariat's routes call on each table (shared.forums and its adapters).
STAFF_CATALOGUE_ACTIONS = ("Scan", "Query", "GetItem", "UpdateItem", "DeleteItem")
# Every change of a registration (a staff registration, a cancellation, a promotion) is the
# registration written whole under the condition of what it was (PutItem, also inside a
# transaction); none is an update. A message to a session is kept (PutItem) and one request to
# send per recipient written 25 to a call (BatchWriteItem, puts only); the registrations'
# stream sends them.
STAFF_REGISTRATION_ACTIONS = ("Query", "GetItem", "PutItem", "BatchWriteItem")
# ID and access tokens live this long (Cognito's shortest): API Gateway's authorizer checks
# a token's signature and expiry only, so a user removed, disabled or signed out everywhere
# keeps a token this long at most. The pages renew theirs in the background with the refresh
# token, which a global sign-out revokes (AdminUserGlobalSignOut, GlobalSignOut).
TOKEN_MINUTES = 5
# A working day without signing in again; a global sign-out ends it at once.
REFRESH_HOURS = 12


class StaffConsole(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig,
                 runtime: FunctionRuntime, api: PublicApi, catalogue: ForumsCatalogue,
                 registration: ForumRegistration, pages: Pages, email: Email) -> None:
        super().__init__(scope, construct_id)
        console = f"{pages.link_base}/personale/"
        self.user_pool = cognito.UserPool(
            self, "UserPool",
            user_pool_name="leaders-staff",
            # Staff are invited by the secretariat (`leaders staff invite`), nobody signs up.
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True, username=False),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)),
            mfa=cognito.Mfa.REQUIRED if config.staff_mfa else cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=14, require_lowercase=True, require_uppercase=True,
                require_digits=True, require_symbols=True,
                temp_password_validity=Duration.days(3)),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # A changed address counts only once its owner has verified it: until then the
            # old one stays in the tokens (the console names staff by their address).
            keep_original=cognito.KeepOriginalAttrs(email=True),
            # Threat protection (Plus plan): audit only by default, see the risk configuration.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION
                if config.staff_threat_protection == "enforced"
                else cognito.StandardThreatProtectionMode.AUDIT_ONLY),
            **_mail(config, email, console),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        if config.staff_email_through_ses:  # Cognito checks the identity when it is set
            self.user_pool.node.add_dependency(email.identity)
        self.risk_configuration = cognito.CfnUserPoolRiskConfigurationAttachment(
            self, "RiskConfiguration", user_pool_id=self.user_pool.user_pool_id,
            client_id="ALL",
            # Credentials found in public breaches: the sign-in (or password change) is
            # refused and the user must be given a new password (docs/operations.md, Deploy).
            compromised_credentials_risk_configuration=(
                cognito.CfnUserPoolRiskConfigurationAttachment
                .CompromisedCredentialsRiskConfigurationTypeProperty(
                    actions=cognito.CfnUserPoolRiskConfigurationAttachment
                    .CompromisedCredentialsActionsTypeProperty(event_action="BLOCK"))),
            # A high-risk sign-in is refused; low and medium are only logged (TOTP already
            # asks every sign-in for a second factor). No mail to the user about it.
            account_takeover_risk_configuration=(
                cognito.CfnUserPoolRiskConfigurationAttachment
                .AccountTakeoverRiskConfigurationTypeProperty(
                    actions=cognito.CfnUserPoolRiskConfigurationAttachment
                    .AccountTakeoverActionsTypeProperty(
                        high_action=_takeover("BLOCK"), medium_action=_takeover("NO_ACTION"),
                        low_action=_takeover("NO_ACTION")))),
        )
        self.groups = {
            name: cognito.UserPoolGroup(
                self, f"Group-{name}", user_pool=self.user_pool, group_name=name,
                description=GROUP_DESCRIPTIONS[name])
            for name in STAFF_GROUPS
        }
        self.client = self.user_pool.add_client(
            "PagesClient",
            user_pool_client_name="staff-pages",
            # A browser cannot keep a secret.
            generate_secret=False,
            # The pages send the password to Cognito's API over TLS (InitiateAuth) and answer
            # its challenges (new password, TOTP); SRP would need a cryptographic library in
            # the page for no gain over TLS with a required second factor.
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=False),
            disable_o_auth=True,
            id_token_validity=Duration.minutes(TOKEN_MINUTES),
            access_token_validity=Duration.minutes(TOKEN_MINUTES),
            refresh_token_validity=Duration.hours(REFRESH_HOURS),
            enable_token_revocation=True,
            # The ID token carries what the console needs of the user and nothing else: the
            # address and whether it is verified (and the groups, which Cognito always adds).
            read_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, email_verified=True),
            # Staff cannot change their own attributes with their access token (the address
            # above all): only `locale`, harmless, because an empty list would mean all.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(locale=True),
            # An unknown address is answered like a wrong password.
            prevent_user_existence_errors=True,
        )
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self, "Authorizer",
            cognito_user_pools=[self.user_pool],
            identity_source=apigw.IdentitySource.header("Authorization"),
            # Every request is checked afresh (a token's groups may change, staff may leave).
            results_cache_ttl=Duration.seconds(0),
        )
        api.rest_api.add_gateway_response(
            "Unauthorized", type=apigw.ResponseType.UNAUTHORIZED, status_code="401",
            templates={"application/json":
                       '{"code": "unauthorized", "message": "Log ind for at fortsætte."}'},
        )

        self.api_function = PythonFunction(
            self, "Api", runtime=runtime, service=SERVICE_STAFF_API,
            handler="functions.staff_api.handler.lambda_handler",
            description="The staff console's API (signed-in staff, by group)",
            # The contact address ends the cancellation email the console previews.
            environment={ENV_FORUMS_TABLE: catalogue.table.table_name,
                         ENV_REGISTRATIONS_TABLE: registration.table.table_name,
                         ENV_SIGNING_SECRET: registration.secret.secret_arn,
                         ENV_RETENTION_DAYS: str(config.registration_retention_days),
                         ENV_CONTACT_EMAIL: config.contact_email},
            timeout=Duration.seconds(29),
        )
        # The secretariat's routes: forums and sessions listed (Scan, the forum index), read,
        # imported, created or changed in forms and closed, reopened or cancelled (updates), a
        # session that never had a registration deleted; participants listed (Query),
        # each registered, cancelled or moved and the waiting list moved up (each registration
        # written whole, a Put, with the seat count's update, in one transaction). The signing
        # secret derives a registration's id from its session and address, as the form's do.
        grant_items(catalogue.table, self.api_function.function, *STAFF_CATALOGUE_ACTIONS)
        grant_items(registration.table, self.api_function.function,
                    *STAFF_REGISTRATION_ACTIONS)
        registration.secret.grant_read(self.api_function.function)
        self._api = api
        self.add_routes(self.api_function, (("GET", "staff/me"), *SECRETARIAT_ROUTES))

        region = Stack.of(self).region
        pages.deployment.add_source(s3deploy.Source.json_data(STAFF_CONFIG_PATH, {
            "region": region,
            "userPoolId": self.user_pool.user_pool_id,
            "clientId": self.client.user_pool_client_id,
            "endpoint": f"{cognito_endpoint(region)}/",
        }))
        ssm.StringParameter(
            self, "UserPoolParameter", parameter_name=PARAM_STAFF_USER_POOL,
            string_value=self.user_pool.user_pool_id,
            description="The staff user pool, for `leaders staff`",
        )
        CfnOutput(Stack.of(self), OUTPUT_STAFF_USER_POOL, value=self.user_pool.user_pool_id,
                  description="The staff console's user pool")
        CfnOutput(Stack.of(self), OUTPUT_STAFF_CLIENT, value=self.client.user_pool_client_id,
                  description="The app client the staff pages sign in with")

    def add_routes(self, function: PythonFunction,
                   routes: tuple[tuple[str, str], ...]) -> None:
        """A role's routes below /api, behind the staff's authorizer. Each capability builds
        the function of its own role's area (with that function's grants) and adds its
        routes here; the handler checks the caller's group itself as well."""
        for method, path in routes:
            self._api.route(method, path, function, self.authorizer)


_Risk = cognito.CfnUserPoolRiskConfigurationAttachment


def _takeover(action: str) -> _Risk.AccountTakeoverActionTypeProperty:
    """What Cognito does at one risk level of a sign-in; the user is not mailed about it."""
    return _Risk.AccountTakeoverActionTypeProperty(event_action=action, notify=False)


def _mail(config: DeployConfig, email: Email, console: str) -> dict[str, Any]:
    """How the pool mails: through the stack's SES identity (a From on the sender's domain)
    and configuration set, with the Danish texts, once `staff_email_through_ses` is on.
    CloudFormation allows a custom invitation or verification text only with
    EmailSendingAccount DEVELOPER (`AWS::Cognito::UserPool` InviteMessageTemplate), and
    Cognito accepts DEVELOPER only for an identity SES has verified: so a fresh account's
    first deploy keeps Cognito's own sender and its default texts, and nobody is invited
    before the second."""
    if not config.staff_email_through_ses:
        return {}
    return {
        "email": cognito.UserPoolEmail.with_ses(
            from_email=config.sender_address, from_name="Ledere af ledere",
            reply_to=config.contact_email, ses_verified_domain=config.sender_domain,
            configuration_set_name=email.configuration_set.configuration_set_name),
        "user_invitation": cognito.UserInvitationConfig(
            email_subject="Din adgang til personalesiderne for Ledere af ledere",
            email_body=(
                "<p>Hej</p><p>Du er inviteret til personalesiderne for Ledere af ledere: "
                f"{console}</p><p>Brugernavn: {{username}}<br>Midlertidig adgangskode: "
                "{####}</p><p>Første gang vælger du din egen adgangskode og opsætter en "
                "app til engangskoder (fx Microsoft Authenticator eller Google "
                "Authenticator). Den midlertidige adgangskode virker i 3 dage.</p>"),
        ),
        "user_verification": cognito.UserVerificationConfig(
            email_subject="Din kode til Ledere af ledere",
            email_body="Din kode er {####}",
            email_style=cognito.VerificationEmailStyle.CODE,
        ),
    }
