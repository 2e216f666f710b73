"""Supplier order sheets: a print page, a CSV, and emailing the sheet to the supplier."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from coop.domain.permissions import can_manage_rounds, can_view_rounds
from coop.models import Coop, Round
from coop.services.rounds.lifecycle import round_for
from coop.services.rounds.order_sheets import (
    OrderSheet,
    order_sheet,
    send_order_sheet,
    sheet_csv,
    sheet_filename,
)
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.forms import ActionForm
from coop.web.outcome import commit_or_refuse

SHEET = "/rounds/<int:round_id>/suppliers/<int:supplier_id>/sheet"


def _sheet_in(coop: Coop, round_id: int, supplier_id: int) -> tuple[Round, OrderSheet]:
    round_ = round_for(coop=coop, round_id=round_id)
    sheet = order_sheet(round_=round_, supplier_id=supplier_id) if round_ else None
    if round_ is None or sheet is None:
        abort(404)
    return round_, sheet


@bp.route(SHEET, endpoint="order_sheet")
@for_coop(can_view_rounds)
def order_sheet_page(coop: Coop, round_id: int, supplier_id: int):
    round_, sheet = _sheet_in(coop, round_id, supplier_id)
    return render_template(
        "admin/rounds/sheet.html", coop=coop, round_=round_, sheet=sheet, form=ActionForm()
    )


@bp.route(SHEET + ".csv", endpoint="order_sheet_csv")
@for_coop(can_view_rounds)
def order_sheet_download(coop: Coop, round_id: int, supplier_id: int):
    round_, sheet = _sheet_in(coop, round_id, supplier_id)
    filename = sheet_filename(round_=round_, sheet=sheet)
    return Response(
        sheet_csv(sheet),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route(
    "/rounds/<int:round_id>/suppliers/<int:supplier_id>/send",
    methods=["POST"],
    endpoint="send_order_sheet",
)
@for_coop(can_manage_rounds)
def send_sheet(coop: Coop, round_id: int, supplier_id: int):
    round_, _ = _sheet_in(coop, round_id, supplier_id)
    if ActionForm().validate_on_submit():
        sent = commit_or_refuse(
            lambda: send_order_sheet(
                round_id=round_.id, supplier_id=supplier_id, by=signed_in_user()
            )
        ).show()
        if sent is not None:
            flash(
                f"The order is emailed to {sent.supplier.name} at "
                f"{sent.round_supplier.order_sent_to}, with the sheet attached.",
                "success",
            )
    return redirect(
        url_for("admin.order_sheet", slug=coop.slug, round_id=round_.id, supplier_id=supplier_id)
    )
