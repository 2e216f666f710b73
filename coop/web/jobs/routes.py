"""A job run's status page and the JSON its script polls.

Only the person who started the run, its co-op's coordinators and platform
admins see it; anyone else gets a 404, as if there were no such run.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, url_for

from coop.domain.permissions import can_follow_job_run
from coop.models import JobRun, JobRunStatus
from coop.services.progress import job_run, run_result
from coop.web.access import current_viewer, signed_in
from coop.web.jobs import bp

STATUS_LABELS = {
    JobRunStatus.QUEUED: "Waiting to start",
    JobRunStatus.RUNNING: "Running",
    JobRunStatus.DONE: "Done",
    JobRunStatus.FAILED: "Failed",
}
# Seconds between two looks at a run still under way, with or without the script.
REFRESH_SECONDS = 2
# Where each kind of run leads back to, as the link says it.
BACK_LABELS = {
    "catalogue_import": "Back to the supplier's catalogue",
    "postcode_load": "Back to postcode and deprivation data",
    "imd_load": "Back to postcode and deprivation data",
    "monitoring_return_pdf": "Back to the monitoring return",
}
# What a run counts, where it is not rows of a file.
UNITS = {"monitoring_return_pdf": "steps"}
# The refused rows a status page lists; the rest are counted.
REFUSED_SHOWN = 500


def _followed(run_id: int) -> JobRun:
    run = job_run(run_id=run_id)
    if run is None or not can_follow_job_run(
        current_viewer(), started_by_id=run.started_by_id, coop_id=run.coop_id
    ):
        abort(404)
    return run


def progress_text(run: JobRun) -> str:
    """Say how far a run is, as the bar shows it: "1,200 of 5,000 rows", "2 of 4 steps"."""
    units = UNITS.get(run.kind, "rows")
    if run.total is None:
        return f"{run.done:,} {units} so far" if run.done else "Not started yet"
    return f"{run.done:,} of {run.total:,} {units}"


def _back_link(run: JobRun) -> str:
    # Only a path on this site: the link is stored, never taken from the request.
    link = run.back_link
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return url_for("members.home")


def _state(run: JobRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status.value,
        "status_label": STATUS_LABELS[run.status],
        "done": run.done,
        "total": run.total,
        "text": progress_text(run),
        "finished": run.status in (JobRunStatus.DONE, JobRunStatus.FAILED),
        "page": url_for("jobs.status", run_id=run.id),
    }


@bp.route("/<int:run_id>")
@signed_in
def status(run_id: int):
    run = _followed(run_id)
    state = _state(run)
    return render_template(
        "jobs/status.html",
        run=run,
        state=state,
        result=run_result(run),
        refresh_seconds=REFRESH_SECONDS,
        back_link=_back_link(run),
        back_label=BACK_LABELS.get(run.kind, "Back"),
        refused_shown=REFUSED_SHOWN,
    )


@bp.route("/<int:run_id>.json")
@signed_in
def status_json(run_id: int):
    run = _followed(run_id)
    response = jsonify(_state(run))
    response.cache_control.no_store = True
    return response
