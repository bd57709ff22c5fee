"""Daily: reminds every confirmed participant of sessions a configured number of days ahead.

Each reminder goes out once, however often the schedule fires or the job is retried."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.wiring import catalogue_store, notifier, registration_store
from shared.forums.registration.email_kinds import EmailKind
from shared.forums.registration.models import Status
from shared.forums.registration.service import reminder_window
from shared.platform import snapstart
from shared.platform.clock import utcnow
from shared.platform.observability import logger, metrics
from shared.platform.settings import RegistrationSettings

settings = RegistrationSettings()  # type: ignore[call-arg]


def send_reminders() -> int:
    start, end = reminder_window(utcnow(), settings.reminder_days_before)
    catalogue = catalogue_store(settings.forums_table_name)
    store = registration_store(settings.registrations_table_name, settings.forums_table_name)
    sent = 0
    for session in catalogue.sessions():
        if session.cancelled or not start < session.starts_at <= end:
            continue
        for registration in store.registrations(session.id):
            # The notifier (templates, MIME, calendar) is built when a reminder is due.
            if registration.status is Status.CONFIRMED and notifier(settings).send(
                EmailKind.REMINDER, registration, days_before=settings.reminder_days_before
            ):
                sent += 1
    return sent


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    sent = send_reminders()
    logger.info("reminders sent", extra={"count": sent})
    metrics.add_metric(name=EmailKind.REMINDER.metric, unit=MetricUnit.Count, value=sent)
    return {"sent": sent}


# Loaded before a SnapStart snapshot (see shared/platform/snapstart.py); on first use without it.
snapstart.prime(clients=("dynamodb", "secretsmanager", "sesv2"),
                steps=("shared.email.render:prime",
                       "shared.forums.calendar:prime"))
