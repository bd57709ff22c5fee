"""SnapStart priming: what each function loads before its snapshot, through Lambda's own hooks
library (`snapshot_restore_py`, installed for the tests as Lambda's Python runtimes have it)."""

from __future__ import annotations

import ast
import importlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
import snapshot_restore_py

from shared.adapters import aws
from shared.platform import snapstart

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


@pytest.fixture
def loads(hooks: tuple[list, list], monkeypatch: pytest.MonkeyPatch  # type: ignore[type-arg]
          ) -> list[tuple[str, str]]:
    """Every model the session's loader is asked for from now on, (service, kind), through
    the loader's public `load_service_model` (botocore caches what it returns)."""
    loader = aws.session().get_component("data_loader")
    original = loader.load_service_model
    asked: list[tuple[str, str]] = []

    def load_service_model(service: str, type_name: str, api_version: str | None = None) -> object:
        asked.append((service, type_name))
        return original(service, type_name, api_version)

    monkeypatch.setattr(loader, "load_service_model", load_service_model)
    return asked


def _loaded(asked: list[tuple[str, str]], service: str) -> set[str]:
    """The kinds of the service's models asked for (service-2, endpoint rules)."""
    return {kind for name, kind in asked if name == service} & {"service-2", "endpoint-rule-set-1"}


def test_before_the_snapshot_the_models_are_loaded_and_each_step_runs(hooks, loads) -> None:  # type: ignore[no-untyped-def]
    before, after = hooks
    ran: list[str] = []
    snapstart.prime(clients=("dynamodb", "sqs"), steps=(lambda: ran.append("step"),))
    assert len(before) == 1 and len(after) == 1
    assert not _loaded(loads, "dynamodb")  # registering loads nothing: only the hook does
    _run(before)
    assert ran == ["step"]
    for service in ("dynamodb", "sqs"):
        assert _loaded(loads, service) == {"service-2", "endpoint-rule-set-1"}
    # No client: it would resolve credentials and make a TLS context, both then kept in the
    # snapshot and shared by every restored environment.
    assert aws.created_clients() == []


def test_a_failing_step_is_logged_and_the_rest_still_run(hooks, loads, caplog) -> None:  # type: ignore[no-untyped-def]
    before, _ = hooks
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("kold-start@example.dk")

    snapstart.prime(clients=("dynamodb",), steps=(broken, "shared.no_such_module:prime",
                                                  lambda: ran.append("last")))
    _run(before)  # never raises: a failed step only costs its warm start
    assert ran == ["last"] and _loaded(loads, "dynamodb")
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
                    assert element.value in {"dynamodb", "sqs", "sesv2", "secretsmanager",
                                             "cognito-idp"}, name


def test_the_shared_priming_steps_load_what_first_use_would() -> None:
    """In a fresh interpreter: this one has loaded all of it already."""
    found = subprocess.run([sys.executable, "-c", (
        "import json, sys\n"
        "from shared import forms\n"
        "from shared.adapters import sealing\n"
        "from shared.email import render\n"
        "from shared.forums import calendar\n"
        "names = ('email_validator', 'phonenumbers', 'jinja2', 'icalendar',"
        " 'aws_encryption_sdk', 'cryptography')\n"
        "before = [n for n in names if n in sys.modules]\n"
        "forms.prime(); render.prime(); calendar.prime(); sealing.prime()\n"
        "environment = render._environment()\n"
        "print(json.dumps({'before': before, 'after': [n for n in names if n in sys.modules],"
        " 'compiled': len(environment.cache), 'templates': len(environment.list_templates()),"
        " 'clients': aws.created_clients() if (aws := sys.modules.get('shared.adapters.aws'))"
        " else []}))\n")],
        capture_output=True, text=True, check=True,
        env={**os.environ, "POWERTOOLS_SERVICE_NAME": "test"})
    loaded = json.loads(found.stdout.strip().splitlines()[-1])
    assert loaded["before"] == [] and len(loaded["after"]) == 6, loaded
    assert loaded["compiled"] == loaded["templates"] > 10 and loaded["clients"] == []
