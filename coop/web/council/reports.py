"""Officers' report pages: a council's report for a period and co-ops, its charts and CSV.

The period and co-op come from a GET form, so a report has an address an
officer can bookmark or share with a colleague who is also an officer.
Bad input is shown at its field on a page that still answers 200.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import abort, render_template, request
from werkzeug.datastructures import MultiDict

from coop.domain.permissions import can_view_council
from coop.domain.spreadsheets import csv_text, file_slug
from coop.models import Coop, Council
from coop.services.council_reports.period import (
    Period,
    financial_year,
    month_period,
    parse_period,
    quarter_period,
)
from coop.services.council_reports.report import council_report
from coop.services.council_reports.results import Report
from coop.services.errors import ServiceError
from coop.services.support.records import council_coops
from coop.web.access import for_council
from coop.web.council import bp
from coop.web.council.charts import report_charts
from coop.web.council.report_tables import csv_value, headline_lines, lay_out, page_text
from coop.web.downloads import csv_download

KINDS = {
    "month": "A month",
    "quarter": "A quarter",
    "year": "A financial year (April to March)",
    "custom": "From one date to another",
}
FIRST_YEAR, LAST_YEAR = 2000, 2100
HEADLINE = "headline"  # the CSV of the headline figures, beside the tables
LABEL_HEADINGS = {"trend": "Month", "retention": "Month", "support": "Kind"}


@dataclass
class Choice:
    """What the officer asked for, as typed, with a message per field it is wrong in."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    period: Period | None = None
    coop_ids: list[int] | None = None


def _year(text: str, name: str, errors: dict[str, str]) -> int | None:
    if re.fullmatch(r"[0-9]{4}", text) and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    errors[name] = f"Give a year from {FIRST_YEAR} to {LAST_YEAR}, such as 2026."
    return None


def _period(values: dict[str, str], errors: dict[str, str]) -> Period | None:
    kind = values["kind"]
    try:
        if kind == "month":
            found = re.fullmatch(r"([0-9]{4})-([0-9]{2})", values["month"])
            if not found or not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
                errors["month"] = "Give the month as YYYY-MM, such as 2026-04."
                return None
            return month_period(year=int(found[1]), month=int(found[2]))
        if kind == "quarter":
            year = _year(values["year"], "year", errors)
            if values["quarter"] not in ("1", "2", "3", "4"):
                errors["quarter"] = "Choose a quarter."
                return None
            return (
                None if year is None else quarter_period(year=year, quarter=int(values["quarter"]))
            )
        if kind == "year":
            year = _year(values["year"], "year", errors)
            return None if year is None else financial_year(starting=year)
        return parse_period(start=values["from"], end=values["to"])
    except ServiceError as refused:
        errors[refused.field or "kind"] = refused.message
        return None


def read_choice(args: MultiDict[str, str], coops: list[Coop]) -> Choice:
    """Read the report form, defaulting to the last full quarter; note what is wrong where."""
    today = date.today()
    last = quarter_period(year=today.year, quarter=(today.month - 1) // 3 + 1)
    before = date.fromordinal(last.start.toordinal() - 1)
    default_quarter = str((before.month - 1) // 3 + 1)
    values = {
        "kind": args.get("kind", "quarter"),
        "month": args.get("month", f"{before:%Y-%m}").strip(),
        "year": args.get("year", str(before.year)).strip(),
        "quarter": args.get("quarter", default_quarter).strip(),
        "from": args.get("from", "").strip(),
        "to": args.get("to", "").strip(),
        "coop": args.get("coop", "").strip(),
    }
    choice = Choice(values)
    if values["kind"] not in KINDS:
        choice.errors["kind"] = "Choose a month, a quarter, a financial year or two dates."
        return choice
    if values["kind"] == "custom" and not (values["from"] or values["to"]):
        values["from"], values["to"] = f"{last.start:%Y-%m-%d}", f"{today:%Y-%m-%d}"
    choice.period = _period(values, choice.errors)
    if values["coop"]:
        ids = {str(c.id) for c in coops}
        if values["coop"] not in ids:
            choice.errors["coop"] = "Choose one of the council's co-ops, or all of them."
        else:
            choice.coop_ids = [int(values["coop"])]
    return choice


def _report(council: Council, choice: Choice) -> Report | None:
    if choice.errors or choice.period is None:
        return None
    try:
        return council_report(council=council, period=choice.period, coop_ids=choice.coop_ids)
    except ServiceError as refused:
        choice.errors[refused.field or "kind"] = refused.message
        return None


def report_tables(report: Report) -> list[tuple[str, object]]:
    """Return each table of the report with its layout, in the order the page shows them."""
    return [
        (key, lay_out(table, LABEL_HEADINGS.get(key, "Co-op")))
        for key, table in report.tables.items()
    ]


@bp.route("/<int:council_id>/reports")
@for_council(can_view_council)
def reports(council: Council):
    coops = council_coops(council=council)
    choice = read_choice(request.args, coops)
    report = _report(council, choice)
    return render_template(
        "council/reports/report.html",
        council=council,
        coops=coops,
        kinds=KINDS,
        choice=choice,
        report=report,
        tables=report_tables(report) if report else [],
        charts=report_charts(report) if report else [],
        headline=headline_lines(report) if report else [],
        show=page_text,
        csv_args={k: v for k, v in choice.values.items() if v},
    )


@bp.route("/<int:council_id>/reports.csv")
@for_council(can_view_council)
def reports_csv(council: Council):
    coops = council_coops(council=council)
    choice = read_choice(request.args, coops)
    report = _report(council, choice)
    key = request.args.get("table", "")
    if report is None:
        abort(400)
    if key == HEADLINE:
        title = "Headline figures"
        content = csv_text(
            ["Figure", "Value", "Definition"],
            [[line.label, line.cell, line.definition] for line in headline_lines(report)],
        )
    elif key in report.tables:
        table = report.tables[key]
        title = table.title
        layout = lay_out(table, LABEL_HEADINGS.get(key, "Co-op"))
        content = csv_text(
            [layout.label_heading, *(c.heading for c in layout.columns)],
            [
                [
                    label,
                    *(csv_value(v, c.unit) for v, c in zip(values, layout.columns, strict=True)),
                ]
                for label, values in layout.rows
            ],
        )
    else:
        abort(404)
    assert choice.period is not None
    name = "-".join(
        part
        for part in (
            file_slug(council.name) or "council",
            file_slug(choice.period.label),
            file_slug(title) or key,
        )
        if part
    )
    return csv_download(content, f"{name}.csv")
