"""A household asks for the credit on its account back; the treasurer answers by email.

Open to members and to households that have left (`can_view_own_account`):
a household leaving in credit is the likeliest to ask. The page shows the
credit it may ask for (its available funds, `credit_back.credit_of`), the
request still waiting if there is one, and otherwise the form.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from coop.domain.money import plain_pounds
from coop.domain.permissions import can_view_own_account
from coop.domain.roles import MembershipStatus
from coop.models import Coop, Membership
from coop.models.payments import CREDIT_BACK_TEXT_LENGTH
from coop.services.payments.credit_back import ask_for_credit_back, credit_of, pending_request
from coop.services.people.memberships import membership_of
from coop.web.access import for_coop, signed_in_user
from coop.web.forms import GuardedForm, PenceField, strip
from coop.web.members import bp
from coop.web.outcome import commit_or_refuse


class CreditBackForm(GuardedForm):
    """How much of its credit a household asks back, and why."""

    amount = PenceField("Amount", [InputRequired("Enter an amount, such as 20 or 12.50.")])
    message = TextAreaField(
        "A message for the treasurer (optional)",
        filters=[strip],
        validators=[
            Length(
                max=CREDIT_BACK_TEXT_LENGTH,
                message=f"Use at most {CREDIT_BACK_TEXT_LENGTH} characters.",
            )
        ],
    )


def _household(coop: Coop) -> Membership:
    membership = membership_of(coop=coop, user=signed_in_user())
    if membership is None or membership.status not in (
        MembershipStatus.ACTIVE,
        MembershipStatus.LEFT,
    ):
        abort(403)
    return membership


@bp.route("/coops/<slug>/credit-back", methods=["GET", "POST"])
@for_coop(can_view_own_account)
def credit_back(coop: Coop):
    membership = _household(coop)
    waiting = pending_request(membership=membership)
    credit = credit_of(membership=membership)
    form = CreditBackForm()
    if request.method == "GET" and credit:
        form.amount.data = credit
        form.amount.raw_data = [plain_pounds(credit)]
    if waiting is None and form.validate_on_submit():
        asked = commit_or_refuse(
            lambda: ask_for_credit_back(
                membership=membership,
                amount_pence=form.amount.data,
                message=form.message.data or "",
            )
        ).show(form)
        if asked is not None:
            flash("Your request is sent: the treasurer will email you.", "success")
            return redirect(url_for("members.credit_back", slug=coop.slug))
    return render_template(
        "members/credit_back/ask.html",
        coop=coop,
        form=form,
        credit=credit,
        waiting=waiting,
    )
