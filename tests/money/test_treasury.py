"""The treasurer's use cases: payments, refunds, supplier payments, corrections, reversals."""

from __future__ import annotations

from sqlalchemy import func, select
from support import count_rows, refusal_message

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import (
    AccountKind,
    BillLine,
    BillLineKind,
    LedgerTransaction,
    Posting,
    Supplier,
    TransactionKind,
)
from coop.services.money.bills import round_bills
from coop.services.money.ledger import balances, household_balance_pence
from coop.services.money.treasury import (
    Carrier,
    Method,
    correct_bill,
    payable_suppliers,
    payment_households,
    record_payment,
    record_supplier_payment,
    reverse_entry,
)
from money.support import transaction_sums
from money.treasury_support import latest_transaction, settled_round, treasurer


def kind_balances(coop) -> dict[AccountKind, int]:
    found: dict[AccountKind, int] = {}
    for balance in balances(coop=coop):
        found[balance.kind] = found.get(balance.kind, 0) + balance.balance_pence
    return found


def pay(rounds, household, amount_pence, method=Method.CASH, refund=False, note=""):
    transaction = record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=amount_pence,
        method=method,
        note=note,
        by=rounds.coordinator,
        refund=refund,
    )
    db.session.commit()
    return transaction


def test_a_cash_payment_clears_what_a_household_owes(rounds):
    settled_round(rounds, 6)
    household = rounds.households[0]
    assert household_balance_pence(membership=household) == -1200

    transaction = pay(rounds, household, 1200, note="at pickup")

    assert household_balance_pence(membership=household) == 0
    assert transaction.kind is TransactionKind.PAYMENT
    assert transaction.memo == "Cash from Household 1 (at pickup)"
    assert kind_balances(rounds.coop)[AccountKind.CASH] == -1200
    assert transaction_sums() == [0, 0]


def test_a_bank_transfer_goes_to_the_bank_account(rounds):
    pay(rounds, rounds.households[1], 2500, method=Method.BANK)

    assert kind_balances(rounds.coop)[AccountKind.BANK] == -2500
    assert household_balance_pence(membership=rounds.households[1]) == 2500


def test_a_refund_pays_a_households_credit_back(rounds):
    household = rounds.households[0]
    pay(rounds, household, 2000)

    refund = pay(rounds, household, 500, refund=True)

    assert refund.kind is TransactionKind.REFUND
    assert refund.memo == "Refund to Household 1 by cash"
    assert household_balance_pence(membership=household) == 1500
    assert kind_balances(rounds.coop)[AccountKind.CASH] == -1500


def test_a_payment_must_be_more_than_nothing(rounds):
    for amount in (0, -100, None):
        refused = refusal_message(
            lambda amount=amount: record_payment(
                coop=rounds.coop,
                membership_id=rounds.households[0].id,
                amount_pence=amount,
                method=Method.CASH,
                note="",
                by=rounds.coordinator,
            ),
            field="amount",
        )
        assert refused == "Enter an amount of more than £0.00."
    assert count_rows(Posting) == 0


def test_paying_into_a_household_of_another_co_op_is_refused(rounds, factory):
    other_coop = factory.coop(name="Ribbleton Food")
    stranger = factory.membership(coop=other_coop)

    refused = refusal_message(
        lambda: record_payment(
            coop=rounds.coop,
            membership_id=stranger.id,
            amount_pence=1000,
            method=Method.CASH,
            note="",
            by=rounds.coordinator,
        ),
        field="household",
    )

    assert refused == "Choose one of Fishwick Food's households."
    assert count_rows(Posting) == 0
    assert count_rows(LedgerTransaction) == 0


def test_only_active_households_are_offered_for_payments(rounds, factory):
    factory.membership(
        coop=rounds.coop, user=factory.user(name="Pending Person"), status=MembershipStatus.PENDING
    )

    names = [choice.name for choice in payment_households(coop=rounds.coop)]

    assert names == ["Cora Ord", "Household 1", "Household 2", "Household 3", "Household 4"]


def test_paying_a_supplier_reduces_what_the_co_op_owes_it(rounds):
    settled_round(rounds, 6)
    assert kind_balances(rounds.coop)[AccountKind.SUPPLIER] == 1200

    transaction = record_supplier_payment(
        coop=rounds.coop,
        supplier_id=rounds.supplier.id,
        amount_pence=1200,
        method=Method.BANK,
        note="invoice 4471",
        by=rounds.coordinator,
        below_zero_confirmed=True,  # nothing was paid into the bank first
    )
    db.session.commit()

    assert transaction.memo == "Paid Northern Wholefoods by bank transfer (invoice 4471)"
    balances_now = kind_balances(rounds.coop)
    assert balances_now[AccountKind.SUPPLIER] == 0
    assert balances_now[AccountKind.BANK] == 1200
    assert transaction_sums() == [0, 0]


def test_only_suppliers_the_co_op_buys_from_can_be_paid(rounds, factory):
    rounds.round(rounds.product())
    other_coop = factory.coop(name="Ribbleton Food")
    theirs = Supplier(coop=other_coop, name="Ribbleton Farm")
    db.session.add(theirs)
    db.session.commit()

    assert [choice.name for choice in payable_suppliers(coop=rounds.coop)] == [
        "Northern Wholefoods"
    ]
    refused = refusal_message(
        lambda: record_supplier_payment(
            coop=rounds.coop,
            supplier_id=theirs.id,
            amount_pence=100,
            method=Method.CASH,
            note="",
            by=rounds.coordinator,
        ),
        field="supplier",
    )
    assert refused == "Choose a supplier the co-op buys from."
    assert count_rows(Posting) == 0


def correct(rounds, round_, household, amount_pence, carrier=Carrier.SUPPLIER, item=True):
    item_id = round_.items[0].id if item else None
    transaction = correct_bill(
        round_=round_,
        membership=household,
        round_item_id=item_id,
        amount_pence=amount_pence,
        carrier=carrier,
        reason="Two bags were missing from the delivery",
        by=rounds.coordinator,
    )
    db.session.commit()
    return transaction


def test_a_credit_note_from_the_supplier_takes_money_off_a_bill(rounds, mailbox):
    round_ = settled_round(rounds, 4, 2)
    household = rounds.households[0]

    transaction = correct(rounds, round_, household, -400)

    assert transaction.kind is TransactionKind.ADJUSTMENT
    assert household_balance_pence(membership=household) == -800 + 400
    assert kind_balances(rounds.coop)[AccountKind.SUPPLIER] == 1200 - 400
    line = db.session.scalars(
        select(BillLine).where(BillLine.kind == BillLineKind.CORRECTION)
    ).one()
    assert (line.amount_pence, line.transaction_id, line.supplier_id) == (
        -400,
        transaction.id,
        rounds.supplier.id,
    )
    assert line.description == (
        "Correction: Porridge oats (500 g bag): Two bags were missing from the delivery"
    )
    totals = {
        bill.name: (bill.total_pence, bill.corrections_pence) for bill in round_bills(round_=round_)
    }
    assert totals == {"Household 1": (400, -400), "Household 2": (400, 0)}
    assert transaction_sums() == [0, 0]


def test_the_household_is_told_what_changed_and_why(rounds, mailbox):
    round_ = settled_round(rounds, 4, 2)
    household = rounds.households[0]
    mailbox.messages.clear()

    correct(rounds, round_, household, -400)

    [message] = mailbox.to(household.user.email)
    assert message["Subject"] == "Fishwick Food: a correction to your bill for Weekly order"
    body = mailbox.body(message)
    assert "We have taken £4.00 off your bill for the round 'Weekly order'." in body
    assert "Why: Porridge oats (500 g bag): Two bags were missing from the delivery" in body
    assert "Your bill for the round now comes to £4.00." in body


def test_a_charge_the_co_op_fund_carries(rounds, mailbox):
    round_ = settled_round(rounds, 6)
    household = rounds.households[0]

    correct(rounds, round_, household, 150, carrier=Carrier.FUND, item=False)

    assert household_balance_pence(membership=household) == -1350
    assert kind_balances(rounds.coop)[AccountKind.FUND] == 150
    assert "We have added £1.50 to your bill" in mailbox.body(mailbox.to(household.user.email)[-1])


def test_a_supplier_cannot_carry_a_correction_for_no_item(rounds):
    round_ = settled_round(rounds, 6)

    refused = refusal_message(
        lambda: correct_bill(
            round_=round_,
            membership=rounds.households[0],
            round_item_id=None,
            amount_pence=-100,
            carrier=Carrier.SUPPLIER,
            reason="Wrong price",
            by=rounds.coordinator,
        ),
        field="carrier",
    )

    assert refused.startswith("Choose the item the supplier's credit note is for")
    assert count_rows(LedgerTransaction) == 1


def test_only_a_settled_rounds_bill_can_be_corrected(rounds):
    from money.treasury_support import received_round

    round_ = received_round(rounds, 6)

    refused = refusal_message(
        lambda: correct_bill(
            round_=round_,
            membership=rounds.households[0],
            round_item_id=None,
            amount_pence=-100,
            carrier=Carrier.FUND,
            reason="Wrong price",
            by=rounds.coordinator,
        )
    )

    assert refused == "Only a settled round's bills can be corrected."
    assert count_rows(Posting) == 0


def test_a_correction_needs_a_reason_and_an_amount(rounds):
    round_ = settled_round(rounds, 6)

    def attempt(amount, reason):
        return lambda: correct_bill(
            round_=round_,
            membership=rounds.households[0],
            round_item_id=None,
            amount_pence=amount,
            carrier=Carrier.FUND,
            reason=reason,
            by=rounds.coordinator,
        )

    assert refusal_message(attempt(-100, "  "), field="reason") == "Say why the bill changes."
    assert refusal_message(attempt(0, "Wrong"), field="amount") == (
        "Enter an amount of more than £0.00."
    )
    assert count_rows(LedgerTransaction) == 1


def test_reversing_a_payment_undoes_it_and_keeps_both(rounds):
    household = rounds.households[0]
    payment = pay(rounds, household, 1000)

    reversal = reverse_entry(transaction=payment, reason="Entered twice", by=rounds.coordinator)
    db.session.commit()

    assert reversal.reverses_id == payment.id
    assert reversal.memo == f"Reversal of {payment.id}: Entered twice"
    assert household_balance_pence(membership=household) == 0
    assert count_rows(LedgerTransaction) == 2
    assert transaction_sums() == [0, 0]


def test_reversing_the_same_transaction_twice_is_refused(rounds):
    payment = pay(rounds, rounds.households[0], 1000)
    reverse_entry(transaction=payment, reason="Entered twice", by=rounds.coordinator)
    db.session.commit()
    postings = count_rows(Posting)

    refused = refusal_message(
        lambda: reverse_entry(transaction=payment, reason="Again", by=rounds.coordinator)
    )

    assert refused.startswith(f"Transaction {payment.id} has already been reversed")
    assert count_rows(Posting) == postings


def test_a_reversal_can_itself_be_reversed_once(rounds):
    household = rounds.households[0]
    payment = pay(rounds, household, 1000)
    reversal = reverse_entry(transaction=payment, reason="Wrong household", by=rounds.coordinator)
    db.session.commit()

    again = reverse_entry(transaction=reversal, reason="It was right", by=rounds.coordinator)
    db.session.commit()

    assert household_balance_pence(membership=household) == 1000
    assert again.reverses_id == reversal.id
    refused = refusal_message(
        lambda: reverse_entry(transaction=reversal, reason="Once more", by=rounds.coordinator)
    )
    assert "already been reversed" in refused
    assert count_rows(LedgerTransaction) == 3


def test_a_reversal_needs_a_reason(rounds):
    payment = pay(rounds, rounds.households[0], 1000)

    refused = refusal_message(
        lambda: reverse_entry(transaction=payment, reason=" ", by=rounds.coordinator),
        field="reason",
    )

    assert refused == "Say why the transaction is reversed."
    assert count_rows(LedgerTransaction) == 1


def test_a_settlement_is_corrected_not_reversed(rounds):
    settled_round(rounds, 6)
    settlement = latest_transaction()

    refused = refusal_message(
        lambda: reverse_entry(transaction=settlement, reason="Oops", by=rounds.coordinator)
    )

    assert refused == (
        "A round's settlement cannot be reversed: correct the households' bills instead."
    )
    assert count_rows(LedgerTransaction) == 1


def test_reversing_a_correction_takes_it_off_the_bill_too(rounds, mailbox):
    round_ = settled_round(rounds, 6)
    household = rounds.households[0]
    correction = correct(rounds, round_, household, -300)

    reverse_entry(transaction=correction, reason="The bags turned up", by=treasurer(rounds))
    db.session.commit()

    bill = db.session.scalar(
        select(func.sum(BillLine.amount_pence)).where(BillLine.membership_id == household.id)
    )
    assert bill == 1200 == -household_balance_pence(membership=household)
    assert [bill.corrections_pence for bill in round_bills(round_=round_)] == [0]
    assert transaction_sums() == [0, 0, 0]
