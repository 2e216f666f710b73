"""The fund's own income and spending: the list, recording an entry, categories and receipts."""

from __future__ import annotations

import io
import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.datastructures import FileStorage

from coop.domain.numbers import whole_number
from coop.domain.permissions import can_manage_money
from coop.domain.receipts import size_label
from coop.extensions import db
from coop.models import Coop, FundDirection, FundEntry, HeldIn
from coop.services.money.fund import (
    BELOW_ZERO,
    LARGE_AMOUNT,
    fund_entries,
    local_today,
    record_fund_entry,
)
from coop.services.money.fund_categories import (
    add_category,
    category_for,
    fund_categories,
    set_category_archived,
)
from coop.services.money.receipts import (
    Upload,
    keep_receipt,
    pending_receipt,
    receipt_for,
    receipt_max_bytes,
)
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.money.fund_forms import CategoryForm, FundEntryForm
from coop.web.bodies import large_upload
from coop.web.forms import ActionForm
from coop.web.outcome import commit_or_refuse

_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def _month(value: str | None) -> date | None:
    """Read ``?month=2026-11``; anything else means every month."""
    match = _MONTH.fullmatch(value or "")
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        return None
    return date(int(match[1]), int(match[2]), 1)


@bp.route("/money/fund", endpoint="fund_entries")
@for_coop(can_manage_money)
def entries_page(coop: Coop):
    month = _month(request.args.get("month"))
    categories = fund_categories(coop=coop, include_archived=True)
    category_id = whole_number(request.args.get("category", ""))
    if category_id not in {category.id for category in categories}:
        category_id = None
    listing = fund_entries(coop=coop, month=month, category_id=category_id)
    db.session.commit()  # the built-in categories, made the first time they are needed
    return render_template(
        "admin/money/fund_entries.html",
        coop=coop,
        listing=listing,
        categories=categories,
        month=month,
        category_id=category_id,
    )


def _upload(form: FundEntryForm) -> Upload | None:
    file = form.receipt.data
    if not isinstance(file, FileStorage) or not file.filename:
        return None
    # One byte over the limit is enough to refuse the file, whatever its size.
    return Upload(filename=file.filename, data=file.stream.read(receipt_max_bytes() + 1))


def _entry_page(coop: Coop, direction: FundDirection):
    user = signed_in_user()
    form = FundEntryForm().offer(fund_categories(coop=coop, direction=direction), direction)
    # The built-in categories, made the first time they are needed, keep the ids offered.
    db.session.commit()
    if request.method == "GET":
        form.occurred_on.data = local_today()
        if direction is FundDirection.INCOME:
            form.method.data = HeldIn.BANK.value
    confirm = None
    below_zero = ""
    kept = pending_receipt(coop=coop, receipt_id=form.kept_receipt_id(), by=user)
    if form.validate_on_submit():
        upload = _upload(form)
        # What a below-zero warning is about: the account and the amount.
        entry_of = (form.method.data, form.amount.data)

        def record() -> FundEntry:
            return record_fund_entry(
                coop=coop,
                direction=direction,
                category_id=form.category.data,
                amount_pence=form.amount.data,
                method=HeldIn(form.method.data),
                occurred_on=form.occurred_on.data,
                reference=form.reference.data or "",
                by=user,
                upload=upload,
                receipt=None if upload is not None else kept,
                repeated_amount_pence=form.repeat_amount.data,
                below_zero_confirmed=form.below_zero_confirmed(*entry_of),
            )

        outcome = commit_or_refuse(record)
        if outcome.value is not None:
            entry = outcome.value
            flash(f"Recorded: {entry.transaction.memo}, {entry.occurred_on:%-d %B %Y}.", "success")
            return redirect(url_for("admin.fund_entries", slug=coop.slug))
        refusal = outcome.refusal
        if form.ask_below_zero(refusal, *entry_of):
            below_zero = outcome.message
        if refusal is not None and refusal.code in (LARGE_AMOUNT, BELOW_ZERO):
            confirm = refusal.code
            if upload is not None:
                # Kept now so that confirming does not ask for the file again.
                kept = commit_or_refuse(
                    lambda: keep_receipt(coop=coop, upload=upload, by=user)
                ).value
            if refusal.code == LARGE_AMOUNT:
                form.repeat_amount.raw_data = []
                form.repeat_amount.data = None
                form.repeat_amount.errors = [refusal.message]
            else:
                # A large amount typed twice stays typed, so confirming asks for nothing more.
                form.method.errors = [refusal.message]
        elif refusal is not None:
            outcome.show(form)
    form.receipt_id.data = str(kept.id) if kept is not None else ""
    return render_template(
        "admin/money/fund_entry.html",
        coop=coop,
        form=form,
        direction=direction,
        confirm=confirm,
        below_zero=below_zero,
        kept=kept,
        ask_repeat=confirm == LARGE_AMOUNT
        or bool(form.repeat_amount.raw_data and form.repeat_amount.raw_data[0]),
        max_size=size_label(receipt_max_bytes()),
    )


@bp.route("/money/fund/spend", methods=["GET", "POST"], endpoint="record_spending")
@large_upload("RECEIPT_BODY_MAX_BYTES")
@for_coop(can_manage_money)
def spending_page(coop: Coop):
    return _entry_page(coop, FundDirection.EXPENSE)


@bp.route("/money/fund/income", methods=["GET", "POST"], endpoint="record_income")
@large_upload("RECEIPT_BODY_MAX_BYTES")
@for_coop(can_manage_money)
def income_page(coop: Coop):
    return _entry_page(coop, FundDirection.INCOME)


# --- categories ----------------------------------------------------------------------------


@bp.route("/money/fund/categories", methods=["GET", "POST"], endpoint="fund_categories")
@for_coop(can_manage_money)
def categories_page(coop: Coop):
    form = CategoryForm()
    if form.validate_on_submit():
        category = commit_or_refuse(
            lambda: add_category(
                coop=coop, name=form.name.data or "", direction=FundDirection(form.direction.data)
            )
        ).show(form)
        if category is not None:
            flash(f"Added the category {category.name}.", "success")
            return redirect(url_for("admin.fund_categories", slug=coop.slug))
    categories = fund_categories(coop=coop, include_archived=True)
    if request.method == "GET":
        db.session.commit()  # the built-in categories, made the first time they are needed
    return render_template(
        "admin/money/fund_categories.html",
        coop=coop,
        form=form,
        categories=categories,
        action=ActionForm(formdata=None),
    )


def _archive(coop: Coop, category_id: int, archived: bool):
    if category_for(coop=coop, category_id=category_id) is None:
        abort(404)
    if ActionForm().validate_on_submit():
        category = commit_or_refuse(
            lambda: set_category_archived(coop=coop, category_id=category_id, archived=archived)
        ).show()
        if category is not None:
            flash(
                f"{category.name} is archived: it is no longer offered."
                if archived
                else f"{category.name} is offered again.",
                "success",
            )
    else:
        flash("The form had expired; please try again.", "error")
    return redirect(url_for("admin.fund_categories", slug=coop.slug))


@bp.route(
    "/money/fund/categories/<int:category_id>/archive",
    methods=["POST"],
    endpoint="archive_fund_category",
)
@for_coop(can_manage_money)
def archive_category(coop: Coop, category_id: int):
    return _archive(coop, category_id, True)


@bp.route(
    "/money/fund/categories/<int:category_id>/restore",
    methods=["POST"],
    endpoint="restore_fund_category",
)
@for_coop(can_manage_money)
def restore_category(coop: Coop, category_id: int):
    return _archive(coop, category_id, False)


# --- receipts ------------------------------------------------------------------------------


@bp.route("/money/receipts/<int:receipt_id>", endpoint="receipt")
@for_coop(can_manage_money)
def receipt_file(coop: Coop, receipt_id: int):
    receipt = receipt_for(coop=coop, receipt_id=receipt_id)
    if receipt is None:
        abort(404)
    response = send_file(
        io.BytesIO(receipt.content),
        mimetype=receipt.content_type,
        as_attachment=request.args.get("download") == "1",
        download_name=receipt.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
