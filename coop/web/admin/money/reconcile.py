"""Reconciling cash and the bank: a statement balance beside the ledger's, and its history."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from coop.domain.money import format_pence
from coop.domain.permissions import can_manage_money
from coop.models import Coop, HeldIn
from coop.services.money.fund import local_today
from coop.services.money.reconcile import compare, past_reconciliations, reconcile_account
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.money.fund_forms import ReconcileForm
from coop.web.outcome import commit_or_refuse

SAVE = "save"


def _page(coop: Coop, account: HeldIn):
    form = ReconcileForm()
    if request.method == "GET":
        form.as_of.data = local_today()
    statement = None
    as_of = local_today()
    if form.validate_on_submit():
        as_of = form.as_of.data or as_of
        statement = form.statement_balance.data
        if request.form.get("action") == SAVE:
            saved = commit_or_refuse(
                lambda: reconcile_account(
                    coop=coop,
                    account=account,
                    as_of=form.as_of.data,
                    statement_pence=form.statement_balance.data,
                    note=form.note.data or "",
                    by=signed_in_user(),
                )
            ).show(form)
            if saved is not None:
                difference = saved.difference_pence
                flash(
                    f"Reconciled {account.label.lower()} to {saved.as_of:%-d %B %Y}: "
                    + (
                        "the balances agree."
                        if difference == 0
                        else f"a difference of {format_pence(difference)} is noted."
                    ),
                    "success",
                )
                return redirect(url_for(request.endpoint or "admin.balances", slug=coop.slug))
        elif as_of > local_today():
            form.as_of.errors = [
                "That day is in the future: enter the date the statement or count is for."
            ]
            as_of = local_today()
    elif form.as_of.data is not None and not form.as_of.errors:
        as_of = min(form.as_of.data, local_today())
    comparison = compare(coop=coop, account=account, as_of=as_of, statement_pence=statement)
    return render_template(
        "admin/money/reconcile.html",
        coop=coop,
        form=form,
        account=account,
        comparison=comparison,
        history=past_reconciliations(coop=coop, account=account),
    )


@bp.route("/money/reconcile/cash", methods=["GET", "POST"], endpoint="reconcile_cash")
@for_coop(can_manage_money)
def reconcile_cash(coop: Coop):
    return _page(coop, HeldIn.CASH)


@bp.route("/money/reconcile/bank", methods=["GET", "POST"], endpoint="reconcile_bank")
@for_coop(can_manage_money)
def reconcile_bank(coop: Coop):
    return _page(coop, HeldIn.BANK)
