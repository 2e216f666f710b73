"""A treasurer refunds a card payment in full or in part, posted once, never more than was paid."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CardRefund, LedgerTransaction, TransactionKind
from coop.services.errors import ServiceError
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.cards import start_top_up
from coop.services.payments.refunds import refund_card_payment

from .test_webhook import deliver, event


@pytest.fixture
def paid(stripe_app, factory, client, raw_stripe):
    """A £30 top-up paid at localstripe and posted by its webhook."""
    coop = factory.coop(name="Fishwick Food Co-op")
    household = factory.membership(coop=coop)
    payment = start_top_up(membership=household, amount_pence=3000, by=household.user)
    db.session.commit()
    raw_stripe.v1.payment_intents.update(
        payment.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )
    raw_stripe.v1.payment_intents.confirm(payment.payment_intent_id)
    assert deliver(client, event("payment_intent.succeeded", payment)).json["outcome"] == "posted"
    db.session.refresh(payment)
    return payment


@pytest.fixture
def treasurer(factory, paid):
    return factory.member(paid.membership.coop, Role.TREASURER)


def _refund(paid, treasurer, amount_pence):
    refund = refund_card_payment(
        coop=paid.membership.coop, payment=paid, amount_pence=amount_pence, by=treasurer
    )
    db.session.commit()
    return refund


def test_a_part_refund_then_the_rest_posts_each_once(paid, treasurer, mailbox):
    household = paid.membership
    first = _refund(paid, treasurer, 1000)
    assert first.refund_id.startswith("re_")
    assert household_balance_pence(membership=household) == 2000
    second = _refund(paid, treasurer, 2000)
    assert household_balance_pence(membership=household) == 0
    assert paid.refunded_pence == 3000
    kinds = db.session.scalars(
        select(LedgerTransaction.kind).where(
            LedgerTransaction.id.in_([first.ledger_transaction_id, second.ledger_transaction_id])
        )
    ).all()
    assert kinds == [TransactionKind.REFUND, TransactionKind.REFUND]
    told = mailbox.to(household.user.email, "refunded to your card")
    assert [m["Subject"] for m in told] == [
        "Fishwick Food Co-op: £10.00 refunded to your card",
        "Fishwick Food Co-op: £20.00 refunded to your card",
    ]


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        (3001, "At most £30.00 of this payment is left to refund."),
        (0, "Enter an amount of more than £0.00."),
        (None, "Enter an amount of more than £0.00."),
    ],
)
def test_a_refund_larger_than_the_payment_or_not_positive_is_refused(paid, treasurer, amount, says):
    with pytest.raises(ServiceError, match=says.replace(".", r"\.")):
        refund_card_payment(
            coop=paid.membership.coop, payment=paid, amount_pence=amount, by=treasurer
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(CardRefund.id))) == 0
    assert household_balance_pence(membership=paid.membership) == 3000


def test_after_a_part_refund_only_the_rest_can_be_refunded(paid, treasurer):
    _refund(paid, treasurer, 2500)
    with pytest.raises(ServiceError, match=r"At most £5\.00"):
        refund_card_payment(coop=paid.membership.coop, payment=paid, amount_pence=501, by=treasurer)


def test_another_coops_payment_cannot_be_refunded(paid, treasurer, factory):
    with pytest.raises(ServiceError):
        refund_card_payment(coop=factory.coop(), payment=paid, amount_pence=100, by=treasurer)
