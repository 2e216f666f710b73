"""Officers' monitoring returns: a support record's figures for a period, its narrative and PDF.

The period is in the page's address (``?from=YYYY-MM-DD&to=YYYY-MM-DD``),
defaulting to the record's current monitoring period, so a return can be
bookmarked; bad dates are explained at their field on a page that still
answers 200. Saving the narrative posts to the same address and comes back
to it. "Download PDF" starts a job and sends the officer to its status page,
which links to the PDF once it is made. Only officers who keep the record
(its council's, or a successor's) see any of it: others get 403 on the
council's pages and 404 on a record or return that is not theirs, as the
support pages do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Length

from coop.domain.permissions import can_keep_support
from coop.models import Council, SupportRecord
from coop.models.monitoring import NARRATIVE_FIELDS
from coop.services.council_reports.period import Period, parse_period
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue
from coop.services.progress import fail_unqueued_run, run_key
from coop.services.support.monitoring_returns import (
    NARRATIVE_MAX_LENGTH,
    Narrative,
    default_period,
    ensure_return,
    return_by_id,
    return_figures,
    save_narrative,
    saved_return,
)
from coop.services.support.records import council_record
from coop.services.support.return_pdf import start_pdf_run, stored_pdf
from coop.web.access import for_council, signed_in_user
from coop.web.council import bp
from coop.web.council.return_document import (
    NARRATIVE_QUESTIONS,
    document_context,
    make_return_pdf,
    pdf_filename,
)
from coop.web.forms import ActionForm, GuardedForm, strip
from coop.web.outcome import commit_or_refuse

RECORD = "/<int:council_id>/support/<int:record_id>"


def _text(name: str) -> TextAreaField:
    label, _hint = NARRATIVE_QUESTIONS[name]
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Length(
                max=NARRATIVE_MAX_LENGTH,
                message=f"Use at most {NARRATIVE_MAX_LENGTH:,} characters.",
            )
        ],
    )


class NarrativeForm(GuardedForm):
    """What the officer writes in a monitoring return."""

    delivered = _text("delivered")
    outcomes = _text("outcomes")
    story = _text("story")
    challenges = _text("challenges")
    next_plans = _text("next_plans")
    spend_notes = _text("spend_notes")

    def fill(self, narrative: Narrative) -> NarrativeForm:
        for name in NARRATIVE_FIELDS:
            self[name].data = getattr(narrative, name)
        return self

    def narrative(self) -> Narrative:
        return Narrative(**{name: self[name].data or "" for name in NARRATIVE_FIELDS})


def _record(council: Council, record_id: int) -> SupportRecord:
    record = council_record(council=council, record_id=record_id)
    if record is None:
        abort(404)
    return record


def _chosen_period(record: SupportRecord) -> tuple[dict[str, str], dict[str, str], Period | None]:
    """Read the period from the address, or default it; return the values, errors and period."""
    default = default_period(record=record, today=date.today())
    values = {
        "from": request.args.get("from", f"{default.start:%Y-%m-%d}").strip()[:40],
        "to": request.args.get("to", f"{default.end:%Y-%m-%d}").strip()[:40],
    }
    try:
        return values, {}, parse_period(start=values["from"], end=values["to"])
    except ServiceError as refused:
        return values, {refused.field or "from": refused.message}, None


def _return_page(council: Council, record: SupportRecord, period: Period) -> str:
    dates: dict[str, Any] = {"from": f"{period.start:%Y-%m-%d}", "to": f"{period.end:%Y-%m-%d}"}
    return url_for("council.monitoring_return", council_id=council.id, record_id=record.id, **dates)


@bp.route(RECORD + "/return", methods=["GET", "POST"], endpoint="monitoring_return")
@for_council(can_keep_support)
def monitoring_return(council: Council, record_id: int) -> Any:
    record = _record(council, record_id)
    values, errors, period = _chosen_period(record)
    saved = saved_return(record=record, period=period) if period is not None else None
    narrative = Narrative.of(saved)
    if request.method == "POST":
        form = NarrativeForm()
        if period is None:
            abort(400)
        if form.validate_on_submit():
            done = commit_or_refuse(
                lambda: save_narrative(
                    record=record, period=period, narrative=form.narrative(), by=signed_in_user()
                )
            ).show(form)
            if done is not None:
                flash("The monitoring return is saved.", "success")
                return redirect(_return_page(council, record, period))
        elif "csrf_token" in form.errors:
            flash("The form had expired; please save the return again.", "error")
    else:
        form = NarrativeForm(formdata=None).fill(narrative)
    document = None
    if period is not None:
        try:
            figures = return_figures(council=council, record=record, period=period)
        except ServiceError as refused:
            errors[refused.field or "from"] = refused.message
        else:
            document = document_context(
                figures,
                narrative,
                saved,
                council=council,
                link=lambda endpoint, values: url_for(endpoint, **values),
            )
    return render_template(
        "council/returns/return.html",
        council=council,
        record=record,
        values=values,
        errors=errors,
        form=form,
        document=document,
        action_form=ActionForm(formdata=None),
        pdf=stored_pdf(monitoring_return=saved) if saved is not None else None,
        period_args=dict(values),
    )


@bp.route(RECORD + "/return/pdf", methods=["POST"], endpoint="monitoring_return_pdf")
@for_council(can_keep_support)
def start_return_pdf(council: Council, record_id: int) -> Response:
    record = _record(council, record_id)
    _values, _errors, period = _chosen_period(record)
    if period is None:
        abort(400)
    page = _return_page(council, record, period)
    if not ActionForm().validate_on_submit():
        flash("The form had expired; please ask for the PDF again.", "error")
        return redirect(page)

    def start() -> Any:
        saved = ensure_return(record=record, period=period)
        return start_pdf_run(
            monitoring_return=saved,
            title=f"Making the monitoring return PDF: {record.programme}, {period.label}",
            user=signed_in_user(),
            back_link=page,
        )

    run = commit_or_refuse(start).show()
    if run is None:
        return redirect(page)
    # After the commit: the job reads the run and the return as committed.
    try:
        enqueue(make_return_pdf, key=run_key(run.id), run_id=run.id, council_id=council.id)
    except Exception:  # Redis down, say: the run says so rather than wait for ever
        current_app.logger.exception("Could not queue the PDF of run %s", run.id)
        commit_or_refuse(lambda: fail_unqueued_run(run=run))
    return redirect(url_for("jobs.status", run_id=run.id))


@bp.route(RECORD + "/returns/<int:return_id>.pdf", endpoint="monitoring_return_download")
@for_council(can_keep_support)
def download_return_pdf(council: Council, record_id: int, return_id: int) -> Response:
    record = _record(council, record_id)
    saved = return_by_id(record=record, return_id=return_id)
    stored = stored_pdf(monitoring_return=saved) if saved is not None else None
    if saved is None or stored is None:
        abort(404)
    response = Response(stored.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(saved)}"'
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response
