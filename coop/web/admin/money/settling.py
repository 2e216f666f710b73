"""The treasurer's round pages: shared costs, subsidies, settling, and correcting bills."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from coop.domain.catalogue import bp_to_percent
from coop.domain.numbers import whole_number
from coop.domain.permissions import can_manage_money
from coop.domain.rounds import BILLED, SETTLEABLE
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import Coop, Membership, Round
from coop.services.errors import ServiceError
from coop.services.money.bills import round_bills
from coop.services.money.costs import (
    add_round_cost,
    apply_subsidy,
    cost_for,
    cost_suppliers,
    costs_can_change,
    delivery_offers,
    preview_settlement,
    remove_round_cost,
    remove_subsidy,
    round_costs,
    round_subsidies,
    subsidies_left,
    subsidy_records,
)
from coop.services.money.reports import (
    round_bills_csv,
)
from coop.services.money.settlement import settle_round
from coop.services.money.treasury import (
    Carrier,
    correct_bill,
    correction_items,
)
from coop.services.support.usage import in_force_for
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.lookups import coop_round
from coop.web.admin.money.forms import (
    PERCENT,
    CorrectionForm,
    CostForm,
    SubsidyForm,
)
from coop.web.downloads import csv_download
from coop.web.forms import ActionForm, required
from coop.web.links import site_url_for
from coop.web.outcome import commit_or_refuse

ROUND = "/rounds/<int:round_id>"


def _to_settle_page(coop: Coop, round_: Round, anchor: str | None = None) -> Response:
    return redirect(
        url_for("admin.settle_round", slug=coop.slug, round_id=round_.id, _anchor=anchor)
    )


def _statement_link(coop: Coop) -> Any:
    """Return a builder of the household statement's address, for settlement emails."""
    return lambda round_: site_url_for("members.statement", slug=coop.slug)


def _bill_link(coop: Coop) -> Any:
    """Return a builder of a household's bill address for a round, for correction emails."""
    return lambda round_: site_url_for("members.bill", slug=coop.slug, round_id=round_.id)


# --- settling a round: shared costs, subsidies, the preview ---------------------------


def _settle_page(
    coop: Coop,
    round_: Round,
    *,
    cost_form: CostForm | None = None,
    subsidy_form: SubsidyForm | None = None,
) -> str:
    costs = round_costs(round_=round_)
    records = subsidy_records(coop=coop, round_=round_)
    left = subsidies_left(records=records)
    applied = round_subsidies(round_=round_)
    if cost_form is None:
        cost_form = CostForm(formdata=None).offer(cost_suppliers(round_=round_))
    if subsidy_form is None:
        subsidy_form = SubsidyForm(formdata=None).offer(records, costs, left)
    preview, problem = None, ""
    if round_.state in SETTLEABLE:
        try:
            preview = preview_settlement(round_=round_, coop=coop)
        except ServiceError as error:
            problem = error.message
    return render_template(
        "admin/money/settle.html",
        coop=coop,
        round_=round_,
        costs=costs,
        subsidies=applied,
        applied_left=subsidies_left(records=[subsidy.support_record for subsidy in applied]),
        in_force={
            subsidy.support_record_id: in_force_for(subsidy.support_record, round_)
            for subsidy in applied
        },
        offers=delivery_offers(round_=round_, costs=costs) if costs_can_change(round_) else [],
        records=records,
        left=left,
        changeable=costs_can_change(round_),
        cost_form=cost_form,
        subsidy_form=subsidy_form,
        preview=preview,
        problem=problem,
        bills=round_bills(round_=round_),
        settle_form=ActionForm(formdata=None),
        bp_to_percent=bp_to_percent,
    )


@bp.route(ROUND + "/settle", methods=["GET", "POST"], endpoint="settle_round")
@for_coop(can_manage_money)
def settle_round_page(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    if request.method == "POST":
        if ActionForm().validate_on_submit():
            settled = commit_or_refuse(
                lambda: settle_round(
                    round_id=round_.id, by=signed_in_user(), link_for=_statement_link(coop)
                )
            ).show()
            if settled is not None:
                flash(
                    f"{round_.title} is settled: {settled.households} "
                    f"{'household was' if settled.households == 1 else 'households were'} "
                    "charged and told by email.",
                    "success",
                )
        return _to_settle_page(coop, round_)
    return _settle_page(coop, round_)


@bp.route(ROUND + "/costs", methods=["POST"], endpoint="add_round_cost")
@for_coop(can_manage_money)
def add_cost(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    form = CostForm().offer(cost_suppliers(round_=round_))
    if form.validate_on_submit():
        cost = commit_or_refuse(
            lambda: add_round_cost(
                round_=round_,
                name=form.name.data or "",
                amount_pence=required(form.amount.data),
                basis=form.basis.data,
                supplier_id=form.supplier.data,
            )
        ).show(form)
        if cost is not None:
            flash(f"{cost.name} is added to the round's shared costs.", "success")
            return _to_settle_page(coop, round_, "costs")
    return _settle_page(coop, round_, cost_form=form)


@bp.route(ROUND + "/costs/<int:cost_id>/remove", methods=["POST"], endpoint="remove_round_cost")
@for_coop(can_manage_money)
def remove_cost(coop: Coop, round_id: int, cost_id: int):
    round_ = coop_round(coop, round_id)
    cost = cost_for(round_=round_, cost_id=cost_id)
    if cost is None:
        abort(404)
    if ActionForm().validate_on_submit():
        name = commit_or_refuse(lambda: remove_round_cost(round_=round_, cost=cost)).show()
        if name is not None:
            flash(f"{name} is removed from the round's shared costs.", "success")
    return _to_settle_page(coop, round_, "costs")


@bp.route(ROUND + "/subsidies", methods=["POST"], endpoint="add_round_subsidy")
@for_coop(can_manage_money)
def add_subsidy(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    records = subsidy_records(coop=coop, round_=round_)
    form = SubsidyForm().offer(records, round_costs(round_=round_), subsidies_left(records=records))
    if form.validate_on_submit():
        subsidy = commit_or_refuse(
            lambda: apply_subsidy(
                round_=round_,
                coop=coop,
                support_record_id=form.record.data,
                cost_id=form.cost_id(),
                percent_bp=(form.percent.data or 0) if form.pays.data == PERCENT else 0,
                cap_pence=form.cap.data,
            )
        ).show(form)
        if subsidy is not None:
            flash("The subsidy is applied to the round.", "success")
            return _to_settle_page(coop, round_, "subsidies")
    return _settle_page(coop, round_, subsidy_form=form)


@bp.route(ROUND + "/subsidies/remove", methods=["POST"], endpoint="remove_round_subsidy")
@for_coop(can_manage_money)
def take_off_subsidy(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    if ActionForm().validate_on_submit():
        subsidy_id = request.form.get("subsidy", "")
        removed = commit_or_refuse(
            lambda: remove_subsidy(round_=round_, subsidy_id=whole_number(subsidy_id))
        )
        removed.show()
        if not removed.refused:
            flash("The subsidy is taken off the round.", "success")
    return _to_settle_page(coop, round_, "subsidies")


@bp.route(ROUND + "/bills.csv", endpoint="round_bills_csv")
@for_coop(can_manage_money)
def bills_csv(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    return csv_download(round_bills_csv(round_=round_), f"round-{round_.id}-bills.csv")


# --- corrections after settlement --------------------------------------------------------


@bp.route(
    ROUND + "/households/<int:membership_id>/correct",
    methods=["GET", "POST"],
    endpoint="correct_bill",
)
@for_coop(can_manage_money)
def correct(coop: Coop, round_id: int, membership_id: int):
    round_ = coop_round(coop, round_id)
    membership = db.first_or_404(db.select(Membership).filter_by(id=membership_id, coop_id=coop.id))
    form = CorrectionForm().offer(correction_items(round_=round_))
    if round_.state in BILLED and form.validate_on_submit():
        transaction = commit_or_refuse(
            lambda: correct_bill(
                round_=round_,
                membership=membership,
                round_item_id=form.item.data,
                amount_pence=form.signed_amount(),
                carrier=Carrier(form.carrier.data),
                reason=form.reason.data or "",
                by=signed_in_user(),
                link_for=_bill_link(coop),
            )
        ).show(form)
        if transaction is not None:
            flash(
                f"{possessive(membership.user.name)} bill is corrected and they have been told.",
                "success",
            )
            return _to_settle_page(coop, round_, "bills")
    return render_template(
        "admin/money/correct.html",
        coop=coop,
        round_=round_,
        membership=membership,
        form=form,
        bill=next(
            (bill for bill in round_bills(round_=round_) if bill.membership_id == membership.id),
            None,
        ),
    )
