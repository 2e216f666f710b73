"""The council reports API: read-only JSON of the officers' reports, for a council's token.

Every error is `{"error": {"code", "message", "field"}}` as the OpenAPI
document (`coop.web.api.openapi`) describes it. Requests are counted
per token (per network address for a request without a working token)
before the token is checked, so guessing tokens is limited too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import select

from coop.domain.suppression import SafeCell, Shown, Suppressed
from coop.extensions import db
from coop.models import Council
from coop.services.council_reports.api_tokens import note_use, working_token
from coop.services.council_reports.period import parse_period
from coop.services.council_reports.report import council_report
from coop.services.council_reports.results import Ratio, Report, Table
from coop.services.errors import ServiceError
from coop.services.tokens import token_digest
from coop.web import limits
from coop.web.access import bearer_token, public
from coop.web.api import bp
from coop.web.api.openapi import DOCUMENT


def error(status: int, code: str, message: str, field: str | None = None) -> Response:
    response = jsonify(error={"code": code, "message": message, "field": field})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="coop council reports"'
    return response


def _value(value: Shown | None) -> Any:
    if isinstance(value, Suppressed):
        return {"suppressed": True, "reason": value.reason.value, "threshold": value.threshold}
    return value


def _cell(cell: SafeCell, names: tuple[str, ...]) -> dict[str, Any]:
    return {
        "households": _value(cell.households),
        "figures": {name: _value(v) for name, v in zip(names, cell.figures, strict=True)},
    }


def _table(key: str, table: Table) -> dict[str, Any]:
    safe, names = table.safe, table.figures
    return {
        "id": key,
        "definition_key": table.key,
        "title": table.title,
        "definition": table.definition,
        "column_labels": list(table.column_labels),
        "rows": [
            {
                "label": label,
                "cells": [_cell(c, names) for c in row],
                "total": _cell(total, names),
            }
            for label, row, total in zip(table.row_labels, safe.rows, safe.row_totals, strict=True)
        ],
        "column_totals": [_cell(c, names) for c in safe.column_totals],
        "total": _cell(safe.total, names),
    }


def _derived(value: Ratio | Suppressed | None) -> Any:
    if isinstance(value, Ratio):
        return {"numerator": value.numerator, "denominator": value.denominator}
    return _value(value)


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def report_json(report: Report) -> dict[str, Any]:
    """Return *report* as the API's Report schema: only what survived suppression."""
    return {
        "council": {"name": report.council_name, "gss_code": report.gss_code},
        "period": {
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
            "label": report.period.label,
        },
        "coops": list(report.coop_names),
        "threshold": report.threshold,
        "produced_at": report.produced_at.isoformat(),
        "reference_price_method": report.reference_method,
        "imd_edition": report.imd_edition,
        "postcode_directory": report.postcode_directory,
        "volunteer_rate": {
            "pence_per_hour": report.volunteer_rate.pence_per_hour,
            "source": report.volunteer_rate.source,
        },
        "definitions": dict(report.definitions),
        "tables": [_table(key, table) for key, table in report.tables.items()],
        "headline": {name: _value(v) for name, v in report.headline.items()},
        "derived": {name: _derived(v) for name, v in report.derived.items()},
        "reference_sources": [
            {
                "source": s.source,
                "earliest": _day(s.earliest),
                "latest": _day(s.latest),
                "items": s.items,
            }
            for s in report.reference_sources
        ],
    }


@bp.route("/v1/openapi.json")
@public
def openapi_document():
    return jsonify(DOCUMENT)


def council_token(view):
    """Mark *view* as checking a council API token itself (access rule "council API token")."""
    view.access_rule = "council API token"
    return view


@bp.route("/v1/councils/<gss>/reports")
@council_token
def council_reports(gss: str):
    token = bearer_token()
    key = token_digest(token) if token else f"address:{request.remote_addr}"
    if not limits.take("council-api", current_app.config["API_RATE_LIMIT"], key):
        return error(429, "rate_limited", "Too many requests with this token; try again later.")
    api_token = working_token(token=token)
    if api_token is None:
        return error(
            401,
            "unauthorised",
            "Send a working council API token: Authorization: Bearer <token>.",
        )
    council = db.session.scalar(select(Council).where(Council.gss_code == gss.strip().upper()))
    if council is None:
        return error(404, "unknown_council", f"No council has the GSS code “{gss[:20]}”.", "gss")
    if council.id != api_token.council_id:
        return error(403, "forbidden", f"This token is not one of {council.name}'s.")
    missing = [name for name in ("from", "to") if not request.args.get(name, "").strip()]
    if missing:
        return error(
            400,
            "missing_date",
            "Give the period's first and last days as from= and to= (YYYY-MM-DD).",
            missing[0],
        )
    coop_ids: list[int] | None = None
    if "coop" in request.args:
        try:
            coop_ids = [int(v) for v in request.args.getlist("coop")]
            if any(not 0 < c < 2**31 for c in coop_ids):
                raise ValueError
        except ValueError:
            return error(
                400, "bad_coop", "A co-op is given by its number, such as coop=12.", "coop"
            )
    try:
        period = parse_period(start=request.args["from"], end=request.args["to"])
        report = council_report(council=council, period=period, coop_ids=coop_ids)
    except ServiceError as refusal:
        db.session.rollback()
        return error(400, refusal.code or "bad_period", refusal.message, refusal.field)
    note_use(api_token=api_token)
    db.session.commit()
    response = jsonify(report_json(report))
    response.headers["Cache-Control"] = "no-store"
    return response
