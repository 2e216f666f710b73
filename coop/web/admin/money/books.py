"""The treasurer's book entries: opening balances and writing off a household's debt."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from coop.domain.money import format_pence, plain_pounds
from coop.domain.permissions import can_keep_the_books
from coop.domain.wording import possessive
from coop.models import Coop
from coop.models.types import utcnow
from coop.services.money.opening import (
    AS_OF,
    CASH,
    already_entered,
    enter_opening_balances,
    opening_balance_of,
    opening_households,
)
from coop.services.money.reports import transaction_line
from coop.services.money.write_offs import household_to_write_off, owed_by, write_off
from coop.services.times import display_zone
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.money.book_forms import WriteOffForm, opening_form, signed
from coop.web.outcome import commit_or_refuse, show_refusal


@bp.route("/money/opening-balances", methods=["GET", "POST"], endpoint="opening_balances")
@for_coop(can_keep_the_books)
def opening_balances(coop: Coop):
    entered = opening_balance_of(coop=coop)
    households = opening_households(coop=coop)
    form = opening_form(households)
    if entered is None and form.validate_on_submit():
        opening = commit_or_refuse(
            lambda: enter_opening_balances(
                coop=coop,
                as_of=form[AS_OF].data,
                households={
                    household.membership_id: signed(form, household.field)
                    for household in households
                },
                cash_pence=form[CASH].data,
                bank_pence=signed(form, "bank"),
                confirmed=form.confirmed(),
                by=signed_in_user(),
                today=utcnow().astimezone(display_zone()).date(),
            )
        ).show(form)
        if opening is not None:
            flash(f"The opening balances as at {opening.as_of:%-d %B %Y} are posted.", "success")
            return redirect(url_for("admin.opening_balances", slug=coop.slug))
    retyped = False
    if entered is not None and request.method == "POST":
        # Sent again (an old tab, the back button): the form comes back as typed,
        # refused at its first field, and nothing is posted.
        retyped = True
        show_refusal(form, already_entered(entered))
    return render_template(
        "admin/money/opening_balances.html",
        coop=coop,
        entered=entered,
        posted=transaction_line(coop=coop, transaction_id=entered.transaction_id)
        if entered is not None
        else None,
        households=households,
        form=form,
        retyped=retyped,
        confirming=form.confirming(coop),
    )


@bp.route(
    "/money/households/<int:membership_id>/write-off",
    methods=["GET", "POST"],
    endpoint="write_off",
)
@for_coop(can_keep_the_books)
def write_off_page(coop: Coop, membership_id: int):
    membership = household_to_write_off(coop=coop, membership_id=membership_id)
    if membership is None:
        abort(404)
    owed = owed_by(membership=membership)
    form = WriteOffForm()
    if request.method == "GET" and owed:
        form.amount.data = owed
        form.amount.raw_data = [plain_pounds(owed)]
    if form.validate_on_submit():
        transaction = commit_or_refuse(
            lambda: write_off(
                coop=coop,
                membership=membership,
                amount_pence=form.amount.data,
                reason=form.reason.data or "",
                confirmed_pence=form["confirm-amount"].data,
                by=signed_in_user(),
            )
        ).show(form)
        if transaction is not None:
            flash(
                f"{format_pence(form.amount.data or 0)} of {possessive(membership.user.name)} "
                "debt is written off.",
                "success",
            )
            return redirect(url_for("admin.balances", slug=coop.slug))
    return render_template(
        "admin/money/write_off.html",
        coop=coop,
        membership=membership,
        owed=owed,
        form=form,
        confirming=form.confirming(coop),
    )
