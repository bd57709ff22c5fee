"""Builds the domain services: the one place adapters meet the domain.

Two kinds of function, as in a composition root: a *builder* takes a capability's ports
(stores, queues, mail, sealer, clock) and makes its service, whatever fulfils them (the
DynamoDB, SQS, SES and KMS adapters here, in-memory stores in the unit tests:
tests/support/); a function named after the service builds it from the names of its
resources (a Lambda function reads them from its settings, the CLI from the stack's SSM
parameters), handing the adapters to the builder."""

from __future__ import annotations

from datetime import timedelta
from functools import cache, partial
from typing import TYPE_CHECKING

from shared.adapters.aws import client
from shared.platform import defaults
from shared.platform.clock import utcnow

# Each capability's modules load when its service is first built, so a function imports
# only what it uses (cold starts).
if TYPE_CHECKING:
    from collections.abc import Callable

    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.dynamodb_privacy import DynamoAuditLog, DynamoCaseBook
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.adapters.sealing import KmsSealer
    from shared.advisory.mail import Consultant
    from shared.advisory.ports import AdvisoryStore, Counter, Sealer, WorkQueue
    from shared.advisory.service import Desk, Intake, Requeue
    from shared.email import Sender
    from shared.forums.catalogue import Catalogue
    from shared.forums.registration.mail import Notifier
    from shared.forums.registration.service import Registrations
    from shared.links import Links
    from shared.newsletter.archive import Archive
    from shared.newsletter.editor import Editor
    from shared.newsletter.ports import (
        ConfirmationRequests,
        DispatchRequests,
        Mail,
        NewsletterStore,
    )
    from shared.newsletter.ports import WorkQueue as SendQueue
    from shared.newsletter.service import Newsletter
    from shared.newsletter.subscribers import Subscribers
    from shared.platform.clock import Clock
    from shared.platform.settings import (
        AdvisorySettings,
        NewsletterEditorSettings,
        NewsletterSettings,
        NewsletterSubscriberSettings,
        RegistrationSettings,
    )
    from shared.privacy.ports import (
        AdvisoryRecords,
        AuditLog,
        ForumRecords,
        Holder,
        NewsletterRecords,
        Opener,
    )
    from shared.privacy.service import Privacy
    from shared.staff_access.service import StaffAccess


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


def catalogue_service(forums_table: str, registrations_table: str | None = None, *,
                      retention_days: int = defaults.REGISTRATION_RETENTION_DAYS) -> Catalogue:
    """The catalogue; with the registrations table (the secretariat's import), seats added go
    to the waiting list and a new time or place is told to everyone registered; without it,
    the public listing."""
    from shared.forums.catalogue import Catalogue

    if registrations_table is None:
        return Catalogue(catalogue_store(forums_table))
    from shared.forums.registration.service import WaitingList
    from shared.forums.registration.session_changes import SessionChanges

    registrations = registration_store(registrations_table, forums_table)
    return Catalogue(catalogue_store(forums_table), seats=WaitingList(registrations),
                     participants=SessionChanges(registrations, catalogue_store(forums_table),
                                                 retention_days=retention_days))


def desk_service(store: AdvisoryStore, sealer: Sealer, queue: WorkQueue, *, by: str,
                 metrics: Counter | None = None, clock: Clock = utcnow) -> Desk:
    """The consultant's desk over its ports; leases and audit entries name `by`."""
    from shared.advisory.service import Desk

    return Desk(store=store, sealer=sealer, queue=queue, consultant=by, metrics=metrics,
                clock=clock)


def desk(*, advisory_table: str, key_arn: str, urgent_queue: str, normal_queue: str, by: str,
         metrics: Counter | None = None) -> Desk:
    """The consultant's desk (the CLI and the console's function alike); leases and audit
    entries name `by`."""
    from shared.adapters.sqs_work_queue import SqsWorkQueue

    return desk_service(advisory_store(advisory_table), sealer(key_arn),
                        SqsWorkQueue(urgent_queue, normal_queue), by=by, metrics=metrics)


@cache
def sealer(key_arn: str) -> KmsSealer:
    """One sealer per key and process: its Encryption SDK provider (a KMS client, its cache)
    is made once, on first use, and serves every request after."""
    from shared.adapters.sealing import KmsSealer

    return KmsSealer(key_arn)


def advisory_store(advisory_table: str) -> DynamoAdvisoryStore:
    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore

    return DynamoAdvisoryStore(advisory_table)


def advisory_holder_of(store: AdvisoryRecords, sealer: Opener, lookup_secret: bytes, *,
                       exported: Callable[[str], None] | None = None) -> Holder:
    """Advisory requests for a data-protection request, over the store and the sealer: found
    by the keyed hash of the address under `lookup_secret`, each one exported passed to
    `exported` (the consultant's audit) first."""
    from shared.advisory.lookup import address_key
    from shared.privacy.holders import AdvisoryHolder

    return AdvisoryHolder(store, sealer, partial(address_key, lookup_secret), exported=exported)


def advisory_holder(*, advisory_table: str, key_arn: str, lookup_secret_arn: str,
                    exported: Callable[[str], None]) -> Holder:
    """Advisory requests for a data-protection request: found by the keyed hash of the
    address (under the lookup secret), opened for an export (the consultant alone may), each
    one exported passed to `exported` (the consultant's audit) first."""
    return advisory_holder_of(advisory_store(advisory_table), sealer(key_arn),
                              signing_secret(lookup_secret_arn), exported=exported)


def newsletter_store(newsletter_table: str) -> DynamoNewsletterStore:
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore

    return DynamoNewsletterStore(newsletter_table)


def case_book(audit_table: str) -> DynamoCaseBook:
    """The data-protection cases (kept in the privacy audit table)."""
    from shared.adapters.dynamodb_privacy import DynamoCaseBook

    return DynamoCaseBook(audit_table)


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


def intake_service(store: AdvisoryStore, sealer: Sealer, queue: WorkQueue, sender: Sender,
                   consultant: Consultant, *, retention_days: int, secret: bytes,
                   receipt_interval: timedelta, clock: Clock = utcnow,
                   public_url: str = "") -> Intake:
    """The intake of advisory requests over its ports: receipts and notices go through
    `sender`, in the consultant's name; the notice links to the staff console under
    `public_url`."""
    from shared.advisory.mail import AdvisoryMailer
    from shared.advisory.service import Intake

    return Intake(store=store, sealer=sealer, queue=queue,
                  mailer=AdvisoryMailer(sender, consultant, public_url=public_url),
                  retention_days=retention_days,
                  secret=secret, receipt_interval=receipt_interval, clock=clock)


@cache
def intake(settings: AdvisorySettings) -> Intake:
    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
    from shared.adapters.ses import SesSender
    from shared.adapters.sqs_work_queue import SqsWorkQueue
    from shared.advisory.mail import Consultant

    return intake_service(
        DynamoAdvisoryStore(settings.advisory_table_name), sealer(settings.advisory_key_arn),
        SqsWorkQueue(settings.urgent_queue_url, settings.normal_queue_url),
        SesSender(settings.sender_address, settings.configuration_set),
        Consultant(settings.consultant_name, settings.consultant_email,
                   settings.consultant_phone, settings.consultant_reply_days),
        retention_days=settings.retention_days,
        secret=signing_secret(settings.lookup_secret_arn),
        receipt_interval=timedelta(minutes=settings.receipt_interval_minutes),
        public_url=settings.public_url,
    )


def requeue_service(store: AdvisoryStore, queue: WorkQueue, *,
                    clock: Clock = utcnow) -> Requeue:
    from shared.advisory.service import Requeue

    return Requeue(store, queue, clock=clock)


@cache
def requeue(settings: AdvisorySettings) -> Requeue:
    """The daily requeue: the table and the queues, nothing to seal, mail or hash."""
    from shared.adapters.sqs_work_queue import SqsWorkQueue

    return requeue_service(advisory_store(settings.advisory_table_name),
                           SqsWorkQueue(settings.urgent_queue_url, settings.normal_queue_url))


def newsletter_service(store: NewsletterStore, mail: Mail, queue: SendQueue, secret: bytes,
                       links: Links, *, confirmations: ConfirmationRequests | None = None,
                       confirmation_interval: timedelta = timedelta(minutes=10),
                       clock: Clock = utcnow) -> Newsletter:
    """The newsletter over its ports: subscriptions, sends and feedback."""
    from shared.newsletter.service import Newsletter

    return Newsletter(store=store, mail=mail, queue=queue, secret=secret, links=links,
                      confirmations=confirmations, confirmation_interval=confirmation_interval,
                      clock=clock)


@cache
def newsletter(settings: NewsletterSettings) -> Newsletter:
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.ses_newsletter import SesNewsletterMail
    from shared.adapters.sqs_send_queue import SqsConfirmationRequests, SqsSendQueue
    from shared.links import Links

    return newsletter_service(
        DynamoNewsletterStore(settings.newsletter_table_name),
        SesNewsletterMail(settings.sender_address, settings.configuration_set,
                          rate=settings.max_send_rate),
        SqsSendQueue(settings.send_queue_url),
        signing_secret(settings.signing_secret_arn),
        Links(settings.public_url),
        confirmations=SqsConfirmationRequests(settings.confirm_queue_url)
        if settings.confirm_queue_url else None,
        confirmation_interval=timedelta(minutes=settings.confirm_interval_minutes),
    )


def privacy_service(holders: list[Holder], audit: AuditLog, *, by: str,
                    clock: Clock = utcnow) -> Privacy:
    """Data-protection requests over the holders given, audited as `by`."""
    from shared.privacy.service import Privacy

    return Privacy(holders=holders, audit=audit, by=by, clock=clock)


def forums_holder(store: ForumRecords) -> Holder:
    from shared.privacy.holders import ForumsHolder

    return ForumsHolder(store)


def newsletter_holder(store: NewsletterRecords, secret: bytes) -> Holder:
    """The newsletter's part: subscribers found by the keyed hash of the address under the
    newsletter's signing secret."""
    from shared.newsletter.service import subscriber_id
    from shared.privacy.holders import NewsletterHolder

    return NewsletterHolder(store, partial(subscriber_id, secret))


def privacy(*, audit_table: str, by: str, registrations: DynamoRegistrationStore | None = None,
            newsletter_table: str | None = None, newsletter_secret: bytes = b"",
            advisory: Holder | None = None) -> Privacy:
    """Data-protection requests over the areas given (forums by their registration store,
    the newsletter by its table and signing secret, advisory by its holder), audited as `by`.
    An area not given is not built, so each caller needs only the rights of its own areas:
    the `leaders privacy` commands and the privacy officer's console function both build the
    service here."""
    holders: list[Holder] = []
    if registrations is not None:
        holders.append(forums_holder(registrations))
    if newsletter_table is not None:
        holders.append(newsletter_holder(newsletter_store(newsletter_table), newsletter_secret))
    if advisory is not None:
        holders.append(advisory)
    return privacy_service(holders, audit_log(audit_table), by=by)


def editor_service(store: NewsletterStore, mail: Mail, links: Links, *,
                   schedule: str | None = None, clock: Clock = utcnow,
                   dispatch: DispatchRequests | None = None) -> Editor:
    """The editor's flows over their ports; `schedule` is the recurring send's expression,
    `dispatch` where "send now" asks the dispatcher."""
    from shared.newsletter.editor import Editor
    from shared.newsletter.schedule import RecurringSchedule

    return Editor(store, mail, links, schedule=RecurringSchedule(schedule) if schedule else None,
                  clock=clock, dispatch=dispatch)


@cache
def newsletter_archive(newsletter_table: str, public_url: str) -> Archive:
    """The public archive of sent issues, read from the newsletter's table."""
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.links import Links
    from shared.newsletter.archive import Archive

    return Archive(DynamoNewsletterStore(newsletter_table), Links(public_url))


@cache
def newsletter_editor(settings: NewsletterEditorSettings) -> Editor:
    """The editor's flows: the issues in the table, tests sent through SES (one at a time,
    so the sending rate is SES's own)."""
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.ses_newsletter import SesNewsletterMail
    from shared.adapters.sqs_send_queue import SqsDispatchRequests
    from shared.links import Links

    return editor_service(DynamoNewsletterStore(settings.newsletter_table_name),
                          SesNewsletterMail(settings.sender_address, settings.configuration_set,
                                            rate=1),
                          Links(settings.public_url), schedule=settings.newsletter_schedule,
                          dispatch=SqsDispatchRequests(settings.dispatch_queue_url)
                          if settings.dispatch_queue_url else None)



def staff_access(*, user_pool_id: str, audit_table: str, by: str) -> StaffAccess:
    """The administrator's work on staff access, audited as `by`. Against the emulator
    (AWS_ENDPOINT_URL set) the directory bridges what moto lacks (shared.adapters.cognito_staff)."""
    import os

    from shared.adapters.cognito_staff import CognitoDirectory
    from shared.adapters.dynamodb_staff_access import DynamoAccessAudit
    from shared.staff_access.service import StaffAccess

    directory = CognitoDirectory(client("cognito-idp"), user_pool_id,
                                 emulated=bool(os.environ.get("AWS_ENDPOINT_URL")))
    return StaffAccess(directory, DynamoAccessAudit(audit_table), by=by)

@cache
def newsletter_subscribers(settings: NewsletterSubscriberSettings) -> Subscribers:
    """The editor's subscriber list: the table, the confirmation queue for invitations."""
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.sqs_send_queue import SqsConfirmationRequests
    from shared.newsletter.subscribers import Subscribers

    return Subscribers(DynamoNewsletterStore(settings.newsletter_table_name),
                       SqsConfirmationRequests(settings.confirm_queue_url),
                       signing_secret(settings.signing_secret_arn))
