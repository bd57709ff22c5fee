"""One place for names shared by infra, functions, the CLI, the local runtime and tests."""

from __future__ import annotations

STACK_NAME = "LeadersOfLeaders"
APP_NAME = "leaders-of-leaders"

# Environment variables given to the functions by the stack.
ENV_FORUMS_TABLE = "FORUMS_TABLE_NAME"
ENV_SENDER_ADDRESS = "SENDER_ADDRESS"
ENV_CONFIGURATION_SET = "SES_CONFIGURATION_SET"
ENV_REGISTRATIONS_TABLE = "REGISTRATIONS_TABLE_NAME"
ENV_SIGNING_SECRET = "SIGNING_SECRET_ARN"  # noqa: S105 - the name of a variable
ENV_PUBLIC_URL = "PUBLIC_URL"
ENV_REMINDER_DAYS = "REMINDER_DAYS_BEFORE"
ENV_RETENTION_DAYS = "REGISTRATION_RETENTION_DAYS"
ENV_REGISTRATION_LINK_HOURS = "REGISTRATION_CONFIRM_LINK_HOURS"
ENV_REGISTRATION_MAIL_INTERVAL = "REGISTRATION_MAIL_INTERVAL_MINUTES"
ENV_ADVISORY_TABLE = "ADVISORY_TABLE_NAME"
ENV_ADVISORY_KEY = "ADVISORY_KEY_ARN"
ENV_URGENT_QUEUE = "ADVISORY_URGENT_QUEUE_URL"
ENV_NORMAL_QUEUE = "ADVISORY_QUEUE_URL"
ENV_ADVISORY_RETENTION = "ADVISORY_RETENTION_DAYS"
# The secret under which advisory requests carry a keyed hash of the sender's address (found by
# it in a data-protection request) and a resubmission is recognised.
ENV_ADVISORY_LOOKUP_SECRET = "ADVISORY_LOOKUP_SECRET_ARN"  # noqa: S105 - the name of a variable
# Minutes between two receipts to one address (the mail gate).
ENV_ADVISORY_RECEIPT_INTERVAL = "ADVISORY_RECEIPT_INTERVAL_MINUTES"
ENV_CONSULTANT_NAME = "CONSULTANT_NAME"
ENV_CONSULTANT_EMAIL = "CONSULTANT_EMAIL"
ENV_CONSULTANT_PHONE = "CONSULTANT_PHONE"
# Working days the consultant takes to answer, as the receipt promises.
ENV_CONSULTANT_REPLY_DAYS = "CONSULTANT_REPLY_DAYS"
# The association's contact address, at the end of every email.
ENV_CONTACT_EMAIL = "CONTACT_EMAIL"
ENV_NEWSLETTER_TABLE = "NEWSLETTER_TABLE_NAME"
ENV_SEND_QUEUE = "NEWSLETTER_SEND_QUEUE_URL"
ENV_MAX_SEND_RATE = "MAX_SEND_RATE"
ENV_CONFIRM_QUEUE = "NEWSLETTER_CONFIRM_QUEUE_URL"
ENV_CONFIRM_INTERVAL = "NEWSLETTER_CONFIRM_INTERVAL_MINUTES"
# The recurring newsletter schedule's expression (cron, Copenhagen time): when it next sends.
ENV_NEWSLETTER_SCHEDULE = "NEWSLETTER_SCHEDULE"
ENV_DISPATCH_QUEUE = "NEWSLETTER_DISPATCH_QUEUE_URL"  # the editor's "send now" requests
ENV_PRIVACY_AUDIT_TABLE = "PRIVACY_AUDIT_TABLE_NAME"
# The newsletter's signing secret where another capability needs it: subscriber ids are keyed
# hashes of the address (the privacy officer's function finds a subscriber by it).
ENV_NEWSLETTER_SECRET = "NEWSLETTER_SIGNING_SECRET_ARN"  # noqa: S105 - the name of a variable
# The staff user pool and the audit of changes to staff access (the administrator's function).
ENV_STAFF_USER_POOL = "STAFF_USER_POOL_ID"
ENV_STAFF_ACCESS_AUDIT_TABLE = "STAFF_ACCESS_AUDIT_TABLE_NAME"

# SSM parameters the stack writes so that the operator CLI finds its resources, in AWS and locally.
PARAMETER_PREFIX = f"/{APP_NAME}"
PARAM_FORUMS_TABLE = f"{PARAMETER_PREFIX}/tables/forums"
PARAM_REGISTRATIONS_TABLE = f"{PARAMETER_PREFIX}/tables/registrations"
PARAM_ADVISORY_TABLE = f"{PARAMETER_PREFIX}/tables/advisory"
PARAM_ADVISORY_KEY = f"{PARAMETER_PREFIX}/keys/advisory"
PARAM_ADVISORY_LOOKUP_SECRET = f"{PARAMETER_PREFIX}/secrets/advisory-lookup"
PARAM_URGENT_QUEUE = f"{PARAMETER_PREFIX}/queues/advisory-urgent"
PARAM_NORMAL_QUEUE = f"{PARAMETER_PREFIX}/queues/advisory"
PARAM_NEWSLETTER_SETTINGS = f"{PARAMETER_PREFIX}/newsletter/settings"
PARAM_PRIVACY_AUDIT_TABLE = f"{PARAMETER_PREFIX}/tables/privacy-audit"
PARAM_STAFF_USER_POOL = f"{PARAMETER_PREFIX}/staff/user-pool-id"
PARAM_STAFF_ACCESS_AUDIT_TABLE = f"{PARAMETER_PREFIX}/tables/staff-access-audit"


# Metrics namespace and service names (Powertools).
METRICS_NAMESPACE = "LeadersOfLeaders"
SERVICE_FORUMS_API = "forums-api"
SERVICE_REGISTRATIONS_API = "registrations-api"
SERVICE_REGISTRATION_EVENTS = "registration-events"
SERVICE_REMINDERS = "reminders"
SERVICE_ADVISORY_INTAKE = "advisory-intake"
SERVICE_ADVISORY_REQUEUE = "advisory-requeue"
SERVICE_NEWSLETTER_API = "newsletter-api"
SERVICE_NEWSLETTER_DISPATCH = "newsletter-dispatch"
SERVICE_NEWSLETTER_SENDER = "newsletter-sender"
SERVICE_NEWSLETTER_FEEDBACK = "newsletter-feedback"
SERVICE_NEWSLETTER_CONFIRMATIONS = "newsletter-confirmations"
SERVICE_STAFF_API = "staff-api"
SERVICE_STAFF_NEWSLETTER = "staff-newsletter"
SERVICE_STAFF_ADVISORY = "staff-advisory"
SERVICE_STAFF_PRIVACY = "staff-privacy"
SERVICE_STAFF_ACCESS = "staff-access"

# Schedules (their names are what `POST /_local/schedules/NAME/fire` takes).
SCHEDULE_REMINDERS = "leaders-forum-reminders"
SCHEDULE_ADVISORY_REQUEUE = "leaders-advisory-requeue"
SCHEDULE_NEWSLETTER = "leaders-newsletter"
SCHEDULE_NEWSLETTER_DUE = "leaders-newsletter-due"
# The `job` each newsletter schedule gives the dispatcher: the recurring send (the next issue
# approved for the schedule) and the hourly run (issues whose own time has come).
JOB_NEWSLETTER_SCHEDULED = "newsletter"
JOB_NEWSLETTER_DUE = "newsletter-due"

# Stack outputs.
OUTPUT_SITE_URL = "SiteUrl"
OUTPUT_API_URL = "ApiUrl"
OUTPUT_DISTRIBUTION_DOMAIN = "DistributionDomain"
OUTPUT_STAFF_USER_POOL = "StaffUserPoolId"
OUTPUT_STAFF_CLIENT = "StaffClientId"
# The DNS records for sending mail as the sender's domain (DKIM, MAIL FROM) start with this.
OUTPUT_DNS_PREFIX = "DnsRecord"

# The secondary index that lists a forum's sessions in time order.
INDEX_SESSIONS_BY_FORUM = "SessionsByForum"
# The sparse index of advisory requests not yet done, in arrival order.
INDEX_OPEN_REQUESTS = "OpenRequests"
# The sparse index of finished advisory requests, newest first (the consultant's history).
INDEX_FINISHED_REQUESTS = "FinishedRequests"
# The sparse index of advisory requests by the keyed hash of the sender's address.
INDEX_REQUESTS_BY_ADDRESS = "RequestsByAddress"
# The sparse index of confirmed, unsuppressed newsletter subscribers.
INDEX_ACTIVE_SUBSCRIBERS = "ActiveSubscribers"
# The newsletter's issues (keys only, a partition of their own): found without reading the
# subscribers or the ledger, which grow with use.
INDEX_ISSUES = "Issues"
ISSUE_LIST = "issue_list"  # its partition key: the same value on every issue

# The staff console: its groups (one per role) and where the pages read their sign-in settings.
# The administrator manages who may sign in and in which roles (shared/staff_access).
GROUP_ADMINISTRATOR = "administrator"
STAFF_GROUPS = ("secretariat", "editor", "consultant", "privacy_officer", GROUP_ADMINISTRATOR)
STAFF_CONFIG_PATH = "personale/config.json"
