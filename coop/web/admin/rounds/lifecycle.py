"""Coordinators' round pages: the list, a round's page, its details and items, its moves."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from coop.domain.permissions import can_manage_rounds, can_view_rounds
from coop.domain.rounds import (
    AWAITING_SETTLEMENT,
    CLOSABLE,
    DETAILS_EDITABLE,
    FINISHED,
    ITEMS_CHANGEABLE,
    UNFINISHED,
    RoundState,
    can_move,
)
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import Coop, Round, RoundItem, RoundSupplier
from coop.models.types import utcnow
from coop.services.catalogue.products import suppliers_for
from coop.services.catalogue.search import catalogue_categories, catalogue_page
from coop.services.rounds.closing import close_round
from coop.services.rounds.items import (
    add_round_items,
    item_for,
    remove_round_item,
    set_item_limits,
)
from coop.services.rounds.lifecycle import (
    cancel_round,
    create_round,
    delete_draft_round,
    extend_deadline,
    open_round,
    round_summaries,
    update_round,
)
from coop.services.rounds.order_sheets import order_sheets
from coop.services.rounds.suppliers import drop_supplier
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.lookups import coop_round
from coop.web.admin.rounds.forms import (
    POLICY_LABELS,
    AddItemsForm,
    CancelForm,
    ExtendForm,
    ItemFilterForm,
    LimitsForm,
    RoundForm,
)
from coop.web.forms import ActionForm, required
from coop.web.links import order_link, site_url_for
from coop.web.outcome import commit_or_refuse
from coop.web.paging import page_url_keeping

PAST_SHOWN = 20
STATE_LABELS = {
    RoundState.DRAFT: "Draft",
    RoundState.OPEN: "Open for orders",
    RoundState.CLOSED: "Closed",
    RoundState.RECEIVED: "Delivery received",
    RoundState.SETTLED: "Settled",
    RoundState.CANCELLED: "Cancelled",
}


@bp.context_processor
def round_helpers() -> dict[str, object]:
    """Give the admin templates the round states, their moves and the policies' wording."""
    return {
        "RoundState": RoundState,
        "can_move": can_move,
        "policy_labels": POLICY_LABELS,
        "state_labels": STATE_LABELS,
        "current_rounds": lambda coop: round_summaries(coop=coop),
    }


def _to_round(coop: Coop, round_: Round) -> Response:
    return redirect(url_for("admin.round", slug=coop.slug, round_id=round_.id))


# --- the list and a round's page ---------------------------------------------------


@bp.route("/rounds")
@for_coop(can_view_rounds)
def rounds(coop: Coop):
    current = round_summaries(coop=coop, states=UNFINISHED)
    groups = [
        ("Open for orders", [s for s in current if s.round.state is RoundState.OPEN]),
        ("Drafts", [s for s in current if s.round.state is RoundState.DRAFT]),
        (
            "Closed, waiting for delivery or pickup",
            [s for s in current if s.round.state in AWAITING_SETTLEMENT],
        ),
        ("Past rounds", round_summaries(coop=coop, states=FINISHED, limit=PAST_SHOWN)),
    ]
    return render_template("admin/rounds/list.html", coop=coop, groups=groups)


def _round_page(
    coop: Coop,
    round_: Round,
    *,
    extend_form: ExtendForm | None = None,
    cancel_form: CancelForm | None = None,
) -> str:
    return render_template(
        "admin/rounds/round.html",
        coop=coop,
        round_=round_,
        sheets=order_sheets(round_=round_),
        extend_form=extend_form or ExtendForm(formdata=None, closes_at=round_.closes_at),
        cancel_form=cancel_form or CancelForm(formdata=None),
        form=ActionForm(),
    )


@bp.route("/rounds/<int:round_id>", endpoint="round")
@for_coop(can_view_rounds)
def round_page(coop: Coop, round_id: int):
    return _round_page(coop, coop_round(coop, round_id))


# --- details ------------------------------------------------------------------------


@bp.route("/rounds/new", methods=["GET", "POST"])
@for_coop(can_manage_rounds)
def new_round(coop: Coop):
    form = RoundForm() if request.method == "POST" else RoundForm.for_new(coop)
    if form.validate_on_submit():
        round_ = commit_or_refuse(
            lambda: create_round(coop=coop, details=form.details(), by=signed_in_user())
        ).show(form)
        if round_ is not None:
            flash(f"{round_.title} is saved as a draft. Now choose what it offers.", "success")
            return redirect(url_for("admin.round_items", slug=coop.slug, round_id=round_.id))
    return render_template("admin/rounds/form.html", coop=coop, form=form, round_=None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@for_coop(can_manage_rounds)
def edit_round(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    refusal = DETAILS_EDITABLE.refusal_for(round_.state)
    if refusal:
        flash(refusal, "error")
        return _to_round(coop, round_)
    form = RoundForm(round_=round_) if request.method == "POST" else RoundForm.for_round(round_)
    if form.validate_on_submit():
        saved = commit_or_refuse(lambda: update_round(round_=round_, details=form.details())).show(
            form
        )
        if saved is not None:
            flash(f"{round_.title} is saved.", "success")
            return _to_round(coop, round_)
    return render_template("admin/rounds/form.html", coop=coop, form=form, round_=round_)


# --- items --------------------------------------------------------------------------


def _current_items(round_: Round) -> list[RoundItem]:
    return list(
        db.session.scalars(
            db.select(RoundItem)
            .where(RoundItem.round_id == round_.id)
            .options(selectinload(RoundItem.round_supplier).selectinload(RoundSupplier.supplier))
            .order_by(RoundItem.name, RoundItem.id)
        )
    )


@bp.route("/rounds/<int:round_id>/items", methods=["GET", "POST"])
@for_coop(can_manage_rounds)
def round_items(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    items = _current_items(round_)
    posted = request.form.get("action") if request.method == "POST" else None
    add_form = AddItemsForm(formdata=request.form if posted == "add" else None)
    limits_form = LimitsForm.for_items(items, formdata=request.form if posted == "limits" else None)
    if posted == "add" and add_form.validate_on_submit():
        added = commit_or_refuse(
            lambda: add_round_items(round_=round_, product_ids=add_form.product_ids.data or [])
        ).show(add_form)
        if added is not None:
            flash(_added_message(added), "success")
            return redirect(request.full_path.rstrip("?"))
    elif posted == "limits" and limits_form.validate_on_submit():
        changed = commit_or_refuse(
            lambda: set_item_limits(round_=round_, limits=limits_form.limits())
        ).show(limits_form)
        if changed is not None:
            flash("The limits are saved.", "success")
            return redirect(url_for("admin.round_items", slug=coop.slug, round_id=round_.id))

    suppliers = suppliers_for(coop=coop)
    filters = ItemFilterForm(request.args, suppliers, catalogue_categories(coop=coop))
    page = catalogue_page(
        coop=coop, supplier=filters.chosen_supplier(), query=filters.query(request.args.get("page"))
    )
    return render_template(
        "admin/rounds/items.html",
        coop=coop,
        round_=round_,
        items=items,
        offered={item.product_id for item in items},
        add_form=add_form,
        limits_form=limits_form,
        filters=filters,
        page=page,
        page_url=page_url_keeping(ItemFilterForm.KEYS),
        searched=any(request.args.get(name) for name in ItemFilterForm.KEYS),
        form=ActionForm(),
        editable=round_.state in ITEMS_CHANGEABLE,
    )


def _added_message(added: list[RoundItem]) -> str:
    if not added:
        return "Those products are already in the round."
    if len(added) == 1:
        return f"{added[0].name} is added to the round."
    return f"{len(added)} products are added to the round."


@bp.route(
    "/rounds/<int:round_id>/items/<int:item_id>/remove",
    methods=["POST"],
    endpoint="remove_round_item",
)
@for_coop(can_manage_rounds)
def remove_round_item_view(coop: Coop, round_id: int, item_id: int):
    round_ = coop_round(coop, round_id)
    item = item_for(round_=round_, item_id=item_id)
    if item is None:
        abort(404)
    if ActionForm().validate_on_submit():
        name = item.name
        removed = commit_or_refuse(lambda: remove_round_item(round_=round_, item=item))
        removed.show()
        if not removed.refused:
            flash(f"{name} is no longer offered.", "success")
    return redirect(url_for("admin.round_items", slug=coop.slug, round_id=round_.id))


# --- moves --------------------------------------------------------------------------


def _outcome(coop: Coop, round_: Round, action: Any, success: str) -> Response:
    """Run a move the page's button asked for, then say how it went on the round's page."""
    if ActionForm().validate_on_submit():
        moved = commit_or_refuse(action)
        moved.show()
        if not moved.refused:
            flash(success, "success")
    return _to_round(coop, round_)


@bp.route("/rounds/<int:round_id>/open", methods=["POST"], endpoint="open_round")
@for_coop(can_manage_rounds)
def open_now(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    return _outcome(
        coop,
        round_,
        lambda: open_round(round_id=round_.id),
        f"{round_.title} is open: households can order until the deadline.",
    )


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"], endpoint="close_round")
@for_coop(can_manage_rounds)
def close_now(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    form = ActionForm()
    if form.validate_on_submit():
        closed = commit_or_refuse(
            lambda: close_round(round_id=round_.id, by=signed_in_user(), link_for=order_link)
        ).show()
        if closed is not None:
            flash(
                f"{round_.title} is closed: {closed.cases} cases of {closed.items} items "
                f"ordered; {closed.households} households have been emailed what they "
                "will receive.",
                "success",
            )
        return _to_round(coop, round_)
    refusal = CLOSABLE.refusal_for(round_.state)
    if refusal:
        flash(refusal, "error")
        return _to_round(coop, round_)
    return render_template(
        "admin/rounds/close.html",
        coop=coop,
        round_=round_,
        sheets=order_sheets(round_=round_),
        form=form,
        early=round_.closes_at > utcnow(),
    )


@bp.route(
    "/rounds/<int:round_id>/suppliers/<int:supplier_id>/drop",
    methods=["POST"],
    endpoint="drop_supplier",
)
@for_coop(can_manage_rounds)
def drop_supplier_view(coop: Coop, round_id: int, supplier_id: int):
    round_ = coop_round(coop, round_id)
    if not any(rs.supplier_id == supplier_id for rs in round_.suppliers):
        abort(404)
    if ActionForm().validate_on_submit():
        sheet = commit_or_refuse(
            lambda: drop_supplier(
                round_id=round_.id,
                supplier_id=supplier_id,
                by=signed_in_user(),
                link_for=order_link,
            )
        ).show()
        if sheet is not None:
            flash(
                f"{possessive(sheet.supplier.name)} items are dropped: nothing will be ordered "
                "from them in this round, and households that ordered them have been emailed.",
                "success",
            )
    if round_.state is RoundState.OPEN:
        return redirect(url_for("admin.close_round", slug=coop.slug, round_id=round_.id))
    return _to_round(coop, round_)


@bp.route("/rounds/<int:round_id>/extend", methods=["POST"], endpoint="extend_round")
@for_coop(can_manage_rounds)
def extend(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    form = ExtendForm()
    if form.validate_on_submit():
        extended = commit_or_refuse(
            lambda: extend_deadline(round_=round_, closes_at=required(form.closes_at.data))
        ).show(form)
        if extended is not None:
            flash("The deadline is extended.", "success")
            return _to_round(coop, round_)
    return _round_page(coop, round_, extend_form=form)


@bp.route("/rounds/<int:round_id>/cancel", methods=["POST"], endpoint="cancel_round")
@for_coop(can_manage_rounds)
def cancel(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    form = CancelForm()
    if form.validate_on_submit():
        cancelled = commit_or_refuse(
            lambda: cancel_round(
                round_id=round_.id,
                reason=form.reason.data or "",
                by=signed_in_user(),
                link=site_url_for("members.coop_home", slug=coop.slug),
            )
        ).show(form)
        if cancelled is not None:
            flash(f"{round_.title} is cancelled; households that ordered are told.", "success")
            return _to_round(coop, round_)
    return _round_page(coop, round_, cancel_form=form)


@bp.route("/rounds/<int:round_id>/delete", methods=["POST"], endpoint="delete_round")
@for_coop(can_manage_rounds)
def delete(coop: Coop, round_id: int):
    round_ = coop_round(coop, round_id)
    if ActionForm().validate_on_submit():
        title = round_.title
        deleted = commit_or_refuse(lambda: delete_draft_round(round_=round_))
        if deleted.refused:
            deleted.show()
            return _to_round(coop, round_)
        flash(f"The draft {title} is deleted.", "success")
    return redirect(url_for("admin.rounds", slug=coop.slug))
