"""`make bench`: run every benchmark and write BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime

from bench import api_fuzz, cold_start, newsletter_send, registration_burst
from local.emulator import Emulator
from local.plan import build_plan
from local.synth import ROOT, load_template
from shared.adapters.aws import reset_clients

COMMAND = "make bench"
COLD_START_TARGET = 1.3


def main() -> None:
    burst = registration_burst.run()
    fuzzed = api_fuzz.run()
    plan = build_plan(load_template())
    emulator = Emulator("eu-north-1")
    emulator.start()
    os.environ.update(emulator.environment)
    reset_clients()
    try:
        emulator.build(plan)
        from local.runtime import LocalRuntime

        LocalRuntime.load_demo_into(emulator)
        cold_start.seed_registration(emulator)
        rows = cold_start.measure(plan, emulator)
        sending = newsletter_send.run(plan, emulator)
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
        "imports boto3 and creates the same clients (those of the function's last run: later "
        "runs of the consumers find their email already sent). Median of 9 interleaved runs. "
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
    lines += [
        "",
        "## Registration burst",
        "",
        f"{burst['attempts']} registration attempts ({burst['people']} people, the rest "
        f"submitting twice) from {burst['threads']} threads over HTTP against the local runtime, "
        f"on one session of {burst['seats']} seats. The floor is the same attempts made with "
        "the bare AWS calls of the registration store (no API, no function), from the same "
        "threads against the same emulator. Targets: overbooked, lost and duplicates 0; "
        "throughput at least 0.7 of the floor; at most 3 AWS calls per registration.",
        "",
        "| overbooked | lost | duplicates | confirmed | waitlisted | throughput /s | "
        "floor /s | ratio | p50 ms | p99 ms | AWS calls per registration |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {burst['overbooked']} | {burst['lost']} | {burst['duplicates']} | "
        f"{burst['confirmed']} | {burst['waitlisted']} | {burst['throughput']:.0f} | "
        f"{burst['floor_throughput']:.0f} | {burst['ratio']:.2f} | {burst['p50_ms']:.0f} | "
        f"{burst['p99_ms']:.0f} | {burst['calls_per_registration']:.2f} |",
    ]
    lines += [
        "",
        "## Newsletter send",
        "",
        f"One issue to {sending['subscribers']} confirmed subscribers, the sending rate set to "
        f"{sending['configured_rate']:.0f}/s (a figure the emulator sustains), shared by "
        f"{sending['workers']} sender workers; SES throttles {sending['throttle_share']:.0%} "
        "of sends (fault injection), which are backed off, retried and, when retries run out, "
        "returned to the queue. Targets: achieved rate at least 0.9 of the configured rate; "
        "duplicates and missing 0.",
        "",
        "| subscribers | sent | throttled sends | seconds | achieved /s | configured /s | "
        "ratio | duplicates | missing |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {sending['subscribers']} | {sending['sent']} | {sending['throttled']} | "
        f"{sending['seconds']:.0f} | {sending['achieved_rate']:.1f} | "
        f"{sending['configured_rate']:.0f} | {sending['ratio']:.2f} | "
        f"{sending['duplicates']} | {sending['missing']} |",
    ]
    lines += [
        "",
        "## Fuzzed API",
        "",
        "schemathesis (`st run docs/openapi.json`, all phases: examples, coverage, fuzzing, "
        f"stateful) against the local runtime with the demo data, {fuzzed['max_examples']} "
        "examples per operation and phase; checks: "
        f"{', '.join(api_fuzz.CHECKS)}. Target: at least 1,000 cases, no failure. "
        "`make test` runs the same with fewer cases (tests/fuzz).",
        "",
        "| operations | cases | failures | exit code |",
        "| ---: | ---: | ---: | ---: |",
        f"| {fuzzed['operations']} | {fuzzed['cases']} | {len(fuzzed['failures'])} | "
        f"{fuzzed['exit_code']} |",
    ]
    lines += [f"- {failure}" for failure in fuzzed["failures"]]
    text = "\n".join(lines) + "\n"
    (ROOT / "BENCHMARKS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
