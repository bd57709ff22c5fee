"""One way to write a time, wherever members and staff read it: "tirsdag den 5. januar 2027
kl. 08.00", in Danish time whatever the machine's zone. The table below is what
shared/danish.py writes (emails, the CLI, error messages) and what pages/static/tid.js writes
(the pages and the staff console); both are checked against it."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.danish import danish_date, danish_days_until, danish_span, danish_time

TID_JS = Path(__file__).parents[2] / "pages" / "static" / "tid.js"

# (moment, with the weekday, without it)
TIMES = [
    (datetime(2027, 1, 17, 8, 30, tzinfo=UTC),
     "søndag den 17. januar 2027 kl. 09.30", "17. januar 2027 kl. 09.30"),
    (datetime(2027, 1, 5, 7, 0, tzinfo=UTC),
     "tirsdag den 5. januar 2027 kl. 08.00", "5. januar 2027 kl. 08.00"),
    # summer time: two hours ahead of UTC
    (datetime(2027, 7, 15, 7, 0, tzinfo=UTC),
     "torsdag den 15. juli 2027 kl. 09.00", "15. juli 2027 kl. 09.00"),
    # the day is Copenhagen's: New Year has come there an hour before UTC
    (datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
     "fredag den 1. januar 2027 kl. 00.00", "1. januar 2027 kl. 00.00"),
    (datetime(2027, 12, 1, 7, 0, tzinfo=UTC),
     "onsdag den 1. december 2027 kl. 08.00", "1. december 2027 kl. 08.00"),
    # spring: the clock jumps from 02.00 to 03.00
    (datetime(2027, 3, 28, 0, 59, tzinfo=UTC),
     "søndag den 28. marts 2027 kl. 01.59", "28. marts 2027 kl. 01.59"),
    (datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
     "søndag den 28. marts 2027 kl. 03.00", "28. marts 2027 kl. 03.00"),
    # autumn: 02.00-03.00 comes twice, and says which
    (datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
     "søndag den 31. oktober 2027 kl. 02.30 (sommertid)", "31. oktober 2027 kl. 02.30 (sommertid)"),
    (datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
     "søndag den 31. oktober 2027 kl. 02.30 (vintertid)", "31. oktober 2027 kl. 02.30 (vintertid)"),
    (datetime(2027, 10, 31, 2, 30, tzinfo=UTC),
     "søndag den 31. oktober 2027 kl. 03.30", "31. oktober 2027 kl. 03.30"),
    (datetime(2028, 2, 29, 11, 5, tzinfo=UTC),
     "tirsdag den 29. februar 2028 kl. 12.05", "29. februar 2028 kl. 12.05"),
    (datetime(2027, 5, 8, 21, 59, tzinfo=UTC),
     "lørdag den 8. maj 2027 kl. 23.59", "8. maj 2027 kl. 23.59"),
]
# (starts, ends, as a meeting's time)
SPANS = [
    (datetime(2027, 1, 17, 8, 30, tzinfo=UTC), datetime(2027, 1, 17, 14, 30, tzinfo=UTC),
     "søndag den 17. januar 2027 kl. 09.30–15.30"),
    (datetime(2027, 1, 17, 8, 30, tzinfo=UTC), datetime(2027, 1, 18, 11, 0, tzinfo=UTC),
     "søndag den 17. januar 2027 kl. 09.30 til mandag den 18. januar 2027 kl. 12.00"),
]
# (now, the day, how a reminder says it): Danish calendar days, not 24-hour periods
DAYS = [
    (datetime(2027, 1, 16, 6, 0, tzinfo=UTC), datetime(2027, 1, 17, 8, 30, tzinfo=UTC),
     "i morgen, søndag den 17. januar"),
    (datetime(2027, 1, 15, 23, 30, tzinfo=UTC), datetime(2027, 1, 17, 8, 30, tzinfo=UTC),
     "i morgen, søndag den 17. januar"),
    (datetime(2027, 1, 17, 6, 0, tzinfo=UTC), datetime(2027, 1, 17, 8, 30, tzinfo=UTC),
     "i dag, søndag den 17. januar"),
    (datetime(2027, 1, 14, 6, 0, tzinfo=UTC), datetime(2027, 1, 17, 8, 30, tzinfo=UTC),
     "om 3 dage, søndag den 17. januar"),
]


@pytest.mark.parametrize(("moment", "long", "short"), TIMES)
def test_a_time_reads_the_danish_way(moment: datetime, long: str, short: str) -> None:
    assert danish_time(moment) == long
    assert danish_time(moment, weekday=False) == short
    assert danish_time(moment.isoformat()) == long  # as the API and the tables hold it
    assert danish_time(moment.replace(tzinfo=None)) == long  # without an offset: UTC inside


def test_no_time_reads_as_a_dash() -> None:
    assert danish_time(None) == "-" and danish_time("") == "-"


@pytest.mark.parametrize(("starts", "ends", "shown"), SPANS)
def test_a_meeting_names_its_day_once_unless_it_runs_over_two(
        starts: datetime, ends: datetime, shown: str) -> None:
    assert danish_span(starts, ends) == shown


@pytest.mark.parametrize(("now", "day", "said"), DAYS)
def test_a_reminder_says_how_many_days_are_left(now: datetime, day: datetime, said: str) -> None:
    assert danish_days_until(day, now) == said


def test_a_date_without_its_year_or_weekday() -> None:
    moment = datetime(2027, 1, 17, 8, 30, tzinfo=UTC)
    assert danish_date(moment, weekday=False, year=False) == "17. januar"
    assert danish_date(moment) == "søndag den 17. januar 2027"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_pages_write_every_time_of_the_table_alike() -> None:
    """tid.js, run by node (V8 and ICU, as in chromium) in a zone other than Copenhagen's."""
    cases = {"times": [m.isoformat() for m, _, _ in TIMES],
             "spans": [[a.isoformat(), b.isoformat()] for a, b, _ in SPANS]}
    script = (
        "const window = {};\n" + TID_JS.read_text(encoding="utf-8") +
        f"\nconst cases = {json.dumps(cases)};\n"
        "const t = window.danskTid;\n"
        "console.log(JSON.stringify({\n"
        "  long: cases.times.map(m => t.time(m)),\n"
        "  short: cases.times.map(m => t.time(m, {weekday: false})),\n"
        "  spans: cases.spans.map(([a, b]) => t.span(a, b)),\n"
        "  none: [t.time(null), t.time('')],\n"
        "  wall: [t.fromWall('2027-01-05', '08:00').toISOString(),\n"
        "         t.fromWall('2027-07-15', '09:00').toISOString(),\n"
        "         t.fromWall('2027-03-28', '02:30')],\n"
        "}));\n")
    done = subprocess.run(["node", "-"], input=script, capture_output=True, text=True,
                          check=True, env={"TZ": "America/New_York", "PATH": "/usr/bin:/bin"})
    found = json.loads(done.stdout)
    assert found["long"] == [long for _, long, _ in TIMES]
    assert found["short"] == [short for _, _, short in TIMES]
    assert found["spans"] == [shown for _, _, shown in SPANS]
    assert found["none"] == ["-", "-"]
    assert found["wall"] == ["2027-01-05T07:00:00.000Z", "2027-07-15T07:00:00.000Z", None]
