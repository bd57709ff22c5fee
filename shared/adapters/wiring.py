"""Builds the domain services: the one place adapters meet the domain. Every Lambda function,
the `leaders` CLI and the console's functions build their services here, from the names of
their resources (a function reads them from its settings, the CLI from the stack's SSM
parameters)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache, partial
from typing import TYPE_CHECKING

from shared.adapters.aws import client

# Each capability's modules load when its service is first built, so a function imports
# only what it uses (cold starts).
if TYPE_CHECKING:
    from collections.abc import Callable

    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.dynamodb_privacy import DynamoAuditLog
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.adapters.sealing import KmsSealer
    from shared.advisory.ports import Counter
    from shared.advisory.service import Desk, Intake, Requeue
    from shared.forums.catalogue import Catalogue
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
def catalogue_store(forums_table: str) -> DynamoCatalogueStore:
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore

    return DynamoCatalogueStore(forums_table)


@cache
def registration_store(registrations_table: str, forums_table: str) -> DynamoRegistrationStore:
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore

    return DynamoRegistrationStore(registrations_table, forums_table)


def catalogue(forums_table: str, registrations_table: str | None = None) -> Catalogue:
    """The catalogue; with the registrations table, an import that adds seats gives them to
    the waiting list (the secretariat's import), without it the public listing."""
    from shared.forums.catalogue import Catalogue
    from shared.forums.registration.service import WaitingList

    seats = (WaitingList(registration_store(registrations_table, forums_table))
             if registrations_table else None)
    return Catalogue(catalogue_store(forums_table), seats=seats)


def desk(*, advisory_table: str, key_arn: str, urgent_queue: str, normal_queue: str, by: str,
         metrics: Counter | None = None) -> Desk:
    """The consultant's desk (the CLI and the console's function alike); leases and audit
    entries name `by`."""
    from shared.adapters.sqs_work_queue import SqsWorkQueue
    from shared.advisory.service import Desk

    return Desk(store=advisory_store(advisory_table), sealer=sealer(key_arn),
                queue=SqsWorkQueue(urgent_queue, normal_queue), consultant=by, metrics=metrics)


@cache
def sealer(key_arn: str) -> KmsSealer:
    """One sealer per key and process: its Encryption SDK provider (a KMS client, its cache)
    is made once, on first use, and serves every request after."""
    from shared.adapters.sealing import KmsSealer

    return KmsSealer(key_arn)


def advisory_store(advisory_table: str) -> DynamoAdvisoryStore:
    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore

    return DynamoAdvisoryStore(advisory_table)


def advisory_holder(*, advisory_table: str, key_arn: str, lookup_secret_arn: str,
                    exported: Callable[[str], None]) -> Holder:
    """Advisory requests for a data-protection request: found by the keyed hash of the
    address (under the lookup secret), opened for an export (the consultant alone may), each
    one exported passed to `exported` (the consultant's audit) first."""
    from shared.advisory.lookup import address_key
    from shared.privacy import AdvisoryHolder

    return AdvisoryHolder(advisory_store(advisory_table), sealer(key_arn),
                          partial(address_key, signing_secret(lookup_secret_arn)),
                          exported=exported)


def newsletter_store(newsletter_table: str) -> DynamoNewsletterStore:
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore

    return DynamoNewsletterStore(newsletter_table)


def audit_log(audit_table: str) -> DynamoAuditLog:
    """The audit of data-protection requests."""
    from shared.adapters.dynamodb_privacy import DynamoAuditLog

    return DynamoAuditLog(audit_table)


@cache
def registrations(settings: RegistrationSettings) -> Registrations:
    from shared.forums.registration.service import Registrations

    return Registrations(registration_store(settings.registrations_table_name,
                                            settings.forums_table_name),
                         signing_secret(settings.signing_secret_arn),
                         retention_days=settings.retention_days,
                         link_hours=settings.confirm_link_hours)


@cache
def notifier(settings: RegistrationSettings) -> Notifier:
    # Templates, MIME and calendar code load only where emails are sent.
    from shared.adapters.dynamodb_ledger import DynamoLedger
    from shared.adapters.ses import SesSender
    from shared.forums.registration.links import RegistrationLinks
    from shared.forums.registration.mail import Notifier
    from shared.links import Links

    return Notifier(
        tokens=RegistrationLinks(signing_secret(settings.signing_secret_arn)),
        positions=registration_store(settings.registrations_table_name,
                                     settings.forums_table_name),
        catalogue=catalogue_store(settings.forums_table_name),
        ledger=DynamoLedger(settings.registrations_table_name),
        sender=SesSender(settings.sender_address, settings.configuration_set),
        links=Links(settings.public_url),
        mail_interval=timedelta(minutes=settings.mail_interval_minutes),
    )


@cache
def intake(settings: AdvisorySettings) -> Intake:
    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
    from shared.adapters.ses import SesSender
    from shared.adapters.sqs_work_queue import SqsWorkQueue
    from shared.advisory.mail import AdvisoryMailer, Consultant
    from shared.advisory.service import Intake

    return Intake(
        store=DynamoAdvisoryStore(settings.advisory_table_name),
        sealer=sealer(settings.advisory_key_arn),
        queue=SqsWorkQueue(settings.urgent_queue_url, settings.normal_queue_url),
        mailer=AdvisoryMailer(
            SesSender(settings.sender_address, settings.configuration_set),
            Consultant(settings.consultant_name, settings.consultant_email,
                       settings.consultant_phone, settings.consultant_reply_days)),
        retention_days=settings.retention_days,
        secret=signing_secret(settings.lookup_secret_arn),
        receipt_interval=timedelta(minutes=settings.receipt_interval_minutes),
    )


@cache
def requeue(settings: AdvisorySettings) -> Requeue:
    """The daily requeue: the table and the queues, nothing to seal, mail or hash."""
    from shared.adapters.sqs_work_queue import SqsWorkQueue
    from shared.advisory.service import Requeue

    return Requeue(advisory_store(settings.advisory_table_name),
                   SqsWorkQueue(settings.urgent_queue_url, settings.normal_queue_url))


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
    from shared.privacy import ForumsHolder, NewsletterHolder, Privacy

    holders: list[Holder] = []
    if registrations is not None:
        holders.append(ForumsHolder(registrations))
    if newsletter_table is not None:
        from shared.newsletter.service import subscriber_id

        holders.append(NewsletterHolder(newsletter_store(newsletter_table),
                                        partial(subscriber_id, newsletter_secret)))
    if advisory is not None:
        holders.append(advisory)
    return Privacy(holders=holders, audit=audit_log(audit_table), by=by)


@cache
def newsletter_editor(settings: NewsletterEditorSettings) -> Editor:
    """The editor's flows: the issues in the table, tests sent through SES (one at a time,
    so the sending rate is SES's own)."""
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.ses_newsletter import SesNewsletterMail
    from shared.links import Links
    from shared.newsletter.editor import Editor
    from shared.newsletter.schedule import RecurringSchedule

    return Editor(DynamoNewsletterStore(settings.newsletter_table_name),
                  SesNewsletterMail(settings.sender_address, settings.configuration_set, rate=1),
                  Links(settings.public_url),
                  schedule=RecurringSchedule(settings.newsletter_schedule)
                  if settings.newsletter_schedule else None)
