"""A job's progress is committed apart from its work, so the status page sees it as it goes."""

from __future__ import annotations

import pytest

from coop.extensions import db
from coop.models import JobRun
from coop.services.jobs import enqueue
from coop.services.progress import start_run
from jobs.progress_jobs import KIND, look_while_working, seen

pytestmark = pytest.mark.committing


@pytest.fixture(autouse=True)
def nothing_seen():
    seen.clear()
    yield
    seen.clear()


def test_another_connection_sees_the_progress_while_the_job_works(app, factory):
    person = factory.user()
    run = start_run(kind=KIND, title="Looking", coop_id=None, started_by=person, total=10)
    db.session.commit()

    enqueue(look_while_working, run_id=run.id)

    assert seen == [("running", 3, 10)]
    db.session.expire_all()
    assert db.session.get(JobRun, run.id).status.value == "done"
