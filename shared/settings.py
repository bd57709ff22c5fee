"""Each function's settings, read from its environment and validated once when it starts."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.names import (
    ENV_CONFIGURATION_SET,
    ENV_FORUMS_TABLE,
    ENV_PUBLIC_URL,
    ENV_REGISTRATIONS_TABLE,
    ENV_REMINDER_DAYS,
    ENV_RETENTION_DAYS,
    ENV_SENDER_ADDRESS,
    ENV_SIGNING_SECRET,
)


class ForumsApiSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, populate_by_name=True)

    forums_table_name: str = Field(min_length=1, validation_alias=ENV_FORUMS_TABLE)


class RegistrationSettings(BaseSettings):
    """Registration, its emails and reminders."""

    model_config = SettingsConfigDict(frozen=True, populate_by_name=True)

    forums_table_name: str = Field(min_length=1, validation_alias=ENV_FORUMS_TABLE)
    registrations_table_name: str = Field(min_length=1, validation_alias=ENV_REGISTRATIONS_TABLE)
    signing_secret_arn: str = Field(min_length=1, validation_alias=ENV_SIGNING_SECRET)
    public_url: str = Field(pattern=r"^https?://", validation_alias=ENV_PUBLIC_URL)
    sender_address: str = Field(min_length=3, validation_alias=ENV_SENDER_ADDRESS)
    configuration_set: str | None = Field(default=None, validation_alias=ENV_CONFIGURATION_SET)
    reminder_days_before: int = Field(default=2, ge=1, le=30, validation_alias=ENV_REMINDER_DAYS)
    retention_days: int = Field(default=365, ge=1, validation_alias=ENV_RETENTION_DAYS)
