"""A Stripe payout moves the co-op's card money to its bank in the books, once."""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import LedgerTransaction, TransactionKind
from coop.services.money.accounts_report import assets_and_liabilities, receipts_and_payments
from coop.services.money.fund import local_today
from coop.services.money.periods import Period

from .conftest import WEBHOOK_SECRET, signed
from .test_card_reconciliation import paid

ARRIVES = datetime(2026, 11, 10, tzinfo=UTC)
_ids = itertools.count(1)


@pytest.fixture
def fishwick(factory):
    return factory.coop(name="Fishwick Food Co-op", slug="fishwick")


@pytest.fixture
def card_money(factory, fishwick):
    """£100 of a household's card payment, held by the processor for Fishwick."""
    ann = factory.membership(coop=fishwick, user=factory.user(name="Ann"))
    return paid(ann, 10_000, datetime.now(UTC))


def payout_event(
    kind, *, payout_id="po_books1", account=None, created=1_700_000_000, currency="gbp"
):
    """A signed ``payout.paid`` or ``payout.failed`` event: its body and signature header."""
    body = {
        "id": f"evt_books_{next(_ids)}",
        "object": "event",
        "type": kind,
        "created": created,
        "data": {
            "object": {
                "id": payout_id,
                "object": "payout",
                "amount": 4508,
                "currency": currency,
                "status": kind.removeprefix("payout."),
                "arrival_date": int(ARRIVES.timestamp()),
                **({"failure_message": "Account closed"} if kind == "payout.failed" else {}),
            }
        },
    }
    if account:
        body["account"] = account
    return signed(body)


@pytest.fixture
def deliver(app, client):
    """Post a signed event to the webhook; return what it did."""
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET

    def send(event):
        payload, header = event
        answer = client.post(
            "/webhooks/stripe",
            data=payload,
            headers={"Stripe-Signature": header},
            content_type="application/json",
        )
        assert answer.status_code == 200
        return answer.json["outcome"]

    return send


def held(coop):
    """What the statement of assets says the co-op holds today: (card, bank) in pence."""
    db.session.expire_all()
    found = assets_and_liabilities(coop=coop, as_of=local_today())
    return found.card_pence, found.bank_pence


def transfers(coop) -> list[LedgerTransaction]:
    return list(
        db.session.scalars(
            select(LedgerTransaction)
            .where(
                LedgerTransaction.coop_id == coop.id,
                LedgerTransaction.kind.in_([TransactionKind.TRANSFER, TransactionKind.REVERSAL]),
            )
            .order_by(LedgerTransaction.id)
        )
    )


def test_a_paid_payout_moves_card_money_to_the_bank(fishwick, card_money, deliver):
    assert held(fishwick) == (10_000, 0)

    assert deliver(payout_event("payout.paid")) == "payout_recorded"

    assert held(fishwick) == (10_000 - 4508, 4508)
    (transfer,) = transfers(fishwick)
    assert transfer.kind is TransactionKind.TRANSFER
    assert "po_books1" in transfer.memo and "10 Nov 2026" in transfer.memo
    assert sum(posting.amount_pence for posting in transfer.postings) == 0


def test_the_same_payout_delivered_three_times_is_posted_once(fishwick, card_money, deliver):
    event = payout_event("payout.paid")
    outcomes = [deliver(event) for _ in range(3)]
    # Stripe telling of the same payout again, in a newer event, posts nothing more either.
    again = deliver(payout_event("payout.paid", created=1_700_000_050))

    assert outcomes == ["payout_recorded", "replay", "replay"]
    assert again == "payout_recorded"
    assert held(fishwick) == (10_000 - 4508, 4508)
    assert len(transfers(fishwick)) == 1


def test_a_payout_that_fails_after_it_was_paid_is_reversed_once(fishwick, card_money, deliver):
    deliver(payout_event("payout.paid"))

    deliver(payout_event("payout.failed", created=1_700_000_100))
    deliver(payout_event("payout.failed", created=1_700_000_200))

    assert held(fishwick) == (10_000, 0)
    transfer, reversal = transfers(fishwick)
    assert reversal.reverses_id == transfer.id
    assert "po_books1 failed: Account closed" in reversal.memo


def test_a_payout_that_fails_before_it_was_paid_posts_nothing(fishwick, card_money, deliver):
    deliver(payout_event("payout.failed", created=1_700_000_100))
    # The older "paid" arriving late is not the latest word, so it posts nothing either.
    deliver(payout_event("payout.paid", created=1_700_000_000))

    assert held(fishwick) == (10_000, 0)
    assert transfers(fishwick) == []


def test_a_connected_coops_payout_goes_to_that_coop_only(factory, fishwick, card_money, deliver):
    fishwick.stripe_account_id = "acct_fishwick"
    ribbleton = factory.coop(name="Ribbleton", slug="ribbleton")  # the site's own account's only
    db.session.commit()

    deliver(payout_event("payout.paid", account="acct_fishwick"))

    assert held(fishwick) == (10_000 - 4508, 4508)
    assert held(ribbleton) == (0, 0)
    assert transfers(ribbleton) == []


def test_a_payout_that_is_not_one_coops_money_posts_nothing(
    factory, fishwick, card_money, deliver, caplog
):
    ribbleton = factory.coop(name="Ribbleton", slug="ribbleton")
    db.session.commit()

    with caplog.at_level(logging.WARNING):
        # The site's own account takes payments for two co-ops; nobody holds acct_other.
        deliver(payout_event("payout.paid"))
        deliver(payout_event("payout.paid", payout_id="po_books2", account="acct_other"))

    assert held(fishwick) == (10_000, 0)
    assert transfers(fishwick) == [] and transfers(ribbleton) == []
    assert "po_books1" in caplog.text and "po_books2" in caplog.text
    assert "not one co-op's money" in caplog.text


def test_the_bank_reconciliation_counts_the_payout(
    client, auth, factory, fishwick, card_money, deliver
):
    auth.login_as(factory.member(fishwick, Role.TREASURER))
    deliver(payout_event("payout.paid"))

    html = client.get("/coops/fishwick/admin/money/reconcile/bank").get_data(as_text=True)

    books = html[html.index("The books on") :]
    assert books[: books.index("</dd>")].endswith("£45.08")
    assert "Stripe payout po_books1" in html  # among the entries to tick off the statement


def test_the_card_reconciliation_says_whether_each_payout_is_in_the_books(
    client, auth, factory, fishwick, card_money, deliver
):
    auth.login_as(factory.member(fishwick, Role.TREASURER))

    def payouts() -> str:
        html = client.get("/coops/fishwick/admin/money/card-payments?month=2026-11")
        text = html.get_data(as_text=True)
        return text[text.index('id="payouts"') :]

    deliver(payout_event("payout.paid"))
    deliver(payout_event("payout.failed", payout_id="po_books2"))
    assert "Posted card to bank" in payouts() and "Not posted" in payouts()
    deliver(payout_event("payout.failed", created=1_700_000_100))
    assert "Posted, then reversed" in payouts()


def test_the_annual_account_shows_a_payout_as_neither_receipt_nor_payment(
    fishwick, card_money, deliver
):
    period = Period(local_today() - timedelta(days=30), local_today())
    before = receipts_and_payments(coop=fishwick, period=period)

    deliver(payout_event("payout.paid"))

    after = receipts_and_payments(coop=fishwick, period=period)
    assert [(line.key, line.pence) for line in after.receipts] == [
        (line.key, line.pence) for line in before.receipts
    ]
    assert after.payments_pence == before.payments_pence
    assert after.difference_pence == 0
    closing = {line.kind.value: line.closing_pence for line in after.held}
    assert closing == {"cash": 0, "bank": 4508, "card": 10_000 - 4508}
    assert after.closing_pence == before.closing_pence == 10_000


def test_a_payout_in_another_currency_posts_nothing(fishwick, card_money, deliver):
    deliver(payout_event("payout.paid", currency="eur"))
    assert held(fishwick) == (10_000, 0)
    assert transfers(fishwick) == []
