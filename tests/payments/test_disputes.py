"""A disputed card payment: what the processor takes back is posted once, and given back if won."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.models import AccountKind, CardDispute, LedgerTransaction, TransactionKind
from coop.services.errors import ServiceError
from coop.services.money.ledger import balance_pence, household_balance_pence, single_account
from coop.services.payments.refunds import refund_card_payment

from . import test_charge_refunded as charges
from .test_webhook import deliver

coop, treasurer, paid = charges.coop, charges.treasurer, charges.paid


def dispute_event(kind: str, payment, status: str = "needs_response", amount: int = 2000, **more):
    return charges.charge_event(
        kind,
        payment,
        id="dp_test_1",
        object="dispute",
        amount=amount,
        status=status,
        reason="fraudulent",
        charge="ch_test_disputed",
        **more,
    )


def _card_held(payment) -> int:
    card = single_account(coop_id=payment.coop_id, kind=AccountKind.CARD)
    return -balance_pence(account_id=card.id)


def test_an_opened_dispute_takes_the_money_back_once_and_tells_the_treasurer(
    client, paid, treasurer, mailbox
):
    body = dispute_event("charge.dispute.created", paid)
    assert [deliver(client, body).json["outcome"] for _ in range(2)] == ["posted", "replay"]
    again = dispute_event("charge.dispute.created", paid)
    assert deliver(client, again).json["outcome"] == "already_done"

    household = paid.membership
    assert household_balance_pence(membership=household) == 0  # it owes the £20 again
    assert _card_held(paid) == 0
    dispute = db.session.scalar(select(CardDispute))
    transaction = db.session.get(LedgerTransaction, dispute.transaction_id)
    assert transaction.kind is TransactionKind.REFUND
    assert transaction.memo.startswith("Card payment disputed: Hana Household's bank took it back")
    db.session.refresh(paid)
    assert paid.disputed_pence == 2000
    (told,) = mailbox.to(treasurer.email, "disputes")
    assert told["Subject"] == ("Fishwick Food Co-op: Hana Household disputes a card payment")
    assert "owe it again" in mailbox.body(told)
    assert not mailbox.to(household.user.email)


def test_a_disputed_payment_cannot_be_refunded_as_well(client, paid, treasurer):
    deliver(client, dispute_event("charge.dispute.created", paid, amount=1500))
    with pytest.raises(ServiceError, match=r"At most £5\.00"):
        refund_card_payment(coop=paid.membership.coop, payment=paid, amount_pence=600, by=treasurer)


def test_a_dispute_won_gives_the_money_back_once(client, paid, treasurer, mailbox):
    deliver(client, dispute_event("charge.dispute.created", paid))
    won = dispute_event("charge.dispute.closed", paid, status="won")
    assert [deliver(client, won).json["outcome"] for _ in range(2)] == ["posted", "replay"]
    later = dispute_event("charge.dispute.closed", paid, status="won")
    assert deliver(client, later).json["outcome"] == "already_done"

    assert household_balance_pence(membership=paid.membership) == 2000
    assert _card_held(paid) == 2000
    dispute = db.session.scalar(select(CardDispute))
    reversal = db.session.get(LedgerTransaction, dispute.reversal_id)
    assert (reversal.kind, reversal.reverses_id) == (
        TransactionKind.REVERSAL,
        dispute.transaction_id,
    )
    db.session.refresh(paid)
    assert paid.disputed_pence == 0
    assert [m["Subject"] for m in mailbox.to(treasurer.email, "card dispute")] == [
        "Fishwick Food Co-op: Hana Household's card dispute is won"
    ]


def test_a_dispute_lost_moves_nothing_more(client, paid, treasurer, mailbox):
    deliver(client, dispute_event("charge.dispute.created", paid))
    lost = dispute_event("charge.dispute.closed", paid, status="lost")
    assert deliver(client, lost).json["outcome"] == "recorded"
    assert household_balance_pence(membership=paid.membership) == 0
    dispute = db.session.scalar(select(CardDispute))
    assert (dispute.status, dispute.reversal_id) == ("lost", None)
    assert dispute.closed_at is not None
    (told,) = mailbox.to(treasurer.email, "is lost")
    assert "still owes it" in mailbox.body(told)


def test_a_dispute_closing_seen_before_its_opening_posts_the_opening_first(client, paid):
    lost = dispute_event("charge.dispute.closed", paid, status="lost")
    assert deliver(client, lost).json["outcome"] == "posted"
    assert household_balance_pence(membership=paid.membership) == 0
    created = dispute_event("charge.dispute.created", paid)
    assert deliver(client, created).json["outcome"] == "already_done"
    assert household_balance_pence(membership=paid.membership) == 0


def test_an_inquiry_takes_nothing_and_posts_nothing(client, paid, treasurer, mailbox):
    inquiry = dispute_event("charge.dispute.created", paid, status="warning_needs_response")
    assert deliver(client, inquiry).json["outcome"] == "recorded"
    assert household_balance_pence(membership=paid.membership) == 2000
    (told,) = mailbox.to(treasurer.email, "disputes")
    assert "no money has been taken back" in mailbox.body(told)


def test_a_dispute_larger_than_what_is_left_of_the_payment_is_not_posted(client, paid):
    answer = deliver(client, dispute_event("charge.dispute.created", paid, amount=2001))
    assert answer.json["outcome"] == "not_posted"
    assert household_balance_pence(membership=paid.membership) == 2000
    assert db.session.scalar(select(func.count(CardDispute.id))) == 0


def test_a_dispute_of_a_payment_we_never_created_is_recorded_and_ignored(client, paid):
    answer = deliver(client, dispute_event("charge.dispute.created", None))
    assert answer.json["outcome"] == "unknown_payment"
    assert db.session.scalar(select(func.count(CardDispute.id))) == 0
