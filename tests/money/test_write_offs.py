"""Writing off a debt: the fund bears it, the statement shows it, payments still count."""

from __future__ import annotations

import pytest
from support import count_rows, refusal_message

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import AccountKind, LedgerTransaction, TransactionKind
from coop.services.money.ledger import balances, household_balance_pence
from coop.services.money.statements import statement_for
from coop.services.money.treasury import Method, record_payment
from coop.services.money.write_offs import write_off
from coop.services.people.memberships import leave_coop
from money.support import transaction_sums
from money.treasury_support import settled_round, treasurer


def fund_pence(coop) -> int:
    return sum(b.balance_pence for b in balances(coop=coop) if b.kind is AccountKind.FUND)


def write(rounds, household, amount_pence, reason="Moved away, cannot be reached", confirmed=None):
    transaction = write_off(
        coop=rounds.coop,
        membership=household,
        amount_pence=amount_pence,
        reason=reason,
        confirmed_pence=confirmed,
        by=treasurer(rounds),
    )
    db.session.commit()
    return transaction


def test_writing_off_part_of_a_debt(rounds):
    settled_round(rounds, 6)
    household = rounds.households[0]
    fund_before = fund_pence(rounds.coop)

    transaction = write(rounds, household, 500)

    assert transaction.kind is TransactionKind.WRITE_OFF
    assert transaction.memo == "Written off: Moved away, cannot be reached"
    assert household_balance_pence(membership=household) == -700
    assert fund_pence(rounds.coop) == fund_before - 500
    assert all(total == 0 for total in transaction_sums())


def test_writing_off_all_of_it_and_the_statement_shows_why(rounds):
    settled_round(rounds, 6)
    household = rounds.households[0]

    write(rounds, household, 1200)

    assert household_balance_pence(membership=household) == 0
    latest = statement_for(membership=household).entries[0]
    assert latest.kind is TransactionKind.WRITE_OFF
    assert latest.memo == "Written off: Moved away, cannot be reached"
    assert latest.amount_pence == 1200
    assert latest.balance_after_pence == 0


def test_a_later_payment_is_still_taken_and_may_put_it_in_credit(rounds):
    settled_round(rounds, 6)
    household = rounds.households[0]
    write(rounds, household, 1200)

    record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=1000,
        method=Method.CASH,
        note="paid after all",
        by=rounds.coordinator,
    )
    db.session.commit()

    assert household_balance_pence(membership=household) == 1000


def test_the_household_is_told_kindly(rounds, mailbox):
    settled_round(rounds, 6)
    household = rounds.households[0]
    mailbox.messages.clear()

    write(rounds, household, 500)

    [message] = mailbox.to(household.user.email)
    body = mailbox.body(message)
    assert "has written off £5.00 of what your household owed" in body
    assert "Why: Moved away, cannot be reached" in body
    assert "You still owe £7.00." in body
    assert "/coops/fishwick/statement" in body


def test_a_household_that_left_can_have_its_debt_written_off(rounds):
    settled_round(rounds, 6)
    household = rounds.households[0]
    leave_coop(membership=household)
    db.session.commit()
    assert household.status is MembershipStatus.LEFT

    write(rounds, household, 1200)

    assert household_balance_pence(membership=household) == 0


@pytest.mark.parametrize(
    ("amount", "reason", "field", "message"),
    [
        (1201, "x", "amount", "Household 1 owes £12.00: write off at most that."),
        (0, "x", "amount", "Enter an amount of more than £0.00."),
        (None, "x", "amount", "Enter an amount of more than £0.00."),
        (100, "   ", "reason", "Say why the debt is written off."),
        (100, "x" * 151, "reason", "Use at most 150 characters."),
    ],
)
def test_bad_write_offs_are_refused_at_the_field(rounds, amount, reason, field, message):
    settled_round(rounds, 6)
    household = rounds.households[0]
    before = count_rows(LedgerTransaction)

    assert refusal_message(lambda: write(rounds, household, amount, reason), field) == message
    assert count_rows(LedgerTransaction) == before
    assert household_balance_pence(membership=household) == -1200


def test_a_household_that_owes_nothing_has_nothing_to_write_off(rounds):
    household = rounds.households[0]
    message = refusal_message(lambda: write(rounds, household, 100), "amount")
    assert message == "Household 1 owes nothing, so there is nothing to write off."
    assert count_rows(LedgerTransaction) == 0


def test_a_large_write_off_is_typed_twice(rounds):
    settled_round(rounds, 6, case_price_pence=120_000)
    household = rounds.households[0]
    owed = -household_balance_pence(membership=household)
    assert owed > rounds.coop.large_amount_pence

    message = refusal_message(lambda: write(rounds, household, owed), "confirm-amount")
    assert "again to confirm it" in message
    message = refusal_message(lambda: write(rounds, household, owed, confirmed=owed - 1))
    assert "again to confirm it" in message

    write(rounds, household, owed, confirmed=owed)
    assert household_balance_pence(membership=household) == 0


def test_another_co_ops_household_is_refused(rounds, factory):
    stranger = factory.membership(coop=factory.coop())
    message = refusal_message(lambda: write(rounds, stranger, 100))
    assert message == f"Choose one of {rounds.coop.name}'s households."
