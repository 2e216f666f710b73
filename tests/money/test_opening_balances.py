"""Opening balances: posted once, as one balanced entry, shown on statements and balances."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from support import count_rows, refusal_message

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import AccountKind, LedgerTransaction, OpeningBalance, Posting, TransactionKind
from coop.services.money.ledger import balances, household_balance_pence
from coop.services.money.opening import (
    enter_opening_balances,
    opening_balance_of,
    opening_households,
)
from coop.services.money.reports import balance_sheet
from coop.services.money.statements import statement_for
from coop.services.money.treasury import Method, record_payment, reverse_entry
from coop.services.times import display_zone
from money.support import transaction_sums
from money.treasury_support import treasurer

TODAY = date(2026, 12, 3)
AS_OF = date(2026, 4, 1)


def enter(rounds, *, households=None, cash=8_000, bank=-2_500, as_of=AS_OF, confirmed=None):
    opening = enter_opening_balances(
        coop=rounds.coop,
        as_of=as_of,
        households=households if households is not None else {},
        cash_pence=cash,
        bank_pence=bank,
        confirmed=confirmed or {},
        by=rounds.coordinator,
        today=TODAY,
    )
    db.session.commit()
    return opening


def kind_balances(coop) -> dict[AccountKind, int]:
    found: dict[AccountKind, int] = {}
    for balance in balances(coop=coop):
        found[balance.kind] = found.get(balance.kind, 0) + balance.balance_pence
    return found


def test_opening_balances_post_one_balanced_transaction(rounds):
    owes, in_credit = rounds.households[0], rounds.households[1]

    opening = enter(rounds, households={owes.id: -1_250, in_credit.id: 400})

    assert count_rows(LedgerTransaction) == 1
    transaction = db.session.get(LedgerTransaction, opening.transaction_id)
    assert transaction.kind is TransactionKind.OPENING_BALANCE
    assert transaction.memo == "Opening balance as at 1 April 2026"
    assert transaction_sums() == [0]
    assert household_balance_pence(membership=owes) == -1_250
    assert household_balance_pence(membership=in_credit) == 400
    found = kind_balances(rounds.coop)
    # Cash and bank are what the co-op holds: £80 in the tin is -£80; an overdraft is plus.
    assert found[AccountKind.CASH] == -8_000
    assert found[AccountKind.BANK] == 2_500
    # Reserves brought forward: cash 80 - overdraft 25 + owed 12.50 - credit 4 = £63.50.
    assert found[AccountKind.OPENING_BALANCE] == 6_350
    assert opening_balance_of(coop=rounds.coop) == opening


def test_the_statement_says_opening_balance_as_at_the_date(rounds):
    household = rounds.households[0]
    enter(rounds, households={household.id: -1_250})

    [entry] = statement_for(membership=household).entries

    assert entry.kind is TransactionKind.OPENING_BALANCE
    assert entry.memo == "Opening balance as at 1 April 2026"
    assert entry.amount_pence == -1_250
    assert entry.balance_after_pence == -1_250


def test_the_statement_puts_the_opening_balance_at_its_as_at_date_not_when_typed(rounds):
    household = rounds.households[0]
    paid = record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=500,
        method=Method.CASH,
        note="",
        by=rounds.coordinator,
    )
    db.session.commit()
    first = enter(rounds, households={household.id: -1_250})  # typed after the payment
    reverse_entry(
        transaction=db.session.get(LedgerTransaction, first.transaction_id),
        reason="wrong amount",
        by=rounds.coordinator,
    )
    db.session.commit()
    enter(rounds, households={household.id: -1_000})

    entries = statement_for(membership=household).entries

    # Newest first: the payment (after 1 April), then the second opening balance,
    # its reversed predecessor's reversal, and the first one, all as at 1 April.
    assert [entry.kind for entry in entries] == [
        TransactionKind.PAYMENT,
        TransactionKind.OPENING_BALANCE,
        TransactionKind.REVERSAL,
        TransactionKind.OPENING_BALANCE,
    ]
    assert entries[0].transaction_id == paid.id
    assert [entry.balance_after_pence for entry in entries] == [-500, -1_000, 0, -1_250]
    assert {entry.dated.astimezone(display_zone()).date() for entry in entries[1:]} == {AS_OF}


def test_households_that_left_have_opening_balances_and_pending_ones_do_not(rounds, factory):
    gone = factory.membership(coop=rounds.coop, status=MembershipStatus.LEFT)
    waiting = factory.membership(coop=rounds.coop, status=MembershipStatus.PENDING)

    listed = {
        household.membership_id: household for household in opening_households(coop=rounds.coop)
    }

    assert listed[gone.id].left and listed[gone.id].label.endswith("(left)")
    assert waiting.id not in listed
    message = refusal_message(lambda: enter(rounds, households={waiting.id: -100}))
    assert message == f"That household is not one of {rounds.coop.name}'s households."

    enter(rounds, households={gone.id: -700})

    sheet = balance_sheet(coop=rounds.coop)
    assert {row.membership_id: row.balance_pence for row in sheet.households}[gone.id] == -700
    assert gone.id in sheet.left_ids


def test_entering_them_twice_is_refused_and_writes_nothing(rounds):
    enter(rounds)

    message = refusal_message(lambda: enter(rounds, cash=100))

    assert message.startswith("The opening balances were entered already, as at 1 April 2026.")
    assert count_rows(LedgerTransaction) == 1
    assert count_rows(OpeningBalance) == 1


def test_the_unique_key_stops_a_second_one_in_force_even_past_the_check(rounds):
    first = enter(rounds)
    db.session.add(
        OpeningBalance(
            coop_id=rounds.coop.id,
            in_force_coop_id=rounds.coop.id,
            as_of=AS_OF,
            transaction_id=first.transaction_id,
        )
    )
    with pytest.raises(Exception):  # noqa: B017 (IntegrityError, named by each database its own way)
        db.session.flush()
    db.session.rollback()


def test_reversing_them_lets_corrected_ones_be_entered(rounds):
    household = rounds.households[0]
    first = enter(rounds, households={household.id: -1_250})
    reverse_entry(
        transaction=db.session.get(LedgerTransaction, first.transaction_id),
        reason="the tin held £90",
        by=rounds.coordinator,
    )
    db.session.commit()
    assert opening_balance_of(coop=rounds.coop) is None
    assert household_balance_pence(membership=household) == 0

    second = enter(rounds, households={household.id: -1_250}, cash=9_000)

    assert opening_balance_of(coop=rounds.coop) == second
    assert kind_balances(rounds.coop)[AccountKind.CASH] == -9_000
    assert count_rows(OpeningBalance) == 2
    # Putting the first back would make two: undoing the reversal is refused.
    reversal = db.session.scalar(
        db.select(LedgerTransaction).where(LedgerTransaction.reverses_id == first.transaction_id)
    )
    message = refusal_message(
        lambda: reverse_entry(transaction=reversal, reason="oops", by=rounds.coordinator)
    )
    assert "enter the opening balances again" in message


def test_a_date_in_the_future_is_refused_at_the_field(rounds):
    message = refusal_message(lambda: enter(rounds, as_of=TODAY + timedelta(days=1)), "as_of")
    assert message == "The date cannot be in the future."
    assert count_rows(Posting) == 0
    enter(rounds, as_of=TODAY)  # today is fine


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"cash": -1}, "cash", "Cash in hand cannot be below £0.00."),
        (
            {"cash": 0, "bank": 0},
            None,
            "Enter at least one balance: every amount is £0.00, so there is nothing to open with.",
        ),
        (
            {"cash": 60_000},
            "confirm-cash",
            "£600.00 is more than £500.00: type £600.00 again to confirm it.",
        ),
        (
            {"bank": -70_000, "confirmed": {"confirm-bank": 7_000}},
            "confirm-bank",
            "£700.00 is more than £500.00: type £700.00 again to confirm it.",
        ),
    ],
)
def test_bad_amounts_are_refused_at_their_field(rounds, values, field, message):
    assert refusal_message(lambda: enter(rounds, **values), field) == message
    assert count_rows(LedgerTransaction) == 0
    assert count_rows(OpeningBalance) == 0


def test_a_large_amount_typed_twice_is_posted(rounds):
    household = rounds.households[0]
    key = f"confirm-household-{household.id}"
    enter(
        rounds,
        households={household.id: -80_000},
        cash=0,
        bank=0,
        confirmed={key: 80_000},
    )
    assert household_balance_pence(membership=household) == -80_000


def test_another_co_ops_household_is_refused(rounds, factory):
    stranger = factory.membership(coop=factory.coop())
    message = refusal_message(lambda: enter(rounds, households={stranger.id: -100}))
    assert message == f"That household is not one of {rounds.coop.name}'s households."


def test_the_treasurer_who_entered_them_is_kept(rounds):
    user = treasurer(rounds)
    opening = enter_opening_balances(
        coop=rounds.coop,
        as_of=AS_OF,
        households={},
        cash_pence=100,
        bank_pence=0,
        confirmed={},
        by=user,
        today=TODAY,
    )
    db.session.commit()
    assert opening.created_by_id == user.id
    assert opening.transaction.created_by_id == user.id
