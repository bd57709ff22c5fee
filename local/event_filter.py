"""Lambda event filtering (an event source mapping's `FilterCriteria`), for the local pollers.

A record goes to the function when any of the mapping's filters matches it; Lambda drops the
others (AWS Lambda Developer Guide, "Control which events Lambda sends to your function").
A pattern is a JSON object whose leaves are lists of values: each key of the pattern must be
in the record, and a leaf matches when the record's value equals one of the listed values.
The comparison operators (`prefix`, `anything-but`, `numeric`, `exists`, …) are not emulated:
a template that uses one stops the runtime at start (`ValueError`, which the plan reports as
an unsupported resource), instead of delivering records AWS would not, or dropping records AWS
would deliver."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def parse_filters(criteria: Mapping[str, Any] | None) -> tuple[dict[str, Any], ...]:
    """The patterns of a `FilterCriteria` property, checked to use only what is emulated."""
    patterns = tuple(json.loads(f["Pattern"]) for f in (criteria or {}).get("Filters", []))
    for pattern in patterns:
        _check(pattern, "")
    return patterns


def admits(patterns: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> bool:
    """Whether Lambda would hand this record to the function (no filters: every record)."""
    return not patterns or any(_matches(p, record) for p in patterns)


def _check(pattern: Any, path: str) -> None:
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            _check(value, f"{path}.{key}")
    elif isinstance(pattern, list):
        if not pattern or any(isinstance(v, dict | list) for v in pattern):
            raise ValueError(
                f"event filter at {path[1:]}: only lists of exact values are emulated, "
                f"got {json.dumps(pattern)[:200]}")
    else:
        raise ValueError(f"event filter at {path[1:]}: a leaf must be a list")


def _matches(pattern: Mapping[str, Any], value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    for key, expected in pattern.items():
        if key not in value:
            return False
        found = value[key]
        if isinstance(expected, dict):
            if not _matches(expected, found):
                return False
        else:
            candidates = found if isinstance(found, list) else [found]
            if not any(c == e and type(c) is type(e) for c in candidates for e in expected):
                return False
    return True
