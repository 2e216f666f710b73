"""Platform admin pages: loading the postcode directory and the IMD deciles, and a lookup."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from flask import current_app, redirect, render_template, request, url_for
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice, SelectField, StringField  # type: ignore[attr-defined]
from wtforms.validators import Length

from coop.extensions import db
from coop.models import JobRun
from coop.services.errors import ServiceError
from coop.services.jobs import JobFunction, enqueue
from coop.services.places.loading import (
    IMD_KIND,
    POSTCODE_KIND,
    load_imd_job,
    load_postcodes_job,
    start_imd_load,
    start_postcode_load,
    upload_dir,
)
from coop.services.places.lookup import Place, active_imd_edition, active_postcode_edition, place_of
from coop.services.progress import fail_unqueued_run, run_key
from coop.web.access import platform_admin, signed_in_user
from coop.web.bodies import large_upload
from coop.web.forms import GuardedForm, QueryForm, strip
from coop.web.outcome import commit_or_refuse
from coop.web.platform import bp

RECENT_RUNS = 10
FILE_TYPES = ["csv", "zip"]
FILE_TYPES_MESSAGE = "Choose the CSV file, or the zip the ONS ships it in."


class PostcodeFileForm(GuardedForm):
    """A postcode directory (NSPL or ONSPD) to load."""

    postcode_file = FileField(
        "Postcode directory file",
        validators=[
            FileRequired("Choose the file to load."),
            FileAllowed(FILE_TYPES, FILE_TYPES_MESSAGE),
        ],
        render_kw={"accept": ".csv,.zip,text/csv,application/zip"},
    )
    name = StringField("Release", filters=[strip], validators=[Length(max=120)])


class ImdFileForm(GuardedForm):
    """An English Indices of Deprivation file to load, with its edition."""

    imd_file = FileField(
        "Indices of Deprivation file",
        validators=[
            FileRequired("Choose the file to load."),
            FileAllowed(FILE_TYPES, FILE_TYPES_MESSAGE),
        ],
        render_kw={"accept": ".csv,.zip,text/csv,application/zip"},
    )
    edition = SelectField(
        "Edition",
        choices=[
            SelectChoice("2025", "IoD 2025 (2021 LSOAs)"),
            SelectChoice("2019", "IoD 2019 (2011 LSOAs)"),
        ],
    )


class LookupForm(QueryForm):
    """A postcode to place."""

    postcode = StringField("Postcode", filters=[strip])


def _saved(upload: FileStorage) -> Path:
    """Copy an upload (already spooled to disk) into the folder it waits in, block by block."""
    suffix = ".zip" if (upload.filename or "").lower().endswith(".zip") else ".csv"
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    try:
        upload.save(target)
    finally:
        upload.close()
    return target


def _page(
    postcode_form: PostcodeFileForm | None = None,
    imd_form: ImdFileForm | None = None,
    status: int = 200,
):
    lookup = LookupForm(request.args)
    place: Place | None = None
    if lookup.postcode.data:
        try:
            place = place_of(postcode=lookup.postcode.data)
        except ServiceError as refusal:
            lookup.postcode.errors = [refusal.message]
    runs = db.session.scalars(
        select(JobRun)
        .where(JobRun.kind.in_([POSTCODE_KIND, IMD_KIND]))
        .order_by(JobRun.id.desc())
        .limit(RECENT_RUNS)
    )
    return (
        render_template(
            "platform/places.html",
            postcode_form=postcode_form or PostcodeFileForm(formdata=None),
            imd_form=imd_form or ImdFileForm(formdata=None),
            lookup=lookup,
            place=place,
            directory=active_postcode_edition(),
            imd=active_imd_edition(),
            runs=list(runs),
            max_mb=current_app.config["PLACES_UPLOAD_MAX_BYTES"] // (1024 * 1024),
        ),
        status,
    )


@bp.route("/places/")
@platform_admin
def places():
    return _page()


def _start(form: GuardedForm, source: Path, run_of: Callable[[], JobRun], job: JobFunction):
    """Commit the run *run_of* starts, queue *job* for it and show its page; or show the refusal."""
    run = commit_or_refuse(run_of).show(form)
    if run is None:
        source.unlink(missing_ok=True)
        return None
    try:
        enqueue(job, key=run_key(run.id), run_id=run.id)
    except Exception:  # Redis down, say: the run says so rather than wait for ever
        current_app.logger.exception("Could not queue run %s", run.id)
        commit_or_refuse(lambda: fail_unqueued_run(run=run))
    return redirect(url_for("jobs.status", run_id=run.id))


@bp.route("/places/postcodes", methods=["POST"])
@large_upload("PLACES_UPLOAD_MAX_BYTES")
@platform_admin
def load_postcodes():
    form = PostcodeFileForm()
    if not form.validate_on_submit():
        return _page(postcode_form=form, status=400)
    source = _saved(form.postcode_file.data)
    started = _start(
        form,
        source,
        lambda: start_postcode_load(
            source=source,
            name=form.name.data or Path(form.postcode_file.data.filename or "").stem,
            user=signed_in_user(),
            back_link=url_for(".places"),
        ),
        load_postcodes_job,
    )
    return started or _page(postcode_form=form, status=400)


@bp.route("/places/imd", methods=["POST"])
@large_upload("PLACES_UPLOAD_MAX_BYTES")
@platform_admin
def load_imd():
    form = ImdFileForm()
    if not form.validate_on_submit():
        return _page(imd_form=form, status=400)
    source = _saved(form.imd_file.data)
    started = _start(
        form,
        source,
        lambda: start_imd_load(
            source=source,
            year=int(form.edition.data),
            user=signed_in_user(),
            back_link=url_for(".places"),
        ),
        load_imd_job,
    )
    return started or _page(imd_form=form, status=400)
