"""SnapStart priming: what each function loads before its snapshot, through Lambda's own hooks
library (`snapshot_restore_py`, installed for the tests as Lambda's Python runtimes have it)."""

from __future__ import annotations

import ast
import importlib
import random
import sys
from pathlib import Path

import pytest
import snapshot_restore_py

from shared import snapstart
from shared.adapters import aws

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> tuple[list, list]:  # type: ignore[type-arg]
    """Empty registries for the test (the handlers imported elsewhere register theirs)."""
    before: list = []  # type: ignore[type-arg]
    after: list = []  # type: ignore[type-arg]
    monkeypatch.setattr(snapshot_restore_py, "_before_snapshot_registry", before)
    monkeypatch.setattr(snapshot_restore_py, "_after_restore_registry", after)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws.reset_clients()
    yield before, after
    aws.reset_clients()


def _run(registry: list) -> None:  # type: ignore[type-arg]
    for hook, args, kwargs in registry:
        hook(*args, **kwargs)


def test_before_the_snapshot_the_clients_are_made_and_each_step_runs(hooks) -> None:  # type: ignore[no-untyped-def]
    before, after = hooks
    ran: list[str] = []
    snapstart.prime(clients=("dynamodb", "sqs"), steps=(lambda: ran.append("step"),))
    assert len(before) == 1 and len(after) == 1
    assert aws.created_clients() == []  # registering loads nothing: only the hook does
    _run(before)
    assert aws.created_clients() == ["dynamodb", "sqs"] and ran == ["step"]


def test_a_failing_step_is_logged_and_the_rest_still_run(hooks, caplog) -> None:  # type: ignore[no-untyped-def]
    before, _ = hooks
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("kold-start@example.dk")

    snapstart.prime(clients=("dynamodb",), steps=(broken, "shared.no_such_module:prime",
                                                  lambda: ran.append("last")))
    _run(before)  # never raises: a failed step only costs its warm start
    assert ran == ["last"] and aws.created_clients() == ["dynamodb"]
    assert snapstart.failed[-2:] == [broken.__qualname__, "shared.no_such_module:prime"]
    failures = [record for record in caplog.records
                if record.getMessage() == "snapshot priming step failed"]
    assert [record.error for record in failures] == ["RuntimeError", "ModuleNotFoundError"]
    assert "example.dk" not in caplog.text  # the error's text is not logged


def test_after_a_restore_the_random_generator_is_seeded_again(hooks) -> None:  # type: ignore[no-untyped-def]
    _, after = hooks
    snapstart.prime()
    random.seed(7)  # every restored environment would resume this same state
    snapshot = random.getstate()
    _run(after)
    assert random.getstate() != snapshot


def test_outside_lambdas_runtime_nothing_is_registered(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails
    snapstart.prime(clients=("dynamodb",))  # no error, nothing to run


def _prime_calls() -> dict[str, ast.Call]:
    calls = {}
    for handler in sorted(FUNCTIONS.glob("*/handler.py")):
        tree = ast.parse(handler.read_text())
        found = [node.value for node in tree.body if isinstance(node, ast.Expr)
                 and isinstance(node.value, ast.Call) and ast.unparse(node.value.func)
                 == "snapstart.prime"]
        calls[handler.parent.name] = found[0] if found else None
    return calls  # type: ignore[return-value]


def test_every_function_primes_its_snapshot_with_steps_that_exist() -> None:
    calls = _prime_calls()
    assert calls and all(calls.values()), [name for name, call in calls.items() if not call]
    for name, call in calls.items():
        for keyword in call.keywords:
            for element in getattr(keyword.value, "elts", []):
                if isinstance(element, ast.Constant) and keyword.arg == "steps":
                    module, _, attribute = element.value.partition(":")
                    assert callable(getattr(importlib.import_module(module), attribute)), name
                elif isinstance(element, ast.Constant):
                    assert element.value in {"dynamodb", "sqs", "sesv2", "secretsmanager"}, name


def test_the_shared_priming_steps_load_what_first_use_would(hooks) -> None:  # type: ignore[no-untyped-def]
    from shared import forms
    from shared.email import render
    from shared.forums import calendar

    forms.prime()
    render.prime()
    calendar.prime()
    assert {"email_validator", "phonenumbers", "jinja2", "icalendar"} <= set(sys.modules)
    assert render._environment().cache  # type: ignore[attr-defined]  # templates compiled
