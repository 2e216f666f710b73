"""A refund reported by the processor while a treasurer refunds: together never past the payment."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select
from support import commits_held_until_someone_waits, race

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CardPayment, CardRefund, Coop, Membership, User
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.cards import start_top_up
from coop.services.payments.events import handle_event
from coop.services.payments.gateway import Event
from coop.services.payments.refunds import refund_card_payment

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.committing,
    pytest.mark.skipif(
        not os.environ.get("COOP_TEST_DATABASE_URL"),
        reason="row locks are PostgreSQL's; SQLite lets one writer in at a time "
        "(set COOP_TEST_DATABASE_URL to run these)",
    ),
]


def test_a_dashboard_refund_and_a_treasurers_refund_at_once_never_pass_the_payment(
    stripe_app, factory, raw_stripe
):
    coop = factory.coop()
    household = factory.membership(coop=coop)
    treasurer_id = factory.member(coop, Role.TREASURER).id
    payment = start_top_up(membership=household, amount_pence=3000, by=household.user)
    db.session.commit()
    raw_stripe.v1.payment_intents.update(
        payment.payment_intent_id, params={"payment_method": "pm_card_visa"}
    )
    raw_stripe.v1.payment_intents.confirm(payment.payment_intent_id)
    handle_event(
        event=Event(
            id="evt_paid_for_the_race",
            type="payment_intent.succeeded",
            account=None,
            created=0,
            object={"id": payment.payment_intent_id, "amount": 3000, "currency": "gbp"},
        )
    )
    db.session.commit()
    coop_id, payment_id, intent_id = coop.id, payment.id, payment.payment_intent_id

    def treasurer_refunds():
        result = refund_card_payment(
            coop=db.session.get_one(Coop, coop_id),
            payment=db.session.get_one(CardPayment, payment_id),
            amount_pence=2000,
            by=db.session.get_one(User, treasurer_id),
        )
        db.session.commit()
        return result.id

    def processor_reports():
        outcome = handle_event(
            event=Event(
                id="evt_dashboard_refund_race",
                type="charge.refunded",
                account=None,
                created=0,
                object={
                    "id": "ch_race",
                    "object": "charge",
                    "payment_intent": intent_id,
                    "refunds": {
                        "data": [{"id": "re_dashboard_race", "amount": 2000, "status": "succeeded"}]
                    },
                },
            )
        )
        db.session.commit()
        return outcome.value

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(stripe_app, treasurer_refunds, processor_reports)

    assert overlap.seen == [True]
    treasurers, reported = outcomes
    # Whichever came first posted; the other was refused or not posted.
    assert (treasurers.refusal is None) == (reported.result == "already_done")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(CardRefund.id))) == 1
    assert db.session.get_one(CardPayment, payment_id).refunded_pence == 2000
    membership = db.session.get_one(Membership, household.id)
    assert household_balance_pence(membership=membership) == 1000
