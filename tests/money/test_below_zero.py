"""Money out of cash or the bank that takes it below zero warns before anything is saved.

Every form that pays money out (fund spending, a refund, a payment to a
supplier, a leaving household's credit paid back) shows the warning at
its "how" field, writes nothing, and writes the entry when it is sent again
as the warning left it. An entry changed after the warning is checked again.
"""

from __future__ import annotations

import re

import pytest
from support import count_rows, field_error, layout_problems, text

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import LedgerTransaction, Posting, TransactionKind
from coop.services.money.treasury import Method, record_payment
from money.treasury_support import settled_round, treasurer

COOP = "/coops/fishwick"
ADMIN = f"{COOP}/admin"


@pytest.fixture
def signed_in(rounds, auth):
    user = treasurer(rounds)
    auth.login_as(user)
    return user


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


def confirmation(page: str) -> str:
    """The hidden value the warning left in the form, to send back to confirm."""
    found = re.search(r'name="below_zero_ok" type="hidden" value="([^"]*)"', page)
    assert found is not None and found.group(1), "no confirmation in the form"
    return found.group(1)


def ledger_size() -> tuple[int, int]:
    return count_rows(LedgerTransaction), count_rows(Posting)


def paid_in_cash(rounds, household, pence: int) -> None:
    record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=pence,
        method=Method.CASH,
        note="",
        by=rounds.coordinator,
    )
    db.session.commit()


def latest() -> LedgerTransaction:
    return db.session.scalars(
        db.select(LedgerTransaction).order_by(LedgerTransaction.id.desc()).limit(1)
    ).one()


def test_paying_a_supplier_more_than_the_bank_holds_warns_then_records(rounds, client, signed_in):
    settled_round(rounds, 6)
    paid_in_cash(rounds, rounds.households[0], 500)  # cash, not the bank
    before = ledger_size()
    data = {"supplier": str(rounds.supplier.id), "amount": "12", "method": "bank", "note": ""}

    warned = page_of(client.post(f"{ADMIN}/money/suppliers/pay", data=data))

    message = "Bank holds £0.00 by the books, so paying £12.00 takes it to -£12.00."
    assert message in field_error(warned, "method")
    assert "Check before it is saved" in warned and "Record it anyway" in warned
    assert ledger_size() == before

    response = client.post(
        f"{ADMIN}/money/suppliers/pay", data={**data, "below_zero_ok": confirmation(warned)}
    )

    assert response.status_code == 302
    assert latest().kind is TransactionKind.SUPPLIER_PAYMENT
    assert ledger_size()[0] == before[0] + 1


def test_paying_a_supplier_from_what_cash_holds_asks_nothing(rounds, client, signed_in):
    settled_round(rounds, 6)
    paid_in_cash(rounds, rounds.households[0], 1200)
    data = {"supplier": str(rounds.supplier.id), "amount": "12", "method": "cash", "note": ""}

    response = client.post(f"{ADMIN}/money/suppliers/pay", data=data)

    assert response.status_code == 302 and latest().kind is TransactionKind.SUPPLIER_PAYMENT


def test_a_refund_beyond_what_cash_holds_warns_then_records(rounds, client, signed_in):
    household = rounds.households[1]
    paid_in_cash(rounds, household, 1000)
    before = ledger_size()
    data = {"household": str(household.id), "kind": "refund", "amount": "15", "method": "cash"}

    warned = page_of(client.post(f"{ADMIN}/money/payments/new", data=data))

    message = "Cash holds £10.00 by the books, so paying back £15.00 takes it to -£5.00."
    assert message in field_error(warned, "method")
    assert ledger_size() == before

    response = client.post(
        f"{ADMIN}/money/payments/new", data={**data, "below_zero_ok": confirmation(warned)}
    )

    assert response.status_code == 302
    assert latest().kind is TransactionKind.REFUND
    assert ledger_size()[0] == before[0] + 1


def test_an_entry_changed_after_the_warning_is_checked_again(rounds, client, signed_in):
    household = rounds.households[1]
    paid_in_cash(rounds, household, 1000)
    data = {"household": str(household.id), "kind": "refund", "amount": "15", "method": "cash"}
    warned = page_of(client.post(f"{ADMIN}/money/payments/new", data=data))
    before = ledger_size()

    again = page_of(
        client.post(
            f"{ADMIN}/money/payments/new",
            data={**data, "amount": "40", "below_zero_ok": confirmation(warned)},
        )
    )

    assert "so paying back £40.00 takes it to -£30.00" in field_error(again, "method")
    assert ledger_size() == before


def test_a_payment_in_never_asks_about_going_below_zero(rounds, client, signed_in):
    household = rounds.households[1]
    data = {"household": str(household.id), "kind": "payment", "amount": "15", "method": "bank"}

    response = client.post(f"{ADMIN}/money/payments/new", data=data)

    assert response.status_code == 302 and latest().kind is TransactionKind.PAYMENT


def test_paying_back_a_removed_households_credit_beyond_the_bank_warns_then_removes(
    rounds, client, auth
):
    auth.login_as(rounds.coordinator)
    household = rounds.households[1]
    paid_in_cash(rounds, household, 1000)  # its credit is in cash; paid back by bank
    link = f"{ADMIN}/members/{household.id}/remove"
    data = {"balance": "10.00", "settle": "refund", "method": "bank"}
    before = ledger_size()

    warned = page_of(client.post(link, data=data))

    message = "Bank holds £0.00 by the books, so paying back £10.00 takes it to -£10.00."
    assert message in field_error(warned, "method")
    assert "Pay it back anyway and remove" in warned
    assert ledger_size() == before
    db.session.expire_all()
    assert household.status is MembershipStatus.ACTIVE

    response = client.post(link, data={**data, "below_zero_ok": confirmation(warned)})

    assert response.status_code == 302
    db.session.expire_all()
    assert household.status is MembershipStatus.LEFT
    assert latest().kind is TransactionKind.REFUND
    assert latest().memo == "Refund to Household 2 by bank transfer (on leaving the co-op)"


def test_reversing_money_in_that_was_spent_since_warns_then_reverses(rounds, client, signed_in):
    household = rounds.households[0]
    paid_in_cash(rounds, household, 1000)
    mistaken = latest()
    refund = {"household": str(household.id), "kind": "refund", "amount": "10", "method": "cash"}
    assert client.post(f"{ADMIN}/money/payments/new", data=refund).status_code == 302
    link = f"{ADMIN}/money/ledger/{mistaken.id}/reverse"
    before = ledger_size()

    warned = page_of(client.post(link, data={"reason": "entered twice"}))

    message = "Cash holds £0.00 by the books, so reversing £10.00 takes it to -£10.00."
    assert message in field_error(warned, "reason")
    assert "Reverse it anyway" in warned
    assert ledger_size() == before

    response = client.post(
        link, data={"reason": "entered twice", "below_zero_ok": confirmation(warned)}
    )

    assert response.status_code == 302
    assert latest().kind is TransactionKind.REVERSAL and latest().reverses_id == mistaken.id


def test_reversing_money_paid_out_never_asks(rounds, client, signed_in):
    household = rounds.households[0]
    paid_in_cash(rounds, household, 1000)
    refund = {"household": str(household.id), "kind": "refund", "amount": "10", "method": "cash"}
    assert client.post(f"{ADMIN}/money/payments/new", data=refund).status_code == 302
    paid_back = latest()

    response = client.post(
        f"{ADMIN}/money/ledger/{paid_back.id}/reverse", data={"reason": "not paid after all"}
    )

    assert response.status_code == 302 and latest().reverses_id == paid_back.id
