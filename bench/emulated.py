"""The emulator every benchmark runs against: built from the synthesized template, with this
process's clients pointed at it, stopped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from local.emulator import Emulator
from local.plan import Plan, build_plan
from local.synth import load_template
from shared.adapters.aws import reset_clients


@contextmanager
def emulated() -> Iterator[tuple[Plan, Emulator]]:
    plan = build_plan(load_template())
    emulator = Emulator("eu-north-1")
    emulator.start()
    os.environ.update(emulator.environment)
    reset_clients()
    try:
        emulator.build(plan)
        yield plan, emulator
    finally:
        emulator.stop()
