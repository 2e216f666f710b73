"""The period reports and the annual account as CSV, one file a table, amounts as plain pounds.

Each file carries the same figures as its page and PDF; text a spreadsheet
would run as a formula is defused by `csv_text`.
"""

from __future__ import annotations

from coop.domain.money import plain_pounds
from coop.domain.spreadsheets import csv_text
from coop.services.money.accounts_report import (
    AssetsAndLiabilities,
    ReceiptsAndPayments,
    WrittenOff,
)
from coop.services.money.period_reports import MonthlyTable, RoundResult
from coop.services.money.periods import Period


def monthly_csv(table: MonthlyTable) -> str:
    """Income and spending by category (rows) and month (columns), with totals."""
    header = ["Kind", "Category", *(f"{m:%b %Y}" for m in table.months), "Total"]

    def row(kind: str, name: str, cells: tuple[int, ...]) -> list[object]:
        return [kind, name, *(plain_pounds(c) for c in cells), plain_pounds(sum(cells))]

    rows = [row("Income", line.category, line.by_month) for line in table.income]
    rows.append(row("Income", "Total income", table.income_by_month))
    rows += [row("Spending", line.category, line.by_month) for line in table.spending]
    rows.append(row("Spending", "Total spending", table.spending_by_month))
    rows.append(row("Net", "Income less spending", table.net_by_month))
    return csv_text(header, rows)


ROUNDS_HEADER = [
    "Round",
    "Settled on",
    "Markup and rounding",
    "Towards the co-op's own costs",
    "The co-op's own stock sold",
    "Surplus, costs nobody carried, contributions",
    "Settlement",
    "Corrections the fund carried",
    "Left the fund",
]


def rounds_csv(results: list[RoundResult]) -> str:
    """Each round's result for the fund, and the total."""

    def amounts(r: RoundResult) -> list[object]:
        return [
            plain_pounds(pence)
            for pence in (
                r.markup_pence,
                r.coop_costs_pence,
                r.stock_sold_pence,
                r.other_pence,
                r.settlement_pence,
                r.corrections_pence,
                r.total_pence,
            )
        ]

    rows: list[list[object]] = [
        [r.title, f"{r.settled_on:%Y-%m-%d}" if r.settled_on else "", *amounts(r)] for r in results
    ]
    fields = ("markup", "coop_costs", "stock_sold", "other", "settlement", "corrections", "total")
    totals = [sum(getattr(r, f"{name}_pence") for r in results) for name in fields]
    rows.append(["Total", "", *(plain_pounds(pence) for pence in totals)])
    return csv_text(ROUNDS_HEADER, rows)


def _heading(period: Period | None) -> list[str]:
    return [period.short_label] if period is not None else []


def receipts_and_payments_csv(account: ReceiptsAndPayments) -> str:
    """The receipts and payments account: lines, totals, cash and bank, and the check."""
    previous = account.previous is not None

    def row(section: str, label: str, pence: int, before: int) -> list[object]:
        return [section, label, plain_pounds(pence), *([plain_pounds(before)] if previous else [])]

    rows = [row("Receipts", ln.label, ln.pence, ln.previous_pence) for ln in account.receipts]
    rows.append(
        row("Receipts", "Total receipts", account.receipts_pence, account.previous_receipts_pence)
    )
    rows += [row("Payments", ln.label, ln.pence, ln.previous_pence) for ln in account.payments]
    rows.append(
        row("Payments", "Total payments", account.payments_pence, account.previous_payments_pence)
    )
    rows.append(
        row(
            "Net",
            "Receipts less payments",
            account.receipts_pence - account.payments_pence,
            account.previous_receipts_pence - account.previous_payments_pence,
        )
    )
    for line in account.held:
        rows.append(
            row("At the start", line.label, line.opening_pence, line.previous_opening_pence)
        )
    rows.append(
        row(
            "At the start",
            "Of which opening balances brought in",
            account.brought_in_pence,
            account.previous_brought_in_pence,
        )
    )
    for line in account.held:
        rows.append(row("At the end", line.label, line.closing_pence, line.previous_closing_pence))
    rows.append(
        row(
            "Check",
            "Closing less (opening + receipts - payments)",
            account.difference_pence,
            account.previous_difference_pence,
        )
    )
    header = ["Section", "Line", account.period.short_label, *_heading(account.previous)]
    return csv_text(header, rows)


def assets_csv(statement: AssetsAndLiabilities, written_off: WrittenOff | None = None) -> str:
    """The statement of assets and liabilities at the period's end.

    With *written_off*, two rows more say what the period wrote off: no money
    moved, so it is in neither account, but the assets are that much less.
    """
    s = statement
    rows: list[tuple[str, str, int]] = [
        ("Money held", "Cash in hand", s.cash_pence),
        ("Money held", "Bank", s.bank_pence),
        ("Money held", "Card payments not yet paid out", s.card_pence),
        ("Owed to the co-op", "Households that owe", s.households_owing_pence),
        ("Owed to the co-op", "Council support due", s.council_support_due_pence),
        ("Owed to the co-op", "Suppliers' credit", s.supplier_credit_pence),
        ("Stock", "The co-op's stock at cost", s.stock_at_cost_pence),
        ("Total", "Assets", s.assets_pence),
        ("Owed by the co-op", "Households in credit", s.households_in_credit_pence),
        ("Owed by the co-op", "Suppliers not yet paid", s.suppliers_unpaid_pence),
        ("Total", "Liabilities", s.liabilities_pence),
        ("Total", "Assets less liabilities", s.net_pence),
    ]
    if written_off is not None:
        rows += [
            ("Written off in the period", "Households' debts", written_off.debts_pence),
            (
                "Written off in the period",
                "Stock given away or spoiled, at cost",
                written_off.stock_pence,
            ),
        ]
    return csv_text(
        ["Section", "Item", f"At {s.as_of:%Y-%m-%d}"],
        [[section, item, plain_pounds(pence)] for section, item, pence in rows],
    )
