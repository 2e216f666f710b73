"""The coordinator's support pages: what the council gives the co-op, and proposing more."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from coop.domain.permissions import can_propose_support
from coop.models import Coop, SupportKind
from coop.services.people.coops import current_council
from coop.services.support.records import coop_record, coop_records, propose_support_record
from coop.services.support.usage import record_usage
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.council.forms import SupportForm
from coop.web.outcome import commit_or_refuse


@bp.route("/support", endpoint="support")
@for_coop(can_propose_support)
def support(coop: Coop):
    return render_template(
        "admin/support/list.html",
        coop=coop,
        council=current_council(coop=coop),
        records=coop_records(coop=coop),
    )


@bp.route("/support/<int:record_id>", endpoint="support_record")
@for_coop(can_propose_support)
def record(coop: Coop, record_id: int):
    """One record in full: the conditions and dates the co-op must keep to, and a subsidy's use."""
    found = coop_record(coop=coop, record_id=record_id)
    if found is None:
        abort(404)
    return render_template(
        "admin/support/record.html",
        coop=coop,
        record=found,
        usage=record_usage(record=found) if found.kind is SupportKind.SUBSIDY else None,
    )


@bp.route("/support/propose", methods=["GET", "POST"], endpoint="propose_support")
@for_coop(can_propose_support)
def propose(coop: Coop):
    council = current_council(coop=coop)
    form = SupportForm()
    if form.validate_on_submit():
        record = commit_or_refuse(
            lambda: propose_support_record(coop=coop, details=form.details(), by=signed_in_user())
        ).show(form)
        if record is not None:
            flash(
                f"The support is proposed; an officer of {record.council.name} will confirm "
                "or decline it.",
                "success",
            )
            return redirect(url_for("admin.support", slug=coop.slug))
    return render_template(
        "admin/support/propose.html", coop=coop, council=council, form=form, kinds=SupportKind
    )
