"""A monitoring return as a document: its figures laid out, for the page, the print and the PDF.

The page, its printed copy and the PDF show one document
(``templates/council/returns/_document.html``) from one context, so the
three cannot disagree. Its figures are read from the report's suppressed
headline and formatted as the report page formats them: a withheld value
reads as the marker's text, never 0.

The PDF is made by the `make_return_pdf` job, which renders that document
in its print template (A4, no charts: the figures are given as a table
with their definitions) and hands it to WeasyPrint. The job lives beside
the pages because it renders their template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from coop.domain.money import format_pence
from coop.domain.spreadsheets import file_slug
from coop.domain.suppression import Shown
from coop.extensions import db
from coop.models import Council, JobRun, MonitoringReturn
from coop.services.council_reports.hsf import hsf_return, is_household_support_fund
from coop.services.errors import ServiceError
from coop.services.progress import Progress, run_tracked
from coop.services.support.monitoring_returns import (
    Narrative,
    ReturnFigures,
    return_figures,
    return_period,
)
from coop.services.support.return_pdf import KIND, html_to_pdf, store_pdf
from coop.web.council.report_tables import (
    HEADLINE_LABELS,
    RATIO_LABELS,
    Headline,
    page_text,
    ratio_text,
)

PRINT_TEMPLATE = "council/returns/print.html"
# Builds a link to one of the app's pages: an endpoint and its values.
Link = Callable[[str, dict[str, Any]], str]
AS_ABOVE = "As above."
RETURN_GONE = "The monitoring return is no longer here, so no PDF was made."

# The report's figures a return gives, in its order: reach, savings, local spend, volunteers.
REACH = ("active", "new", "repeat", "collections", "people_reached", "deprived", "deprived_share")
VALUE = (
    "savings_pence",
    "savings_share",
    "surplus_pence",
    "local_pence",
    "local_share",
    "volunteer_minutes",
    "volunteer_value_pence",
)

# What each narrative field asks, and the hint beside it.
NARRATIVE_QUESTIONS = {
    "delivered": ("What was delivered", "Rounds run, sessions held, what the support paid for."),
    "outcomes": ("Outcomes and the difference made", "What changed for households and the area."),
    "story": (
        "A story (anonymised)",
        "One household's or volunteer's experience, with no name, address or detail "
        "that could identify them.",
    ),
    "challenges": ("Challenges", "What got in the way, and what was done about it."),
    "next_plans": ("Plans for the next period", ""),
    "spend_notes": (
        "How the award was spent, and any underspend",
        "What the money paid for, what is left unspent and what will happen to it.",
    ),
}


@dataclass(frozen=True)
class AwardLine:
    """One line of the spend against the award: what it is and the value as shown."""

    label: str
    text: str


def figure_lines(figures: ReturnFigures, keys: tuple[str, ...]) -> list[Headline]:
    """Return the report's headline figures and ratios named by *keys*, each with its definition."""
    report = figures.report
    lines: list[Headline] = []
    previous = ""
    for key in keys:
        if key in HEADLINE_LABELS and key in report.headline:
            label, unit, definition = HEADLINE_LABELS[key]
            said = page_text(report.headline[key], unit)
        elif key in RATIO_LABELS and key in report.derived:
            label, definition = RATIO_LABELS[key]
            said = ratio_text(key, report.derived[key])
        else:
            continue  # not in this report, such as deprived reach without an IMD edition
        meaning = report.definitions.get(definition, "")
        # Savings and their share, say, have one definition: said once, beside the first.
        shown, previous = (AS_ABOVE if meaning and meaning == previous else meaning), meaning
        lines.append(Headline(label, said, said, shown))
    return lines


def _money(value: Shown | None) -> str:
    return page_text(value, "pence")


def award_lines(figures: ReturnFigures) -> list[AwardLine]:
    """Return the award and, for a subsidy, what rounds took from it, as the return states them."""
    record, award, period = figures.record, figures.award, figures.period
    kind = record.kind
    lines = [AwardLine("Kind of support", kind.label)]
    value_label = "Estimated value" if kind.in_kind else "Award"
    lines.append(AwardLine(value_label, format_pence(award.value_pence)))
    if kind.in_kind and record.value_basis:
        lines.append(AwardLine("Basis of the estimate", record.value_basis))
    lines.append(AwardLine("Awarded on", f"{record.awarded_on:%-d %B %Y}"))
    if record.period_start or record.period_end:
        start = f"{record.period_start:%-d %B %Y}" if record.period_start else "open"
        end = f"{record.period_end:%-d %B %Y}" if record.period_end else "open"
        lines.append(AwardLine("The award's period", f"{start} to {end}"))
    if record.spend_by:
        lines.append(AwardLine("To be spent by", f"{record.spend_by:%-d %B %Y}"))
    if award.used_in_period is not None:
        lines += [
            AwardLine(f"Used by rounds in {period.label}", _money(award.used_in_period)),
            AwardLine(f"Used by rounds to {period.end:%-d %B %Y}", _money(award.used_to_end)),
            AwardLine(f"Left on {period.end:%-d %B %Y}", _money(award.left_at_end)),
        ]
    else:
        lines.append(
            AwardLine(
                "Spent",
                "Paid to the co-op, not through rounds: see the spend explanation below.",
            )
        )
    return lines


def document_context(
    figures: ReturnFigures,
    narrative: Narrative,
    saved: MonitoringReturn | None,
    *,
    council: Council,
    link: Link,
) -> dict[str, Any]:
    """Return what the return's document template needs, for the page and the PDF alike.

    *council* is the council whose officer asks (its address is in the links);
    *link* builds a link to one of the app's pages.
    """
    return {
        "record": figures.record,
        "period": figures.period,
        "report": figures.report,
        "reach": figure_lines(figures, REACH),
        "value": figure_lines(figures, VALUE),
        "award": award_lines(figures),
        "narrative": narrative,
        "questions": NARRATIVE_QUESTIONS,
        "saved": saved,
        **hsf_context(figures, council=council, link=link),
    }


def hsf_context(figures: ReturnFigures, *, council: Council, link: Link) -> dict[str, Any]:
    """Return the Household Support Fund part of a return, for a record paid from the fund.

    The fund's management information is council-wide (every co-op, every
    record of the fund), for the return's period, with its .xlsx beside it.
    """
    record, period = figures.record, figures.period
    if not is_household_support_fund(record):
        return {"hsf": None, "xlsx_url": None}
    dates = {"from": f"{period.start:%Y-%m-%d}", "to": f"{period.end:%Y-%m-%d}"}
    return {
        "hsf": hsf_return(council=council, period=period),
        "xlsx_url": link(
            "council.hsf_workbook", {"council_id": council.id, "record_id": record.id, **dates}
        ),
    }


def site_link(endpoint: str, values: dict[str, Any]) -> str:
    """Return the full address of one of the app's pages under ``SITE_URL``, with no request."""
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def pdf_filename(saved: MonitoringReturn) -> str:
    """Return the download name of a return's PDF: co-op, programme and period."""
    record = saved.record
    parts = [
        "monitoring-return",
        file_slug(record.coop.name),
        file_slug(record.programme),
        f"{saved.period_start:%Y-%m-%d}-to-{saved.period_end:%Y-%m-%d}",
    ]
    return "-".join(part for part in parts if part) + ".pdf"


def render_print_html(context: dict[str, Any]) -> str:
    """Render the return's print page: the template alone, needing no request."""
    template = current_app.jinja_env.get_template(PRINT_TEMPLATE)
    return template.render(document=context)


def make_return_pdf(*, run_id: int, council_id: int) -> None:
    """Job: make the PDF of run *run_id*'s return, saying how far it is, and keep it."""

    def work(run: JobRun, progress: Progress) -> dict[str, Any]:
        saved = db.session.get(MonitoringReturn, run.subject_id) if run.subject_id else None
        if saved is None:
            raise ServiceError(RETURN_GONE)
        council = db.session.get(Council, council_id)
        if council is None:
            raise ServiceError(RETURN_GONE)
        figures = return_figures(council=council, record=saved.record, period=return_period(saved))
        progress.advance(1)
        context = document_context(
            figures, Narrative.of(saved), saved, council=council, link=site_link
        )
        html = render_print_html(context)
        progress.advance(2)
        assert current_app.static_folder is not None
        content = html_to_pdf(html=html, static_folder=current_app.static_folder)
        progress.advance(3)
        store_pdf(monitoring_return=saved, content=content, by_id=run.started_by_id)
        return {
            "council_id": council_id,
            "record_id": saved.support_record_id,
            "return_id": saved.id,
            "version": saved.version,
            "filename": pdf_filename(saved),
        }

    run_tracked(run_id=run_id, kind=KIND, work=work)
