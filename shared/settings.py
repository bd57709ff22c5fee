"""Each function's settings, read from its environment and validated once when it starts."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.names import ENV_FORUMS_TABLE


class ForumsApiSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, populate_by_name=True)

    forums_table_name: str = Field(min_length=1, validation_alias=ENV_FORUMS_TABLE)
