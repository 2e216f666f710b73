"""Receiving a round's delivery (or undoing its record), and the allocations: change one by hand."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from coop.domain.permissions import can_manage_rounds, can_view_rounds
from coop.domain.rounds import (
    ALLOCATED,
    DELIVERY_UNDOABLE,
    SHARES_CHANGEABLE,
    RoundState,
    can_move,
)
from coop.domain.wording import possessive
from coop.models import Allocation, Coop, Round
from coop.services.rounds import receiving
from coop.services.rounds.allocations import (
    allocation_in,
    clear_allocation,
    round_allocations,
    set_allocation,
    why_fixed,
)
from coop.services.rounds.receiving import Received, RowsRefused, items_to_receive, plural
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.lookups import coop_round
from coop.web.admin.rounds.receiving_forms import AllocationForm, ReceiveForm, receive_form
from coop.web.forms import ActionForm, required
from coop.web.links import order_link
from coop.web.outcome import commit_or_refuse


def _received_message(received: Received) -> str:
    parts = ["The delivery is recorded."]
    if received.items_reshared:
        parts.append(
            f"{plural(received.items_reshared, 'item')} shared out again by the round's rule."
        )
    if received.households_told:
        parts.append(f"{plural(received.households_told, 'household')} told what changed.")
    if received.surplus_units:
        parts.append(f"{plural(received.surplus_units, 'unit')} left over for the co-op's stock.")
    return " ".join(parts)


@bp.route("/rounds/<int:round_id>/receive", methods=["GET", "POST"])
@for_coop(can_manage_rounds)
def receive_round(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    form = receive_form(items_to_receive(round_id=round_.id))
    if form.validate_on_submit():
        received = commit_or_refuse(lambda: _receive(form, round_)).show(form)
        if received is not None:
            flash(_received_message(received), "success")
            return redirect(url_for("admin.allocations", slug=coop.slug, round_id=round_.id))
    return render_template(
        "admin/rounds/receive.html",
        coop=coop,
        round_=round_,
        form=form,
        receivable=can_move(round_.state, RoundState.RECEIVED),
    )


def _receive(form: ReceiveForm, round_: Round) -> Received:
    try:
        return receiving.receive_round(
            round_id=round_.id, by=signed_in_user(), lines=form.lines(), link_for=order_link
        )
    except RowsRefused as refused:
        form.show_problems(refused.problems)
        raise


@bp.route("/rounds/<int:round_id>/receive/undo", methods=["GET", "POST"])
@for_coop(can_manage_rounds)
def undo_delivery(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    to_round = redirect(url_for("admin.round", slug=coop.slug, round_id=round_.id))
    form = ActionForm()
    if form.validate_on_submit():
        undone = commit_or_refuse(
            lambda: receiving.undo_delivery(
                round_id=round_.id, by=signed_in_user(), link_for=order_link
            )
        ).show()
        if undone is not None:
            told = (
                f" {plural(undone.households_told, 'household')} told their share went back."
                if undone.households_told
                else ""
            )
            flash(
                f"The delivery record is undone: {round_.title} is closed again, with the "
                f"shares closing gave.{told}",
                "success",
            )
        return to_round
    refusal = DELIVERY_UNDOABLE.refusal_for(round_.state)
    if refusal:
        flash(refusal, "error")
        return to_round
    return render_template("admin/rounds/undo_delivery.html", coop=coop, round_=round_)


@bp.route("/rounds/<int:round_id>/allocations")
@for_coop(can_view_rounds)
def allocations(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    return render_template(
        "admin/rounds/allocations.html",
        coop=coop,
        round_=round_,
        allocated=round_.state in ALLOCATED,
        adjustable=round_.state in SHARES_CHANGEABLE,
        items=round_allocations(round_id=round_.id) if round_.state in ALLOCATED else [],
    )


@bp.route("/rounds/<int:round_id>/allocations/<int:allocation_id>", methods=["GET", "POST"])
@for_coop(can_manage_rounds)
def change_allocation(coop: Coop, round_id: int, allocation_id: int):
    round_ = coop_round(coop, round_id)
    allocation = allocation_in(round_id=round_.id, allocation_id=allocation_id)
    if allocation is None:
        abort(404)
    back = url_for("admin.allocations", slug=coop.slug, round_id=round_.id)
    refusal = why_fixed(round_)
    if refusal:
        flash(refusal, "error")
        return redirect(back)
    if request.method == "POST" and "clear" in request.form:
        return _return_to_computed(round_, allocation, back)
    household = allocation.membership.user.name
    item_name = allocation.item.name
    form = AllocationForm()
    if request.method == "GET":
        form.units.data = allocation.units
        form.reason.data = allocation.manual_reason
    if form.validate_on_submit():
        changed = commit_or_refuse(
            lambda: set_allocation(
                round_id=round_.id,
                allocation_id=allocation.id,
                units=required(form.units.data),
                reason=form.reason.data or "",
                by=signed_in_user(),
                link_for=order_link,
            )
        ).show(form)
        if changed is not None:
            flash(
                f"{household} will receive {plural(changed.units, 'unit')} of {item_name}.",
                "success",
            )
            return redirect(back)
    return render_template(
        "admin/rounds/allocation.html",
        coop=coop,
        round_=round_,
        allocation=allocation,
        form=form,
        clear_form=ActionForm(),
    )


def _return_to_computed(round_: Round, allocation: Allocation, back: str) -> Response:
    household, item_name = allocation.membership.user.name, allocation.item.name
    cleared = (
        ActionForm().validate_on_submit()
        and commit_or_refuse(
            lambda: clear_allocation(
                round_id=round_.id,
                allocation_id=allocation.id,
                by=signed_in_user(),
                link_for=order_link,
            )
        ).show()
    )
    if not cleared:
        return redirect(request.path)
    flash(
        f"{possessive(household)} {item_name} is back to the share by the round's rule.", "success"
    )
    return redirect(back)
