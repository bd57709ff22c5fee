"""What keeps cold starts lean, checked as behaviour: settings validated from the environment
without pydantic-settings, the REST resolver without the other resolvers of Powertools'
event_handler package (whose every name stays importable), clients without boto3."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from shared.platform.names import (
    ENV_FORUMS_TABLE,
    ENV_PUBLIC_URL,
    ENV_REGISTRATIONS_TABLE,
    ENV_REMINDER_DAYS,
    ENV_SENDER_ADDRESS,
    ENV_SIGNING_SECRET,
)
from shared.platform.settings import ForumsApiSettings, RegistrationSettings

REGISTRATION_ENV = {
    ENV_FORUMS_TABLE: "forums",
    ENV_REGISTRATIONS_TABLE: "registrations",
    ENV_SIGNING_SECRET: "arn:aws:secretsmanager:eu-north-1:123456789012:secret:s",
    ENV_PUBLIC_URL: "https://ledere.example.dk",
    ENV_SENDER_ADDRESS: "forum@ledere.example.dk",
}


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_FORUMS_TABLE, "forums-from-env")
    assert ForumsApiSettings().forums_table_name == "forums-from-env"
    # Arguments take precedence, by field name or by variable name.
    assert ForumsApiSettings(forums_table_name="given").forums_table_name == "given"
    assert ForumsApiSettings(**{ENV_FORUMS_TABLE: "given"}).forums_table_name == "given"


def test_settings_are_validated_with_their_constraints(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.platform import names

    for name in dir(names):
        if name.startswith("ENV_"):
            monkeypatch.delenv(getattr(names, name), raising=False)
    with pytest.raises(ValidationError) as missing:
        ForumsApiSettings()
    assert missing.value.errors()[0]["loc"] == (ENV_FORUMS_TABLE,)
    for variable, value in REGISTRATION_ENV.items():
        monkeypatch.setenv(variable, value)
    settings = RegistrationSettings()
    assert settings.reminder_days_before == 2  # the default
    assert hash(settings) == hash(RegistrationSettings())  # frozen: the wiring caches by it
    monkeypatch.setenv(ENV_REMINDER_DAYS, "31")
    with pytest.raises(ValidationError):
        RegistrationSettings()
    monkeypatch.setenv(ENV_PUBLIC_URL, "ftp://ledere.example.dk")
    monkeypatch.setenv(ENV_REMINDER_DAYS, "3")
    with pytest.raises(ValidationError):
        RegistrationSettings()


def _fresh(code: str) -> dict[str, object]:
    """Runs `code` in a fresh interpreter and returns the JSON it prints last."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "POWERTOOLS_SERVICE_NAME": "test"})
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_rest_resolver_comes_without_the_other_resolvers() -> None:
    found = _fresh(
        "import json, sys\n"
        "import shared.edge.http\n"
        "lean = sorted(m for m in ('aws_lambda_powertools.event_handler.appsync', 'asyncio',"
        " 'aws_lambda_powertools.event_handler.bedrock_agent', 'pydantic_settings', 'boto3')"
        " if m in sys.modules)\n"
        "from aws_lambda_powertools.event_handler import AppSyncResolver, Response\n"
        "from aws_lambda_powertools.event_handler.api_gateway import Response as Direct\n"
        "print(json.dumps({'loaded': lean, 'same': Response is Direct,"
        " 'appsync': AppSyncResolver.__name__}))\n")
    assert found == {"loaded": [], "same": True, "appsync": "AppSyncResolver"}


def test_clients_come_from_one_botocore_session_without_boto3() -> None:
    found = _fresh(
        "import json, os, sys\n"
        "os.environ.setdefault('AWS_DEFAULT_REGION', 'eu-north-1')\n"
        "from shared.adapters import aws\n"
        "ddb, again, sqs = aws.client('dynamodb'), aws.client('dynamodb'), aws.client('sqs')\n"
        "print(json.dumps({'boto3': 'boto3' in sys.modules, 'reused': ddb is again,"
        " 'clients': aws.created_clients()}))\n")
    assert found == {"boto3": False, "reused": True, "clients": ["dynamodb", "sqs"]}
