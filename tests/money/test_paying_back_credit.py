"""Paying a household back more than its credit warns once, before anything is written.

A refund recorded on the treasurer's payment form is money the co-op owed
the household; paying back more than that leaves the household owing, which
is usually a slip (the wrong household, a typo). The form says so, writes
nothing, and records the refund when it is sent again as the warning left it.
"""

from __future__ import annotations

import pytest
from support import field_error

from coop.extensions import db
from coop.models import TransactionKind
from coop.services.money.ledger import household_balance_pence
from coop.services.money.treasury import Method, record_payment
from money.test_below_zero import confirmation, ledger_size, page_of, paid_in_cash
from money.treasury_support import latest_transaction, treasurer

PAY = "/coops/fishwick/admin/money/payments/new"


@pytest.fixture
def signed_in(rounds, auth):
    user = treasurer(rounds)
    auth.login_as(user)
    return user


@pytest.fixture
def banked(rounds):
    """Money in the bank, so that only the household's credit is in question."""
    record_payment(
        coop=rounds.coop,
        membership_id=rounds.households[0].id,
        amount_pence=50_000,
        method=Method.BANK,
        note="",
        by=rounds.coordinator,
    )
    db.session.commit()


def refund(household, amount: str) -> dict[str, str]:
    return {"household": str(household.id), "kind": "refund", "amount": amount, "method": "bank"}


def test_paying_back_more_than_the_credit_warns_at_the_amount_and_writes_nothing(
    rounds, client, signed_in, banked
):
    household = rounds.households[1]
    household.user.name = "Ola Byrne"
    paid_in_cash(rounds, household, 1_000)
    before = ledger_size()

    warned = page_of(client.post(PAY, data=refund(household, "25")))

    assert (
        "Ola Byrne has £10.00 in credit by the books, so paying back £25.00 leaves it owing £15.00."
        in field_error(warned, "amount")
    )
    assert "Record it anyway" in warned
    assert ledger_size() == before


def test_a_household_that_owes_is_warned_about_with_what_it_owes(rounds, client, signed_in, banked):
    household = rounds.households[1]
    household.user.name = "Ola Byrne"
    db.session.commit()
    paid_in_cash(rounds, household, 1_000)
    record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=1_847,
        method=Method.CASH,
        note="",
        by=rounds.coordinator,
        refund=True,
        below_zero_confirmed=True,
    )
    db.session.commit()
    assert household_balance_pence(membership=household) == -847

    warned = page_of(client.post(PAY, data=refund(household, "50")))

    assert (
        "Ola Byrne already owes £8.47 by the books, so paying back £50.00 leaves it owing £58.47."
        in field_error(warned, "amount")
    )


def test_confirmed_as_warned_the_refund_is_recorded_once(rounds, client, signed_in, banked):
    household = rounds.households[1]
    paid_in_cash(rounds, household, 1_000)
    warned = page_of(client.post(PAY, data=refund(household, "25")))
    before = ledger_size()

    response = client.post(
        PAY, data={**refund(household, "25"), "below_zero_ok": confirmation(warned)}
    )

    assert response.status_code == 302
    assert latest_transaction().kind is TransactionKind.REFUND
    assert ledger_size()[0] == before[0] + 1
    assert household_balance_pence(membership=household) == -1_500


def test_a_changed_amount_after_the_warning_is_checked_again(rounds, client, signed_in, banked):
    household = rounds.households[1]
    paid_in_cash(rounds, household, 1_000)
    warned = page_of(client.post(PAY, data=refund(household, "25")))
    before = ledger_size()

    again = page_of(
        client.post(PAY, data={**refund(household, "30"), "below_zero_ok": confirmation(warned)})
    )

    assert "so paying back £30.00 leaves it owing £20.00" in field_error(again, "amount")
    assert ledger_size() == before


def test_paying_back_the_credit_or_less_is_recorded_at_once(rounds, client, signed_in, banked):
    household = rounds.households[1]
    paid_in_cash(rounds, household, 1_000)

    response = client.post(PAY, data=refund(household, "10"))

    assert response.status_code == 302
    assert household_balance_pence(membership=household) == 0


def test_beyond_the_credit_and_the_cash_both_are_said_in_one_warning(rounds, client, signed_in):
    household = rounds.households[1]
    paid_in_cash(rounds, household, 1_000)
    data = {**refund(household, "15"), "method": "cash"}

    warned = page_of(client.post(PAY, data=data))

    message = field_error(warned, "method")
    assert "so paying back £15.00 leaves it owing £5.00." in message
    assert "Cash holds £10.00 by the books, so paying back £15.00 takes it to -£5.00." in message
