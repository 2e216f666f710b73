"""A large catalogue import, run as a job with a status page that shows its progress.

A confirmed upload of more than ``IMPORT_JOB_ROWS`` rows (counted as the
file's lines after its header) is written by `run_catalogue_import` off the
request path, with the same rules as a small one: all of it or nothing, and
every row with an error listed. Its run (`coop.services.progress`) holds the
counts of what it wrote, or the rows it refused.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from coop.extensions import db
from coop.models import CatalogueImport, JobRun, JobRunStatus, Supplier, User
from coop.services.catalogue.imports import (
    ALREADY_IMPORTED,
    RowsRefused,
    apply_import,
    import_line_count,
    stored_import,
)
from coop.services.errors import ServiceError
from coop.services.progress import Progress, Refusal, run_tracked, start_run

KIND = "catalogue_import"

UPLOAD_GONE = "The uploaded file is no longer here, so nothing was imported; upload it again."


def _earlier_run(import_id: int) -> JobRun | None:
    """Return the run importing upload *import_id* that is waiting, running or done, if any."""
    return db.session.scalar(
        select(JobRun)
        .where(
            JobRun.kind == KIND,
            JobRun.subject_id == import_id,
            JobRun.status != JobRunStatus.FAILED,
        )
        .order_by(JobRun.id.desc())
        .limit(1)
    )


def runs_as_job(*, supplier: Supplier, import_id: int) -> bool:
    """Tell whether confirming upload *import_id* runs as a job (a large file) or at once."""
    stored = stored_import(supplier=supplier, import_id=import_id)
    if stored is None:
        return False
    if _earlier_run(stored.id) is not None:
        return True
    if stored.applied_at is not None:
        return False
    return import_line_count(catalogue_import=stored) > int(current_app.config["IMPORT_JOB_ROWS"])


def start_import_run(
    *, supplier: Supplier, import_id: int, user: User | None, back_link: str
) -> JobRun:
    """Record a queued run importing upload *import_id*, or return the one already under way."""
    stored = stored_import(supplier=supplier, import_id=import_id)
    if stored is None:
        raise ServiceError(UPLOAD_GONE)
    # A second confirmation (a double click, a reload) follows the run already started.
    earlier = _earlier_run(stored.id)
    if earlier is not None:
        return earlier
    if stored.applied_at is not None:
        raise ServiceError(ALREADY_IMPORTED)
    return start_run(
        kind=KIND,
        title=f"Importing {stored.filename or 'a catalogue file'} into {supplier.name}",
        coop_id=supplier.coop_id,
        started_by=user,
        subject_id=stored.id,
        total=import_line_count(catalogue_import=stored),
        back_link=back_link,
    )


def run_catalogue_import(*, run_id: int) -> None:
    """Job: write the upload of run *run_id* into its supplier's catalogue, saying how far it is."""
    run_tracked(run_id=run_id, kind=KIND, work=_import)


def _import(run: JobRun, progress: Progress) -> dict[str, Any]:
    stored = None
    if run.subject_id is not None:
        stored = db.session.get(CatalogueImport, run.subject_id)
    if stored is None:
        current_app.logger.warning("Job run %s: upload %s is gone.", run.id, run.subject_id)
        raise ServiceError(UPLOAD_GONE)
    user = db.session.get(User, run.started_by_id) if run.started_by_id is not None else None
    try:
        result = apply_import(
            import_id=stored.id,
            supplier=stored.supplier,
            user=user,
            on_progress=progress.advance,
        )
    except RowsRefused as refusal:
        rows = [{"line": row.line, "message": row.message} for row in refusal.rows]
        raise Refusal(refusal.message, result={"refused": rows}) from None
    return {
        "added": result.added,
        "changed": result.changed,
        "price_changes": result.price_changes,
        "marked_unavailable": result.marked_unavailable,
    }
