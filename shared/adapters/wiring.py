"""Builds the domain services from settings: the one place adapters meet the domain."""

from __future__ import annotations

from datetime import timedelta
from functools import cache, partial
from typing import TYPE_CHECKING

from shared.adapters.aws import client

# Each capability's modules load when its service is first built, so a function imports
# only what it uses (cold starts).
if TYPE_CHECKING:
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.advisory.service import Intake
    from shared.forums.registration.mail import Notifier
    from shared.forums.registration.service import Registrations
    from shared.newsletter.editor import Editor
    from shared.newsletter.service import Newsletter
    from shared.privacy import Holder, Privacy
    from shared.settings import (
        AdvisorySettings,
        NewsletterEditorSettings,
        NewsletterSettings,
        RegistrationSettings,
    )


@cache
def signing_secret(arn: str) -> bytes:
    """The secret that signs links, read once per process (a rotation reaches new containers).
    Read with the client directly: Powertools' parameters package imports boto3 and every
    provider (AppConfig, SSM, DynamoDB) for this one call."""
    answer = client("secretsmanager").get_secret_value(SecretId=arn)
    text = answer.get("SecretString")
    return text.encode() if text is not None else bytes(answer["SecretBinary"])


@cache
def catalogue_store(settings: RegistrationSettings) -> DynamoCatalogueStore:
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore

    return DynamoCatalogueStore(settings.forums_table_name)


@cache
def registration_store(settings: RegistrationSettings) -> DynamoRegistrationStore:
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore

    return DynamoRegistrationStore(settings.registrations_table_name, settings.forums_table_name)


@cache
def registrations(settings: RegistrationSettings) -> Registrations:
    from shared.forums.registration.service import Registrations

    return Registrations(registration_store(settings), signing_secret(settings.signing_secret_arn),
                         retention_days=settings.retention_days,
                         link_hours=settings.confirm_link_hours)


@cache
def notifier(settings: RegistrationSettings) -> Notifier:
    # Templates, MIME and calendar code load only where emails are sent.
    from shared.adapters.dynamodb_ledger import DynamoLedger
    from shared.adapters.ses import SesSender
    from shared.forums.registration.mail import Notifier
    from shared.links import Links

    return Notifier(
        registrations=registrations(settings),
        positions=registration_store(settings),
        catalogue=catalogue_store(settings),
        ledger=DynamoLedger(settings.registrations_table_name),
        sender=SesSender(settings.sender_address, settings.configuration_set),
        links=Links(settings.public_url),
        mail_interval=timedelta(minutes=settings.mail_interval_minutes),
    )


@cache
def intake(settings: AdvisorySettings) -> Intake:
    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
    from shared.adapters.sealing import KmsSealer
    from shared.adapters.ses import SesSender
    from shared.adapters.sqs_work_queue import SqsWorkQueue
    from shared.advisory.mail import AdvisoryMailer, Consultant
    from shared.advisory.service import Intake

    return Intake(
        store=DynamoAdvisoryStore(settings.advisory_table_name),
        sealer=KmsSealer(settings.advisory_key_arn),
        queue=SqsWorkQueue(settings.urgent_queue_url, settings.normal_queue_url),
        mailer=AdvisoryMailer(
            SesSender(settings.sender_address, settings.configuration_set),
            Consultant(settings.consultant_name, settings.consultant_email,
                       settings.consultant_phone, settings.consultant_reply_days)),
        retention_days=settings.retention_days,
    )


@cache
def newsletter(settings: NewsletterSettings) -> Newsletter:
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.ses_newsletter import SesNewsletterMail
    from shared.adapters.sqs_send_queue import SqsConfirmationRequests, SqsSendQueue
    from shared.links import Links
    from shared.newsletter.service import Newsletter

    return Newsletter(
        store=DynamoNewsletterStore(settings.newsletter_table_name),
        mail=SesNewsletterMail(settings.sender_address, settings.configuration_set,
                               rate=settings.max_send_rate),
        queue=SqsSendQueue(settings.send_queue_url),
        secret=signing_secret(settings.signing_secret_arn),
        links=Links(settings.public_url),
        confirmations=SqsConfirmationRequests(settings.confirm_queue_url)
        if settings.confirm_queue_url else None,
        confirmation_interval=timedelta(minutes=settings.confirm_interval_minutes),
    )


def privacy(*, audit_table: str, by: str, registrations: DynamoRegistrationStore | None = None,
            newsletter_table: str | None = None, newsletter_secret: bytes = b"",
            advisory: Holder | None = None) -> Privacy:
    """Data-protection requests over the areas given (forums by their registration store,
    the newsletter by its table and signing secret, advisory by its holder), audited as `by`.
    An area not given is not built, so each caller needs only the rights of its own areas:
    the `leaders privacy` commands and the privacy officer's console function both build the
    service here."""
    from shared.adapters.dynamodb_privacy import DynamoAuditLog
    from shared.privacy import ForumsHolder, NewsletterHolder, Privacy

    holders: list[Holder] = []
    if registrations is not None:
        holders.append(ForumsHolder(registrations))
    if newsletter_table is not None:
        from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
        from shared.newsletter.service import subscriber_id

        holders.append(NewsletterHolder(DynamoNewsletterStore(newsletter_table),
                                        partial(subscriber_id, newsletter_secret)))
    if advisory is not None:
        holders.append(advisory)
    return Privacy(holders=holders, audit=DynamoAuditLog(audit_table), by=by)


@cache
def newsletter_editor(settings: NewsletterEditorSettings) -> Editor:
    """The editor's flows: the issues in the table, tests sent through SES (one at a time,
    so the sending rate is SES's own)."""
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.ses_newsletter import SesNewsletterMail
    from shared.links import Links
    from shared.newsletter.editor import Editor

    return Editor(DynamoNewsletterStore(settings.newsletter_table_name),
                  SesNewsletterMail(settings.sender_address, settings.configuration_set, rate=1),
                  Links(settings.public_url))
