"""Work off the request path: the job queue, the one module that knows RQ.

A job is a plain module-level function that takes ids (ints or strings, never
ORM objects) as keyword arguments and does its work on ``db.session``; it
flushes and never commits, like any service. `enqueue` hands it to RQ on Redis
when ``REDIS_URL`` is set, where a worker (`work`, ``flask --app coop worker``)
runs it; without ``REDIS_URL`` it runs at once, inline. Either way `run_job`
runs it: in an app context of its own, so with a session and transaction of its
own, committed when the function returns and rolled back when it raises.

Callers enqueue after their own commit, since a job reads what is committed.
A job must be safe to run twice: a worker may die after the work is committed
and before RQ hears of it, and a failed job is retried.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from redis import Redis, RedisError
from rq import Queue, Retry, SimpleWorker
from rq.exceptions import (
    DeserializationError,
    DuplicateJobError,
    InvalidJobOperation,
    NoSuchJobError,
)
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from coop.extensions import db
from coop.services.errors import ServiceError

QUEUE_NAME = "coop"

# A job with a key keeps one id while it is pending, so enqueueing it again adds nothing.
PENDING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED})

JobFunction = Callable[..., object]

# The ids RQ accepts.
VALID_JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")


def function_path(function: JobFunction) -> str:
    """Return ``module:name`` for a job function, refusing one a worker could not import."""
    name = getattr(function, "__qualname__", "")
    module = getattr(function, "__module__", None)
    if not module or not name or "." in name or "<" in name:
        raise TypeError(f"a job must be a module-level function, not {function!r}")
    return f"{module}:{name}"


def _imported(path: str) -> JobFunction:
    module, _, name = path.partition(":")
    function: JobFunction = getattr(importlib.import_module(module), name)
    return function


def _check_ids(ids: Mapping[str, object]) -> None:
    for name, value in ids.items():
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"job argument {name} must be an id (int or str), not {value!r}")


def run_job(path: str, **ids: int | str) -> None:
    """Run the job function at *path* in an app context of its own; commit, or roll back."""
    function = _imported(path)
    with current_app.app_context():
        try:
            function(**ids)
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()


def redis_connection(app: Flask) -> Redis:
    """Return a connection to the app's Redis (``REDIS_URL``), one pool per address."""
    url = app.config["REDIS_URL"]
    pools: dict[str, Redis] = app.extensions.setdefault("coop.jobs.redis", {})
    if url not in pools:
        pools[url] = Redis.from_url(url)
    return pools[url]


def job_queue(app: Flask) -> Queue:
    """Return the app's RQ queue on its Redis."""
    return Queue(QUEUE_NAME, connection=redis_connection(app))


def job_id(path: str, key: str) -> str:
    """Return the id a job with *key* has in the queue, the same every time."""
    # RQ takes only letters, digits, "_" and "-" in an id.
    return "key-" + hashlib.sha256(f"{path}\n{key}".encode()).hexdigest()[:40]


def _retry_policy(app: Flask) -> Retry | None:
    retries = app.config["JOB_RETRIES"]
    return Retry(max=retries, interval=app.config["JOB_RETRY_INTERVALS"]) if retries else None


def enqueue(function: JobFunction, /, *, key: str | None = None, **ids: int | str) -> str | None:
    """Run *function* with *ids* as a job: queued on Redis, or at once without it.

    With *key*, a job already pending under the same key is kept and no second
    one is added. Returns the job's id in the queue, or None when it ran inline;
    refuses, saying so, when the queue's Redis cannot be reached.
    """
    path = function_path(function)
    _check_ids(ids)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["REDIS_URL"]:
        _run_inline(app, path, ids)
        return None
    try:
        return _put_on_queue(app, path, key, ids)
    except RedisError as error:
        raise _unreachable(error) from error


def _run_inline(app: Flask, path: str, ids: Mapping[str, int | str]) -> None:
    # As on the queue, a job's failure is the job's: logged, its work rolled
    # back, and the caller's own (committed) work stands. Inline, there are no retries.
    try:
        run_job(path, **ids)
    except Exception:
        app.logger.exception("Job %s failed with %r", path, ids)


def _put_on_queue(app: Flask, path: str, key: str | None, ids: Mapping[str, int | str]) -> str:
    queue = job_queue(app)
    wanted = job_id(path, key) if key is not None else None
    if wanted is not None:
        earlier = Job.fetch_many([wanted], connection=queue.connection)[0]
        if earlier is not None:
            if earlier.get_status(refresh=False) in PENDING:
                return wanted
            earlier.delete()  # done or failed: this is new work under the same key
    try:
        job = queue.enqueue(
            run_job,
            args=(path,),
            kwargs=ids,
            job_id=wanted,
            unique=wanted is not None,  # two enqueueing at once: the second is refused
            description=path,
            retry=_retry_policy(app),
            failure_ttl=app.config["JOB_FAILURE_TTL"],
        )
    except DuplicateJobError:
        assert wanted is not None
        return wanted
    queued: str = job.id
    return queued


# In a session's info: the jobs to enqueue once it commits, by (function, key or ids).
AFTER_COMMIT = "coop.jobs.after_commit"


def enqueue_after_commit(
    function: JobFunction, /, *, key: str | None = None, **ids: int | str
) -> None:
    """Enqueue *function* with *ids* once the current transaction commits; never if it rolls back.

    For a service, which never commits: the job reads what its caller
    commits. The same job asked for twice in one transaction is enqueued once.
    """
    path = function_path(function)
    _check_ids(ids)
    pending: dict[tuple[str, str], tuple[JobFunction, str | None, dict[str, int | str]]]
    pending = db.session.info.setdefault(AFTER_COMMIT, {})
    pending[(path, key if key is not None else repr(sorted(ids.items())))] = (function, key, ids)


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    # Only the outermost commit fires this, once what it wrote can be read by others.
    pending = session.info.pop(AFTER_COMMIT, None)
    if not pending:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for function, key, ids in pending.values():
        try:
            enqueue(function, key=key, **ids)
        except ServiceError:
            # Redis down: nothing would ever run it (a round's opening notice, an
            # announcement), so it runs here, as without Redis; it is safe to run twice.
            app.logger.exception(
                "Could not queue the job %s with %r; running it here", function, ids
            )
            _run_inline(app, function_path(function), ids)
        except Exception:  # the action stands
            app.logger.exception("Could not queue the job %s with %r", function, ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # what the jobs would read went with it
        session.info.pop(AFTER_COMMIT, None)


class AppWorker(SimpleWorker):
    """An RQ worker that runs each job, in its own process, inside the app's context.

    It runs jobs in the worker's process rather than a fork per job: the app
    and its database pool are built once and a fork would share the pool's
    connections. A job that brings the process down is marked failed by RQ and
    the process restarted by its service manager.
    """

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job: Job, queue: Queue) -> bool:
        with self.app.app_context():
            done: bool = super().perform_job(job, queue)
            return done


def build_worker(app: Flask) -> AppWorker:
    """Return a worker for the app's queue on its Redis."""
    queue = job_queue(app)
    return AppWorker([queue], connection=queue.connection, app=app)


def work(app: Flask, *, burst: bool = False) -> None:
    """Run jobs from the app's queue until stopped, or, with *burst*, until it is empty.

    Refuses at once, with the reason, when the queue's Redis cannot be reached.
    """
    try:
        worker = build_worker(app)
    except RedisError as error:
        raise _unreachable(error) from error
    # The scheduler puts a failed job back on the queue when its retry is due.
    worker.work(burst=burst, with_scheduler=True)


@dataclass(frozen=True)
class FailedJob:
    """A job that gave up, as the platform admin sees it."""

    id: str
    name: str  # the job function, module:name
    failed_at: datetime | None
    error: str  # the exception, the traceback's last line
    traceback: str
    ids: str = ""  # what it was run for: "round_id=12"


def _ids(job: Job) -> str:
    try:
        given = job.kwargs
    except DeserializationError:
        return ""
    return ", ".join(f"{name}={value}" for name, value in sorted(given.items()))


def _failed(job: Job) -> FailedJob:
    last = job.latest_result()
    traceback = (last.exc_string if last is not None else None) or ""
    lines = traceback.strip().splitlines()
    return FailedJob(
        id=job.id,
        name=job.description or job.func_name or job.id,
        failed_at=job.ended_at,
        error=lines[-1] if lines else "(no error recorded)",
        traceback=traceback,
        ids=_ids(job),
    )


def _unreachable(error: RedisError) -> ServiceError:
    return ServiceError(f"The job queue's Redis cannot be reached ({error}).")


def list_failed_jobs(*, limit: int = 100) -> list[FailedJob]:
    """Return the jobs that gave up, the latest first (none without ``REDIS_URL``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["REDIS_URL"]:
        return []
    try:
        registry = FailedJobRegistry(queue=job_queue(app))
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        jobs = Job.fetch_many(ids, connection=registry.connection)
        return [_failed(job) for job in jobs if job is not None]
    except RedisError as error:
        raise _unreachable(error) from error


def retry_failed_job(*, job_id: str) -> bool:
    """Put a job that gave up back on the queue; False when it is not among them."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["REDIS_URL"] or not VALID_JOB_ID.fullmatch(job_id):
        return False
    try:
        registry = FailedJobRegistry(queue=job_queue(app))
        if job_id not in registry:
            return False
        registry.requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError):
        return False
    except RedisError as error:
        raise _unreachable(error) from error
    return True
