"""The job queue: inline without Redis, and on Redis with a real RQ worker."""

from __future__ import annotations

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import select, text

from coop.extensions import db
from coop.models import User
from coop.services.jobs import QUEUE_NAME, enqueue
from jobs.conftest import needs_redis
from jobs.job_functions import attempts, rename_user, rename_user_then_fail

pytestmark = pytest.mark.committing


@pytest.fixture
def person(factory):
    return factory.user(name="Sam Jones")


def stored_name(user_id: int) -> str:
    """Read the name as another connection sees it: only what was committed."""
    db.session.remove()
    with db.engine.connect() as connection:
        return connection.execute(
            text("SELECT name FROM users WHERE id = :id"), {"id": user_id}
        ).scalar_one()


def test_without_redis_a_job_runs_at_once_and_its_work_is_committed(app, person):
    assert enqueue(rename_user, user_id=person.id, name="Sam Okafor") is None
    assert stored_name(person.id) == "Sam Okafor"


def test_without_redis_a_failing_job_is_logged_and_its_work_rolled_back(app, person, caplog):
    enqueue(rename_user_then_fail, user_id=person.id, name="Sam Okafor")
    assert stored_name(person.id) == "Sam Jones"
    assert "the supplier's server refused user" in caplog.text


def test_a_job_takes_ids_never_rows_or_local_functions(app, person):
    with pytest.raises(TypeError, match="must be an id"):
        enqueue(rename_user, user_id=person, name="Sam Okafor")

    def local_job(*, user_id: int) -> None:
        pass

    with pytest.raises(TypeError, match="module-level function"):
        enqueue(local_job, user_id=person.id)
    assert db.session.scalars(select(User.name)).all() == ["Sam Jones"]


def test_the_worker_command_without_redis_says_jobs_run_inline(app, runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_the_worker_command_says_so_when_redis_cannot_be_reached(app, runner):
    before = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        result = runner.invoke(args=["worker", "--burst"])
    finally:
        app.config["REDIS_URL"] = before
    assert result.exit_code == 1
    assert "The job queue's Redis cannot be reached" in result.output
    assert "Traceback" not in result.output


@needs_redis
def test_a_queued_job_waits_for_the_worker_then_its_work_is_committed(app, store, runner, person):
    job_id = enqueue(rename_user, user_id=person.id, name="Sam Okafor")
    assert job_id is not None
    assert stored_name(person.id) == "Sam Jones"
    assert Queue(QUEUE_NAME, connection=store).count == 1

    result = runner.invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert stored_name(person.id) == "Sam Okafor"
    assert Job.fetch(job_id, connection=store).get_status() == "finished"


@needs_redis
def test_a_failing_job_is_retried_then_kept_among_failed_jobs_with_its_error(
    app, store, runner, person
):
    app.config.update(JOB_RETRIES=2, JOB_RETRY_INTERVALS=[0, 0])
    job_id = enqueue(rename_user_then_fail, user_id=person.id, name="Sam Okafor")

    result = runner.invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert attempts == [person.id] * 3, "tried once and retried twice"
    assert stored_name(person.id) == "Sam Jones"
    failed = FailedJobRegistry(queue=Queue(QUEUE_NAME, connection=store))
    assert failed.get_job_ids() == [job_id]
    last = Job.fetch(job_id, connection=store).latest_result()
    assert last is not None
    assert "the supplier's server refused user" in (last.exc_string or "")


@needs_redis
def test_a_job_enqueued_twice_with_one_key_while_pending_is_one_job(app, store, runner, person):
    first = enqueue(rename_user, key=f"user-{person.id}", user_id=person.id, name="Sam Okafor")
    second = enqueue(rename_user, key=f"user-{person.id}", user_id=person.id, name="Sam Okafor")
    assert first == second
    assert Queue(QUEUE_NAME, connection=store).count == 1

    runner.invoke(args=["worker", "--burst"])

    assert attempts == [person.id]
    assert stored_name(person.id) == "Sam Okafor"

    # Once it has run, the same key is new work again.
    third = enqueue(rename_user, key=f"user-{person.id}", user_id=person.id, name="Sam Oak")
    assert third == first
    runner.invoke(args=["worker", "--burst"])
    assert stored_name(person.id) == "Sam Oak"
