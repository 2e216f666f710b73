"""The annual account and period reports, every line recomputed from the ledger's postings.

A year of books is written through the services (`money.books_year`); the
test then reads postings, transactions and fund entries with plain selects,
dates and sums them in Python, and compares every figure to the penny.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    FundCategory,
    FundEntry,
    LedgerTransaction,
    OpeningBalance,
    Posting,
    RoundCost,
    TransactionKind,
)
from coop.services.errors import ServiceError
from coop.services.money.accounts_report import (
    assets_and_liabilities,
    receipts_and_payments,
    written_off_in,
)
from coop.services.money.fund import local_today
from coop.services.money.period_reports import monthly_income_and_spending, round_results
from coop.services.money.periods import Period, checked_period, last_complete_year
from coop.services.money.stock import stock_at_cost_pence, stock_on_hand, write_off_stock
from coop.services.money.treasury import reverse_entry
from coop.services.times import display_zone
from money.books_year import Books, at, dated, year_of_books
from money.fund_support import record

HELD = {AccountKind.CASH, AccountKind.BANK, AccountKind.CARD}


@pytest.fixture
def books(rounds) -> Books:
    return year_of_books(rounds)


def postings(coop_id: int) -> list[dict]:
    """Every posting of the co-op with its account, transaction and the day its money moved."""
    entries = {
        entry.transaction_id: entry
        for entry in db.session.scalars(select(FundEntry).where(FundEntry.coop_id == coop_id))
    }
    openings = {
        opening.transaction_id: opening.as_of
        for opening in db.session.scalars(
            select(OpeningBalance).where(OpeningBalance.coop_id == coop_id)
        )
    }
    categories = {c.id: c for c in db.session.scalars(select(FundCategory))}
    transactions = {
        t.id: t
        for t in db.session.scalars(
            select(LedgerTransaction).where(LedgerTransaction.coop_id == coop_id)
        )
    }
    accounts = {
        a.id: a for a in db.session.scalars(select(Account).where(Account.coop_id == coop_id))
    }
    found = []
    for posting in db.session.scalars(select(Posting)):
        if posting.account_id not in accounts:
            continue
        txn = transactions[posting.transaction_id]
        own_entry = entries.get(txn.id)
        original = transactions[txn.reverses_id] if txn.reverses_id else txn
        if own_entry is not None:
            moved = own_entry.occurred_on
        elif original.id in openings:  # an opening balance, or its reversal: its as-at date
            moved = openings[original.id]
        else:
            moved = txn.created_at.astimezone(display_zone()).date()
        entry = entries.get(original.id)
        found.append(
            {
                "amount": posting.amount_pence,
                "account": accounts[posting.account_id],
                "kind": original.kind,
                "txn_kind": txn.kind,
                "round_id": txn.round_id,
                "on": moved,
                "category": categories[entry.category_id].name if entry else None,
                "direction": entry.direction.value if entry else None,
            }
        )
    return found


def expected_account(rows: list[dict], period: Period) -> dict[str, int]:
    """Each line of the receipts and payments account, by label, summed from postings."""
    lines: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["account"].kind not in HELD or not period.start <= row["on"] <= period.end:
            continue
        money_in = -row["amount"]
        if row["kind"] is TransactionKind.OPENING_BALANCE:
            lines["brought in"] += money_in
        elif row["category"] is not None:
            sign = 1 if row["direction"] == "income" else -1
            lines[("in:" if sign == 1 else "out:") + row["category"]] += sign * money_in
        elif row["kind"] is TransactionKind.PAYMENT:
            lines["in:Households' payments for their food"] += money_in
        elif row["kind"] is TransactionKind.SUPPLIER_PAYMENT:
            lines["out:Paid to suppliers"] -= money_in
        elif row["kind"] is TransactionKind.REFUND:
            lines["out:Refunds to households"] -= money_in
        else:
            lines["other"] += money_in
    return dict(lines)


def held_by_end_of(rows: list[dict], day: date) -> dict[AccountKind, int]:
    found = dict.fromkeys(HELD, 0)
    for row in rows:
        if row["account"].kind in HELD and row["on"] <= day:
            found[row["account"].kind] -= row["amount"]
    return found


def test_receipts_and_payments_are_every_posting_on_cash_bank_and_card_in_the_year(books, rounds):
    rows = postings(rounds.coop.id)
    account = receipts_and_payments(coop=rounds.coop, period=books.period)
    expected = expected_account(rows, books.period)

    shown = {f"in:{line.label}": line.pence for line in account.receipts}
    shown |= {f"out:{line.label}": line.pence for line in account.payments}
    assert shown == {k: v for k, v in expected.items() if k not in ("brought in", "other")}
    assert "other" not in expected  # every movement of the year has a line of its own
    assert account.brought_in_pence == expected["brought in"] == 30_000
    # Known figures, so the sums above are not merely the same mistake twice.
    assert shown["out:Hall hire"] == 12 * 4500  # the month's entry reversed nets to nothing
    assert shown["in:Donations"] == 5000 and shown["in:Grants received"] == 30_000
    assert shown["in:Households' payments for their food"] == 7180  # the repeated one reversed
    assert shown["out:Paid to suppliers"] == 3500 and shown["out:Refunds to households"] == 100


def test_receipts_less_payments_equal_the_change_in_cash_and_bank_to_the_penny(books, rounds):
    rows = postings(rounds.coop.id)
    period = books.period
    account = receipts_and_payments(coop=rounds.coop, period=period)
    before = held_by_end_of(rows, period.start - timedelta(days=1))
    after = held_by_end_of(rows, period.end)

    change = sum(after.values()) - sum(before.values())
    assert account.receipts_pence - account.payments_pence + account.brought_in_pence == change
    assert account.opening_pence == sum(before.values()) + 30_000
    assert account.closing_pence == sum(after.values())
    assert account.difference_pence == 0
    assert {line.kind: line.closing_pence for line in account.held} == after
    assert [line.label for line in account.held][-1] == "Card payments not yet paid out"


def test_the_previous_year_stands_beside_it_when_the_books_go_back(books, rounds):
    rows = postings(rounds.coop.id)
    account = receipts_and_payments(coop=rounds.coop, period=books.period)
    previous = books.period.previous()
    earlier = expected_account(rows, previous)

    assert account.previous == previous
    assert (
        {line.label: line.previous_pence for line in account.receipts if line.previous_pence}
        == {"Donations": earlier["in:Donations"]}
        == {"Donations": 2500}
    )
    assert account.previous_closing_pence == sum(held_by_end_of(rows, previous.end).values())
    assert account.previous_difference_pence == 0
    # The year before the previous one has nothing: no third column is asked for.
    assert receipts_and_payments(coop=rounds.coop, period=previous).previous is None


def test_the_statement_of_assets_and_liabilities_is_the_balances_at_the_years_end(books, rounds):
    rows = postings(rounds.coop.id)
    end = books.period.end
    balance: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["on"] <= end:
            balance[row["account"].id] += row["amount"]
    accounts = {row["account"].id: row["account"] for row in rows}

    def of(kind: AccountKind) -> list[int]:
        return [b for account_id, b in balance.items() if accounts[account_id].kind is kind]

    statement = assets_and_liabilities(coop=rounds.coop, as_of=end)

    assert statement.cash_pence == -sum(of(AccountKind.CASH))
    assert statement.bank_pence == -sum(of(AccountKind.BANK))
    assert statement.card_pence == -sum(of(AccountKind.CARD)) == 0
    assert statement.households_owing_pence == -sum(b for b in of(AccountKind.HOUSEHOLD) if b < 0)
    assert statement.households_in_credit_pence == sum(
        b for b in of(AccountKind.HOUSEHOLD) if b > 0
    )
    assert statement.suppliers_unpaid_pence == sum(b for b in of(AccountKind.SUPPLIER) if b > 0)
    assert statement.council_support_due_pence == -sum(of(AccountKind.COUNCIL_SUPPORT))
    zone_midnight = Period(end, end).utc_bounds()[1]
    assert statement.stock_at_cost_pence == stock_at_cost_pence(coop=rounds.coop, at=zone_midnight)
    assert statement.stock_at_cost_pence == 200  # two spare units at £2, one sold
    assert statement.households_owing_pence > 0 and statement.suppliers_unpaid_pence > 0


def test_what_the_year_wrote_off_is_its_write_off_postings_and_stock_written_off(books, rounds):
    (line,) = stock_on_hand(coop=rounds.coop)
    spoiled = write_off_stock(
        coop=rounds.coop,
        round_item_id=line.round_item_id,
        units=1,
        kind="spoiled",
        note="",
        by=books.treasurer,
    )
    db.session.commit()
    spoiled.created_at = at(books.period.start + timedelta(days=200))
    db.session.commit()
    period = books.period
    debts = sum(
        row["amount"]
        for row in postings(rounds.coop.id)
        if row["account"].kind is AccountKind.HOUSEHOLD
        and row["kind"] is TransactionKind.WRITE_OFF
        and period.start <= row["on"] <= period.end
    )

    written_off = written_off_in(coop=rounds.coop, period=period)

    assert written_off.debts_pence == debts == 150  # part of one household's debt
    assert written_off.stock_pence == 200  # the unit left of the spare two, at £2
    assert written_off_in(coop=rounds.coop, period=period.previous()).any is False


def test_income_and_spending_by_month_are_the_fund_entries_not_reversed(books, rounds):
    period = books.period
    reversed_ids = set(
        db.session.scalars(
            select(LedgerTransaction.reverses_id).where(LedgerTransaction.reverses_id.is_not(None))
        )
    )
    expected: dict[tuple[str, str, date], int] = defaultdict(int)
    for entry, name in db.session.execute(
        select(FundEntry, FundCategory.name).join(FundCategory)
    ).all():
        if (
            entry.transaction_id in reversed_ids
            or not period.start <= entry.occurred_on <= period.end
        ):
            continue
        expected[(entry.direction.value, name, entry.occurred_on.replace(day=1))] += (
            entry.amount_pence
        )

    table = monthly_income_and_spending(coop=rounds.coop, period=period)
    shown = {
        (row.direction.value, row.category, month): pence
        for row in table.income + table.spending
        for month, pence in zip(table.months, row.by_month, strict=True)
        if pence
    }

    assert len(table.months) == 12 and table.months[0] == period.start
    assert shown == dict(expected)
    assert shown[("expense", "Hall hire", period.months[7])] == 4500  # its twin was reversed
    assert table.income_pence == 1000 + 1200 + 5000 + 30_000
    assert table.spending_pence == 12 * 4500 + 1250 + 600


def test_each_rounds_result_is_its_postings_on_the_fund(books, rounds):
    rows = postings(rounds.coop.id)
    period = books.period
    settlement: dict[int, int] = defaultdict(int)
    corrections: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["account"].kind is not AccountKind.FUND or row["round_id"] is None:
            continue
        if not period.start <= row["on"] <= period.end:
            continue
        if row["kind"] is TransactionKind.SETTLEMENT:
            settlement[row["round_id"]] += row["amount"]
        else:
            corrections[row["round_id"]] += row["amount"]
    markup: dict[int, int] = defaultdict(int)
    for line, kind in db.session.execute(
        select(BillLine, LedgerTransaction.kind).join(
            LedgerTransaction, LedgerTransaction.id == BillLine.transaction_id
        )
    ).all():
        if kind is TransactionKind.SETTLEMENT:
            markup[line.round_id] += line.markup_pence
    own_costs: dict[int, int] = defaultdict(int)
    for cost in db.session.scalars(select(RoundCost).where(RoundCost.supplier_id.is_(None))):
        own_costs[cost.round_id] += cost.amount_pence

    results = round_results(coop=rounds.coop, period=period)

    assert [r.round_id for r in results] == [r.id for r in books.rounds]
    for result in results:
        assert result.settlement_pence == settlement[result.round_id]
        assert result.corrections_pence == corrections.get(result.round_id, 0)
        assert result.markup_pence == markup[result.round_id]
        assert result.coop_costs_pence == own_costs.get(result.round_id, 0)
    first, surplus, _third = results
    assert first.corrections_pence == -50 and first.coop_costs_pence == 400
    assert surplus.other_pence == -400  # two spare units at £2 each, which the fund bought


def test_a_year_with_nothing_in_it_balances_at_nothing(rounds):
    period = last_complete_year(local_today())
    account = receipts_and_payments(coop=rounds.coop, period=period)

    assert (account.receipts, account.payments, account.previous) == ([], [], None)
    assert account.opening_pence == account.closing_pence == account.difference_pence == 0
    assert round_results(coop=rounds.coop, period=period) == []


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (None, date(2026, 3, 31), "start", "first day"),
        (date(2025, 4, 1), None, "end", "last day"),
        (date(2025, 4, 1), date(2025, 4, 1), "end", "must end after"),
        (date(2025, 4, 1), date(2025, 3, 1), "end", "must end after"),
        (date(2020, 4, 1), date(2025, 4, 1), "end", "at most 5 years"),
        (date(2025, 4, 1), "tomorrow", "end", "future"),
    ],
)
def test_a_bad_period_is_refused_at_its_field(app, start, end, field, words):
    today = local_today()
    if end == "tomorrow":
        end = today + timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        checked_period(start=start, end=end, today=today)
    assert refused.value.field == field
    assert words in refused.value.message


def test_five_years_less_a_day_is_a_period(app):
    period = checked_period(start=date(2020, 4, 1), end=date(2025, 3, 31), today=date(2026, 1, 1))
    assert len(period.months) == 60
    assert period.previous() == Period(date(2015, 4, 1), date(2020, 3, 31))


def test_the_default_period_is_the_last_financial_year_that_has_ended(app):
    assert last_complete_year(date(2026, 12, 3)) == Period(date(2025, 4, 1), date(2026, 3, 31))
    assert last_complete_year(date(2026, 3, 31)) == Period(date(2024, 4, 1), date(2025, 3, 31))
    assert last_complete_year(date(2026, 4, 1)) == Period(date(2025, 4, 1), date(2026, 3, 31))
    assert Period(date(2025, 4, 1), date(2026, 3, 31)).short_label == "2025-26"


def test_a_reversal_in_a_later_year_nets_against_its_line_in_that_year(books, rounds):

    grant = record(
        rounds.coop,
        books.treasurer,
        key="grants_received",
        amount_pence=2000,
        occurred_on=books.period.end,
    )
    undo = reverse_entry(
        transaction=db.session.get_one(LedgerTransaction, grant.transaction_id),
        reason="It was a loan, not a grant",
        by=books.treasurer,
        below_zero_confirmed=True,  # the year's books spent it
    )
    db.session.commit()
    later = Period(books.period.end + timedelta(days=1), local_today())
    dated(undo, later.start + timedelta(days=3))

    this_year = receipts_and_payments(coop=rounds.coop, period=books.period)
    next_year = receipts_and_payments(coop=rounds.coop, period=later)

    grants = {line.label: line.pence for line in this_year.receipts}["Grants received"]
    assert grants == 30_000 + 2000  # the money did come in that year
    assert {line.label: line.pence for line in next_year.receipts}["Grants received"] == -2000
    assert this_year.difference_pence == next_year.difference_pence == 0
    assert next_year.opening_pence == this_year.closing_pence
