"""Opening balances count from their as-at date, not from the day they were typed in.

A treasurer who starts on coop on 1 March with the balances as at 1 January
has a bank statement that shows them from 1 January: reconciliation and the
annual account must too.
"""

from __future__ import annotations

from datetime import timedelta

from coop.extensions import db
from coop.models import HeldIn
from coop.services.money.accounts_report import assets_and_liabilities, receipts_and_payments
from coop.services.money.fund import local_today
from coop.services.money.opening import enter_opening_balances
from coop.services.money.periods import last_complete_year
from coop.services.money.reconcile import compare
from coop.services.money.treasury import reverse_entry
from money.books_year import dated
from money.fund_support import record
from money.treasury_support import treasurer

CASH, BANK = 4_000, 25_000


def enter(rounds, user, *, as_of, typed_on, households=None, bank=BANK):
    """Enter the opening balances as at *as_of*, written (by the ledger's clock) on *typed_on*."""
    opening = enter_opening_balances(
        coop=rounds.coop,
        as_of=as_of,
        households=households or {},
        cash_pence=CASH,
        bank_pence=bank,
        confirmed={},
        by=user,
        today=local_today(),
    )
    db.session.commit()
    dated(opening.transaction_id, typed_on)
    return opening


def test_reconciling_between_the_as_at_date_and_the_typing_shows_the_opening_bank(rounds):
    user = treasurer(rounds)
    as_of = local_today() - timedelta(days=60)
    enter(rounds, user, as_of=as_of, typed_on=as_of + timedelta(days=30))

    between = compare(
        coop=rounds.coop,
        account=HeldIn.BANK,
        as_of=as_of + timedelta(days=10),
        statement_pence=BANK,
    )
    before = compare(coop=rounds.coop, account=HeldIn.BANK, as_of=as_of - timedelta(days=1))

    assert between.ledger_pence == BANK and between.difference_pence == 0
    assert [(line.on, line.held_change_pence) for line in between.unreconciled] == [(as_of, BANK)]
    assert before.ledger_pence == 0 and before.unreconciled == []
    cash = compare(coop=rounds.coop, account=HeldIn.CASH, as_of=as_of)
    assert cash.ledger_pence == CASH


def test_the_annual_account_of_the_year_holding_the_as_at_date_brings_them_in(rounds):
    user = treasurer(rounds)
    year = last_complete_year(local_today())
    # As at a day in the year, typed in after the year had ended.
    enter(rounds, user, as_of=year.start + timedelta(days=9), typed_on=year.end + timedelta(days=3))
    record(
        rounds.coop,
        user,
        key="hall_hire",
        amount_pence=4_500,
        occurred_on=year.start.replace(day=20),
    )

    account = receipts_and_payments(coop=rounds.coop, period=year)

    assert account.brought_in_pence == CASH + BANK
    assert account.opening_pence == CASH + BANK  # nothing before it, so all brought in
    assert account.payments_pence == 4_500 and account.receipts_pence == 0
    assert account.closing_pence == CASH + BANK - 4_500
    assert account.difference_pence == 0
    assert assets_and_liabilities(coop=rounds.coop, as_of=year.end).bank_pence == BANK - 4_500


def test_the_next_year_starts_from_opening_balances_as_at_the_year_before(rounds):
    user = treasurer(rounds)
    year = last_complete_year(local_today())
    # As at the last day of the year before, typed in well into the year.
    enter(
        rounds,
        user,
        as_of=year.start - timedelta(days=1),
        typed_on=year.start + timedelta(days=70),
    )
    record(
        rounds.coop,
        user,
        key="donations",
        amount_pence=1_000,
        method=HeldIn.CASH,
        occurred_on=year.start + timedelta(days=5),
    )

    account = receipts_and_payments(coop=rounds.coop, period=year)

    assert account.brought_in_pence == 0  # they belong to the year before
    assert account.opening_pence == CASH + BANK
    assert account.previous is not None and account.previous_brought_in_pence == CASH + BANK
    assert account.previous_closing_pence == CASH + BANK
    assert account.closing_pence == CASH + BANK + 1_000
    assert account.receipts_pence - account.payments_pence == 1_000
    assert account.difference_pence == 0


def test_opening_balances_reversed_and_entered_again_never_count_twice(rounds):
    user = treasurer(rounds)
    as_of = local_today() - timedelta(days=90)
    mistaken = enter(rounds, user, as_of=as_of, typed_on=as_of + timedelta(days=20), bank=25_200)
    undo = reverse_entry(transaction=mistaken.transaction, reason="bank mistyped", by=user)
    db.session.commit()
    dated(undo, as_of + timedelta(days=40))
    enter(rounds, user, as_of=as_of, typed_on=as_of + timedelta(days=40))

    for day in (as_of, as_of + timedelta(days=25), as_of + timedelta(days=60)):
        assert compare(coop=rounds.coop, account=HeldIn.BANK, as_of=day).ledger_pence == BANK
    lines = compare(coop=rounds.coop, account=HeldIn.BANK, as_of=as_of).unreconciled
    assert sorted(line.held_change_pence for line in lines) == [-25_200, BANK, 25_200]
    assert {line.on for line in lines} == {as_of}
