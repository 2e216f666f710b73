"""Packing lists (per household and per product), the pickup sheet, and the co-op's stock."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from coop.domain.money import format_pence
from coop.domain.permissions import can_manage_money, can_record_collections, can_view_rounds
from coop.domain.rounds import ALLOCATED, BILLED
from coop.extensions import db
from coop.models import Coop, Membership, Round
from coop.services.links import links
from coop.services.money.paying_in import paying_in
from coop.services.money.pickup_payments import pickup_money, record_pickup_cash
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.rounds.packing import (
    bags_csv,
    coop_stock,
    household_bags,
    pickup_csv,
    pickup_list,
    product_splits,
    products_csv,
)
from coop.services.rounds.packing import (
    record_collection as record_pickup,
)
from coop.web.access import current_viewer, for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.lookups import coop_round
from coop.web.admin.rounds.pickup_forms import (
    PickupCashForm,
    blank_cash_form,
    posted_cash_form,
)
from coop.web.admin.rounds.receiving_forms import CollectionForm
from coop.web.downloads import csv_download
from coop.web.links import site_url_for
from coop.web.outcome import commit_or_refuse
from coop.web.qr import qr_svg


def _packing_page(template: str, coop: Coop, round_: Round, **context: object) -> str:
    return render_template(
        template,
        coop=coop,
        round_=round_,
        packable=round_.state in ALLOCATED,
        **context,
    )


def _csv(content: str, round_: Round, name: str) -> Response:
    return csv_download(content, f"round-{round_.id}-{name}.csv")


def _packable_round(coop: Coop, round_id: int) -> Round:
    """Return the co-op's round if it has anything to pack, else 404 (for the CSV files)."""
    round_ = coop_round(coop, round_id)
    if round_.state not in ALLOCATED:
        abort(404)
    return round_


@bp.route("/rounds/<int:round_id>/packing")
@for_coop(can_view_rounds)
def packing_households(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    bags = household_bags(round_id=round_.id) if round_.state in ALLOCATED else []
    return _packing_page("admin/rounds/packing_households.html", coop, round_, bags=bags)


@bp.route("/rounds/<int:round_id>/packing.csv")
@for_coop(can_view_rounds)
def packing_households_csv(coop: Coop, round_id: int):
    round_ = _packable_round(coop, round_id)
    return _csv(bags_csv(household_bags(round_id=round_.id)), round_, "packing-by-household")


@bp.route("/rounds/<int:round_id>/packing/products")
@for_coop(can_view_rounds)
def packing_products(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    splits = product_splits(round_id=round_.id) if round_.state in ALLOCATED else []
    return _packing_page("admin/rounds/packing_products.html", coop, round_, splits=splits)


@bp.route("/rounds/<int:round_id>/packing/products.csv")
@for_coop(can_view_rounds)
def packing_products_csv(coop: Coop, round_id: int):
    round_ = _packable_round(coop, round_id)
    return _csv(products_csv(product_splits(round_id=round_.id)), round_, "packing-by-product")


def _pickup_page(coop: Coop, round_: Round, posted: tuple[int, PickupCashForm] | None = None):
    """The pickup sheet; with *posted*, one household's cash form as sent, with its errors.

    What households owe, and the cash forms, are for those who handle the
    co-op's money (`can_manage_money`, as the treasurer's payment form).
    """
    pickups = pickup_list(round_id=round_.id) if round_.state in ALLOCATED else []
    money = {}
    forms: dict[int, PickupCashForm] = {}
    how = None
    pay_link = ""
    if pickups and can_manage_money(current_viewer(), coop.id):
        money = pickup_money(
            coop=coop, round_=round_, membership_ids=[p.membership_id for p in pickups]
        )
        forms = {mid: blank_cash_form(mid, household.seen) for mid, household in money.items()}
        if posted is not None:
            forms[posted[0]] = posted[1]
        for pickup in pickups:
            forms[pickup.membership_id].amount.label.text = f"Cash paid by {pickup.household}"
        how = paying_in(coop=coop)
        if card_payments_enabled_for(coop):
            # A settled round has bills to pay; before that a household tops up what it owes.
            pay_link = (
                links().pay_bill(round_)
                if round_.state in BILLED
                else site_url_for("members.top_up", slug=coop.slug)
            )
    return _packing_page(
        "admin/rounds/pickup.html",
        coop,
        round_,
        pickups=pickups,
        form=CollectionForm(),
        money=money,
        cash_forms=forms,
        how=how,
        pay_link=pay_link,
        pay_qr=qr_svg(pay_link) if pay_link else "",
        posted_form=posted[1] if posted is not None else None,
        billed=round_.state in BILLED,
    )


@bp.route("/rounds/<int:round_id>/pickup")
@for_coop(can_view_rounds)
def pickup_sheet(coop: Coop, round_id: int):
    return _pickup_page(coop, coop_round(coop, round_id))


@bp.route("/rounds/<int:round_id>/pickup/<int:membership_id>/cash", methods=["POST"])
@for_coop(can_manage_money)
def record_pickup_payment(coop: Coop, round_id: int, membership_id: int):
    round_ = coop_round(coop, round_id)
    household = db.session.get(Membership, membership_id)
    if household is None or household.coop_id != coop.id:
        abort(404)
    form = posted_cash_form(membership_id)
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            lambda: record_pickup_cash(
                coop=coop,
                round_=round_,
                membership_id=household.id,
                name=household.user.name,
                amount_pence=form.amount.data,
                seen=form.seen_posting(),
                by=signed_in_user(),
                confirmed=form.confirmed(),
            )
        )
        transaction = outcome.show(form)
        if transaction is not None:
            flash(
                f"Recorded: {transaction.memo}, {format_pence(form.amount.data or 0)}.", "success"
            )
            back = url_for("admin.pickup_sheet", slug=coop.slug, round_id=round_.id)
            return redirect(f"{back}#household-{membership_id}")
    return _pickup_page(coop, round_, posted=(membership_id, form))


@bp.route("/rounds/<int:round_id>/pickup.csv")
@for_coop(can_view_rounds)
def pickup_sheet_csv(coop: Coop, round_id: int):
    round_ = _packable_round(coop, round_id)
    return _csv(pickup_csv(pickup_list(round_id=round_.id)), round_, "pickup")


@bp.route("/rounds/<int:round_id>/pickup/<int:membership_id>", methods=["POST"])
@for_coop(can_record_collections)
def record_collection(coop: Coop, round_id: int, membership_id: int):
    round_ = coop_round(coop, round_id)
    household = db.session.get(Membership, membership_id)
    if household is None or household.coop_id != coop.id:
        abort(404)
    form = CollectionForm()
    back = url_for("admin.pickup_sheet", slug=coop.slug, round_id=round_.id)
    if not form.validate_on_submit():
        flash("Choose collected or not.", "error")
        return redirect(back)
    collected = form.collected.data == "1"
    name = household.user.name
    recorded = commit_or_refuse(
        lambda: record_pickup(
            round_id=round_.id, membership_id=household.id, collected=collected, by=signed_in_user()
        )
    )
    recorded.show()
    if not recorded.refused:
        flash(
            f"{name} has collected." if collected else f"{name} is marked as not collected yet.",
            "success",
        )
    return redirect(f"{back}#household-{membership_id}")


@bp.route("/stock")
@for_coop(can_view_rounds)
def stock(coop: Coop):
    lines = coop_stock(coop_id=coop.id)
    return render_template(
        "admin/stock.html",
        coop=coop,
        lines=lines,
        total_pence=sum(line.value_pence for line in lines),
    )
