"""Credit control for the treasurer: households asking to order past the credit limit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from coop.domain.permissions import can_manage_money
from coop.models import Coop
from coop.services.money.credit import approve_credit, credit_request_for, pending_approvals
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.forms import GuardedForm
from coop.web.links import order_link
from coop.web.outcome import commit_or_refuse


class ApproveForm(GuardedForm):
    """A treasurer's approval of one household's order in one round (the button alone)."""


@bp.route("/money/credit", endpoint="credit_approvals")
@for_coop(can_manage_money)
def approvals(coop: Coop):
    return render_template(
        "admin/money/credit_approvals.html",
        coop=coop,
        pending=pending_approvals(coop=coop),
        form=ApproveForm(formdata=None),
    )


@bp.route("/money/credit/<int:approval_id>/approve", methods=["POST"], endpoint="approve_credit")
@for_coop(can_manage_money)
def approve(coop: Coop, approval_id: int):
    if credit_request_for(coop=coop, approval_id=approval_id) is None:
        abort(404)
    back = url_for("admin.credit_approvals", slug=coop.slug)
    if not ApproveForm().validate_on_submit():
        flash("The form had expired; please approve again.", "error")
        return redirect(back)
    approved = commit_or_refuse(
        lambda: approve_credit(
            coop=coop, approval_id=approval_id, by=signed_in_user(), link_for=order_link
        )
    )
    approval = approved.show()
    if approval is not None:
        flash(
            f"{approval.membership.user.name} can now order in {approval.round.title}.", "success"
        )
    return redirect(back)
