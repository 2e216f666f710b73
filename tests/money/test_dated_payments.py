"""Payments, refunds, supplier payments and transfers count on the day the money moved.

A treasurer types March's bank transfers in from the statement on 2 April:
they belong to the year to 31 March, in its annual account and in the bank
balance as at 31 March, not to the year they were typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from support import field_error, text

from coop.extensions import db
from coop.models import HeldIn, LedgerTransaction, TransactionKind
from coop.services.money.accounts_report import ReceiptsAndPayments, receipts_and_payments
from coop.services.money.fund import local_today
from coop.services.money.opening import enter_opening_balances
from coop.services.money.periods import Period, last_complete_year
from coop.services.money.reconcile import compare, held_on
from coop.services.money.statements import statement_for
from coop.services.money.treasury import Method, record_payment
from coop.services.times import display_zone
from money.books_year import at, dated
from money.test_fund_pages import counts, nothing_written
from money.treasury_support import latest_transaction, settled_round, treasurer

BASE = "/coops/fishwick/admin/money"
CASH, BANK = 5_000, 40_000
IN_CREDIT = 2_000  # the second household's opening credit


@dataclass(frozen=True)
class Years:
    """A financial year whose books begin on its first day, and the complete year after it."""

    year: Period
    next_year: Period

    @property
    def march_28(self) -> date:
        return self.year.end - timedelta(days=3)

    @property
    def april_2(self) -> date:
        return self.year.end + timedelta(days=2)


@pytest.fixture
def years(rounds) -> Years:
    # The year before the last complete one, so that 2 April is never in the future.
    next_year = last_complete_year(local_today())
    year = next_year.previous()
    opening = enter_opening_balances(
        coop=rounds.coop,
        as_of=year.start,
        households={rounds.households[1].id: IN_CREDIT},
        cash_pence=CASH,
        bank_pence=BANK,
        confirmed={},
        by=rounds.coordinator,
        today=local_today(),
    )
    db.session.commit()
    dated(opening.transaction_id, year.start)
    settled_round(rounds, 6)  # a supplier the co-op buys from, to pay
    return Years(year, next_year)


@dataclass(frozen=True)
class Kind:
    """One of the forms, what it posts and where a treasurer sees it."""

    path: str
    data: dict[str, str]
    section: str  # "receipts", "payments" or "" (neither)
    line: str
    cash_pence: int  # what it does to the cash, and the bank
    bank_pence: int
    household: int = 0  # which of the round's households a payment form names


KINDS = {
    "payment": Kind(
        "payments/new",
        {"kind": "payment", "amount": "25.00", "method": "bank"},
        "receipts",
        "households",
        0,
        2_500,
    ),
    "refund": Kind(
        "payments/new",
        {"kind": "refund", "amount": "10.00", "method": "bank"},
        "payments",
        "refunds",
        0,
        -1_000,
        household=1,  # the one in credit: paying back more than that is warned about first
    ),
    "supplier payment": Kind(
        "suppliers/pay", {"amount": "20.00", "method": "bank"}, "payments", "suppliers", 0, -2_000
    ),
    "transfer": Kind("cash-and-bank", {"move": "pay_in", "amount": "30.00"}, "", "", -3_000, 3_000),
}


def post(client, rounds, kind: Kind, **changes: str):
    data = dict(kind.data)
    if kind.path == "payments/new":
        data["household"] = str(rounds.households[kind.household].id)
    if kind.path == "suppliers/pay":
        data["supplier"] = str(rounds.supplier.id)
    return client.post(f"{BASE}/{kind.path}", data={**data, **changes})


def line_pence(account: ReceiptsAndPayments, kind: Kind) -> int:
    lines = account.receipts if kind.section == "receipts" else account.payments
    return sum(line.pence for line in lines if line.key == kind.line)


def typed_on(day: date) -> LedgerTransaction:
    """Say the entry just recorded was typed in on *day*, by the ledger's clock."""
    transaction = latest_transaction()
    dated(transaction, day)
    return transaction


@pytest.mark.parametrize("name", list(KINDS))
def test_money_moved_on_28_march_and_typed_in_on_2_april_is_in_the_year_to_31_march(
    rounds, client, auth, years, name
):
    kind = KINDS[name]
    auth.login_as(treasurer(rounds))
    before = (
        receipts_and_payments(coop=rounds.coop, period=years.year),
        receipts_and_payments(coop=rounds.coop, period=years.next_year),
    )

    response = post(client, rounds, kind, occurred_on=years.march_28.isoformat())
    written = typed_on(years.april_2)

    assert response.status_code == 302
    year = receipts_and_payments(coop=rounds.coop, period=years.year)
    next_year = receipts_and_payments(coop=rounds.coop, period=years.next_year)
    moved = abs(kind.bank_pence)
    if kind.section:
        assert line_pence(year, kind) == line_pence(before[0], kind) + moved
        assert line_pence(next_year, kind) == line_pence(before[1], kind)
    # Receipts less payments are still the change in cash and bank, both years.
    assert year.difference_pence == 0 and next_year.difference_pence == 0
    assert year.closing_pence == next_year.opening_pence
    assert (next_year.receipts_pence, next_year.payments_pence) == (
        before[1].receipts_pence,
        before[1].payments_pence,
    )
    # The bank statement as at 31 March shows it, and the books agree.
    bank = compare(
        coop=rounds.coop,
        account=HeldIn.BANK,
        as_of=years.year.end,
        statement_pence=BANK + kind.bank_pence,
    )
    assert bank.difference_pence == 0
    assert (years.march_28, kind.bank_pence) in [
        (line.on, line.held_change_pence)
        for line in bank.unreconciled
        if line.transaction_id == written.id
    ]
    assert held_on(coop=rounds.coop, account=HeldIn.CASH, as_of=years.year.end) == (
        CASH + kind.cash_pence
    )
    before_it = years.march_28 - timedelta(days=1)
    assert held_on(coop=rounds.coop, account=HeldIn.BANK, as_of=before_it) == BANK


@pytest.mark.parametrize("name", list(KINDS))
@pytest.mark.parametrize(
    ("day", "message"),
    [
        (lambda years: (local_today() + timedelta(days=1)).isoformat(), "in the future"),
        (lambda years: (years.year.start - timedelta(days=1)).isoformat(), "The books begin"),
        (lambda years: "31/03/2026", "Enter the day, like 2026-12-03."),
        (lambda years: "next tuesday", "Enter the day, like 2026-12-03."),
    ],
)
def test_a_day_the_money_cannot_have_moved_is_refused_at_the_date_with_nothing_written(
    rounds, client, auth, years, name, day, message
):
    auth.login_as(treasurer(rounds))
    before = counts()

    response = post(client, rounds, KINDS[name], occurred_on=day(years))

    assert response.status_code == 200
    error = field_error(text(response), "occurred_on")
    assert error is not None and message in error
    assert nothing_written(before)


@pytest.mark.parametrize("name", list(KINDS))
def test_each_form_offers_today_as_the_day_the_money_moved(rounds, client, auth, years, name):
    auth.login_as(treasurer(rounds))

    page = text(client.get(f"{BASE}/{KINDS[name].path}"))

    assert f'value="{local_today().isoformat()}"' in page
    assert "The day the money moved" in page


@pytest.mark.parametrize("typed", [{}, {"occurred_on": ""}], ids=["left out", "blank"])
@pytest.mark.parametrize("name", list(KINDS))
def test_with_no_day_typed_the_money_counts_on_the_day_it_was_written(
    rounds, client, auth, years, name, typed
):
    kind = KINDS[name]
    auth.login_as(treasurer(rounds))

    response = post(client, rounds, kind, **typed)
    written = typed_on(years.april_2)

    assert response.status_code == 302
    assert written.occurred_on is None
    year = receipts_and_payments(coop=rounds.coop, period=years.year)
    next_year = receipts_and_payments(coop=rounds.coop, period=years.next_year)
    if kind.section:
        assert line_pence(year, kind) == 0
        assert line_pence(next_year, kind) == abs(kind.bank_pence)
    assert year.difference_pence == 0 and next_year.difference_pence == 0
    assert held_on(coop=rounds.coop, account=HeldIn.BANK, as_of=years.year.end) == BANK
    assert held_on(coop=rounds.coop, account=HeldIn.BANK, as_of=years.april_2) == (
        BANK + kind.bank_pence
    )


def test_the_service_given_no_day_dates_a_payment_as_it_always_has(rounds, years):
    paid = record_payment(
        coop=rounds.coop,
        membership_id=rounds.households[0].id,
        amount_pence=700,
        method=Method.CASH,
        note="at pickup",
        by=rounds.coordinator,
    )
    db.session.commit()

    assert paid.occurred_on is None
    line = compare(coop=rounds.coop, account=HeldIn.CASH, as_of=local_today()).unreconciled[-1]
    assert (line.transaction_id, line.on, line.held_change_pence) == (paid.id, local_today(), 700)


def test_the_statement_shows_a_dated_payment_at_its_date_with_the_balance_it_left(
    rounds, client, auth, years
):
    household = rounds.households[0]
    charge = latest_transaction()  # the round's settlement: £12.00 for six units
    dated(charge, years.march_28 + timedelta(days=2))  # settled on 30 March
    auth.login_as(treasurer(rounds))

    post(client, rounds, KINDS["payment"], occurred_on=years.march_28.isoformat())
    paid = typed_on(years.april_2)

    entries = statement_for(membership=household).entries
    assert [entry.transaction_id for entry in entries] == [charge.id, paid.id]
    assert entries[1].kind is TransactionKind.PAYMENT
    assert entries[1].dated.astimezone(display_zone()).date() == years.march_28
    assert entries[1].dated < at(years.march_28 + timedelta(days=2))
    assert [entry.balance_after_pence for entry in entries] == [2_500 - 1_200, 2_500]


def test_the_ledger_shows_the_day_the_money_moved_beside_when_it_was_written(
    rounds, client, auth, years
):
    auth.login_as(treasurer(rounds))
    post(client, rounds, KINDS["payment"], occurred_on=years.march_28.isoformat())
    paid = typed_on(years.april_2)
    moved = years.march_28

    ledger = text(client.get(f"{BASE}/ledger"))
    one = text(client.get(f"{BASE}/ledger/{paid.id}"))

    assert f"Money moved {moved.day} {moved:%b %Y}" in ledger
    assert f"<dt>Money moved</dt><dd>{moved.day} {moved:%B %Y}</dd>" in one
