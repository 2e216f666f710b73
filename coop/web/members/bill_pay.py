"""A household pays what a bill leaves it owing, in one tap, by card.

``/coops/<slug>/bills/<round_id>/pay`` (the link of the bill, the
statement and the reminder emails) shows what the bill leaves owing
(`coop.services.payments.bill_pay`) and one button; the button makes the
bill's PaymentIntent, or finds the one already open, and the card payment
page (`coop.web.members.cards`) confirms it. The button carries a token of
this attempt, so the same tap sent twice asks the card processor once.

The signed-in person's own household only, current or former (a household
that left may still pay what it owes): a round of another co-op, or one
the household has no bill in, is 404 with nothing created. With card
payments off for the co-op the page says so and shows how to pay by bank
transfer or in cash; with nothing owing it says that, and has no button.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from coop.domain.permissions import can_view_own_account
from coop.models import Coop
from coop.services.money.bills import bill_for
from coop.services.money.paying_in import how_to_pay
from coop.services.payments.bill_pay import (
    BILL_PAY_MIN_PENCE,
    new_attempt,
    open_bill_payment,
    start_bill_payment,
)
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.payments.owing import owed_on_bill_pence
from coop.services.rounds.lifecycle import round_for
from coop.web.access import for_coop, signed_in_user
from coop.web.members import bp
from coop.web.members.card_forms import PayBillForm
from coop.web.members.cards import _household
from coop.web.outcome import commit_or_refuse


@bp.route("/coops/<slug>/bills/<int:round_id>/pay", methods=["GET", "POST"])
@for_coop(can_view_own_account)
def pay_bill(coop: Coop, round_id: int):
    membership = _household(coop)
    round_ = round_for(coop=coop, round_id=round_id)
    bill = bill_for(round_=round_, membership=membership) if round_ is not None else None
    if round_ is None or bill is None:
        abort(404)
    enabled = card_payments_enabled_for(coop)
    form = PayBillForm()
    problem = ""
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    if request.method == "POST" and enabled:
        outcome = commit_or_refuse(
            lambda: start_bill_payment(
                membership=membership,
                round_=round_,
                attempt=form.attempt.data,
                by=signed_in_user(),
            )
        )
        if outcome.value is not None:
            return redirect(
                url_for("members.card_payment", slug=coop.slug, payment_id=outcome.value.id)
            )
        problem = outcome.message
    form.attempt.data = new_attempt()
    return render_template(
        "members/cards/pay_bill.html",
        coop=coop,
        bill=bill,
        form=form,
        enabled=enabled,
        owed_pence=owed_on_bill_pence(membership=membership, round_=round_),
        minimum_pence=BILL_PAY_MIN_PENCE,
        open_payment=open_bill_payment(membership=membership, round_=round_),
        problem=problem,
        paying=how_to_pay(coop=coop, membership=membership),
    )
