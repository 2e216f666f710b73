"""What the benchmarks share: scratch databases, the app on one, timings and ratio lines.

A benchmark runs on a scratch SQLite file, and also on a scratch PostgreSQL
database created beside ``COOP_TEST_DATABASE_URL`` when that is set; each
scratch database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from flask import Flask
from sqlalchemy import create_engine, make_url, text

from config import TestingConfig, database_url
from coop import create_app
from coop.extensions import db

T = TypeVar("T")


def targets(
    server: str | None = None, *, sqlite_only: bool = False
) -> list[tuple[str, str | None]]:
    """Return (label, server URL) of each database kind to run on; SQLite needs no server.

    PostgreSQL runs beside *server*, or else ``COOP_TEST_DATABASE_URL``, when either is set.
    """
    server = None if sqlite_only else server or os.environ.get("COOP_TEST_DATABASE_URL")
    return [("SQLite", None), *([("PostgreSQL", database_url(server))] if server else [])]


@contextmanager
def scratch_database(server_url: str | None, *, keep: bool = False) -> Iterator[str]:
    """Yield the URL of a new, empty database: a SQLite file, or one beside *server_url*.

    With *keep*, the database is left in place afterwards (its URL is printed).
    """
    if server_url is None:
        if keep:
            directory = tempfile.mkdtemp(prefix="coop_bench_")
            url = f"sqlite:///{Path(directory) / 'bench.sqlite'}"
            yield url
            print(f"  kept {url}")
            return
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        return
    url = make_url(server_url)
    name = f"{url.database}_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = url.set(database=name).render_as_string(hide_password=False)
    try:
        yield scratch
    finally:
        if keep:
            print(f"  kept {scratch}")
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_app(url: str) -> Flask:
    """Build the app with the testing settings on the database at *url*, tables created."""
    app = create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
    return app


@dataclass(frozen=True)
class Timing:
    """How long something took in seconds: the best and the median of its runs."""

    best: float
    median: float
    runs: int = 1


def time_once(action: Callable[[], T]) -> tuple[Timing, T]:
    """Run *action* once; return how long it took and what it returned."""
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    return Timing(seconds, seconds), result


def time_runs(action: Callable[[], object], repeat: int) -> Timing:
    """Run *action* once untimed, then *repeat* times timed."""
    action()  # warm the caches, as a running server has them
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return Timing(min(times), statistics.median(times), repeat)


@dataclass(frozen=True)
class Line:
    """One line of a report: what was timed and, unless it is a baseline, against what."""

    what: str
    timing: Timing
    baseline: Timing | None = None
    against: str = ""


def print_report(title: str, lines: Sequence[Line]) -> None:
    """Print *title*, then each line's times in ms and its median's ratio to its baseline.

    The best of the runs is shown only where something ran more than once.
    """
    width = max(len(line.what) for line in lines)
    repeated = any(line.timing.runs > 1 for line in lines)
    header = ["what".ljust(width), f"{'median ms':>10}"]
    if repeated:
        header.append(f"{'best ms':>10}")
    print(f"\n{title}\n  " + "  ".join([*header, "ratio"]))
    for line in lines:
        cells = [line.what.ljust(width), f"{line.timing.median * 1000:10.2f}"]
        if repeated:
            cells.append(f"{line.timing.best * 1000:10.2f}")
        if line.baseline is not None:
            cells.append(f"{line.timing.median / line.baseline.median:6.1f}x {line.against}")
        print("  " + "  ".join(cells))


def taking_turns(
    actions: dict[str, Callable[[], int]], reset: Callable[[str], None], repeat: int
) -> dict[str, tuple[Timing, int]]:
    """Run each of *actions* in turn, *repeat* rounds of them, *reset(name)* before each.

    Taking turns spreads a noisy machine's slow moments over every action alike.
    Returns each action's timing and what it returned the last time.
    """
    times: dict[str, list[float]] = {name: [] for name in actions}
    results: dict[str, int] = {}
    for _ in range(repeat):
        for name, action in actions.items():
            reset(name)
            start = time.perf_counter()
            results[name] = action()
            times[name].append(time.perf_counter() - start)
    return {
        name: (Timing(min(spent), statistics.median(spent), repeat), results[name])
        for name, spent in times.items()
    }


def within_ratio(what: str, measured: Timing, base: Timing, limit: float) -> bool:
    """Print whether *measured* is within *limit* times *base*, PASS or FAIL; return it."""
    ratio = measured.median / base.median
    passed = ratio <= limit
    verdict = "PASS" if passed else "FAIL"
    print(f"  {verdict}  {what} is {ratio:.1f}x the floor (target: within {limit:g}x)")
    print(
        f"  {what} takes {measured.median:.2f} s, the floor {base.median:.2f} s "
        f"(medians of {measured.runs} runs, taking turns)"
    )
    return passed


Run = Callable[[str, str, argparse.Namespace], tuple[list[Line], list[bool]]]


def main(doc: str, title: str, run: Run, *, repeat: int = 5) -> None:
    """Parse the common options, run the bench on each database, print, and exit 1 on a miss.

    *run(label, url, args)* returns the report's lines and whether each target was met;
    *repeat* is the default number of timed runs.
    """
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument(
        "--per-household", type=int, default=60, help="items each household asks for"
    )
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--database-url", help="a PostgreSQL server database to work beside")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"coop {title}, {date.today().isoformat()}, load average {load}")
    passed: list[bool] = []
    for label, server in targets(args.database_url, sqlite_only=args.sqlite_only):
        print(f"\n{label}: building...", flush=True)
        with scratch_database(server) as url:
            lines, results = run(label, url, args)
        print_report(label, lines)
        passed += results
    if args.check and not all(passed):
        sys.exit(1)
