"""The treasurer's card reconciliation: a month's card payments by day, the check, payouts.

Who may: the co-op's treasurers (`can_keep_the_books`), who answer for the
books. The month comes in the address (``?month=2026-11``) so a page can
be kept or sent; without one it is this month in the UK; a month that is
not one is said so and this month shown instead. The month's payments also
come as CSV (``card-payments.csv?month=2026-11``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from coop.domain.permissions import can_keep_the_books
from coop.domain.spreadsheets import file_slug
from coop.models import Coop
from coop.services.money.fund import local_today
from coop.services.payments.card_reconciliation import (
    card_days,
    card_payments_csv,
    card_reconciliation,
    next_month,
)
from coop.services.payments.connect import card_payments_enabled_for, connection_state
from coop.web.access import for_coop
from coop.web.admin import bp
from coop.web.downloads import csv_download

_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
BAD_MONTH = "Choose a month such as 2026-11."


def _month(value: str) -> date | None:
    match = _MONTH.fullmatch(value)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        return None
    return date(int(match[1]), int(match[2]), 1)


@bp.route("/money/card-payments", endpoint="card_reconciliation")
@for_coop(can_keep_the_books)
def card_reconciliation_page(coop: Coop):
    this_month = local_today().replace(day=1)
    asked = request.args.get("month", "").strip()
    month = _month(asked) if asked else this_month
    problem = BAD_MONTH if month is None else None
    figures = card_reconciliation(coop=coop, month=month or this_month)
    return render_template(
        "admin/money/card_reconciliation.html",
        coop=coop,
        figures=figures,
        asked=asked if problem else figures.month.strftime("%Y-%m"),
        month_problem=problem,
        previous=(figures.month - timedelta(days=1)).replace(day=1),
        following=next_month(figures.month),
        this_month=this_month,
        card_payments_on=card_payments_enabled_for(coop),
        connection=connection_state(coop),
    )


@bp.route("/money/card-payments.csv", endpoint="card_reconciliation_csv")
@for_coop(can_keep_the_books)
def card_reconciliation_csv(coop: Coop) -> Response:
    asked = request.args.get("month", "").strip()
    month = _month(asked) if asked else local_today().replace(day=1)
    if month is None:  # the page says what is wrong with it
        return redirect(url_for("admin.card_reconciliation", slug=coop.slug, month=asked))
    name = f"{file_slug(coop.name) or 'coop'}-card-payments-{month:%Y-%m}.csv"
    return csv_download(card_payments_csv(card_days(coop=coop, month=month)), name)
