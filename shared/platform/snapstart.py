"""Lambda SnapStart: what a function does before its snapshot, so that a restored environment
serves its first event warm.

With SnapStart (`snap_start` in the configuration) Lambda runs a function's initialisation
when a version is published, runs the hooks registered with `snapshot_restore_py` (a library
in Lambda's Python runtimes, not shipped here), and snapshots the memory; new environments
resume from the snapshot. What the first event would otherwise load on first use (the AWS
service models and endpoint rules its clients read, the email validator, the email
templates, the calendar library, the Encryption SDK's modules) is loaded in the hook
instead. Nothing unique or secret is made there: no id, token, secret or clock reading, no
request of any kind, and no client: a client resolves credentials (which would then be kept
in the snapshot) and makes a TLS context (which starts OpenSSL's random generator, whose
state every restored environment would share), so clients are made after the restore, from
the models already loaded. Python's `random` is seeded again after a restore, since every
environment resumes the same memory.

Outside Lambda, and in Lambda without SnapStart, no hook runs: the same loading happens on
first use, as before."""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterable

from shared.adapters.aws import session
from shared.platform.observability import logger

Step = Callable[[], object] | str
# The steps that failed before this process's snapshot, by name (the benchmark reads it).
failed: list[str] = []


def prime(clients: Iterable[str] = (), steps: Iterable[Step] = ()) -> None:
    """Registers the work done before the snapshot: the service model and endpoint rules of
    each of `clients` (services by botocore's name), then each of `steps` (a callable, or
    `"module:function"`, imported only then). Priming is an optimisation: a step that fails
    is logged and skipped (the function then loads it on first use), never a failed
    snapshot."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:  # not in Lambda's runtime: no snapshot is ever taken
        return
    services, work = tuple(clients), tuple(steps)

    def before_snapshot() -> None:
        models = (_botocore_data, *(_models_of(service) for service in services))
        for step in (*(models if services else ()), *work):
            try:
                _callable(step)()
            except Exception as error:
                name = step if isinstance(step, str) else step.__qualname__
                failed.append(name)
                logger.warning("snapshot priming step failed",
                               extra={"step": name, "error": type(error).__name__})

    register_before_snapshot(before_snapshot)
    register_after_restore(reseed)


def reseed() -> None:
    """Every restored environment resumes the same generator state: seeded again from the
    system's entropy (retry jitter and log sampling use it; ids and tokens use `secrets`)."""
    random.seed()


def _callable(step: Step) -> Callable[[], object]:
    if callable(step):
        return step
    module, _, name = step.partition(":")
    found: Callable[[], object] = getattr(importlib.import_module(module), name)
    return found


def _botocore_data() -> None:
    """What making any client reads, once for all services (botocore keeps it in its
    session's loader)."""
    loader = session().get_component("data_loader")
    for data in ("endpoints", "partitions", "_retry", "sdk-default-configuration"):
        loader.load_data(data)


def _models_of(service: str) -> Callable[[], object]:
    """What making a client of `service` reads besides, without making the client."""

    def load() -> object:
        botocore = session()
        botocore.get_component("data_loader").load_service_model(service, "endpoint-rule-set-1")
        return botocore.get_service_model(service)

    load.__qualname__ = f"models of {service}"
    return load
