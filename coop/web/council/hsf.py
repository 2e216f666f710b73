"""The Household Support Fund MI return as a download, for the council's officers.

`/councils/<id>/support/<record>/returns/hsf.xlsx?from=YYYY-MM-DD&to=YYYY-MM-DD`
gives the council-level Household Support Fund tables for the period as an
.xlsx in the DWP template's layout. The record names which return the
officer is working on: it must be one the council keeps (else 404, as the
record pages answer) and paid from the fund (else 404: it has no such
return). The tables are the whole council's, suppressed, never the record's
co-op alone.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from coop.domain.permissions import can_keep_support
from coop.domain.spreadsheets import file_slug
from coop.models import Council, SupportRecord
from coop.services.council_reports.hsf import hsf_return, is_household_support_fund
from coop.services.council_reports.hsf_workbook import hsf_workbook
from coop.services.council_reports.period import Period, parse_period
from coop.services.errors import ServiceError
from coop.services.support.records import council_record
from coop.web.access import for_council
from coop.web.council import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def hsf_record(council: Council, record_id: int) -> SupportRecord:
    """Return the council's Household Support Fund record *record_id*, or answer 404."""
    record = council_record(council=council, record_id=record_id)
    if record is None or not is_household_support_fund(record):
        abort(404)
    return record


def hsf_filename(council: Council, period: Period) -> str:
    """Return the download's name: "hsf-mi-preston-city-council-2026-01-01-to-2026-03-31.xlsx"."""
    slug = file_slug(council.name) or "council"
    return f"hsf-mi-{slug}-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.xlsx"


def _refused(message: str) -> Any:
    title = "That period cannot be used"
    return render_template("errors.html", code=400, title=title, text=message), 400


@bp.route("/<int:council_id>/support/<int:record_id>/returns/hsf.xlsx", endpoint="hsf_workbook")
@for_council(can_keep_support)
def hsf_workbook_download(council: Council, record_id: int) -> Any:
    hsf_record(council, record_id)
    start, end = request.args.get("from"), request.args.get("to")
    if not start or not end:
        return _refused(
            "Give the period as from=YYYY-MM-DD and to=YYYY-MM-DD, such as "
            "from=2026-04-01&to=2026-06-30."
        )
    try:
        period = parse_period(start=start, end=end)
    except ServiceError as refused:
        return _refused(refused.message)
    content = hsf_workbook(hsf_return(council=council, period=period))
    return Response(
        content,
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{hsf_filename(council, period)}"'},
    )
