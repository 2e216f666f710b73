"""The co-op's accounts: balances, payments in and out, and the ledger with reversals."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from coop.domain.permissions import can_manage_money
from coop.domain.rounds import BILLED, SETTLEABLE
from coop.models import Coop, LedgerTransaction
from coop.services.money.banking import Move, move_money
from coop.services.money.ledger import transaction_for
from coop.services.money.paying_in import reference_of
from coop.services.money.reports import (
    balance_sheet,
    balances_csv,
    ledger_csv,
    ledger_page,
    transaction_line,
)
from coop.services.money.treasury import (
    Method,
    payable_suppliers,
    payment_households,
    record_payment,
    record_supplier_payment,
    reverse_entry,
)
from coop.services.payments.credit_back import waiting_count
from coop.services.rounds.lifecycle import round_summaries
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.money.forms import (
    PaymentForm,
    ReverseForm,
    SupplierPaymentForm,
    TransferForm,
)
from coop.web.downloads import csv_download
from coop.web.outcome import commit_or_refuse
from coop.web.paging import page_number, page_url_keeping

# How many recently settled rounds the balances page links to.
SETTLED_SHOWN = 5


# --- balances and payments -------------------------------------------------------------


@bp.route("/money", endpoint="balances")
@for_coop(can_manage_money)
def balances_page(coop: Coop):
    return render_template(
        "admin/money/balances.html",
        coop=coop,
        sheet=balance_sheet(coop=coop),
        to_settle=round_summaries(coop=coop, states=SETTLEABLE),
        settled=round_summaries(coop=coop, states=BILLED, limit=SETTLED_SHOWN),
        asking_back=waiting_count(coop=coop),
    )


@bp.route("/money/balances.csv", endpoint="balances_csv")
@for_coop(can_manage_money)
def balances_download(coop: Coop):
    return csv_download(balances_csv(coop=coop), f"{coop.slug}-balances.csv")


@bp.route("/money/payments/new", methods=["GET", "POST"], endpoint="record_payment")
@for_coop(can_manage_money)
def payment(coop: Coop):
    form = PaymentForm().offer(payment_households(coop=coop))
    if request.method == "GET":
        form.household.data = form.household.coerce(request.args.get("household"))
        if request.args.get("kind") == "refund":
            form.kind.data = "refund"
    refund = form.kind.data == "refund"
    return _money_form_page(
        coop,
        form,
        "admin/money/payment.html",
        lambda: (
            form.kind.data,
            form.household.data,
            form.reference.data,
            form.method.data,
            form.amount.data,
        ),
        lambda below_zero_confirmed: record_payment(
            coop=coop,
            membership_id=form.household.data,
            amount_pence=form.amount.data,
            method=Method(form.method.data),
            note=form.note.data or "",
            by=signed_in_user(),
            refund=refund,
            reference=form.reference.data or "",
            confirmed=form.confirmed(),
            below_zero_confirmed=below_zero_confirmed,
            occurred_on=form.occurred_on.data,
        ),
        example=reference_of(coop=coop, membership_id=42),
    )


@bp.route("/money/suppliers/pay", methods=["GET", "POST"], endpoint="record_supplier_payment")
@for_coop(can_manage_money)
def supplier_payment(coop: Coop):
    form = SupplierPaymentForm().offer(payable_suppliers(coop=coop))
    if request.method == "GET":
        form.supplier.data = form.supplier.coerce(request.args.get("supplier"))
    return _money_form_page(
        coop,
        form,
        "admin/money/supplier_payment.html",
        lambda: (form.supplier.data, form.method.data, form.amount.data),
        lambda below_zero_confirmed: record_supplier_payment(
            coop=coop,
            supplier_id=form.supplier.data,
            amount_pence=form.amount.data,
            method=Method(form.method.data),
            note=form.note.data or "",
            by=signed_in_user(),
            confirmed=form.confirmed(),
            below_zero_confirmed=below_zero_confirmed,
            occurred_on=form.occurred_on.data,
        ),
    )


@bp.route("/money/cash-and-bank", methods=["GET", "POST"], endpoint="move_money")
@for_coop(can_manage_money)
def cash_and_bank(coop: Coop):
    form = TransferForm()
    return _money_form_page(
        coop,
        form,
        "admin/money/transfer.html",
        lambda: (form.move.data, form.amount.data),
        lambda below_zero_confirmed: move_money(
            coop=coop,
            move=Move(form.move.data),
            amount_pence=form.amount.data,
            note=form.note.data or "",
            by=signed_in_user(),
            confirmed=form.confirmed(),
            below_zero_confirmed=below_zero_confirmed,
            occurred_on=form.occurred_on.data,
        ),
    )


def _money_form_page(
    coop: Coop,
    form: PaymentForm | SupplierPaymentForm | TransferForm,
    template: str,
    entry: Callable[[], tuple[object, ...]],
    record: Callable[[bool], LedgerTransaction],
    **context: object,
) -> ResponseReturnValue:
    """Record a money form's entry, warning once before it takes cash or the bank below zero.

    *entry* is what the warning was given for: an entry sent again as the
    warning left it is recorded (*record* is told it was confirmed); one
    changed since is checked again.
    """
    below_zero = ""
    if form.validate_on_submit():
        seen = entry()
        outcome = commit_or_refuse(lambda: record(form.below_zero_confirmed(*seen)))
        transaction = outcome.show(form)
        if transaction is not None:
            flash(f"Recorded: {transaction.memo}.", "success")
            return redirect(url_for("admin.balances", slug=coop.slug))
        if form.ask_below_zero(outcome.refusal, *seen):
            below_zero = outcome.message
    return render_template(
        template,
        coop=coop,
        form=form,
        confirming=form.confirming(coop),
        below_zero=below_zero,
        **context,
    )


# --- the ledger ------------------------------------------------------------------------


@bp.route("/money/ledger", endpoint="ledger")
@for_coop(can_manage_money)
def ledger(coop: Coop):
    page = ledger_page(coop=coop, page=page_number(request.args.get("page")))
    return render_template(
        "admin/money/ledger.html",
        coop=coop,
        page=page,
        page_url=page_url_keeping(()),
    )


@bp.route("/money/ledger.csv", endpoint="ledger_csv")
@for_coop(can_manage_money)
def ledger_download(coop: Coop):
    return csv_download(ledger_csv(coop=coop), f"{coop.slug}-ledger.csv")


def _transaction_page(
    coop: Coop, transaction_id: int, form: ReverseForm | None = None, below_zero: str = ""
) -> str:
    line = transaction_line(coop=coop, transaction_id=transaction_id)
    if line is None:
        abort(404)
    return render_template(
        "admin/money/transaction.html",
        coop=coop,
        transaction=line,
        form=form or ReverseForm(formdata=None),
        below_zero=below_zero,
    )


@bp.route("/money/ledger/<int:transaction_id>", endpoint="transaction")
@for_coop(can_manage_money)
def transaction_page(coop: Coop, transaction_id: int):
    return _transaction_page(coop, transaction_id)


@bp.route(
    "/money/ledger/<int:transaction_id>/reverse",
    methods=["POST"],
    endpoint="reverse_transaction",
)
@for_coop(can_manage_money)
def reverse(coop: Coop, transaction_id: int):
    transaction = transaction_for(coop=coop, transaction_id=transaction_id)
    if transaction is None:
        abort(404)
    form = ReverseForm()
    below_zero = ""
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            lambda: reverse_entry(
                transaction=transaction,
                reason=form.reason.data or "",
                by=signed_in_user(),
                below_zero_confirmed=form.below_zero_confirmed(transaction_id),
            )
        )
        reversal = outcome.show(form)
        if reversal is not None:
            flash(
                f"Transaction {transaction_id} is reversed by transaction {reversal.id}.", "success"
            )
            return redirect(
                url_for("admin.transaction", slug=coop.slug, transaction_id=reversal.id)
            )
        if form.ask_below_zero(outcome.refusal, transaction_id):
            below_zero = outcome.message
    return _transaction_page(coop, transaction_id, form, below_zero)
