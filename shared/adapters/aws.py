"""boto3 clients, created once per process on first use.

boto3 honours AWS_ENDPOINT_URL, which is how the same code reaches the local emulator."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3  # imported on first use: keeps cold starts of routes that need no AWS lean

    return boto3.session.Session().client(service)  # type: ignore[call-overload]
