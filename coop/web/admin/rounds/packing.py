"""Packing lists (per household and per product), the pickup sheet, and the co-op's stock."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from coop.domain.permissions import can_record_collections, can_view_rounds
from coop.domain.rounds import ALLOCATED
from coop.extensions import db
from coop.models import Coop, Membership, Round
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
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.lookups import coop_round
from coop.web.admin.rounds.receiving_forms import CollectionForm
from coop.web.downloads import csv_download
from coop.web.outcome import commit_or_refuse


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


@bp.route("/rounds/<int:round_id>/pickup")
@for_coop(can_view_rounds)
def pickup_sheet(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    pickups = pickup_list(round_id=round_.id) if round_.state in ALLOCATED else []
    return _packing_page(
        "admin/rounds/pickup.html", coop, round_, pickups=pickups, form=CollectionForm()
    )


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
