"""The stack's resources as the CLI finds them: through the SSM parameters the stack writes."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from shared.adapters import wiring
from shared.adapters.parameters import MissingParameter, parameter

if TYPE_CHECKING:
    from shared.adapters.dynamodb_advisory import DynamoAdvisoryStore
    from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
    from shared.advisory.service import Desk
    from shared.forums.catalogue import Catalogue
    from shared.newsletter.editor import Editor
    from shared.newsletter.service import Newsletter
    from shared.privacy.ports import Holder
    from shared.privacy.service import Privacy
from shared.platform.names import (
    PARAM_ADVISORY_KEY,
    PARAM_ADVISORY_LOOKUP_SECRET,
    PARAM_ADVISORY_TABLE,
    PARAM_FORUMS_TABLE,
    PARAM_NEWSLETTER_SETTINGS,
    PARAM_NORMAL_QUEUE,
    PARAM_PRIVACY_AUDIT_TABLE,
    PARAM_REGISTRATIONS_TABLE,
    PARAM_URGENT_QUEUE,
)


def _parameter(name: str) -> str:
    try:
        return parameter(name)
    except MissingParameter:
        sys.exit(f"Parameteren {name} findes ikke. Er stakken udrullet, eller peger "
                 "AWS_ENDPOINT_URL på den lokale emulator (make run viser adressen)?")


def catalogue() -> Catalogue:
    """The catalogue as the secretariat imports it (seats added go to the waiting list)."""
    return wiring.catalogue_service(_parameter(PARAM_FORUMS_TABLE),
                                    _parameter(PARAM_REGISTRATIONS_TABLE))


def catalogue_store() -> DynamoCatalogueStore:
    return wiring.catalogue_store(_parameter(PARAM_FORUMS_TABLE))


def registration_store() -> DynamoRegistrationStore:
    return wiring.registration_store(_parameter(PARAM_REGISTRATIONS_TABLE),
                                     _parameter(PARAM_FORUMS_TABLE))


def consultant() -> str:
    """Who pulls: the caller's identity, so a lease names its holder."""
    from shared.adapters.aws import client

    return str(client("sts").get_caller_identity()["Arn"])


def desk(by: str | None = None) -> Desk:
    """The consultant's desk; leases and audit entries name `by` (a console user's address)
    or else the caller's AWS identity."""
    from shared.adapters.cloudwatch_metrics import CloudWatchCounter

    return wiring.desk(advisory_table=_parameter(PARAM_ADVISORY_TABLE),
                       key_arn=_parameter(PARAM_ADVISORY_KEY),
                       urgent_queue=_parameter(PARAM_URGENT_QUEUE),
                       normal_queue=_parameter(PARAM_NORMAL_QUEUE), by=by or consultant(),
                       metrics=CloudWatchCounter("consultant"))


def advisory_store() -> DynamoAdvisoryStore:
    return wiring.advisory_store(_parameter(PARAM_ADVISORY_TABLE))


def newsletter() -> Newsletter:
    """The newsletter service with the settings the stack gave its functions."""
    import json

    from shared.platform.settings import NewsletterSettings

    settings = NewsletterSettings.model_validate(
        json.loads(_parameter(PARAM_NEWSLETTER_SETTINGS)))
    return wiring.newsletter(settings)


def newsletter_editor() -> Editor:
    """The editor's flows with the settings the stack gave the newsletter's functions."""
    import json

    from shared.platform.settings import NewsletterEditorSettings

    return wiring.newsletter_editor(NewsletterEditorSettings.model_validate(
        json.loads(_parameter(PARAM_NEWSLETTER_SETTINGS))))


def newsletter_store() -> DynamoNewsletterStore:
    import json

    from shared.platform.names import ENV_NEWSLETTER_TABLE

    settings = json.loads(_parameter(PARAM_NEWSLETTER_SETTINGS))
    return wiring.newsletter_store(settings[ENV_NEWSLETTER_TABLE])


def privacy(areas: tuple[str, ...]) -> Privacy:
    """Export and erasure across the chosen areas, audited. Only the holders asked for are
    built, so each role needs only the rights of its own areas."""
    import json

    from shared.platform.names import ENV_NEWSLETTER_TABLE, ENV_SIGNING_SECRET

    newsletter_settings = (json.loads(_parameter(PARAM_NEWSLETTER_SETTINGS))
                           if "newsletter" in areas else {})
    return wiring.privacy(
        audit_table=_parameter(PARAM_PRIVACY_AUDIT_TABLE), by=consultant(),
        registrations=registration_store() if "forums" in areas else None,
        newsletter_table=newsletter_settings.get(ENV_NEWSLETTER_TABLE),
        newsletter_secret=wiring.signing_secret(newsletter_settings[ENV_SIGNING_SECRET])
        if newsletter_settings else b"",
        advisory=_advisory_holder() if "advisory" in areas else None)


def _advisory_holder() -> Holder:
    """The consultant's role finds and opens advisory requests; any other role is told so."""
    from botocore.exceptions import ClientError

    from shared.privacy.holders import NotPermitted

    try:
        table, key = parameter(PARAM_ADVISORY_TABLE), parameter(PARAM_ADVISORY_KEY)
        secret = parameter(PARAM_ADVISORY_LOOKUP_SECRET)
        # Each request an export shows is entered in the consultant's audit first, as in the
        # console.
        return wiring.advisory_holder(advisory_table=table, key_arn=key,
                                      lookup_secret_arn=secret, exported=desk().exported)
    except ClientError:  # AccessDenied: not the consultant's role
        return NotPermitted("advisory")


def advisory_lookup_secret() -> bytes:
    """The secret of the keyed hashes of senders' addresses (the consultant's role reads it)."""
    return wiring.signing_secret(_parameter(PARAM_ADVISORY_LOOKUP_SECRET))
