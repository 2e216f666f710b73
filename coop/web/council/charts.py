"""Charts of a council report, drawn as SVG by a template from the figures laid out here.

Bars are worked out from the suppressed tables only: a withheld month is a
gap (never a zero bar) and each chart's description says which months are
withheld. The template styles bars by class (static/css), so the page's
Content Security Policy needs no inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coop.domain.suppression import Shown, Suppressed
from coop.services.council_reports.results import Ratio, Report
from coop.web.council.report_tables import page_text

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 260, 20, 40, 8
MAX_LABELS = 12


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    css: str
    text: str


@dataclass(frozen=True)
class Chart:
    """One chart: its title, its description, its bars and the figures beneath it."""

    key: str
    title: str
    desc: str
    series: tuple[tuple[str, str], ...]  # (name, css class)
    labels: tuple[tuple[int, str], ...]  # (x, label) under each group
    bars: tuple[Bar, ...]
    headings: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]
    label_heading: str = "Month"
    width: int = WIDTH
    height: int = HEIGHT


def _bars(
    groups: list[tuple[str, list[Shown]]], series: list[tuple[str, str, str]]
) -> tuple[list[Bar], list[tuple[int, str]]]:
    numbers = [v for _, vs in groups for v in vs if isinstance(v, int)]
    top = max([1, *numbers])
    plot = HEIGHT - TOP - BOTTOM
    step = (WIDTH - 2 * LEFT) // max(1, len(groups))
    bar_width = max(4, (step - 8) // max(1, len(series)))
    bars, labels = [], []
    every = -(-len(groups) // MAX_LABELS)  # long periods label every few months, to stay legible
    for g, (label, values) in enumerate(groups):
        x0 = LEFT + g * step + 4
        if g % every == 0:
            labels.append((x0 + (step - 8) // 2, short_month(label)))
        for s, value in enumerate(values):
            if not isinstance(value, int):
                continue  # withheld: a gap
            h = max(0, value) * plot // top
            bars.append(
                Bar(
                    x0 + s * bar_width,
                    TOP + plot - h,
                    bar_width - 2,
                    h,
                    series[s][1],
                    f"{series[s][0]}, {label}: {page_text(value, series[s][2])}",
                )
            )
    return bars, labels


def short_month(label: str) -> str:
    """Return "2026-01" as "Jan 26" for a chart's axis; other labels as they are."""
    if len(label) == 7 and label[4] == "-" and label.replace("-", "").isdigit():
        return f"{date(int(label[:4]), int(label[5:]), 1):%b} {label[2:4]}"
    return label


def _chart(
    key: str,
    title: str,
    summary: str,
    groups: list[tuple[str, list[Shown]]],
    series: list[tuple[str, str, str]],
    label_heading: str = "Month",
) -> Chart:
    bars, labels = _bars(groups, series)
    withheld = [label for label, vs in groups if any(isinstance(v, Suppressed) for v in vs)]
    desc = summary
    if withheld:
        desc += (
            f" Figures for {', '.join(withheld)} are withheld to protect privacy and are drawn "
            "as gaps, not as zero."
        )
    return Chart(
        key,
        title,
        desc,
        tuple((name, css) for name, css, _ in series),
        tuple(labels),
        tuple(bars),
        tuple(name for name, _, _ in series),
        tuple(
            (label, tuple(page_text(v, series[i][2]) for i, v in enumerate(vs)))
            for label, vs in groups
        ),
        label_heading,
    )


def _savings(spend: Shown, reference: Shown) -> Shown:
    if isinstance(spend, Suppressed):
        return spend
    if isinstance(reference, Suppressed):
        return reference
    return reference - spend


def report_charts(report: Report) -> list[Chart]:
    """Return the report's charts: households and money by month, support, local spend."""
    trend = report.tables["trend"]
    months = []
    for label, row in zip(trend.row_labels, trend.safe.rows, strict=True):
        cell = row[0]
        _collections, spend, reference, _surplus = cell.figures
        months.append((label, cell.households, spend, _savings(spend, reference)))
    charts = [
        _chart(
            "active",
            "Active households by month",
            f"Bar chart of the households with a fulfilled order in each month of "
            f"{report.period.label}.",
            [(m, [h]) for m, h, _, _ in months],  # type: ignore[list-item]
            [("Active households", "bar-a", "count")],
        ),
        _chart(
            "money",
            "Member spend and savings by month",
            f"Bar chart of what households spent and saved against supermarket prices in each "
            f"month of {report.period.label}.",
            [(m, [s, v]) for m, _, s, v in months],
            [("Member spend", "bar-a", "pence"), ("Member savings", "bar-b", "pence")],
        ),
    ]
    head = report.headline
    support = head["support_pence"] if head["support_pence"] is not None else 0
    savings = head["savings_pence"] if head["savings_pence"] is not None else 0
    charts.append(
        _chart(
            "support",
            "Council support against member savings",
            f"Bar chart comparing the value of the council's support awarded in "
            f"{report.period.label} with what members saved in it.",
            [("Support", [support]), ("Savings", [savings])],
            [("Value", "bar-a", "pence")],
            "Figure",
        )
    )
    local, supplier = head["local_pence"], head["supplier_pence"]
    other: Shown | None = (
        local
        if isinstance(local, Suppressed) or local is None
        else supplier
        if isinstance(supplier, Suppressed) or supplier is None
        else supplier - local
    )
    share = report.derived["local_share"]
    said = (
        f" Local suppliers had {share.numerator * 100 // share.denominator}% of it."
        if isinstance(share, Ratio)
        else ""
    )
    charts.append(
        _chart(
            "local",
            "Local spend share",
            f"Bar chart of supplier spend in {report.period.label}, with local suppliers and "
            f"the rest.{said}",
            [("Local suppliers", [local or 0]), ("Other suppliers", [other or 0])],
            [("Supplier spend", "bar-b", "pence")],
            "Suppliers",
        )
    )
    return charts
