"""The processor's fee on a card payment is the fund's spending, posted once, in card fees."""

from __future__ import annotations

from sqlalchemy import func, select

from coop.extensions import db
from coop.models import (
    AccountKind,
    FundCategory,
    FundEntry,
    HeldIn,
    LedgerTransaction,
    TransactionKind,
)
from coop.services.money.fund import fund_entries
from coop.services.money.ledger import balance_pence, household_balance_pence, single_account

from . import test_charge_refunded as charges
from .test_webhook import deliver

charge_event = charges.charge_event
# The same fixtures: a co-op, its treasurer, and a posted payment (signed, or paid at localstripe).
coop, treasurer, paid, paid_at_localstripe = (
    charges.coop,
    charges.treasurer,
    charges.paid,
    charges.paid_at_localstripe,
)


def _balance(fee_pence: int, created: int = 1_764_720_000):
    return {
        "id": "txn_test_fee",
        "object": "balance_transaction",
        "amount": 2000,
        "fee": fee_pence,
        "net": 2000 - fee_pence,
        "currency": "gbp",
        "created": created,
    }


def test_a_known_fee_is_posted_once_as_card_fee_spending_of_the_fund(client, paid):
    body = charge_event("charge.succeeded", paid, balance_transaction=_balance(50))
    assert [deliver(client, body).json["outcome"] for _ in range(3)] == [
        "posted",
        "replay",
        "replay",
    ]
    updated = charge_event("charge.updated", paid, balance_transaction=_balance(50))
    assert deliver(client, updated).json["outcome"] == "already_done"

    db.session.refresh(paid)
    assert paid.fee_pence == 50
    transaction = db.session.get(LedgerTransaction, paid.fee_transaction_id)
    assert transaction.kind is TransactionKind.FUND_EXPENSE
    assert sorted((p.account.kind, p.amount_pence) for p in transaction.postings) == [
        (AccountKind.CARD, 50),
        (AccountKind.FUND, -50),
    ]
    (entry,) = db.session.scalars(select(FundEntry)).all()
    category = db.session.get(FundCategory, entry.category_id)
    assert (category.key, category.name) == ("card_fees", "Card payment fees")
    assert (entry.method, entry.amount_pence, entry.reference) == (
        HeldIn.CARD,
        50,
        paid.payment_intent_id,
    )
    assert str(entry.occurred_on) == "2025-12-03"
    # The household never pays it: its balance is the whole payment.
    assert household_balance_pence(membership=paid.membership) == 2000
    listed = fund_entries(coop=paid.membership.coop)
    assert listed.spending_pence == 50


def test_the_card_account_holds_the_payment_less_the_fee(client, paid):
    deliver(client, charge_event("charge.succeeded", paid, balance_transaction=_balance(50)))
    card = single_account(coop_id=paid.coop_id, kind=AccountKind.CARD)
    assert -balance_pence(account_id=card.id) == 1950


def test_a_charge_whose_fee_is_not_known_yet_posts_nothing_until_it_is(client, paid):
    early = charge_event("charge.succeeded", paid, balance_transaction=None)
    assert deliver(client, early).json["outcome"] == "ignored"
    db.session.refresh(paid)
    assert paid.fee_pence is None
    later = charge_event("charge.updated", paid, balance_transaction=_balance(38))
    assert deliver(client, later).json["outcome"] == "posted"
    db.session.refresh(paid)
    assert paid.fee_pence == 38


def test_a_fee_of_a_payment_we_never_created_is_ignored(client, paid):
    answer = deliver(
        client, charge_event("charge.succeeded", None, balance_transaction=_balance(50))
    )
    assert answer.json["outcome"] == "unknown_payment"
    assert db.session.scalar(select(func.count(FundEntry.id))) == 0


def test_a_balance_transaction_given_by_id_is_read_from_the_processor(
    client, paid_at_localstripe, raw_stripe
):
    payment = paid_at_localstripe
    intent = raw_stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
    latest = intent.latest_charge  # localstripe gives it expanded
    charge = raw_stripe.v1.charges.retrieve(latest if isinstance(latest, str) else latest.id)
    assert charge.balance_transaction.startswith("txn_")
    body = charge_event(
        "charge.succeeded", payment, id=charge.id, balance_transaction=charge.balance_transaction
    )
    assert deliver(client, body).json["outcome"] == "posted"
    db.session.refresh(payment)
    # localstripe charges no fee: it is known, stored, and there is nothing to post.
    assert payment.fee_pence == 0
    assert payment.fee_transaction_id is None
    assert db.session.scalar(select(func.count(FundEntry.id))) == 0
