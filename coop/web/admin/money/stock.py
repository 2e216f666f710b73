"""The co-op's stock for the treasurer: on hand at cost, sold, offered in a round, written off."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from coop.domain.money import format_pence
from coop.domain.permissions import can_manage_money
from coop.models import Coop
from coop.services.money.stock import (
    offer_stock,
    rounds_to_offer_in,
    sell_stock,
    stock_movements,
    stock_on_hand,
    write_off_stock,
)
from coop.services.money.treasury import payment_households
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.money.stock_forms import OfferStockForm, SellStockForm, WriteOffStockForm
from coop.web.outcome import commit_or_refuse

# Three forms on one page: their fields' names and ids are kept apart.
SELL, OFFER, WRITE_OFF = "sell", "offer", "off"


def _page(
    coop: Coop,
    sell: SellStockForm | None = None,
    write_off: WriteOffStockForm | None = None,
    offer: OfferStockForm | None = None,
) -> Any:
    items = stock_on_hand(coop=coop)
    rounds = rounds_to_offer_in(coop=coop)
    sell = sell or SellStockForm(formdata=None, prefix=SELL)
    offer = offer or OfferStockForm(formdata=None, prefix=OFFER)
    write_off = write_off or WriteOffStockForm(formdata=None, prefix=WRITE_OFF)
    sell.offer(items, payment_households(coop=coop))
    offer.offer(items, rounds)
    write_off.offer(items)
    if request.method == "GET":
        chosen = sell.item.coerce(request.args.get("item"))
        sell.item.data = offer.item.data = write_off.item.data = chosen
    html = render_template(
        "admin/money/stock.html",
        coop=coop,
        items=items,
        total_pence=sum(item.value_pence for item in items),
        movements=stock_movements(coop=coop),
        sell=sell,
        offer=offer,
        rounds=rounds,
        write_off=write_off,
    )
    return (html, 400) if sell.errors or offer.errors or write_off.errors else html


@bp.route("/money/stock", endpoint="money_stock")
@for_coop(can_manage_money)
def stock_page(coop: Coop):
    return _page(coop)


@bp.route("/money/stock/sell", methods=["POST"], endpoint="sell_stock")
@for_coop(can_manage_money)
def sell(coop: Coop):
    form = SellStockForm(prefix=SELL)
    if form.validate_on_submit():
        movement = commit_or_refuse(
            lambda: sell_stock(
                coop=coop,
                round_item_id=form.item.data,
                membership_id=form.household.data,
                units=form.units.data,
                note=form.note.data or "",
                by=signed_in_user(),
            )
        ).show(form)
        if movement is not None and movement.transaction is not None:  # a sale is posted
            flash(f"Recorded: {movement.transaction.memo}.", "success")
            return redirect(url_for("admin.money_stock", slug=coop.slug))
    return _page(coop, sell=form)


@bp.route("/money/stock/offer", methods=["POST"], endpoint="offer_stock")
@for_coop(can_manage_money)
def offer(coop: Coop):
    form = OfferStockForm(prefix=OFFER)
    if form.validate_on_submit():
        movement = commit_or_refuse(
            lambda: offer_stock(
                coop=coop,
                round_item_id=form.item.data,
                round_id=form.round.data,
                units=form.units.data,
                note=form.note.data or "",
                by=signed_in_user(),
            )
        ).show(form)
        if movement is not None and movement.target_round_item is not None:
            item = movement.target_round_item
            flash(
                f"Offered: {movement.units} of {item.name} ({item.unit_label}) in "
                f"{item.round.title} at {format_pence(item.case_price_pence + item.deposit_pence)} "
                "each, from the co-op's stock.",
                "success",
            )
            return redirect(url_for("admin.money_stock", slug=coop.slug))
    return _page(coop, offer=form)


@bp.route("/money/stock/write-off", methods=["POST"], endpoint="write_off_stock")
@for_coop(can_manage_money)
def write_off(coop: Coop):
    form = WriteOffStockForm(prefix=WRITE_OFF)
    if form.validate_on_submit():
        movement = commit_or_refuse(
            lambda: write_off_stock(
                coop=coop,
                round_item_id=form.item.data,
                units=form.units.data,
                kind=form.kind.data,
                note=form.note.data or "",
                by=signed_in_user(),
            )
        ).show(form)
        if movement is not None:
            flash(
                f"Recorded: {movement.units} of {movement.round_item.name} "
                f"{movement.kind.label.lower()}, at a cost of {format_pence(movement.cost_pence)}.",
                "success",
            )
            return redirect(url_for("admin.money_stock", slug=coop.slug))
    return _page(coop, write_off=form)
