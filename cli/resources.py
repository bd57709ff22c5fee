"""The stack's resources as the CLI finds them: through the SSM parameters the stack writes."""

from __future__ import annotations

import sys

from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
from shared.adapters.dynamodb_registrations import DynamoRegistrationStore
from shared.adapters.parameters import MissingParameter, parameter
from shared.forums.catalogue import Catalogue
from shared.names import PARAM_FORUMS_TABLE, PARAM_REGISTRATIONS_TABLE


def _parameter(name: str) -> str:
    try:
        return parameter(name)
    except MissingParameter:
        sys.exit(f"Parameteren {name} findes ikke. Er stakken udrullet, eller peger "
                 "AWS_ENDPOINT_URL på den lokale emulator (make run viser adressen)?")


def catalogue() -> Catalogue:
    return Catalogue(DynamoCatalogueStore(_parameter(PARAM_FORUMS_TABLE)))


def catalogue_reader() -> DynamoCatalogueStore:
    return DynamoCatalogueStore(_parameter(PARAM_FORUMS_TABLE))


def registration_store() -> DynamoRegistrationStore:
    return DynamoRegistrationStore(_parameter(PARAM_REGISTRATIONS_TABLE),
                                   _parameter(PARAM_FORUMS_TABLE))
