"""`make bench`: run every benchmark and write BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from typing import Any

from bench import (
    advisory_privacy,
    api_fuzz,
    cold_start,
    newsletter_send,
    registration_burst,
    subscribers,
)
from bench.emulated import emulated
from local.synth import ROOT

COMMAND = "make bench"


def cold_start_section(runtime: cold_start.Runtime, rows: list[dict[str, Any]],
                       rounds: int) -> list[str]:
    ratios = [row["ratio"] for row in rows]
    meeting = [row for row in rows if row["ratio"] <= cold_start.TARGET]
    lines = [
        "## Cold start per function",
        "",
        f"Headline: import plus first event without SnapStart (how every function starts "
        f"in the default deploy) costs {min(ratios):.2f}-{max(ratios):.2f}x the floor; "
        f"{len(meeting)} of {len(rows)} functions meet the target of {cold_start.TARGET}x.",
        "",
        "As Lambda pays it: a fresh process of the runtime's Python "
        f"({runtime.version}) with the built assets on its path and no site-packages (the code "
        "asset and the dependencies layer with the hash-based byte code they ship; the layer's "
        "arm64 wheels replaced by the same versions for this machine) imports the handler with the "
        "function's environment and serves a first event against the local emulator (an API "
        "request, a stream record, a queue message or a schedule's input), then exits at once. "
        "The floor: a fresh process of the same Python and layer that imports boto3 and "
        "creates the clients the function created. Both as the child's CPU time (user + "
        f"system), median of {rounds} interleaved rounds (function, its floor, next function). "
        f"Target: at most {cold_start.TARGET}x the floor for import plus first event. "
        "`python -m bench.cold_start` runs this part alone.",
        "",
        "Only if SnapStart is switched on for a function (`snap_start`, see docs/operations.md, "
        "Tracing and cold starts), the last two columns apply: the same child, with Lambda's "
        "`snapshot_restore_py` on its path, runs the hooks registered before the snapshot "
        "(shared/platform/snapstart.py), then the hooks after the restore and the first event; "
        "only these last two are counted. Not in that figure, so it is no latency a member would "
        "see: the restore itself (Lambda's `Restore Duration` in the REPORT line, which no "
        "emulator has and this repository cannot measure), the request for credentials to "
        "Lambda's credentials endpoint (the emulator's keys are fixed) and TLS handshakes (the "
        "emulator speaks plain HTTP; the floor has none either).",
        "",
        "| function | clients | import ms | import + first event ms | floor ms | ratio | "
        "ratio p25-p75 | target met | SnapStart | first event after a restore ms | "
        "ratio after a restore |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: |",
    ]
    for row in rows:
        ratio = row["restored_ratio"] if row["snap_start"] else row["ratio"]
        met = "yes" if ratio <= cold_start.TARGET else "no"
        lines.append(
            f"| {row['function']} | {', '.join(row['clients'])} | {row['import_ms']:.0f} | "
            f"{row['total_ms']:.0f} | {row['floor_ms']:.0f} | {row['ratio']:.2f} | "
            f"{row['ratio_p25']:.2f}-{row['ratio_p75']:.2f} | {met} | "
            f"{'on' if row['snap_start'] else 'off'} | {row['restored_ms']:.0f} | "
            f"{row['restored_ratio']:.2f} |"
        )
    spread = max(row["spread"] for row in rows)
    lines += [
        "",
        "Noise: the machine is shared, so CPU time (not wall time) is measured and runs are "
        "interleaved; the column p25-p75 gives the quartiles of the per-round ratios, and the "
        f"largest spread (max - min) of one function's runs was {spread:.0%} of its median.",
        "",
        COLD_START_HISTORY,
        "",
        COLD_START_REST,
    ]
    return lines


# What the measurements above were taken apart into, by hand (kept with the generator so
# every run of `make bench` writes them again).
COLD_START_HISTORY = (
    'What brought the cold starts down this far, largest first (from 1.62-2.59x, and '
    '2.22-3.65x with the Powertools Tracer still in): the functions import botocore, not '
    "boto3 (boto3 with s3transfer adds about a tenth of the floor to botocore's import, and "
    "Powertools' parameters package imported it for one secret); Jinja2 and icalendar load "
    'with the first email and calendar file; settings are plain pydantic models (no '
    'pydantic-settings import); the REST resolver comes without the other resolvers of '
    "Powertools' `event_handler` package (AppSync with asyncio, Bedrock, VPC Lattice); the "
    "answer models of the OpenAPI document are built only when it is asked for; pydantic's "
    "plugin search is off. The children now run without this machine's site-packages "
    '(hundreds of development distributions a pydantic import scanned for plugins), which '
    'lowered the function and the floor alike.'
)
COLD_START_REST = (
    'Where the rest goes, measured by hand the same way (CPU time of fresh processes of the '
    'same Python and layer, median of 15 interleaved; `python3.13 -X importtime` and cProfile '
    "of a child): botocore's import is about 146 ms, and on top of it pydantic's `BaseModel` "
    "adds 44 ms (pydantic-core's schema module, typing helpers), Powertools Logger and "
    "Metrics 9 ms, the Powertools REST resolver 30 ms (its event data classes and OpenAPI "
    "models) and `email-validator` 18 ms (it compiles Unicode-wide regular expressions), "
    'against a floor of about 200-220 ms: a function that keeps pydantic and Powertools has '
    'about 0.3 of the floor left for its resolver, models, settings and first AWS calls. '
    'advisory_intake also loads the AWS Encryption SDK with `cryptography`, boto3 (imported by '
    "the SDK's KMS key provider), a second botocore session and a KMS client that the floor "
    'does not count; registration_events renders and sends its first email (Jinja2, '
    "icalendar, MIME) and loads Powertools' batch utility. Without SnapStart no function "
    'meets 1.3x, and the free remedies are spent. SnapStart is off by default: a version not '
    'invoked for 14 days becomes inactive and fails its next call, and its snapshot cache '
    'is billed for every function switched on; see docs/operations.md, Tracing and cold '
    'starts, for which functions may use it.'
)


def stream_section(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The registration stream's consumer, without and with its event filter."""
    lines = [
        "### The registration stream's consumer",
        "",
        f"{after['people']} people submit the form and press their link at once "
        f"({registration_burst.SEATS} seats, the rest waiting), against the local "
        "runtime, once with the stream's event filter removed from the template (before) and "
        "once as synthesized (after); the stream is drained before counting. "
        "`python -m bench.registration_burst --stream` runs this part alone.",
        "",
        "| event filter | emails | invocations | AWS calls | AWS calls per email |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, row in (("none (before)", before),
                       ("`NewImage.kind` in registration, submission (after)", after)):
        lines.append(f"| {label} | {row['emails']} | {row['invocations']} | "
                     f"{row['aws_calls']} | {row['calls_per_email']:.2f} |")
    saved = 1 - after["invocations"] / before["invocations"] if before["invocations"] else 0
    lines += ["", f"The filter keeps the ledger's and the mail gate's items (and removals) "
              f"from invoking the function: {saved:.0%} fewer invocations here."]
    return lines


def advisory_section(result: dict[str, Any]) -> list[str]:
    """The consultant's data-protection search, export and erasure at 10,000 requests."""
    target = "yes" if result["target_met"] else "no"
    return [
        "## Advisory data-protection requests",
        "",
        f"The consultant's search, export and erasure of one address ({result['mine']} "
        f"requests) among {result['stored']:,} stored advisory requests, as the console's "
        "function answers them: a query of the index of address hashes (HMAC under the lookup "
        "secret), each request found read consistently, only those opened (export). The "
        "floor: one consistent GetItem of one request, same emulator, same run; median of "
        f"{advisory_privacy.ROUNDS} each. Beside them, for orientation: a scan of the whole "
        "table alone (the old search scanned and then opened every request, about 11 ms each "
        "in AWS), and the queue's counts over the same requests, all waiting (a query of the "
        f"open index, nothing opened). Target: each under {advisory_privacy.TARGET_SECONDS:.0f} "
        "s. `python -m bench.advisory_privacy` runs this part alone.",
        "",
        "| stored | found | search ms | export ms | erase ms | floor ms | search / floor | "
        "export / floor | erase / floor | whole-table scan ms | queue counts ms | target met |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {result['stored']:,} | {result['found']} | {result['search_ms']:.0f} | "
        f"{result['export_ms']:.0f} | {result['erase_ms']:.0f} | {result['floor_ms']:.1f} | "
        f"{result['search_ratio']:.1f} | {result['export_ratio']:.1f} | "
        f"{result['erase_ratio']:.1f} | {result['scan_ms']:.0f} | {result['counts_ms']:.0f} | "
        f"{target} |",
    ]


def main() -> None:
    burst = registration_burst.run()
    stream = [registration_burst.stream_calls(filtered=False),
              registration_burst.stream_calls(filtered=True)]
    fuzzed = api_fuzz.run()
    with emulated() as (plan, emulator):
        from local.runtime import LocalRuntime

        LocalRuntime.load_demo_into(emulator)
        cold_start.seed_registration(emulator)
        runtime, rows = cold_start.measure(plan, emulator)
        sending = newsletter_send.run(plan, emulator)
        advisory = advisory_privacy.run(plan, emulator)
        imported = subscribers.run(plan, emulator)

    lines = [
        "# Benchmarks",
        "",
        f"Made by `{COMMAND}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Figures are ratios against a floor measured in the same run; milliseconds are shown "
        "for orientation only.",
        "",
    ]
    lines += cold_start_section(runtime, rows, cold_start.ROUNDS)
    lines += [
        "",
        "## Registration burst",
        "",
        f"{burst['attempts']} presses of emailed confirmation links ({burst['people']} people "
        "who had submitted the form, the rest pressing twice), the step where seats are taken, "
        f"from {burst['threads']} threads over HTTP against the local runtime, on one session "
        f"of {burst['seats']} seats. The floor is the same presses made with the bare "
        "registration service and store (no API, no function), from the same threads against "
        "the same emulator. Targets: overbooked, lost and duplicates 0; throughput at least "
        "0.7 of the floor; AWS calls per confirmation reported (a seat: 4, a place in line: 5; "
        "a second press: 2 or 3).",
        "",
        "| overbooked | lost | duplicates | confirmed | waitlisted | throughput /s | "
        "floor /s | ratio | p50 ms | p99 ms | AWS calls per confirmation |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {burst['overbooked']} | {burst['lost']} | {burst['duplicates']} | "
        f"{burst['confirmed']} | {burst['waitlisted']} | {burst['throughput']:.0f} | "
        f"{burst['floor_throughput']:.0f} | {burst['ratio']:.2f} | {burst['p50_ms']:.0f} | "
        f"{burst['p99_ms']:.0f} | {burst['calls_per_confirmation']:.2f} |",
        "",
        "The form's answer by what the address is to the session (a stranger must not tell "
        "them apart): 202 `received` with the same two AWS calls for each (a test counts "
        f"them); median ms of {registration_burst.ANSWER_ROUNDS} interleaved requests each, "
        "after the burst:",
        "",
        "| unknown address | holds a seat | waiting | largest / smallest |",
        "| ---: | ---: | ---: | ---: |",
        f"| {burst['answer_ms']['unknown']:.1f} | {burst['answer_ms']['confirmed']:.1f} | "
        f"{burst['answer_ms']['waitlisted']:.1f} | "
        f"{max(burst['answer_ms'].values()) / min(burst['answer_ms'].values()):.2f} |",
        "",
    ]
    lines += stream_section(*stream)
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
    lines += ["", *advisory_section(advisory)]
    lines += ["", *subscribers.section(imported)]
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
