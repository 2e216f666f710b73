"""Ordering: the rounds a household sees, the ordering page, its JSON and a printable order.

The ordering page works as plain form posts; `static/js/ordering.js` posts
the same forms asking for JSON, and polls the case indicators.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from coop.domain.money import format_pence
from coop.domain.permissions import can_order
from coop.domain.rounds import ALLOCATED, SEEN_BY_MEMBERS, RoundState
from coop.extensions import wants_json
from coop.models import Coop, Membership, Round, RoundItem
from coop.services.money.credit import ask_for_approval
from coop.services.people.memberships import membership_of
from coop.services.rounds.lifecycle import round_for
from coop.services.rounds.ordering import Saved, funds_of, item_for, set_order, taking_orders
from coop.services.rounds.ordering_pages import (
    OrderFilters,
    member_rounds,
    open_rounds,
    order_page,
    receipt,
)
from coop.services.rounds.ordering_pages import case_indicators as indicators_of
from coop.web.access import for_coop, signed_in_user
from coop.web.links import site_url_for
from coop.web.members import bp
from coop.web.members.order_forms import AskApprovalForm, ItemOrderForm, OrderFilterForm
from coop.web.outcome import commit_or_refuse

# After a plain post the page jumps back to the item, far below the flash messages, so the
# item's own status line says what was saved: [item id, message], kept for one page view.
SAVED = "order_saved"


@bp.context_processor
def ordering_helpers() -> dict[str, object]:
    """Let a co-op's home page list its open rounds (queried only when asked)."""
    return {"open_rounds_of": lambda coop: open_rounds(coop=coop)}


def _household(coop: Coop) -> Membership:
    membership = membership_of(coop=coop, user=signed_in_user())
    if membership is None or not membership.is_active:  # can_order has already said yes
        abort(403)
    return membership


def _round(coop: Coop, round_id: int) -> Round:
    """Return the co-op's round if households may see it (a cancelled one says why), else 404."""
    round_ = round_for(coop=coop, round_id=round_id)
    if round_ is None or round_.state not in SEEN_BY_MEMBERS:
        abort(404)
    return round_


@bp.route("/coops/<slug>/rounds")
@for_coop(can_order)
def rounds(coop: Coop):
    listing = member_rounds(coop=coop, membership=_household(coop))
    return render_template("members/rounds/list.html", coop=coop, listing=listing)


@bp.route("/coops/<slug>/rounds/<int:round_id>")
@for_coop(can_order)
def order(coop: Coop, round_id: int):
    round_ = _round(coop, round_id)
    membership = _household(coop)
    if round_.state is RoundState.CANCELLED:
        return render_template("members/rounds/cancelled.html", coop=coop, round_=round_)
    if round_.state in ALLOCATED:
        return render_template(
            "members/rounds/closed.html",
            coop=coop,
            round_=round_,
            lines=receipt(round_=round_, membership=membership),
        )
    return _order_page(coop, round_, membership, OrderFilterForm(request.args))


def _order_page(
    coop: Coop,
    round_: Round,
    membership: Membership,
    filters: OrderFilterForm,
    failed: tuple[int, ItemOrderForm] | None = None,
) -> Any:
    page = order_page(round_=round_, membership=membership, filters=filters.filters())
    filters.offer(page.categories)
    saved = None if failed else session.pop(SAVED, None)
    if saved and not any(line.id == saved[0] for line in page.shown):
        flash(saved[1], "success")  # the item is filtered out: say it at the top instead
        saved = None
    html = render_template(
        "members/rounds/order.html",
        coop=coop,
        round_=round_,
        page=page,
        filters=filters,
        kept=filters.kept(),
        failed_id=failed[0] if failed else None,
        failed=failed[1] if failed else None,
        taking_orders=taking_orders(round_),
        saved_id=saved[0] if saved else None,
        saved_message=saved[1] if saved else "",
    )
    return (html, 400) if failed else html


def _saved_message(item: RoundItem, saved: Saved) -> str:
    if not saved.changed:
        return f"No change to {item.name}."
    if not saved.quantity and not saved.tolerance:
        return f"{item.name} is no longer in your order."
    text = f"Saved: {saved.quantity} of {item.name} ({item.unit_label})"
    if saved.tolerance:
        text += f", and up to {saved.tolerance} more to help fill a case"
    return text + "."


@bp.route("/coops/<slug>/rounds/<int:round_id>/items/<int:item_id>", methods=["POST"])
@for_coop(can_order)
def order_item(coop: Coop, round_id: int, item_id: int):
    round_ = _round(coop, round_id)
    membership = _household(coop)
    item = item_for(coop=coop, item_id=item_id)
    if item is None:
        abort(404)
    form = ItemOrderForm()
    filters = OrderFilterForm(request.form)
    back = url_for(
        "members.order",
        slug=coop.slug,
        round_id=round_.id,
        _anchor=f"item-{item.id}",
        **_as_lists(filters.kept()),
    )
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            lambda: set_order(
                round_=round_,
                item=item,
                membership=membership,
                quantity=form.quantity.data or 0,
                tolerance=form.tolerance.data or 0,
            )
        )
        if outcome.value is not None:
            return _answer_saved(coop, round_, membership, item, outcome.value, back)
        field = outcome.refusal.field if outcome.refusal is not None else None
        if outcome.refusal is not None and (field is None or field not in form):
            # A refusal of the whole item, not of one field: said above the list.
            if wants_json():
                return jsonify(errors={"item": outcome.message}), 409
            outcome.show()
            return redirect(back)
        outcome.show(form)
    if wants_json():
        return jsonify(errors=_errors_by_field(form)), 400
    if not taking_orders(round_):
        return redirect(back)  # the page says the order can no longer change
    return _order_page(coop, round_, membership, filters, failed=(item.id, form))


def _as_lists(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values


def _errors_by_field(form: ItemOrderForm) -> dict[str, str]:
    return {
        (name if name in ("quantity", "tolerance") else "item"): " ".join(errors)
        for name, errors in form.errors.items()
    }


def _answer_saved(
    coop: Coop, round_: Round, membership: Membership, item: RoundItem, saved: Saved, back: str
) -> Response:
    message = _saved_message(item, saved)
    if not wants_json():
        session[SAVED] = [item.id, message]
        return redirect(back)
    page = order_page(round_=round_, membership=membership, filters=OrderFilters())
    line = page.line(item.id)
    assert line is not None  # the item is in the round: set_order checked
    return jsonify(
        item_id=item.id,
        quantity=line.quantity,
        tolerance=line.tolerance,
        indicator=line.indicator,
        line_pence=line.line_pence,
        line=format_pence(line.line_pence),
        total_pence=page.total_pence,
        total=format_pence(page.total_pence),
        committed_pence=page.funds.committed_pence,
        committed=format_pence(page.funds.committed_pence),
        available_pence=page.funds.available_pence,
        available=format_pence(page.funds.available_pence),
        message=message,
    )


@bp.route("/coops/<slug>/rounds/<int:round_id>/credit-approval", methods=["POST"])
@for_coop(can_order)
def ask_credit_approval(coop: Coop, round_id: int):
    round_ = _round(coop, round_id)
    membership = _household(coop)
    back = url_for("members.order", slug=coop.slug, round_id=round_.id, _anchor="credit-limit")
    if not AskApprovalForm().validate_on_submit():
        flash("The form had expired; please ask again.", "error")
        return redirect(back)
    asked = commit_or_refuse(
        lambda: ask_for_approval(
            coop=coop,
            membership=membership,
            round_=round_,
            available_pence=funds_of(membership=membership).available_pence,
            review_link=site_url_for("admin.credit_approvals", slug=coop.slug),
        )
    )
    asked.show()
    if not asked.refused:
        flash("The treasurer is asked to approve your order in this round.", "success")
    return redirect(back)


@bp.route("/coops/<slug>/rounds/<int:round_id>/cases.json")
@for_coop(can_order)
def case_indicators(coop: Coop, round_id: int):
    round_ = _round(coop, round_id)
    indicators = indicators_of(round_=round_)
    return jsonify(
        open=taking_orders(round_),
        items=[{"id": item_id, "indicator": text} for item_id, text in indicators.items()],
    )


@bp.route("/coops/<slug>/rounds/<int:round_id>/my-order")
@for_coop(can_order)
def my_order(coop: Coop, round_id: int):
    round_ = _round(coop, round_id)
    membership = _household(coop)
    if round_.state is RoundState.CANCELLED:
        return render_template("members/rounds/cancelled.html", coop=coop, round_=round_)
    closed = round_.state in ALLOCATED
    return render_template(
        "members/rounds/my_order.html",
        coop=coop,
        round_=round_,
        household=membership.user.name,
        closed=closed,
        lines=receipt(round_=round_, membership=membership) if closed else None,
        page=None
        if closed
        else order_page(round_=round_, membership=membership, filters=OrderFilters(mine_only=True)),
    )
