"""boto3 clients, created once per process on first use.

boto3 honours AWS_ENDPOINT_URL, which is how the same code reaches the local emulator."""

from __future__ import annotations

from typing import Any

_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    if service not in _clients:
        import boto3  # imported on first use: routes that need no AWS stay lean

        _clients[service] = boto3.session.Session().client(service)  # type: ignore[call-overload]
    return _clients[service]


def created_clients() -> list[str]:
    """The services this process has clients for (cold-start benchmarks compare against them)."""
    return sorted(_clients)


def reset_clients() -> None:
    """Forget every client, e.g. after the endpoint or credentials changed."""
    _clients.clear()
