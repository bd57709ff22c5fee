"""`make bench`: run every benchmark and write BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime

from bench import cold_start
from local.emulator import Emulator
from local.plan import build_plan
from local.synth import ROOT, load_template

COMMAND = "make bench"
COLD_START_TARGET = 1.3


def main() -> None:
    plan = build_plan(load_template())
    emulator = Emulator("eu-north-1")
    emulator.start()
    os.environ.update(emulator.environment)
    try:
        emulator.build(plan)
        from local.runtime import LocalRuntime

        LocalRuntime.load_demo_into(emulator)
        rows = cold_start.measure(plan, emulator)
    finally:
        emulator.stop()

    lines = [
        "# Benchmarks",
        "",
        f"Made by `{COMMAND}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Figures are ratios against a floor measured in the same run; milliseconds are shown "
        "for orientation only.",
        "",
        "## Cold start per function",
        "",
        "A fresh process imports the handler module with the function's environment and serves "
        "a first API request against the local emulator; the floor is a fresh process that "
        "imports boto3 and creates the same clients. Median of 9 interleaved runs. "
        f"Target: at most {COLD_START_TARGET}x the floor.",
        "",
        "| function | clients | cold start ms | floor ms | ratio | target met |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        met = "yes" if row["ratio"] <= COLD_START_TARGET else "no"
        lines.append(
            f"| {row['function']} | {', '.join(row['clients'])} | {row['function_ms']:.0f} | "
            f"{row['floor_ms']:.0f} | {row['ratio']:.2f} | {met} |"
        )
    text = "\n".join(lines) + "\n"
    (ROOT / "BENCHMARKS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
