"""Importing the union's list of 5,000 subscribers from a CSV file, as the editor's console
function does it, on the template's newsletter table and confirmation queue in the emulator:
reading and checking every row (with where each address stands, read in batches), the import
itself (one transaction per address added, an invitation's request queued and marked; eight
writers at once, as the function runs them), importing the same file again (nothing added),
and searching the list afterwards (a scan of the table's subscriber items).

The floors, in the same run against the same emulator: the file parsed by the csv module
alone (for the reading), and one plain PutItem per row from the same eight threads (for the
import). Two thirds of the rows carry a documented consent, one third are invited."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from local.emulator import Emulator
from local.plan import Plan

ROWS = 5000
WRITERS = 8
SECTION = "## Subscriber import"


def _file() -> str:
    lines = ["E-mail;Navn;Rolle;Samtykkedato;Samtykkekilde"]
    for i in range(ROWS):
        consent = ("15-03-2024", "Medlemssystemet") if i % 3 else ("", "")
        lines.append(f"medlem{i}@bench.example.dk;Medlem {i};Områdeleder;{consent[0]};"
                     f"{consent[1]}")
    return "\r\n".join(lines) + "\r\n"


def run(plan: Plan, emulator: Emulator) -> dict[str, Any]:
    import csv
    import io

    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.sqs_send_queue import SqsConfirmationRequests
    from shared.adapters.wiring import signing_secret
    from shared.newsletter.subscribers import Subscribers
    from shared.platform.names import PARAM_NEWSLETTER_SETTINGS

    settings = json.loads(emulator.client("ssm").get_parameter(
        Name=PARAM_NEWSLETTER_SETTINGS)["Parameter"]["Value"])
    table = settings["NEWSLETTER_TABLE_NAME"]
    desk = Subscribers(DynamoNewsletterStore(table),
                       SqsConfirmationRequests(settings["NEWSLETTER_CONFIRM_QUEUE_URL"]),
                       signing_secret(settings["SIGNING_SECRET_ARN"]), writers=WRITERS)
    text = _file()

    started = time.perf_counter()
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    parse_floor = time.perf_counter() - started

    started = time.perf_counter()
    preview = desk.import_file(text, preview=True)
    validated = time.perf_counter() - started

    started = time.perf_counter()
    done = desk.import_file(text)
    imported = time.perf_counter() - started

    started = time.perf_counter()
    again = desk.import_file(text)
    repeated = time.perf_counter() - started

    started = time.perf_counter()
    count, _ = desk.search("medlem42")
    searched = time.perf_counter() - started

    ddb = emulator.client("dynamodb")

    def put(row: list[str]) -> None:
        ddb.put_item(TableName=table, Item={"pk": {"S": f"FLOOR#{row[0]}"},
                                            "sk": {"S": "FLOOR"}, "email": {"S": row[0]}})

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(put, parsed[1:]))
    put_floor = time.perf_counter() - started
    return {
        "rows": ROWS, "bytes": len(text.encode()), "writers": WRITERS,
        "subscribed": done.subscribed, "invited": done.invited, "skipped": done.skipped,
        "previewed_as_imported": (preview.subscribed, preview.invited) == (done.subscribed,
                                                                           done.invited),
        "repeat_added": again.subscribed + again.invited, "search_found": count,
        "parse_floor_s": parse_floor, "validate_s": validated, "import_s": imported,
        "repeat_s": repeated, "search_s": searched, "put_floor_s": put_floor,
        "validate_ratio": validated / parse_floor, "import_ratio": imported / put_floor,
    }


def section(result: dict[str, Any]) -> list[str]:
    return [
        SECTION,
        "",
        f"The union's list, {result['rows']:,} rows ({result['bytes'] / 1024:.0f} KB of CSV, "
        "two thirds with a documented consent), imported into the template's newsletter table "
        "and confirmation queue in the emulator as the editor's console function imports it "
        f"({result['writers']} writers). Reading: every row read and checked, and where each "
        "address stands read in batches of 100 keys (the preview does exactly this); floor: "
        "the csv module parsing the file alone. Import: one transaction per address added, "
        "each invitation's request queued and marked; floor: one plain PutItem per row from "
        "the same threads. Repeat: the same file again (adds nobody). Search: one address "
        "among them (a scan of the subscriber items). `python -m bench.subscribers` runs this "
        "part alone and rewrites this section. API Gateway ends a request after 29 s: an "
        "import past it is completed by importing the same file again.",
        "",
        "| rows | subscribed | invited | repeat added | read+check s | floor s | ratio | "
        "import s | floor s | ratio | repeat s | search s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {result['rows']} | {result['subscribed']} | {result['invited']} | "
        f"{result['repeat_added']} | {result['validate_s']:.2f} | "
        f"{result['parse_floor_s']:.3f} | {result['validate_ratio']:.0f} | "
        f"{result['import_s']:.1f} | {result['put_floor_s']:.1f} | "
        f"{result['import_ratio']:.2f} | {result['repeat_s']:.2f} | "
        f"{result['search_s']:.2f} |",
    ]


def write_section(path: Path, lines: list[str]) -> None:
    """Replace this benchmark's section of BENCHMARKS.md (or add it at the end)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = "\n".join(lines) + "\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block + "\n", text).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


def main() -> None:
    """`python -m bench.subscribers`: this benchmark alone, its section of BENCHMARKS.md
    rewritten."""
    from bench.emulated import emulated
    from local.synth import ROOT

    with emulated() as (plan, emulator):
        result = run(plan, emulator)
    print(json.dumps(result, indent=2))
    write_section(ROOT / "BENCHMARKS.md", section(result))


if __name__ == "__main__":
    main()
