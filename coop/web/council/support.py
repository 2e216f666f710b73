"""Officers' support pages: the council's records, a record's history and use, decisions."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from coop.domain.permissions import can_keep_support
from coop.extensions import db
from coop.models import Coop, Council, SupportKind, SupportRecord, SupportStatus
from coop.services.support.due import record_due
from coop.services.support.records import (
    close_support_record,
    council_coops,
    council_record,
    council_records,
    create_support_record,
    decide_support_record,
    record_acknowledgement,
    record_history,
    record_monitoring,
    update_support_record,
)
from coop.services.support.usage import record_usage
from coop.web.access import for_council, signed_in_user
from coop.web.council import bp
from coop.web.council.forms import CouncilSupportForm, DecisionForm, SupportForm
from coop.web.forms import ActionForm
from coop.web.outcome import commit_or_refuse

RECORD = "/<int:council_id>/support/<int:record_id>"


def _record(council: Council, record_id: int) -> SupportRecord:
    record = council_record(council=council, record_id=record_id)
    if record is None:
        abort(404)
    return record


def _to_record(council: Council, record: SupportRecord) -> Response:
    return redirect(url_for("council.support_record", council_id=council.id, record_id=record.id))


@bp.route("/<int:council_id>/support/")
@for_council(can_keep_support)
def support_records(council: Council):
    return render_template(
        "council/support/list.html", council=council, records=council_records(council=council)
    )


@bp.route("/<int:council_id>/support/new", methods=["GET", "POST"])
@for_council(can_keep_support)
def new_support_record(council: Council):
    coops = council_coops(council=council)
    form = CouncilSupportForm().offer(coops)
    if form.validate_on_submit():
        # A forged or unknown choice gives no id, or the id of no co-op.
        coop = db.session.get(Coop, form.coop.data) if form.coop.data is not None else None
        if coop is None:
            form.coop.errors = [*form.coop.errors, "Choose one of the council's co-ops."]
        else:
            record = commit_or_refuse(
                lambda: create_support_record(
                    council=council, coop=coop, details=form.details(), by=signed_in_user()
                )
            ).show(form)
            if record is not None:
                flash(f"The support for {coop.name} is recorded.", "success")
                return _to_record(council, record)
    return render_template(
        "council/support/form.html", council=council, form=form, record=None, kinds=SupportKind
    )


@bp.route(RECORD, endpoint="support_record")
@for_council(can_keep_support)
def support_record(council: Council, record_id: int):
    record = _record(council, record_id)
    return render_template(
        "council/support/record.html",
        council=council,
        record=record,
        history=record_history(record=record),
        usage=record_usage(record=record) if record.kind is SupportKind.SUBSIDY else None,
        due=record_due(record, date.today()),
        decision_form=DecisionForm(formdata=None),
        action_form=ActionForm(formdata=None),
        statuses=SupportStatus,
    )


@bp.route(RECORD + "/edit", methods=["GET", "POST"], endpoint="edit_support_record")
@for_council(can_keep_support)
def edit_support_record(council: Council, record_id: int):
    record = _record(council, record_id)
    form = SupportForm() if request.method == "POST" else SupportForm(formdata=None).fill(record)
    if form.validate_on_submit():
        updated = commit_or_refuse(
            lambda: update_support_record(
                record=record, details=form.details(), by=signed_in_user()
            )
        ).show(form)
        if updated is not None:
            flash("The record is changed; its history shows what changed.", "success")
            return _to_record(council, record)
    return render_template(
        "council/support/form.html", council=council, form=form, record=record, kinds=SupportKind
    )


@bp.route(RECORD + "/decide", methods=["POST"], endpoint="decide_support_record")
@for_council(can_keep_support)
def decide(council: Council, record_id: int):
    record = _record(council, record_id)
    form = DecisionForm()
    confirm = request.form.get("decision") == "confirm"
    if form.validate_on_submit():
        decided = commit_or_refuse(
            lambda: decide_support_record(
                record=record, confirm=confirm, note=form.note.data or "", by=signed_in_user()
            )
        ).show()
        if decided is not None:
            flash(
                "The support is confirmed and in force."
                if confirm
                else "The proposal is declined; the co-op sees your note.",
                "success",
            )
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return _to_record(council, record)


@bp.route(RECORD + "/close", methods=["POST"], endpoint="close_support_record")
@for_council(can_keep_support)
def close(council: Council, record_id: int):
    record = _record(council, record_id)
    form = DecisionForm()
    if form.validate_on_submit():
        closed = commit_or_refuse(
            lambda: close_support_record(
                record=record, note=form.note.data or "", by=signed_in_user()
            )
        ).show()
        if closed is not None:
            flash("The record is closed.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return _to_record(council, record)


@bp.route(RECORD + "/monitoring", methods=["POST"], endpoint="support_monitoring_received")
@for_council(can_keep_support)
def monitoring_received(council: Council, record_id: int):
    record = _record(council, record_id)
    if ActionForm().validate_on_submit():
        done = commit_or_refuse(lambda: record_monitoring(record=record, by=signed_in_user()))
        if done.value is not None:
            flash("The monitoring return is noted and the next one scheduled.", "success")
        done.show()
    return _to_record(council, record)


@bp.route(RECORD + "/acknowledged", methods=["POST"], endpoint="support_acknowledged")
@for_council(can_keep_support)
def acknowledged(council: Council, record_id: int):
    record = _record(council, record_id)
    if ActionForm().validate_on_submit():
        done = commit_or_refuse(lambda: record_acknowledgement(record=record, by=signed_in_user()))
        if done.value is not None:
            flash("The co-op's acknowledgement of the support is noted.", "success")
        done.show()
    return _to_record(council, record)
