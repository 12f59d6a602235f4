#!/usr/bin/env python3
"""Differential test of `escalations due` and `escalations holidays`.

An independent second implementation of procedures.md: the clocks come from the contract's
tables (typed in here, not read from the product's procedure files), bank holidays from
GOV.UK's published JSON, time zones from the system tz database via zoneinfo. Random start
instants between 2019 and 2027, weighted towards the awkward ones (local midnight, clock
changes, Christmas, Easter), random closure days, every procedure, stage and clock.

usage: due_oracle.py ESCALATIONS_BINARY GOVUK_JSON [--cases N] [--seed S]
Prints 'N passed, N failed' and exits non-zero on any difference.
"""
import argparse
import calendar
import json
import random
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# procedure -> (division, [(stage, clock, unit, count)]) exactly as procedures.md states.
CONTRACT = {
    "medway": ("england-and-wales", [
        ("stage-1", "response", "working_days", 5),
        ("stage-2", "response", "working_days", 5),
        ("stage-3", "response", "working_days", 5),
    ]),
    "sefton": ("england-and-wales", [
        ("step-1", "response", "working_days", 2),
        ("step-2", "response", "working_days", 2),
        ("step-3", "response", "working_days", 2),
        ("step-4", "decision", "working_days", 5),
    ]),
    "moray": ("scotland", [
        ("initial", "record", "working_days", 5),
        ("stage-1", "record", "working_days", 5),
        ("stage-2", "record", "working_days", 5),
        ("stage-3", "meeting", "working_days", 5),
        ("stage-3", "record", "working_days", 5),
        ("stage-4", "record", "working_days", 5),
        ("stage-5", "record", "working_days", 5),
    ]),
    "sscp-mset": ("england-and-wales", [
        ("submission", "submit", "hours", 72),
        ("level-1", "response", "working_days", 5),
        ("level-1", "chair-reply", "working_days", 5),
        ("level-1", "escalate", "hours", 24),
        ("level-2", "response", "hours", 24),
        ("level-2", "escalate", "hours", 24),
        ("level-3", "response", "hours", 24),
        ("level-4", "feedback", "months", 1),
    ]),
    "sscp-mset-non-attendance": ("england-and-wales", [
        ("notice", "case-review", "hours", 72),
        ("resolution", "proforma", "working_days", 5),
        ("strategic", "written-response", "weeks", 2),
        ("sscp", "feedback", "months", 1),
    ]),
}
# Clocks that run from a meeting or discussion the person states: `--stated` gives its instant.
STATED = {(p, s, c) for p, s, c in [
    *[("moray", s, "record") for s in ["initial", "stage-1", "stage-2", "stage-3", "stage-4", "stage-5"]],
    ("sscp-mset", "submission", "submit"),
    ("sscp-mset-non-attendance", "notice", "case-review"),
    ("sscp-mset-non-attendance", "resolution", "proforma"),
]}
FIRST_CLOCK = {}
for proc, (_, clocks) in CONTRACT.items():
    for stage, clock, _, _ in clocks:
        FIRST_CLOCK.setdefault((proc, stage), clock)


def end_of_local_day(d):
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(timezone.utc)


def due(unit, n, start, holidays, closures):
    if unit == "hours":
        return start + timedelta(hours=n)
    d0 = start.astimezone(LONDON).date()
    if unit == "working_days":
        d, counted = d0, 0
        while counted < n:
            d += timedelta(days=1)
            if d.weekday() < 5 and d not in holidays and d not in closures:
                counted += 1
        return end_of_local_day(d)
    if unit == "weeks":
        return end_of_local_day(d0 + timedelta(days=7 * n))
    if unit == "calendar_days":
        return end_of_local_day(d0 + timedelta(days=n))
    if unit == "months":
        months = d0.month - 1 + n
        y, m = d0.year + months // 12, months % 12 + 1
        return end_of_local_day(date(y, m, min(d0.day, calendar.monthrange(y, m)[1])))
    raise ValueError(unit)


def awkward_instants():
    """Local midnights and the seconds either side, clock changes, holiday seasons."""
    out = []
    for year in range(2019, 2028):
        for month, day in [(1, 1), (3, 31), (4, 1), (5, 1), (8, 31), (10, 31), (12, 24), (12, 31)]:
            d = date(year, month, day)
            midnight = datetime.combine(d, time(0), tzinfo=LONDON).astimezone(timezone.utc)
            out += [midnight, midnight - timedelta(seconds=1), midnight + timedelta(seconds=1)]
        # Last Sundays of March and October: 01:00 UTC is the change.
        for month in (3, 10):
            last = max(
                date(year, month, d) for d in range(25, 32) if date(year, month, d).weekday() == 6
            )
            change = datetime.combine(last, time(1), tzinfo=timezone.utc)
            out += [change - timedelta(minutes=30), change, change + timedelta(minutes=30)]
    return [i for i in out if i < datetime(2027, 11, 30, tzinfo=timezone.utc)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("govuk")
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--seed", type=int, default=20261223)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    govuk = json.load(open(args.govuk, encoding="utf-8"))
    holidays = {
        div: {date.fromisoformat(e["date"]) for e in v["events"]} for div, v in govuk.items()
    }
    lo = datetime(2019, 1, 1, tzinfo=timezone.utc).timestamp()
    hi = datetime(2027, 11, 30, tzinfo=timezone.utc).timestamp()
    awkward = awkward_instants()
    passed = failed = 0

    def run(cmd):
        return subprocess.run([args.binary, *cmd], capture_output=True, text=True)

    for i in range(args.cases):
        proc = rng.choice(sorted(CONTRACT))
        division, clocks = CONTRACT[proc]
        stage, clock, unit, n = rng.choice(clocks)
        if rng.random() < 0.35:
            start = rng.choice(awkward)
        else:
            start = datetime.fromtimestamp(rng.uniform(lo, hi), tz=timezone.utc).replace(microsecond=0)
        closures = set()
        if rng.random() < 0.3:
            d0 = start.astimezone(LONDON).date()
            closures = {d0 + timedelta(days=rng.randint(0, 12)) for _ in range(rng.randint(1, 3))}
        option = "--stated" if (proc, stage, clock) in STATED and rng.random() < 0.5 else "--from"
        cmd = ["due", "--procedure", proc, "--stage", stage, option,
               start.strftime("%Y-%m-%dT%H:%M:%SZ")]
        if clock != FIRST_CLOCK[(proc, stage)] or rng.random() < 0.5:
            cmd += ["--clock", clock]
        for c in sorted(closures):
            cmd += ["--closure-day", c.isoformat()]
        expected = due(unit, n, start, holidays[division], closures).strftime("%Y-%m-%dT%H:%M:%SZ")
        result = run(cmd)
        got = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
        if result.returncode == 0 and got == expected:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {' '.join(cmd)}\n  expected {expected}\n  got      {got}", file=sys.stderr)

    for division, days in holidays.items():
        for year in range(2019, 2028):
            want = [f"{e['date']} {e['title']}" for e in govuk[division]["events"]
                    if e["date"].startswith(str(year))]
            got = run(["holidays", "--division", division, "--year", str(year)]).stdout.splitlines()
            if sorted(got) == sorted(want):
                passed += 1
            else:
                failed += 1
                print(f"FAIL holidays {division} {year}\n  expected {want}\n  got      {got}",
                      file=sys.stderr)

    print(f"oracle: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
