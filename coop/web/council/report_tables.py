"""A report table laid out as a header and rows, for the page and its CSV alike.

Every value is a number, a `Suppressed` marker or None (nothing to show);
the page and the CSV only format what this lays out, so both show the same
cells and neither can show a number the report withheld.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop.domain.money import format_pence, plain_pounds
from coop.domain.suppression import SafeCell, Shown, Suppressed
from coop.services.council_reports.results import Ratio, Report, Table

NOTHING = "\N{EN DASH}"  # no figure applies, such as households of a support kind

FIGURE_LABELS = {
    "collections": "collections",
    "spend_pence": "member spend",
    "reference_pence": "reference value",
    "surplus_pence": "surplus-food value",
    "supplier_pence": "supplier spend",
    "local_pence": "local supplier spend",
    "subsidy_pence": "council subsidy",
    "people": "people",
    "minutes": "volunteer hours",
    "value_pence": "value",
}


@dataclass(frozen=True)
class Column:
    """One column of a laid-out table: its heading and how its values read."""

    heading: str
    unit: str  # "count", "pence" or "minutes"


@dataclass(frozen=True)
class Layout:
    """A table as rows of values under headings; the last row is the total."""

    label_heading: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, tuple[Shown | None, ...]], ...]


def _unit(figure: str) -> str:
    return "pence" if figure.endswith("_pence") else "minutes" if figure == "minutes" else "count"


def lay_out(table: Table, label_heading: str = "") -> Layout:
    """Return *table* as headings and rows: households, then each figure, per column."""
    safe = table.safe
    cells = [c for row in safe.rows for c in row] + [safe.total]
    counted = any(c.households is not None for c in cells)
    groups = list(table.column_labels)
    with_total = len(groups) > 1
    if with_total:
        groups.append("Total")
    columns: list[Column] = []
    for group in groups:
        prefix = "" if len(groups) == 1 else f"{group}: "
        if counted:
            heading = group if len(groups) > 1 else "Households"
            columns.append(Column(heading if not prefix else f"{prefix}households", "count"))
        for figure in table.figures:
            label = FIGURE_LABELS.get(figure, figure.replace("_", " "))
            if figure.endswith("_pence"):
                label += " (£)"
            columns.append(
                Column(f"{prefix}{label}" if prefix else label.capitalize(), _unit(figure))
            )

    def values(row: list[SafeCell]) -> tuple[Shown | None, ...]:
        out: list[Shown | None] = []
        for cell in row:
            if counted:
                out.append(cell.households)
            out.extend(cell.figures)
        return tuple(out)

    rows = [
        (label, values([*safe.rows[i], *([safe.row_totals[i]] if with_total else [])]))
        for i, label in enumerate(table.row_labels)
    ]
    rows.append(("Total", values([*safe.column_totals, *([safe.total] if with_total else [])])))
    return Layout(label_heading or "Row", tuple(columns), tuple(rows))


def hours(minutes: int) -> str:
    """Show minutes as hours: 90 -> "1.5", 100 -> "1.67"."""
    whole, rest = divmod(minutes, 60)
    fraction = f"{rest * 100 // 60:02d}".rstrip("0")
    return f"{whole}.{fraction}" if fraction else str(whole)


def page_text(value: Shown | None, unit: str) -> str:
    """Return a value as the page shows it: pounds, hours, a count, or the marker's text."""
    if value is None:
        return NOTHING
    if isinstance(value, Suppressed):
        return value.text
    if unit == "pence":
        return format_pence(value)
    if unit == "minutes":
        return hours(value)
    return f"{value:,}"


def csv_value(value: Shown | None, unit: str) -> str | int | None:
    """Return a value as a CSV cell: plain pounds, hours, a whole number, or the marker's text."""
    if value is None:
        return None
    if isinstance(value, Suppressed):
        return value.text
    if unit == "pence":
        return plain_pounds(value)
    if unit == "minutes":
        return hours(value)
    return value


def _rounded(numerator: int, denominator: int) -> int:
    """Return numerator/denominator rounded to the nearest whole number, halves up."""
    return (2 * numerator + denominator) // (2 * denominator)


def ratio_text(key: str, value: Ratio | Suppressed | None) -> str:
    """Return a headline ratio as words: a percentage, pounds per pound, or pounds each."""
    if value is None:
        return "not applicable (nothing to divide by)"
    if isinstance(value, Suppressed):
        return value.text
    n, d = value.numerator, value.denominator
    if key.endswith("_share"):
        tenths = _rounded(n * 1000, d)
        sign = "-" if tenths < 0 else ""
        return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}%"
    if key == "savings_per_support":
        return f"{format_pence(_rounded(n * 100, d))} saved per £1 of support"
    if key == "support_per_active":
        return f"{format_pence(_rounded(n, d))} per active household"
    return f"{plain_pounds(_rounded(n * 100, d))} to 1"


HEADLINE_LABELS = {
    "registered": ("Registered households", "count", "registered"),
    "active": ("Active households", "count", "active"),
    "new": ("New households", "count", "new"),
    "repeat": ("Repeat households", "count", "repeat"),
    "collections": ("Collections", "count", "collections"),
    "people_reached": ("People reached", "count", "people_reached"),
    "coops_active": ("Co-ops active", "count", "coops_active"),
    "member_spend_pence": ("Member spend", "pence", "member_spend"),
    "reference_pence": ("Reference value", "pence", "reference_value"),
    "savings_pence": ("Member savings", "pence", "member_savings"),
    "surplus_pence": ("Surplus-food value (not in the savings)", "pence", "member_savings"),
    "supplier_pence": ("Supplier spend", "pence", "local_spend_share"),
    "local_pence": ("Local supplier spend", "pence", "local_spend_share"),
    "subsidy_pence": ("Council subsidy applied to rounds", "pence", "member_spend"),
    "volunteer_minutes": ("Volunteer hours", "minutes", "volunteer_hours"),
    "volunteer_value_pence": ("Value of volunteer time", "pence", "volunteer_hours"),
    "support_pence": ("Council support awarded", "pence", "support_value"),
    "deprived": ("Households in IMD deciles 1-2", "count", "deprived_reach"),
    "mapped": ("Households with a mapped postcode", "count", "deprived_reach"),
}
RATIO_LABELS = {
    "savings_share": ("Savings as a share of the reference value", "member_savings"),
    "local_share": ("Local spend share", "local_spend_share"),
    "deprived_share": ("Reach in deprived areas", "deprived_reach"),
    "savings_per_support": ("Member savings per pound of support", "value_for_money"),
    "support_per_active": ("Cost of support per active household", "value_for_money"),
    "leverage": ("Leverage", "value_for_money"),
}


@dataclass(frozen=True)
class Headline:
    """One headline figure: its label, as the page shows it, as a CSV cell, and its definition."""

    label: str
    text: str
    cell: str | int | None
    definition: str


def headline_lines(report: Report) -> list[Headline]:
    """Return the report's headline figures and ratios, each beside its definition."""
    lines = []
    for key, (label, unit, definition) in HEADLINE_LABELS.items():
        if key in report.headline:
            value = report.headline[key]
            lines.append(
                Headline(
                    label,
                    page_text(value, unit),
                    csv_value(value, unit),
                    report.definitions.get(definition, ""),
                )
            )
    for key, (label, definition) in RATIO_LABELS.items():
        if key in report.derived:
            said = ratio_text(key, report.derived[key])
            lines.append(Headline(label, said, said, report.definitions.get(definition, "")))
    return lines
