"""Run mypy and hold its errors to the committed baseline, which may only shrink.

    python .ci/mypy_baseline.py           # fail on a new error, or on a fixed one still listed
    python .ci/mypy_baseline.py --update  # drop the fixed errors from the baseline
    python .ci/mypy_baseline.py --update --allow-new  # also take in new ones (say why)

The baseline lists each error as `path: [code] message`, without its line
number, so editing a file elsewhere does not disturb it; an error that occurs
twice in a file is listed twice. `coop/domain` is checked strictly and is never
baselined: an error there always fails. mypy's settings are in pyproject.toml.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
NEVER_BASELINED = ("coop/domain/",)
HEADER = (
    "# mypy errors that are known and not fixed yet; `make types` rewrites this file.\n"
    "# Fix them, do not add to them: `make lint` fails on an error not listed here\n"
    "# and on a listed error that no longer occurs.\n"
)


def run_mypy() -> list[dict[str, object]]:
    """Return mypy's errors on the files pyproject.toml names (notes left out)."""
    finished = subprocess.run(
        [sys.executable, "-m", "mypy", "--output", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode not in (0, 1):  # 2: mypy could not run at all
        sys.stderr.write(finished.stdout + finished.stderr)
        sys.exit(f"mypy failed to run (exit {finished.returncode})")
    errors = []
    for line in finished.stdout.splitlines():
        if not line.startswith("{"):
            continue
        error = json.loads(line)
        if error["severity"] == "error":
            errors.append(error)
    return errors


def key(error: dict[str, object]) -> str:
    """One baseline line: where and what, without the line number."""
    message = re.sub(r"\bline \d+\b", "line N", str(error["message"]))
    return f"{error['file']}: [{error['code']}] {message}"


def where(error: dict[str, object]) -> str:
    return f"{error['file']}:{error['line']}: [{error['code']}] {error['message']}"


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


def strict_errors(errors: list[dict[str, object]]) -> list[dict[str, object]]:
    return [error for error in errors if str(error["file"]).startswith(NEVER_BASELINED)]


def update(errors: list[dict[str, object]], *, allow_new: bool) -> int:
    strict = strict_errors(errors)
    if strict:
        print("Not written: these modules are checked strictly and are never baselined; fix:")
        print("\n".join(where(error) for error in strict))
        return 1
    new = Counter(key(error) for error in errors) - read_baseline()
    if new and not allow_new:
        print("Not written: the baseline only shrinks, and these errors are new; fix them")
        print("(or, for an error that cannot be fixed yet, add --allow-new and say why):")
        print("\n".join(where(error) for error in errors if key(error) in new))
        return 1
    keys = sorted(key(error) for error in errors)
    BASELINE.write_text(HEADER + "".join(f"{line}\n" for line in keys), encoding="utf-8")
    print(f"{BASELINE.relative_to(ROOT)}: {len(keys)} errors in {len(by_file(keys))} files")
    return 0


def check(errors: list[dict[str, object]]) -> int:
    baseline = read_baseline()
    current = Counter(key(error) for error in errors)
    new = current - baseline
    fixed = baseline - current
    failed = False
    strict = strict_errors(errors)
    if strict:
        failed = True
        print("mypy errors in strictly checked modules (never baselined):")
        print("\n".join(where(error) for error in strict))
    unlisted = [error for error in errors if key(error) in new and error not in strict]
    if unlisted:
        failed = True
        print("New mypy errors (fix them; the baseline only shrinks):")
        # An error that repeats a listed one is shown with every occurrence of it.
        print("\n".join(where(error) for error in unlisted))
    if fixed:
        failed = True
        print(
            "Fixed, but still in the baseline: run `make types` to remove them "
            f"from {BASELINE.relative_to(ROOT)}:"
        )
        print("\n".join(sorted(fixed.elements())))
    if failed:
        return 1
    print(f"mypy: {sum(current.values())} errors, all in the baseline; nothing new")
    return 0


def by_file(keys: list[str]) -> Counter[str]:
    return Counter(line.split(":", 1)[0] for line in keys)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="drop fixed errors from the baseline")
    parser.add_argument(
        "--allow-new", action="store_true", help="with --update: take in new errors"
    )
    arguments = parser.parse_args()
    errors = run_mypy()
    if arguments.update:
        return update(errors, allow_new=arguments.allow_new)
    return check(errors)


if __name__ == "__main__":
    sys.exit(main())
