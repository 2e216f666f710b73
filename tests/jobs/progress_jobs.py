"""Job functions that report their progress, for the status page tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from coop.extensions import db
from coop.models import JobRun, User
from coop.services.progress import Progress, run_tracked

KIND = "test_rename"

# What another connection saw of the run while the job was still working.
seen: list[tuple[str, int, int | None]] = []


def _rename(run: JobRun, progress: Progress) -> dict[str, Any]:
    user = db.session.get(User, run.subject_id)
    assert user is not None
    user.name = "Renamed by the job"
    db.session.flush()
    progress.advance(1, 2)
    return {"renamed": user.id}


def _rename_then_fail(run: JobRun, progress: Progress) -> dict[str, Any]:
    _rename(run, progress)
    raise RuntimeError("the disk filled up halfway")


def _look_while_working(run: JobRun, progress: Progress) -> dict[str, Any]:
    progress.advance(3, 10)
    # Another connection, as the status page has: it sees only what is committed.
    with db.engine.connect() as connection:
        row = connection.execute(
            text("SELECT status, done, total FROM job_runs WHERE id = :id"), {"id": run.id}
        ).one()
    seen.append((row.status, row.done, row.total))
    return {}


def rename_user(*, run_id: int) -> None:
    """Job: rename the run's user, saying it is half done on the way."""
    run_tracked(run_id=run_id, kind=KIND, work=_rename)


def rename_user_then_fail(*, run_id: int) -> None:
    """Job: rename the run's user, then fail, so the rename is rolled back."""
    run_tracked(run_id=run_id, kind=KIND, work=_rename_then_fail)


def look_while_working(*, run_id: int) -> None:
    """Job: report some progress, then read the run as another connection sees it."""
    run_tracked(run_id=run_id, kind=KIND, work=_look_while_working)
