"""How fast a national-size postcode directory loads, and in how much memory.

    .venv/bin/python bench/load_postcodes.py [--rows 2700000] [--file NSPL.csv]

Writes a synthetic file in the NSPL's shape (its 35 columns; about 2.7
million postcodes by default, as in the national file), then loads it as
the ``load-postcodes`` command does: a run, and its job in this process. It
runs on a scratch SQLite file, and also on PostgreSQL when
``COOP_TEST_DATABASE_URL`` is set (a scratch database created beside that
one and dropped afterwards). Each load runs in a process of its own, so its
peak resident memory (``resource.getrusage``) is its own; the target is
under 300 MB, whatever the file's size, since the file is read a line at a
time and written in batches.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import product
from pathlib import Path

from _common import bench_app, scratch_database, targets

from coop.demo.places import NSPL_HEADER
from coop.extensions import db
from coop.services.jobs import function_path, run_job
from coop.services.places.loading import load_postcodes_job, start_postcode_load
from coop.services.places.lookup import place_of
from coop.services.progress import job_run

# The letters an inward code ends with: never C, I, K, M, O or V.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
TARGET_MB = 300


def postcodes() -> Iterator[str]:
    """Yield distinct postcodes in the directory's order, as many as wanted."""
    areas = ("".join(pair) for pair in product("ABCDEFGHKLMNOPRSTUWY", "ABDEFGHLMNPRSTWY"))
    for area in areas:
        for district in range(1, 30):
            for sector in range(10):
                for first, second in product(UNIT_LETTERS, UNIT_LETTERS):
                    yield f"{area}{district} {sector}{first}{second}"


def write_file(path: Path, rows: int) -> None:
    """Write a synthetic NSPL-shaped file of *rows* postcodes at *path*."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(NSPL_HEADER)
        for n, postcode in enumerate(postcodes()):
            if n >= rows:
                break
            outward, inward = postcode.split()
            area = n // 80_000
            lsoa = f"E01{n // 1500:06d}"
            writer.writerow(
                [
                    f"{outward:<4}{inward}",
                    postcode,
                    postcode,
                    "198001",
                    "",
                    "0",
                    str(350_000 + n % 100_000),
                    str(430_000 + n % 90_000),
                    "1",
                    f"E00{n // 300:06d}",
                    "E10000017",
                    f"E58{area:06d}",
                    f"E07{area:06d}",
                    f"E05{n // 6000:06d}",
                    "E40000010",
                    "E92000001",
                    "E12000002",
                    f"E14{n // 20_000:06d}",
                    "E30000239",
                    "TLD44",
                    "",
                    lsoa,
                    f"E02{n // 7500:06d}",
                    f"E33{n // 900:06d}",
                    "E38000227",
                    f"E63{n // 30_000:06d}",
                    "UN1",
                    "2B1",
                    "53.762",
                    "-2.704",
                    "E37000019",
                    "",
                    "E23000003",
                    str(n % 32_844 + 1),
                    "E54000048",
                ]
            )


def load(file: Path, url: str) -> dict[str, float]:
    """Load *file* on the database at *url*; return rows, seconds and peak memory."""
    app = bench_app(url)
    with app.app_context():
        run = start_postcode_load(source=file, name="Synthetic NSPL", user=None)
        db.session.commit()
        started = time.perf_counter()
        run_job(function_path(load_postcodes_job), run_id=run.id)
        seconds = time.perf_counter() - started
        db.session.expire_all()
        finished = job_run(run_id=run.id)
        assert finished is not None and not finished.error, finished and finished.error
        assert place_of(postcode="AA1 0AA").ward is not None
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": finished.done, "seconds": seconds, "peak_mb": peak_kb / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_700_000, help="postcodes in the file")
    parser.add_argument("--file", type=Path, help="load this file instead of writing one")
    parser.add_argument("--load-on", help=argparse.SUPPRESS)  # a child process: one load
    args = parser.parse_args()
    if args.load_on:
        print(json.dumps(load(args.file, args.load_on)))
        return
    with tempfile.TemporaryDirectory() as folder:
        file = args.file
        if file is None:
            file = Path(folder) / "NSPL_SYNTHETIC_UK.csv"
            started = time.perf_counter()
            write_file(file, args.rows)
            print(
                f"Wrote {args.rows:,} postcodes ({file.stat().st_size / 2**20:,.0f} MB) "
                f"in {time.perf_counter() - started:.0f} s"
            )
        failed = False
        for label, server in targets():
            with scratch_database(server) as url:
                child = subprocess.run(
                    [sys.executable, __file__, "--file", str(file), "--load-on", url],
                    capture_output=True,
                    text=True,
                    check=False,
                )
            if child.returncode:
                print(f"{label}: the load failed\n{child.stderr}")
                failed = True
                continue
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            within = figures["peak_mb"] < TARGET_MB
            failed |= not within
            print(
                f"{label}: {figures['rows']:,.0f} postcodes in {figures['seconds']:.0f} s, "
                f"{figures['rows'] / figures['seconds']:,.0f} rows/s, "
                f"peak memory {figures['peak_mb']:,.0f} MB "
                f"({'within' if within else 'OVER'} the {TARGET_MB} MB target)"
            )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
