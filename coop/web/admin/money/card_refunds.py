"""The treasurer refunds card payments and answers households asking for their credit back.

A household's card payments (from its row on the balances page) list what
is left of each to refund; a payment's refund page takes an amount, at most
what is left (the whole of it to start with), typed twice above the co-op's
large amount. The credit-back page lists the requests waiting, each with
how it would be paid back (to card payments first, newest first, the rest
by bank transfer or cash), to approve or decline with a note. Treasurers
only (`can_keep_the_books`): money goes out.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms import RadioField, SelectChoice, TextAreaField  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Length, Optional

from coop.domain.money import format_pence, plain_pounds
from coop.domain.permissions import can_keep_the_books
from coop.domain.wording import possessive
from coop.models import Coop
from coop.models.payments import CREDIT_BACK_TEXT_LENGTH
from coop.services.money.confirming import confirm_field, needs_confirming
from coop.services.money.treasury import Method
from coop.services.money.write_offs import household_to_write_off
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.payments.credit_back import (
    answered_requests,
    approve_credit_back,
    credit_back_request_for,
    decline_credit_back,
    waiting_requests,
)
from coop.services.payments.refunds import (
    card_payments_of,
    coop_card_payment,
    refund_card_payment,
    refundable_pence,
    refunds_of,
)
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.money.book_forms import ConfirmingForm
from coop.web.below_zero import BelowZeroConfirming
from coop.web.forms import GuardedForm, PenceField, strip
from coop.web.outcome import commit_or_refuse


def confirm_amount(label: str) -> PenceField:
    """The field where an amount above the co-op's large amount is typed again."""
    return PenceField(f"{label}: type the amount again", validators=[Optional()])


class CardRefundForm(ConfirmingForm):
    """How much of a card payment to refund."""

    amount_fields = ("amount",)

    amount = PenceField(
        "Amount to refund", validators=[InputRequired("Enter an amount, such as 12.50.")]
    )


setattr(CardRefundForm, confirm_field("amount"), confirm_amount("Amount to refund"))


class ApproveCreditBackForm(BelowZeroConfirming, GuardedForm):
    """Approving a request: how any part the card payments cannot take goes back.

    Without a part left for the bank or cash the choice is not shown, and its default stands.
    """

    method = RadioField(  # type: ignore[call-arg]
        "What the card payments do not cover goes back by",
        choices=[SelectChoice(m.value, m.label) for m in (Method.BANK, Method.CASH)],
        default=Method.BANK.value,
        invalid_choice_message="Choose bank transfer or cash.",
        invalid_value_message="Choose bank transfer or cash.",
    )


setattr(ApproveCreditBackForm, confirm_field("amount"), confirm_amount("Amount to pay back"))


class DeclineCreditBackForm(GuardedForm):
    """Declining a request, with a note the household reads."""

    note = TextAreaField(
        "Why (the household reads this)",
        filters=[strip],
        validators=[
            InputRequired("Say why, for the household to read."),
            Length(
                max=CREDIT_BACK_TEXT_LENGTH,
                message=f"Use at most {CREDIT_BACK_TEXT_LENGTH} characters.",
            ),
        ],
    )


# --- a household's card payments and their refunds ------------------------------------------


@bp.route("/money/households/<int:membership_id>/card-payments", endpoint="household_card_payments")
@for_coop(can_keep_the_books)
def household_payments(coop: Coop, membership_id: int):
    membership = household_to_write_off(coop=coop, membership_id=membership_id)
    if membership is None:
        abort(404)
    payments = card_payments_of(membership=membership)
    return render_template(
        "admin/money/card_payments_of.html",
        coop=coop,
        membership=membership,
        payments=payments,
        refundable={payment.id: refundable_pence(payment) for payment in payments},
        enabled=card_payments_enabled_for(coop),
    )


@bp.route(
    "/money/card-payments/<int:payment_id>/refund",
    methods=["GET", "POST"],
    endpoint="refund_card_payment",
)
@for_coop(can_keep_the_books)
def refund_page(coop: Coop, payment_id: int):
    payment = coop_card_payment(coop=coop, payment_id=payment_id)
    if payment is None:
        abort(404)
    left = refundable_pence(payment)
    form = CardRefundForm()
    if request.method == "GET" and left:
        form.amount.data = left
        form.amount.raw_data = [plain_pounds(left)]
    if form.validate_on_submit():
        refund = commit_or_refuse(
            lambda: refund_card_payment(
                coop=coop,
                payment=payment,
                amount_pence=form.amount.data,
                confirmed_pence=form[confirm_field("amount")].data,
                by=signed_in_user(),
            )
        ).show(form)
        if refund is not None:
            flash(
                f"{format_pence(refund.amount_pence)} is refunded to "
                f"{possessive(payment.membership.user.name)} card, and they are told.",
                "success",
            )
            return redirect(
                url_for(
                    "admin.household_card_payments",
                    slug=coop.slug,
                    membership_id=payment.membership_id,
                )
            )
    return render_template(
        "admin/money/card_refund.html",
        coop=coop,
        payment=payment,
        left=refundable_pence(payment),
        refunds=refunds_of(payment=payment),
        form=form,
        confirming=form.confirming(coop),
        enabled=card_payments_enabled_for(coop),
    )


# --- households asking for their credit back -------------------------------------------------


def _prefix(request_id: int) -> str:
    return f"request-{request_id}"


def _requests_page(
    coop: Coop,
    bound: GuardedForm | None = None,
    answering: int | None = None,
    below_zero: str = "",
):
    """The requests page; *bound* is the form just sent for request *answering*."""
    waiting = waiting_requests(coop=coop)
    forms = {}
    for row in waiting:
        approve_form = ApproveCreditBackForm(formdata=None, prefix=_prefix(row.request.id))
        decline_form = DeclineCreditBackForm(formdata=None, prefix=_prefix(row.request.id))
        if row.request.id == answering:
            if isinstance(bound, ApproveCreditBackForm):
                approve_form = bound
            elif isinstance(bound, DeclineCreditBackForm):
                decline_form = bound
        again = approve_form[confirm_field("amount")]
        again.label.text = f"Type {format_pence(row.request.amount_pence)} again to confirm it"
        forms[row.request.id] = (approve_form, decline_form)
    return render_template(
        "admin/money/credit_back_requests.html",
        coop=coop,
        waiting=waiting,
        forms=forms,
        answered=answered_requests(coop=coop),
        answering=answering,
        below_zero=below_zero,
        needs_confirming=lambda pence: needs_confirming(coop=coop, amount_pence=pence),
    )


@bp.route("/money/credit-back", endpoint="credit_back_requests")
@for_coop(can_keep_the_books)
def credit_back_requests(coop: Coop):
    return _requests_page(coop)


@bp.route(
    "/money/credit-back/<int:request_id>/approve",
    methods=["POST"],
    endpoint="approve_credit_back",
)
@for_coop(can_keep_the_books)
def approve(coop: Coop, request_id: int):
    asked = credit_back_request_for(coop=coop, request_id=request_id)
    if asked is None:
        abort(404)
    form = ApproveCreditBackForm(prefix=_prefix(request_id))
    below_zero = ""
    if form.validate_on_submit():
        entry = (form.method.data, asked.amount_pence)
        outcome = commit_or_refuse(
            lambda: approve_credit_back(
                coop=coop,
                request=asked,
                method=Method(form.method.data),
                confirmed_pence=form[confirm_field("amount")].data,
                by=signed_in_user(),
                below_zero_confirmed=form.below_zero_confirmed(*entry),
            )
        )
        plan = outcome.show(form)
        if plan is not None:
            flash(
                f"{format_pence(asked.amount_pence)} is paid back to "
                f"{asked.membership.user.name}, and they are told.",
                "success",
            )
            return redirect(url_for("admin.credit_back_requests", slug=coop.slug))
        if form.ask_below_zero(outcome.refusal, *entry):
            below_zero = outcome.message
    return _requests_page(coop, form, request_id, below_zero)


@bp.route(
    "/money/credit-back/<int:request_id>/decline",
    methods=["POST"],
    endpoint="decline_credit_back",
)
@for_coop(can_keep_the_books)
def decline(coop: Coop, request_id: int):
    asked = credit_back_request_for(coop=coop, request_id=request_id)
    if asked is None:
        abort(404)
    form = DeclineCreditBackForm(prefix=_prefix(request_id))
    if form.validate_on_submit():
        declined = commit_or_refuse(
            lambda: decline_credit_back(
                coop=coop, request=asked, note=form.note.data or "", by=signed_in_user()
            )
        ).show(form)
        if declined is not None:
            flash(f"{possessive(asked.membership.user.name)} request is declined.", "success")
            return redirect(url_for("admin.credit_back_requests", slug=coop.slug))
    return _requests_page(coop, form, request_id)
