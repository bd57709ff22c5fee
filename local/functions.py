"""Lambda functions run locally: each function gets worker processes of its own (its own
environment and imports, as a Lambda execution environment has), started on first use."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_handler: Any = None
_aws_calls = 0
_function_name = ""
_memory = 128
_timeout = 3


class LocalContext:
    """What Powertools and handlers read from the Lambda context."""

    def __init__(self, function_name: str, memory: int, timeout: int, region: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        )
        self.memory_limit_in_mb = memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def _init_worker(environment: dict[str, str], handler: str, name: str, memory: int,
                 timeout: int, log_file: str | None) -> None:
    global _handler, _function_name, _memory, _timeout
    # Ctrl-C reaches the whole process group; the runtime stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_file:
        stream = open(log_file, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - process-long
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
    os.environ.clear()
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    _count_aws_calls()
    module_name, _, attribute = handler.rpartition(".")
    _handler = getattr(importlib.import_module(module_name), attribute)
    _function_name, _memory, _timeout = name, memory, timeout


def _count_aws_calls() -> None:
    """Every AWS API call the function makes is counted through botocore's events."""
    import botocore.session

    create_client = botocore.session.Session.create_client

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = create_client(self, *args, **kwargs)
        client.meta.events.register("before-call.*.*", _on_call)
        return client

    botocore.session.Session.create_client = counting  # type: ignore[method-assign]


def _on_call(**_: Any) -> None:
    global _aws_calls
    _aws_calls += 1


def _invoke(event: dict[str, Any]) -> tuple[Any, int]:
    context = LocalContext(_function_name, _memory, _timeout, os.environ.get("AWS_REGION", ""))
    before = _aws_calls
    result = _handler(event, context)
    return result, _aws_calls - before


class FunctionError(Exception):
    """The function raised (Lambda reports this as an unhandled error)."""


class LocalFunction:
    def __init__(self, name: str, handler: str, environment: dict[str, str], *, memory: int,
                 timeout: int, concurrency: int = 2, log_file: Path | None = None) -> None:
        self.name = name
        self.handler = handler
        self.environment = environment
        self.timeout = timeout
        self.invocations = 0
        self.aws_calls = 0
        self._stats = threading.Lock()
        self._pool = ProcessPoolExecutor(
            max_workers=concurrency,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(environment, handler, name, memory, timeout,
                      str(log_file) if log_file else None),
        )

    def invoke(self, event: dict[str, Any]) -> Any:
        future = self._pool.submit(_invoke, event)
        try:
            # A cold start imports the handler first; allow for it on top of the timeout.
            result, calls = future.result(timeout=self.timeout + 30)
        except Exception as exc:
            raise FunctionError(f"{self.name}: {type(exc).__name__}") from exc
        with self._stats:
            self.invocations += 1
            self.aws_calls += calls
        return result

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
