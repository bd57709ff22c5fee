"""Forcing an interleaving: run a step just before a given AWS call of this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from shared.adapters.aws import client


@contextmanager
def before_write(operation: str, step: Callable[[], Any]) -> Iterator[list[str]]:
    """Run `step` once, just before the first `operation` call of this process's client."""
    done: list[str] = []

    def hook(**_: Any) -> None:
        if not done:
            done.append(operation)
            step()

    dynamodb = client("dynamodb")
    dynamodb.meta.events.register(f"before-call.dynamodb.{operation}", hook,
                                  unique_id="interleave")
    try:
        yield done
    finally:
        dynamodb.meta.events.unregister(f"before-call.dynamodb.{operation}",
                                        unique_id="interleave")
