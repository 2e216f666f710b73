"""On the job queue, a monitoring return's PDF waits for a worker, then is made and kept."""

from __future__ import annotations

from datetime import date

from council_reports.world import award, build_world
from sqlalchemy import select

from coop.extensions import db
from coop.models import JobRun, JobRunStatus, MonitoringReturnPdf, SupportKind
from jobs.conftest import needs_redis


@needs_redis
def test_the_pdf_is_made_by_a_worker_when_the_queue_is_there(
    app, store, runner, client, auth, factory
):
    world = build_world(factory)
    officer = factory.officer(world.council)
    record = award(world.council, world.big.coop, SupportKind.GRANT, 500_000, date(2025, 12, 1))
    auth.login_as(officer)
    url = f"/councils/{world.council.id}/support/{record.id}/return/pdf"

    response = client.post(url, query_string={"from": "2026-01-01", "to": "2026-03-31"})

    run = db.session.scalars(select(JobRun)).one()
    assert response.headers["Location"].endswith(f"/jobs/{run.id}")
    assert run.status is JobRunStatus.QUEUED
    assert "Waiting to start" in client.get(f"/jobs/{run.id}").get_data(as_text=True)
    assert runner.invoke(args=["worker", "--burst"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(JobRun, run.id).status is JobRunStatus.DONE
    stored = db.session.scalars(select(MonitoringReturnPdf)).one()
    assert stored.content.startswith(b"%PDF")
    assert "Download the PDF" in client.get(f"/jobs/{run.id}").get_data(as_text=True)
