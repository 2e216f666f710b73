"""Period reports and the annual account: pages to print on A4, CSV of each table, and PDFs.

Who may: whoever may see the money pages (treasurers and coordinators, as
the balances and ledger). The period is chosen by a GET form, so a report's
address says which period it is; without one it is the last complete
financial year. A PDF is rendered in the request: these are a few tables,
a fraction of a second for WeasyPrint, so unlike a monitoring return they
need no job. It is rendered from the same template the print page uses,
its stylesheets the app's own static files and nothing else.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from coop.domain.permissions import can_manage_money
from coop.domain.spreadsheets import file_slug
from coop.models import Coop
from coop.services.errors import ServiceError
from coop.services.money.accounts_report import (
    assets_and_liabilities,
    receipts_and_payments,
    written_off_in,
)
from coop.services.money.books_csv import (
    assets_csv,
    monthly_csv,
    receipts_and_payments_csv,
    rounds_csv,
)
from coop.services.money.fund import local_today
from coop.services.money.period_reports import monthly_income_and_spending, round_results
from coop.services.money.periods import Period, checked_period, last_complete_year
from coop.services.support.return_pdf import html_to_pdf
from coop.web.access import for_coop
from coop.web.admin import bp
from coop.web.admin.money.report_forms import PeriodForm
from coop.web.downloads import csv_download
from coop.web.outcome import show_refusal

#: Each report: its title, and the template of its tables (screen, print and PDF alike).
REPORTS = {
    "monthly": ("Income and spending by month", "admin/money/books/_monthly.html"),
    "rounds": ("Fund result by round", "admin/money/books/_rounds.html"),
    "annual": ("Annual account", "admin/money/books/_annual.html"),
}


def _period(form: PeriodForm) -> Period | None:
    """The period the form asks for (the last complete year when it asks none), or None."""
    if not request.args.get("start") and not request.args.get("end"):
        period = last_complete_year(local_today())
        form.start.data, form.end.data = period.start, period.end
        return period
    if not form.validate() or form.start.errors or form.end.errors:
        return None
    try:
        return checked_period(start=form.start.data, end=form.end.data, today=local_today())
    except ServiceError as refusal:
        show_refusal(form, refusal)
        return None


def _figures(coop: Coop, report: str, period: Period) -> dict[str, Any]:
    if report == "monthly":
        return {"table": monthly_income_and_spending(coop=coop, period=period)}
    if report == "rounds":
        return {"results": round_results(coop=coop, period=period)}
    return {
        "account": receipts_and_payments(coop=coop, period=period),
        "statement": assets_and_liabilities(coop=coop, as_of=period.end),
        "written_off": written_off_in(coop=coop, period=period),
    }


def _page(coop: Coop, report: str) -> str:
    form = PeriodForm(formdata=request.args)
    period = _period(form)
    title, tables = REPORTS[report]
    return render_template(
        "admin/money/books/report.html",
        coop=coop,
        form=form,
        report=report,
        title=title,
        tables=tables,
        period=period,
        **(_figures(coop, report, period) if period is not None else {}),
    )


@bp.route("/money/reports/monthly", endpoint="books_monthly")
@for_coop(can_manage_money)
def monthly_page(coop: Coop):
    return _page(coop, "monthly")


@bp.route("/money/reports/rounds", endpoint="books_rounds")
@for_coop(can_manage_money)
def rounds_page(coop: Coop):
    return _page(coop, "rounds")


@bp.route("/money/reports/annual", endpoint="books_annual")
@for_coop(can_manage_money)
def annual_page(coop: Coop):
    return _page(coop, "annual")


def _download_name(coop: Coop, what: str, period: Period, suffix: str) -> str:
    dates = f"{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}"
    return f"{file_slug(coop.name)}-{what}-{dates}.{suffix}"


def _back_to_page(coop: Coop, report: str) -> Response:
    """Send a download asked for a bad period to its page, which says what is wrong."""
    start, end = request.args.get("start", ""), request.args.get("end", "")
    return redirect(url_for(f"admin.books_{report}", slug=coop.slug, start=start, end=end))


CSVS = {
    "monthly": lambda figures: monthly_csv(figures["table"]),
    "rounds": lambda figures: rounds_csv(figures["results"]),
    "receipts-and-payments": lambda figures: receipts_and_payments_csv(figures["account"]),
    "assets-and-liabilities": lambda figures: assets_csv(
        figures["statement"], figures["written_off"]
    ),
}


TABLES = "any(monthly, rounds, 'receipts-and-payments', 'assets-and-liabilities')"


@bp.route(f"/money/reports/<{TABLES}:table>.csv", endpoint="books_csv")
@for_coop(can_manage_money)
def table_csv(coop: Coop, table: str) -> Response:
    form = PeriodForm(formdata=request.args)
    period = _period(form)
    report = table if table in REPORTS else "annual"
    if period is None:
        return _back_to_page(coop, report)
    figures = _figures(coop, report, period)
    return csv_download(CSVS[table](figures), _download_name(coop, table, period, "csv"))


@bp.route("/money/reports/<any(monthly, rounds, annual):report>.pdf", endpoint="books_pdf")
@for_coop(can_manage_money)
def report_pdf(coop: Coop, report: str) -> Response:
    form = PeriodForm(formdata=request.args)
    period = _period(form)
    if period is None:
        return _back_to_page(coop, report)
    title, tables = REPORTS[report]
    html = current_app.jinja_env.get_template("admin/money/books/print.html").render(
        coop=coop,
        report=report,
        title=title,
        tables=tables,
        period=period,
        **_figures(coop, report, period),
    )
    assert current_app.static_folder is not None
    content = html_to_pdf(html=html, static_folder=current_app.static_folder)
    return Response(
        content,
        content_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{_download_name(coop, report, period, "pdf")}"'
            )
        },
    )
