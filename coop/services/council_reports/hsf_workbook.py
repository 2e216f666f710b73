"""The Household Support Fund MI return as an .xlsx workbook, in the DWP template's layout.

One sheet per template tab coop fills ("2 - Spend", "3 - Volumes", "4 -
Households helped"), each headed by the council, its GSS code, the period,
the template followed and when it was produced, then the tab's table: its
row labels in the template's order and a total. A withheld cell is the
marker's text ("fewer than 10", "suppressed"), never 0; a category coop has
no record of reads "not recorded by coop"; money is an exact number of
pounds (a `Decimal` from the pence, never a float) formatted in £. A Notes
sheet gives each table's definition, the rules applied, what coop does not
record, and the fund's grants to co-ops (which are not a template tab).
Every text is written as text, so a name beginning with "=" is never a
formula.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from coop.domain.suppression import Shown, Suppressed
from coop.services.council_reports.hsf import (
    GRANTS,
    HOUSEHOLDS,
    NOT_RECORDED,
    SPEND,
    VOLUMES,
    HsfReturn,
)
from coop.services.council_reports.results import Table

POUNDS = '"£"#,##0.00'
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
LABEL_HEADINGS = {SPEND: "Category", VOLUMES: "Category", HOUSEHOLDS: "Household group"}


def _put(ws: Worksheet, row: int, column: int, value: object, *, font: Font | None = None) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: never a formula
    if font is not None:
        cell.font = font


def pounds(pence: int) -> Decimal:
    """Return *pence* as an exact amount of pounds: 1234 -> Decimal("12.34")."""
    return Decimal(pence).scaleb(-2)


def period_text(hsf: HsfReturn) -> str:
    period = hsf.period
    return f"{period.start:%-d %B %Y} to {period.end:%-d %B %Y}"


def _heading(ws: Worksheet, hsf: HsfReturn, title: str) -> int:
    """Write the return's heading on *ws*; return the next free row."""
    _put(ws, 1, 1, "Household Support Fund management information", font=TITLE)
    _put(ws, 2, 1, title, font=BOLD)
    facts = [
        ("Council", hsf.council_name),
        ("GSS code", hsf.gss_code),
        ("Period", period_text(hsf)),
        ("Fund period of the template", hsf.fund_period),
        ("Layout follows", hsf.guidance),
        ("Produced", f"{hsf.produced_at:%-d %B %Y at %H:%M} UTC"),
        ("Small numbers", f"Counts of 1 to {hsf.threshold - 1} households are withheld"),
    ]
    for offset, (label, value) in enumerate(facts):
        _put(ws, 4 + offset, 1, label, font=BOLD)
        _put(ws, 4 + offset, 2, value)
    return 5 + len(facts)


def _value(ws: Worksheet, row: int, column: int, value: Shown | None, money: bool) -> None:
    if value is None:
        _put(ws, row, column, NOT_RECORDED)
    elif isinstance(value, Suppressed):
        _put(ws, row, column, value.text)
        ws.cell(row=row, column=column).alignment = Alignment(horizontal="right")
    elif money:
        _put(ws, row, column, pounds(value))
        ws.cell(row=row, column=column).number_format = POUNDS
    else:
        _put(ws, row, column, value)


def _write_table(ws: Worksheet, hsf: HsfReturn, table: Table, row: int) -> int:
    """Write *table* from *row*: its heading row, its rows and total; return the next free row."""
    money = bool(table.figures) and table.figures[0].endswith("_pence")
    heading = table.column_labels[0] + (" (£)" if money else "")
    _put(ws, row, 1, LABEL_HEADINGS.get(table.key, ""), font=BOLD)
    _put(ws, row, 2, heading, font=BOLD)
    for line in hsf.lines(table):
        row += 1
        _put(ws, row, 1, line.label, font=BOLD if line.total else None)
        _value(ws, row, 2, line.values[0], money)
    return row + 2


def hsf_workbook(hsf: HsfReturn) -> bytes:
    """Return *hsf* as the bytes of an .xlsx workbook in the template's layout."""
    book = Workbook()
    first = True
    for key in (SPEND, VOLUMES, HOUSEHOLDS):
        table = hsf.table(key)
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        first = False
        ws.title = table.title
        row = _heading(ws, hsf, table.title)
        _write_table(ws, hsf, table, row)
        ws.column_dimensions["A"].width = 52
        ws.column_dimensions["B"].width = 30
    _notes(book.create_sheet("Notes"), hsf)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NOTES = (
    "coop is the co-ops' ordering and accounts system. It fills only what its records show: "
    "the fund's subsidies on co-op rounds, which are food. Every other category reads "
    f"'{NOT_RECORDED}': add what the council spent through other routes from its own records.",
    "Households are counted at council level only, across every co-op of the council. A "
    "household is counted once, in the first group it belongs to in the template's order: "
    "with children, with pensioners, with a disabled person, other. Children are those under "
    "18, the band households give their co-op; the fund also counts a young person of 18.",
    "Household facts (children, State Pension age, disability) are optional and each is given "
    "with its own consent; a household that gave none that places it in a group is counted "
    "under 'Other households'.",
    "A count of fewer households than the council's threshold is withheld ('fewer than k'), "
    "and so are the spend and awards made of those households; where a withheld figure could "
    "be worked out from a total, another is withheld too ('suppressed').",
    "Money is read from the ledger: each round's settlement, corrections and reversals. A "
    "round counts on its pickup day in the UK (else its deadline's).",
    "Not recorded by coop: the governance tab (sign-off by the Section 151 officer), free "
    "school meals in the holidays, energy and water, essentials linked to energy and water, "
    "wider essentials, housing costs, advice services, administration costs, how each award "
    "was delivered (vouchers, cash, direct provision, third-party organisations), and "
    "whether it was applied for or given proactively.",
)


def _notes(ws: Worksheet, hsf: HsfReturn) -> None:
    row = _heading(ws, hsf, "Notes and definitions")
    for table in hsf.tables:
        _put(ws, row, 1, table.title, font=BOLD)
        _put(ws, row, 2, table.definition)
        ws.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    for note in NOTES:
        _put(ws, row, 1, note)
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    grants = hsf.table(GRANTS)
    _put(ws, row, 1, grants.title, font=BOLD)
    _write_table(ws, hsf, grants, row + 1)
    ws.column_dimensions["A"].width = 80
    ws.column_dimensions["B"].width = 80
