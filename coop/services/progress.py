"""Long work a person watches: a job run's start, progress, result and failure.

A kind of long work (a large catalogue import now; the postcode loads and
report exports next) uses it in three steps:

1. The service the view calls starts a run with `start_run` (flushed, so
   committed by the view with the rest of its work) and the view, after its
   commit, enqueues the kind's job with the run's id only::

       run = start_run(kind="postcode_load", title="Loading postcodes", total=rows, ...)
       # ...the view commits...
       enqueue(load_postcodes_job, key=run_key(run.id), run_id=run.id)

   and sends the person to the run's status page (``jobs.status``).

2. The job function hands its work to `run_tracked`::

       def load_postcodes_job(*, run_id: int) -> None:
           run_tracked(run_id=run_id, kind="postcode_load", work=_load)

   *work* gets the run and a `Progress`, does its work on ``db.session``
   (flushing, never committing), calls ``progress.advance(done, total)``
   as it goes and returns its result: a dict of plain values that is kept
   as the run's JSON result, for the kind's own part of the status page
   (``templates/jobs/results/<kind>.html``).

3. `run_tracked` keeps the run's record: running with its progress,
   then done with the result, or failed with a readable error.

Progress is written in short transactions of its own, on a session apart
from the job's, so the status page sees it while the job's own work stays
uncommitted and all-or-nothing. The result is written in the job's own
transaction, so a run is shown done exactly when its work is committed. A
refusal (`ServiceError`; `Refusal` to keep, say, the rows it refused) rolls
the work back and records the run failed with its message: final, no retry.
Any other error rolls the work back, records the run failed apart, and is
raised again so the queue retries the job; a retry runs it afresh.

SQLite has one writer at a time: once the job's own transaction has
written, a second connection would wait for it to end, so progress from
then on rides in the job's transaction and the page sees it at the end.

Safe to run twice: a run already done is left alone, and a job whose run
no longer exists logs that and does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from coop.extensions import db
from coop.models import JobRun, JobRunStatus, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError

UNEXPECTED = (
    "The work stopped on an unexpected error, so nothing of it was kept. "
    "It will be tried again; if it fails again, ask the platform's administrator."
)

NOT_QUEUED = (
    "The work could not be started because the job queue cannot be reached, so nothing "
    "was done. Try again in a few minutes."
)

Work = Callable[[JobRun, "Progress"], Mapping[str, Any]]


class Refusal(ServiceError):
    """A job's refusal with what to show beside its message (the rows it refused, say)."""

    def __init__(self, message: str, *, result: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.result = dict(result)


def run_key(run_id: int) -> str:
    """Return the queue key of a run's job, so a run has one job at most."""
    return f"job-run-{run_id}"


def start_run(
    *,
    kind: str,
    title: str,
    coop_id: int | None,
    started_by: User | None,
    subject_id: int | None = None,
    total: int | None = None,
    back_link: str = "",
) -> JobRun:
    """Record a queued run of long work; flushed, for the caller to commit and enqueue."""
    run = JobRun(
        kind=kind,
        title=title[:200],
        coop_id=coop_id,
        started_by_id=started_by.id if started_by is not None else None,
        subject_id=subject_id,
        status=JobRunStatus.QUEUED,
        done=0,
        total=total,
        back_link=back_link[:500],
    )
    db.session.add(run)
    db.session.flush()
    return run


def fail_unqueued_run(*, run: JobRun) -> None:
    """Record that *run* could not be queued, so nothing of it was done; flushed."""
    run.status = JobRunStatus.FAILED
    run.error = NOT_QUEUED
    run.finished_at = utcnow()
    db.session.flush()


def job_run(*, run_id: int) -> JobRun | None:
    """Return the run *run_id*, or None."""
    return db.session.get(JobRun, run_id)


def run_result(run: JobRun) -> dict[str, Any]:
    """Return a run's result as the job left it ({} when none)."""
    if not run.result:
        return {}
    value = json.loads(run.result)
    return value if isinstance(value, dict) else {}


def _shares_the_writer() -> bool:
    """Tell whether a session apart would wait for the job's own uncommitted writes."""
    bind = db.engine
    if bind.dialect.name != "sqlite" or isinstance(bind, Connection):
        # A server database has a writer per connection; a session bound to one
        # connection (as in the test suite) writes on that same connection.
        return False
    raw = db.session.connection().connection.driver_connection
    return bool(getattr(raw, "in_transaction", False))


def _write(run_id: int, **values: Any) -> None:
    """Write *values* to the run in a short transaction of its own, where the database allows."""
    statement = (
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if _shares_the_writer():
        db.session.execute(statement)
        return
    with Session(bind=db.engine, join_transaction_mode="create_savepoint") as apart:
        apart.execute(statement)
        apart.commit()


class Progress:
    """How far a run's work has come, written for its status page as it goes."""

    def __init__(self, run_id: int, total: int | None) -> None:
        self.run_id = run_id
        self.total = total
        self.done = 0

    def advance(self, done: int, total: int | None = None) -> None:
        """Say that *done* of *total* (or of the total so far) steps are done."""
        if total is not None:
            self.total = total
        if self.total is not None:
            done = min(done, self.total)
        self.done = max(0, done)
        _write(self.run_id, done=self.done, total=self.total)


def run_tracked(*, run_id: int, kind: str, work: Work) -> None:
    """Run *work* for run *run_id*, recording it running, then done or failed."""
    logger = current_app.logger
    run = job_run(run_id=run_id)
    if run is None or run.kind != kind:
        logger.warning("Job run %s (%s) no longer exists; nothing to do.", run_id, kind)
        return
    if run.status is JobRunStatus.DONE:
        logger.info("Job run %s is already done; nothing to do.", run_id)
        return
    total = run.total
    _write(
        run_id,
        status=JobRunStatus.RUNNING,
        done=0,
        error=None,
        result=None,
        started_at=utcnow(),
        finished_at=None,
    )
    progress = Progress(run_id, total)
    try:
        result = dict(work(run, progress))
    except ServiceError as refusal:
        db.session.rollback()
        kept = refusal.result if isinstance(refusal, Refusal) else {}
        _finish(run_id, JobRunStatus.FAILED, error=refusal.message, result=kept, apart=False)
        return
    except Exception:
        db.session.rollback()
        logger.exception("Job run %s (%s) failed", run_id, kind)
        _finish(run_id, JobRunStatus.FAILED, error=UNEXPECTED, result={}, apart=True)
        raise
    done = progress.total if progress.total is not None else progress.done
    _finish(run_id, JobRunStatus.DONE, error=None, result=result, apart=False, done=done)


def _finish(
    run_id: int,
    status: JobRunStatus,
    *,
    error: str | None,
    result: Mapping[str, Any],
    apart: bool,
    done: int | None = None,
) -> None:
    values: dict[str, Any] = {
        "status": status,
        "error": error,
        "result": json.dumps(result) if result else None,
        "finished_at": utcnow(),
    }
    if done is not None:
        values["done"] = done
    if apart:
        _write(run_id, **values)
        return
    # In the job's own transaction: the run reads done exactly when its work is committed.
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
