"""The platform admin's list of failed jobs, with their errors and a retry button."""

from __future__ import annotations

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry
from support import text

from coop.services.jobs import QUEUE_NAME, enqueue
from jobs.conftest import needs_redis
from jobs.job_functions import rename_user_then_fail

pytestmark = pytest.mark.committing


@pytest.fixture
def as_admin(auth, factory):
    admin = factory.user(is_platform_admin=True)
    auth.login_as(admin)
    return admin


def test_without_redis_the_page_says_jobs_run_inline(client, as_admin):
    page = text(client.get("/platform/jobs"))
    assert "Failed jobs" in page
    assert "REDIS_URL is not set" in page


@needs_redis
def test_a_job_that_gave_up_is_listed_with_its_error_and_can_be_retried(
    app, store, runner, client, as_admin
):
    app.config.update(JOB_RETRIES=0, JOB_RETRY_INTERVALS=[0])
    job_id = enqueue(rename_user_then_fail, user_id=as_admin.id, name="Sam Okafor")
    assert runner.invoke(args=["worker", "--burst"]).exit_code == 0

    page = text(client.get("/platform/jobs"))
    assert "jobs.job_functions:rename_user_then_fail" in page
    assert f"RuntimeError: the supplier's server refused user {as_admin.id}" in page

    response = client.post("/platform/jobs/retry", data={"job_id": job_id}, follow_redirects=True)

    assert "queued again" in text(response)
    queue = Queue(QUEUE_NAME, connection=store)
    assert queue.job_ids == [job_id]
    assert FailedJobRegistry(queue=queue).get_job_ids() == []
    assert "No job has failed" in text(client.get("/platform/jobs"))


@needs_redis
def test_each_failed_job_says_what_it_was_for(app, store, runner, client, as_admin):
    app.config.update(JOB_RETRIES=0, JOB_RETRY_INTERVALS=[0])
    enqueue(rename_user_then_fail, user_id=as_admin.id, name="Sam Okafor")
    assert runner.invoke(args=["worker", "--burst"]).exit_code == 0

    page = text(client.get("/platform/jobs"))
    assert f"name=Sam Okafor, user_id={as_admin.id}" in page


@needs_redis
def test_retrying_a_job_that_is_not_among_the_failed_ones_says_so(app, store, client, as_admin):
    for job_id in ["no-such-job", "bad\x00id", ""]:
        response = client.post(
            "/platform/jobs/retry", data={"job_id": job_id}, follow_redirects=True
        )
        assert response.status_code == 200
        assert "no longer among the failed jobs" in text(response)


@needs_redis
def test_a_retry_without_a_csrf_token_is_refused_and_the_job_stays_failed(
    app, store, runner, client, as_admin
):
    app.config.update(JOB_RETRIES=0)
    job_id = enqueue(rename_user_then_fail, user_id=as_admin.id, name="Sam Okafor")
    runner.invoke(args=["worker", "--burst"])
    app.config["WTF_CSRF_ENABLED"] = True

    response = client.post("/platform/jobs/retry", data={"job_id": job_id})

    assert response.status_code == 400
    queue = Queue(QUEUE_NAME, connection=store)
    assert FailedJobRegistry(queue=queue).get_job_ids() == [job_id]
    assert queue.count == 0
