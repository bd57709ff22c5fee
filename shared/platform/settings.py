"""Each function's settings, read from its environment and validated once when it starts.

Plain pydantic models over `os.environ` (each field's alias is its variable's name): what
pydantic-settings would do here, without its import (dotenv, CLI and secrets-file sources),
which costs a cold start a tenth of a bare boto3 client."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.platform import defaults
from shared.platform.names import (
    ENV_ADVISORY_KEY,
    ENV_ADVISORY_LOOKUP_SECRET,
    ENV_ADVISORY_RECEIPT_INTERVAL,
    ENV_ADVISORY_RETENTION,
    ENV_ADVISORY_TABLE,
    ENV_CONFIGURATION_SET,
    ENV_CONFIRM_INTERVAL,
    ENV_CONFIRM_QUEUE,
    ENV_CONSULTANT_EMAIL,
    ENV_CONSULTANT_NAME,
    ENV_CONSULTANT_PHONE,
    ENV_CONSULTANT_REPLY_DAYS,
    ENV_DISPATCH_QUEUE,
    ENV_FORUMS_TABLE,
    ENV_MAX_SEND_RATE,
    ENV_NEWSLETTER_SCHEDULE,
    ENV_NEWSLETTER_SECRET,
    ENV_NEWSLETTER_TABLE,
    ENV_NORMAL_QUEUE,
    ENV_PRIVACY_AUDIT_TABLE,
    ENV_PUBLIC_URL,
    ENV_REGISTRATION_LINK_HOURS,
    ENV_REGISTRATION_MAIL_INTERVAL,
    ENV_REGISTRATIONS_TABLE,
    ENV_REMINDER_DAYS,
    ENV_RETENTION_DAYS,
    ENV_SEND_QUEUE,
    ENV_SENDER_ADDRESS,
    ENV_SIGNING_SECRET,
    ENV_STAFF_ACCESS_AUDIT_TABLE,
    ENV_STAFF_USER_POOL,
    ENV_URGENT_QUEUE,
)


class EnvironmentSettings(BaseModel):
    """Settings validated from the process's environment when made without arguments; values
    given as arguments (by field name or variable name) take precedence over it."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    def __init__(self, **values: Any) -> None:
        environment = {}
        for name, field in type(self).model_fields.items():
            variable = field.validation_alias
            if isinstance(variable, str) and variable in os.environ and \
                    name not in values and variable not in values:
                environment[variable] = os.environ[variable]
        super().__init__(**environment, **values)


class ForumsApiSettings(EnvironmentSettings):
    forums_table_name: str = Field(min_length=1, validation_alias=ENV_FORUMS_TABLE)


class RegistrationSettings(EnvironmentSettings):
    """Registration, its emails and reminders."""

    forums_table_name: str = Field(min_length=1, validation_alias=ENV_FORUMS_TABLE)
    registrations_table_name: str = Field(min_length=1, validation_alias=ENV_REGISTRATIONS_TABLE)
    signing_secret_arn: str = Field(min_length=1, validation_alias=ENV_SIGNING_SECRET)
    public_url: str = Field(pattern=r"^https?://", validation_alias=ENV_PUBLIC_URL)
    sender_address: str = Field(min_length=3, validation_alias=ENV_SENDER_ADDRESS)
    configuration_set: str | None = Field(default=None, validation_alias=ENV_CONFIGURATION_SET)
    reminder_days_before: int = Field(
        default=defaults.REMINDER_DAYS_BEFORE, ge=1, le=30, validation_alias=ENV_REMINDER_DAYS)
    retention_days: int = Field(
        default=defaults.REGISTRATION_RETENTION_DAYS, ge=1, validation_alias=ENV_RETENTION_DAYS)
    # How long the link to confirm a registration works, and how often an address may get one.
    confirm_link_hours: int = Field(
        default=defaults.REGISTRATION_CONFIRM_LINK_HOURS, ge=1, le=24 * 14,
        validation_alias=ENV_REGISTRATION_LINK_HOURS)
    mail_interval_minutes: int = Field(
        default=defaults.REGISTRATION_MAIL_INTERVAL_MINUTES, ge=0, le=24 * 60,
        validation_alias=ENV_REGISTRATION_MAIL_INTERVAL)


class AdvisorySettings(EnvironmentSettings):
    """Advisory intake: the sealed store, the queues, the emails."""

    advisory_table_name: str = Field(min_length=1, validation_alias=ENV_ADVISORY_TABLE)
    advisory_key_arn: str = Field(min_length=1, validation_alias=ENV_ADVISORY_KEY)
    urgent_queue_url: str = Field(min_length=1, validation_alias=ENV_URGENT_QUEUE)
    normal_queue_url: str = Field(min_length=1, validation_alias=ENV_NORMAL_QUEUE)
    retention_days: int = Field(
        default=defaults.ADVISORY_RETENTION_DAYS, ge=1, validation_alias=ENV_ADVISORY_RETENTION)
    sender_address: str = Field(min_length=3, validation_alias=ENV_SENDER_ADDRESS)
    configuration_set: str | None = Field(default=None, validation_alias=ENV_CONFIGURATION_SET)
    # The notice links to the staff console here (the origin the distribution serves).
    public_url: str = Field(pattern=r"^https?://", validation_alias=ENV_PUBLIC_URL)
    consultant_name: str = Field(min_length=1, validation_alias=ENV_CONSULTANT_NAME)
    consultant_email: str = Field(min_length=3, validation_alias=ENV_CONSULTANT_EMAIL)
    consultant_phone: str | None = Field(default=None, validation_alias=ENV_CONSULTANT_PHONE)
    consultant_reply_days: int = Field(
        default=defaults.CONSULTANT_REPLY_DAYS, ge=1, le=30,
        validation_alias=ENV_CONSULTANT_REPLY_DAYS)
    # The keyed hash of the sender's address (and of a resubmission) is made under this secret.
    lookup_secret_arn: str = Field(min_length=1, validation_alias=ENV_ADVISORY_LOOKUP_SECRET)
    # At most one receipt to an address per this many minutes (the mail gate).
    receipt_interval_minutes: int = Field(
        default=defaults.ADVISORY_RECEIPT_INTERVAL_MINUTES, ge=0, le=24 * 60,
        validation_alias=ENV_ADVISORY_RECEIPT_INTERVAL)


class NewsletterSettings(EnvironmentSettings):
    """Subscriptions, sends and feedback of the newsletter."""

    newsletter_table_name: str = Field(min_length=1, validation_alias=ENV_NEWSLETTER_TABLE)
    send_queue_url: str = Field(min_length=1, validation_alias=ENV_SEND_QUEUE)
    signing_secret_arn: str = Field(min_length=1, validation_alias=ENV_SIGNING_SECRET)
    public_url: str = Field(pattern=r"^https?://", validation_alias=ENV_PUBLIC_URL)
    sender_address: str = Field(min_length=3, validation_alias=ENV_SENDER_ADDRESS)
    configuration_set: str | None = Field(default=None, validation_alias=ENV_CONFIGURATION_SET)
    # Sends per second for one sender container (SES MaxSendRate / the sender's concurrency).
    max_send_rate: float = Field(default=7, gt=0, validation_alias=ENV_MAX_SEND_RATE)
    # Signups ask for their confirmation email on this queue; one email per address per
    # interval.
    confirm_queue_url: str | None = Field(default=None, validation_alias=ENV_CONFIRM_QUEUE)
    confirm_interval_minutes: int = Field(
        default=defaults.NEWSLETTER_CONFIRM_INTERVAL_MINUTES, ge=1, le=1440,
        validation_alias=ENV_CONFIRM_INTERVAL)
    # The recurring schedule's cron expression (Copenhagen time): what its next send is.
    newsletter_schedule: str | None = Field(default=None,
                                            validation_alias=ENV_NEWSLETTER_SCHEDULE)


class StaffApiSettings(EnvironmentSettings):
    """The staff console's API: the catalogue and the registrations (the signing secret
    derives a registration's id from its session and address, as the form's do)."""

    forums_table_name: str = Field(min_length=1, validation_alias=ENV_FORUMS_TABLE)
    registrations_table_name: str = Field(min_length=1, validation_alias=ENV_REGISTRATIONS_TABLE)
    signing_secret_arn: str = Field(min_length=1, validation_alias=ENV_SIGNING_SECRET)
    retention_days: int = Field(
        default=defaults.REGISTRATION_RETENTION_DAYS, ge=1, validation_alias=ENV_RETENTION_DAYS)


class NewsletterEditorSettings(EnvironmentSettings):
    """The editor's work on issues (the console's function and the CLI): the table, the links
    in a test or preview, and sending a test. No signing secret and no send queue."""

    newsletter_table_name: str = Field(min_length=1, validation_alias=ENV_NEWSLETTER_TABLE)
    public_url: str = Field(pattern=r"^https?://", validation_alias=ENV_PUBLIC_URL)
    sender_address: str = Field(min_length=3, validation_alias=ENV_SENDER_ADDRESS)
    configuration_set: str | None = Field(default=None, validation_alias=ENV_CONFIGURATION_SET)
    # The recurring schedule's cron expression (Copenhagen time): the editor sees its next send.
    newsletter_schedule: str | None = Field(default=None,
                                            validation_alias=ENV_NEWSLETTER_SCHEDULE)
    # The dispatcher's queue for "send now" (none: the hourly run starts the issue).
    dispatch_queue_url: str | None = Field(default=None, validation_alias=ENV_DISPATCH_QUEUE)


class NewsletterSubscriberSettings(EnvironmentSettings):
    """The editor's subscriber list (the console's function): the table, the signing secret
    (subscriber ids are keyed hashes of the address) and the queue of confirmation requests
    (an invitation's email goes out from there, at the sending rate)."""

    newsletter_table_name: str = Field(min_length=1, validation_alias=ENV_NEWSLETTER_TABLE)
    signing_secret_arn: str = Field(min_length=1, validation_alias=ENV_SIGNING_SECRET)
    confirm_queue_url: str = Field(min_length=1, validation_alias=ENV_CONFIRM_QUEUE)


class StaffPrivacySettings(EnvironmentSettings):
    """The privacy officer's console function: the forum and newsletter tables it searches and
    erases in, the newsletter's secret (subscriber ids are keyed hashes), the audit table."""

    forums_table_name: str = Field(min_length=1, validation_alias=ENV_FORUMS_TABLE)
    registrations_table_name: str = Field(min_length=1, validation_alias=ENV_REGISTRATIONS_TABLE)
    newsletter_table_name: str = Field(min_length=1, validation_alias=ENV_NEWSLETTER_TABLE)
    newsletter_secret_arn: str = Field(min_length=1, validation_alias=ENV_NEWSLETTER_SECRET)
    audit_table_name: str = Field(min_length=1, validation_alias=ENV_PRIVACY_AUDIT_TABLE)
    # The retention periods an access answer tells the member.
    registration_retention_days: int = Field(
        default=defaults.REGISTRATION_RETENTION_DAYS, ge=1, validation_alias=ENV_RETENTION_DAYS)
    registration_confirm_link_hours: int = Field(
        default=defaults.REGISTRATION_CONFIRM_LINK_HOURS, ge=1, le=24 * 14,
        validation_alias=ENV_REGISTRATION_LINK_HOURS)
    advisory_retention_days: int = Field(
        default=defaults.ADVISORY_RETENTION_DAYS, ge=1, validation_alias=ENV_ADVISORY_RETENTION)


class StaffAdvisorySettings(EnvironmentSettings):
    """The consultant's area of the staff console: the sealed store, its key, the queues, and
    the audit table of data-protection requests (the consultant answers the advisory part)."""

    advisory_table_name: str = Field(min_length=1, validation_alias=ENV_ADVISORY_TABLE)
    advisory_key_arn: str = Field(min_length=1, validation_alias=ENV_ADVISORY_KEY)
    urgent_queue_url: str = Field(min_length=1, validation_alias=ENV_URGENT_QUEUE)
    normal_queue_url: str = Field(min_length=1, validation_alias=ENV_NORMAL_QUEUE)
    privacy_audit_table_name: str = Field(min_length=1, validation_alias=ENV_PRIVACY_AUDIT_TABLE)
    # A data-protection request finds the address's requests by their keyed hash.
    lookup_secret_arn: str = Field(min_length=1, validation_alias=ENV_ADVISORY_LOOKUP_SECRET)


class StaffAccessSettings(EnvironmentSettings):
    """The administrator's function: the staff user pool and the audit of its changes."""

    user_pool_id: str = Field(min_length=1, validation_alias=ENV_STAFF_USER_POOL)
    audit_table_name: str = Field(min_length=1, validation_alias=ENV_STAFF_ACCESS_AUDIT_TABLE)
