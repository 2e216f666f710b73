"""A job run's status page and its JSON: who sees it, how it updates, what it shows at the end."""

from __future__ import annotations

import json
import re

import pytest
from support import text

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import Coop, JobRun, JobRunStatus, User
from coop.services.jobs import enqueue
from coop.services.progress import UNEXPECTED, start_run
from jobs.progress_jobs import KIND, rename_user, rename_user_then_fail


@pytest.fixture
def coop(factory):
    return factory.coop(name="Fishwick Food", slug="fishwick")


@pytest.fixture
def starter(factory, coop):
    user = factory.user(name="Ada Starter")
    factory.membership(coop=coop, user=user, role=Role.COORDINATOR)
    return user


def make_run(
    starter: User, coop: Coop, status: JobRunStatus = JobRunStatus.RUNNING, **values
) -> JobRun:
    run = start_run(
        kind=KIND,
        title="Renaming a person",
        coop_id=coop.id,
        started_by=starter,
        subject_id=starter.id,
        total=values.pop("total", 5000),
        back_link="/coops/fishwick/admin/",
    )
    run.status = status
    for name, value in values.items():
        setattr(run, name, value)
    db.session.commit()
    return run


def test_a_running_job_shows_its_bar_and_refreshes_itself(client, auth, starter, coop):
    run = make_run(starter, coop, done=1200)
    auth.login_as(starter)

    page = text(client.get(f"/jobs/{run.id}"))

    assert "<h1>Renaming a person</h1>" in page
    assert "Running" in page
    assert re.search(r'<label for="job-progress">Progress</label>', page)
    assert re.search(r'<progress id="job-progress" max="5000" value="1200">', page)
    assert re.search(r'role="status" aria-live="polite"[^>]*>1,200 of 5,000 rows', page)
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'src="/static/js/job-status.js"' in page
    assert f'data-job-status="/jobs/{run.id}.json"' in page
    assert 'href="/coops/fishwick/admin/"' in page


def test_a_queued_job_without_a_total_shows_a_bar_that_is_waiting(client, auth, starter, coop):
    run = make_run(starter, coop, JobRunStatus.QUEUED, total=None)
    auth.login_as(starter)

    page = text(client.get(f"/jobs/{run.id}"))

    assert "Waiting to start" in page
    assert '<progress id="job-progress">' in page
    assert 'http-equiv="refresh"' in page


def test_a_finished_job_no_longer_refreshes(client, auth, starter, coop):
    run = make_run(starter, coop, JobRunStatus.DONE, done=5000)
    auth.login_as(starter)

    page = text(client.get(f"/jobs/{run.id}"))

    assert "Done" in page
    assert "5,000 of 5,000 rows" in page
    assert 'http-equiv="refresh"' not in page
    assert "job-status.js" not in page
    assert "data-job-status=" not in page


def test_the_json_says_how_far_the_job_is(client, auth, starter, coop):
    run = make_run(starter, coop, done=1200)
    auth.login_as(starter)

    response = client.get(f"/jobs/{run.id}.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "id": run.id,
        "status": "running",
        "status_label": "Running",
        "done": 1200,
        "total": 5000,
        "text": "1,200 of 5,000 rows",
        "finished": False,
        "page": f"/jobs/{run.id}",
    }


@pytest.mark.parametrize("who", ["coordinator", "platform admin", "starter"])
def test_the_starter_the_coordinators_and_platform_admins_see_the_page(
    client, auth, factory, coop, starter, who
):
    run = make_run(starter, coop)
    viewer = {
        "coordinator": lambda: factory.member(coop, Role.COORDINATOR),
        "platform admin": lambda: factory.user(is_platform_admin=True),
        "starter": lambda: starter,
    }[who]()
    auth.login_as(viewer)

    assert client.get(f"/jobs/{run.id}").status_code == 200
    assert client.get(f"/jobs/{run.id}.json").status_code == 200


@pytest.mark.parametrize("who", ["treasurer", "member", "other coop's coordinator", "stranger"])
def test_anyone_else_gets_not_found(client, auth, factory, coop, starter, who):
    run = make_run(starter, coop)
    viewer = {
        "treasurer": lambda: factory.member(coop, Role.TREASURER),
        "member": lambda: factory.member(coop),
        "other coop's coordinator": lambda: factory.member(factory.coop(), Role.COORDINATOR),
        "stranger": lambda: factory.user(),
    }[who]()
    auth.login_as(viewer)

    assert client.get(f"/jobs/{run.id}").status_code == 404
    assert client.get(f"/jobs/{run.id}.json").status_code == 404


def test_without_signing_in_the_page_asks_for_a_login(client, starter, coop):
    run = make_run(starter, coop)

    response = client.get(f"/jobs/{run.id}")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_job_that_finishes_keeps_its_work_and_its_result(app, client, auth, starter, coop):
    run = make_run(starter, coop, JobRunStatus.QUEUED)

    enqueue(rename_user, run_id=run.id)

    db.session.expire_all()
    assert db.session.get(User, starter.id).name == "Renamed by the job"
    finished = db.session.get(JobRun, run.id)
    assert finished.status is JobRunStatus.DONE
    assert json.loads(finished.result or "") == {"renamed": starter.id}
    assert (finished.done, finished.total) == (2, 2)
    assert finished.finished_at is not None


def test_a_job_that_fails_shows_the_error_and_its_work_is_rolled_back(
    app, client, auth, starter, caplog, coop
):
    run = make_run(starter, coop, JobRunStatus.QUEUED)

    enqueue(rename_user_then_fail, run_id=run.id)

    db.session.expire_all()
    assert db.session.get(User, starter.id).name == "Ada Starter"
    assert "the disk filled up halfway" in caplog.text
    auth.login_as(starter)
    page = text(client.get(f"/jobs/{run.id}"))
    assert "Failed" in page
    assert "Nothing was written" in page
    assert UNEXPECTED in page
    assert "the disk filled up" not in page  # the details are for the log, not the page
    assert 'http-equiv="refresh"' not in page


def test_a_back_link_off_the_site_is_not_followed(client, auth, starter, coop):
    run = make_run(starter, coop, JobRunStatus.DONE, back_link="//evil.example/")
    auth.login_as(starter)

    page = text(client.get(f"/jobs/{run.id}"))

    assert "evil.example" not in page
