"""The card reconciliation page: payments by UK day with totals, and proof each is posted once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, update

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import (
    AccountKind,
    CardPayment,
    CardPaymentStatus,
    CardPurpose,
    LedgerTransaction,
    Posting,
    StripeEvent,
    TransactionKind,
)
from coop.services.money.ledger import (
    Entry,
    household_accounts,
    post_transaction,
    reverse_transaction,
    single_account,
)
from coop.services.payments.cards import record_success
from coop.services.payments.gateway import Payment

from .conftest import WEBHOOK_SECRET, signed

ALL_GOOD = "Every succeeded card payment is posted exactly once"
_ids = itertools.count(1)


@pytest.fixture
def fishwick(factory):
    return factory.coop(name="Fishwick Food Co-op", slug="fishwick")


@pytest.fixture
def treasurer(factory, fishwick):
    return factory.member(fishwick, Role.TREASURER)


@pytest.fixture
def page(client, auth, treasurer):
    auth.login_as(treasurer)

    def get(month: str = "2026-11"):
        answer = client.get(f"/coops/fishwick/admin/money/card-payments?month={month}")
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    return get


def card_payment(membership, pence, at, status=CardPaymentStatus.PROCESSING, **fields):
    """A card payment row as starting one writes it, started at the UTC time *at*."""
    n = next(_ids)
    payment = CardPayment(
        coop_id=membership.coop_id,
        membership_id=membership.id,
        purpose=CardPurpose.TOP_UP,
        amount_pence=pence,
        payment_intent_id=f"pi_recon{n}",
        status=status,
        idempotency_key=f"recon-{n}",
        created_at=at,
        **fields,
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def paid(membership, pence, at, **fields):
    """A card payment that succeeded and was posted as the webhook posts it."""
    payment = card_payment(membership, pence, at, **fields)
    intent = Payment(
        id=payment.payment_intent_id,
        status="succeeded",
        amount_pence=pence,
        currency="gbp",
        client_secret=None,
    )
    assert record_success(payment=payment, intent=intent)
    db.session.commit()
    return payment


def second_posting(payment, pence=None):
    """Post a payment again, as a bug or a hand entry might, naming its PaymentIntent."""
    household = household_accounts(coop_id=payment.coop_id, membership_ids=[payment.membership_id])
    card = single_account(coop_id=payment.coop_id, kind=AccountKind.CARD).id
    amount = pence or payment.amount_pence
    transaction = post_transaction(
        coop_id=payment.coop_id,
        kind=TransactionKind.PAYMENT,
        memo=f"Card payment again ({payment.payment_intent_id})",
        entries=[Entry(household[payment.membership_id], amount, ""), Entry(card, -amount, "")],
        by=None,
    )
    db.session.commit()
    return transaction


def nov(day, hour=12, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_payments_are_listed_by_uk_day_with_each_days_totals(page, factory, fishwick):
    ann = factory.membership(coop=fishwick, user=factory.user(name="Ann Ashworth"))
    bob = factory.membership(coop=fishwick, user=factory.user(name="Bob Barton"))
    first = paid(ann, 2000, nov(3, 9), fee_pence=50)
    paid(bob, 1500, nov(3, 18), fee_pence=42, refunded_pence=500)
    card_payment(bob, 900, nov(3, 19), status=CardPaymentStatus.FAILED)
    paid(ann, 1000, nov(4, 10))
    html = page()
    assert "Tuesday 3 November 2026" in html and "Wednesday 4 November 2026" in html
    assert first.payment_intent_id in html and "Ann Ashworth" in html and "Top-up" in html
    # 3 November: £20 + £15 succeeded, the failed £9 not counted; fees 92p, refunded £5.
    assert "Total of 3 November" in html
    day = html[html.index("Total of 3 November") :]
    day = day[: day.index("</tr>")]
    for total in ("£35.00", "£0.92", "£5.00", "£29.08"):
        assert total in day
    assert "£44.00" not in day
    assert "Failed" in html
    assert "Not known yet" in html  # the 4th's fee
    assert ALL_GOOD in html


def test_a_payment_is_listed_on_its_uk_day_and_month(page, factory, fishwick):
    ann = factory.membership(coop=fishwick)
    # 23:30 UTC on 31 May is 00:30 on 1 June in British Summer Time.
    late = paid(ann, 1200, datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    june = page("2026-06")
    assert "Monday 1 June 2026" in june and late.payment_intent_id in june
    assert late.payment_intent_id not in page("2026-05")


def test_a_succeeded_payment_whose_posting_was_removed_is_flagged(page, factory, fishwick):
    ann = factory.membership(coop=fishwick)
    lost = paid(ann, 2000, nov(5))
    transaction_id = lost.ledger_transaction_id
    db.session.execute(
        update(CardPayment).where(CardPayment.id == lost.id).values(ledger_transaction_id=None)
    )
    db.session.execute(delete(Posting).where(Posting.transaction_id == transaction_id))
    db.session.execute(delete(LedgerTransaction).where(LedgerTransaction.id == transaction_id))
    db.session.commit()
    html = page()
    assert ALL_GOOD not in html
    problems = html[html.index('id="posting-problems"') : html.index('id="by-day"')]
    assert "Not posted" in problems and lost.payment_intent_id in problems


def test_a_payment_stripe_says_succeeded_but_never_posted_is_flagged(page, factory, fishwick):
    ann = factory.membership(coop=fishwick)
    unposted = card_payment(ann, 2500, nov(6))
    db.session.add(
        StripeEvent(
            event_id="evt_recon_unposted",
            type="payment_intent.succeeded",
            result="not_posted",
            card_payment_id=unposted.id,
        )
    )
    db.session.commit()
    problems = page().split('id="posting-problems"')[1]
    assert "Stripe says it succeeded" in problems and unposted.payment_intent_id in problems


def test_a_payment_posted_twice_is_flagged_with_both_transactions(page, factory, fishwick):
    ann = factory.membership(coop=fishwick)
    twice = paid(ann, 2000, nov(7))
    again = second_posting(twice)
    problems = page().split('id="posting-problems"')[1].split('id="by-day"')[0]
    assert "Posted more than once" in problems and twice.payment_intent_id in problems
    assert f"Transaction {twice.ledger_transaction_id}" in problems
    assert f"Transaction {again.id}" in problems


def test_a_doubled_posting_once_reversed_is_all_good_again(page, factory, fishwick, treasurer):
    ann = factory.membership(coop=fishwick)
    twice = paid(ann, 2000, nov(7))
    again = second_posting(twice)
    reverse_transaction(transaction=again, reason="Posted twice", by=treasurer)
    db.session.commit()
    assert ALL_GOOD in page()


def test_a_posting_for_another_amount_is_flagged(page, factory, fishwick):
    ann = factory.membership(coop=fishwick)
    wrong = card_payment(ann, 2000, nov(8), status=CardPaymentStatus.SUCCEEDED)
    transaction = second_posting(wrong, pence=200)
    db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == wrong.id)
        .values(ledger_transaction_id=transaction.id)
    )
    db.session.commit()
    problems = page().split('id="posting-problems"')[1]
    assert "Posted for another amount" in problems and "Posted for 200 pence, not 2000" in problems


def test_with_no_card_payments_the_page_says_all_is_posted_and_no_payouts(page):
    html = page()
    assert ALL_GOOD in html
    assert "No card payments were started in November 2026." in html
    assert "The account has reported no payouts arriving in November 2026." in html


def test_a_month_that_is_not_one_is_said_so(page):
    html = page("2026-13")
    assert "Choose a month such as 2026-11." in html


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COORDINATOR])
def test_only_the_treasurers_see_the_page(client, auth, factory, fishwick, role):
    auth.login_as(factory.member(fishwick, role))
    assert client.get("/coops/fishwick/admin/money/card-payments").status_code == 403


def test_another_coops_treasurer_is_refused(client, auth, factory, fishwick):
    other = factory.coop(name="Ribbleton", slug="ribbleton")
    auth.login_as(factory.member(other, Role.TREASURER))
    assert client.get("/coops/fishwick/admin/money/card-payments").status_code in (403, 404)


# --- payouts ------------------------------------------------------------------------------------


@pytest.fixture
def webhook(app, client):
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET

    def deliver(kind, account=None, created=1_700_000_000, **payout):
        body = {
            "id": f"evt_payout_{next(_ids)}",
            "object": "event",
            "type": kind,
            "created": created,
            "data": {
                "object": {
                    "id": "po_recon1",
                    "object": "payout",
                    "amount": 4508,
                    "currency": "gbp",
                    "status": kind.removeprefix("payout."),
                    "arrival_date": int(datetime(2026, 11, 10, tzinfo=UTC).timestamp()),
                    **payout,
                }
            },
        }
        if account:
            body["account"] = account
        payload, header = signed(body)
        answer = client.post(
            "/webhooks/stripe",
            data=payload,
            headers={"Stripe-Signature": header},
            content_type="application/json",
        )
        assert answer.status_code == 200
        return answer.json["outcome"]

    return deliver


def _payouts(html: str) -> str:
    return html[html.index('id="payouts"') :]


def test_a_payout_is_listed_by_its_arrival_day_and_a_later_failure_shows(page, webhook):
    assert webhook("payout.paid") == "payout_recorded"
    shown = _payouts(page())
    assert "10 Nov 2026" in shown and "po_recon1" in shown and "£45.08" in shown
    assert "Paid" in shown
    failed = webhook("payout.failed", created=1_700_000_100, failure_message="Account closed")
    assert failed == "payout_recorded"
    shown = _payouts(page())
    assert "Failed: Account closed" in shown
    # An older event arriving late does not undo the failure.
    assert webhook("payout.paid", created=1_700_000_050) == "already_done"
    assert "Failed: Account closed" in _payouts(page())
    assert "po_recon1" not in _payouts(page("2026-12"))


def test_a_connected_coop_sees_only_its_own_accounts_payouts(page, webhook, fishwick):
    fishwick.stripe_account_id = "acct_fishwick"
    db.session.commit()
    webhook("payout.paid", account="acct_other")
    assert "The account has reported no payouts" in _payouts(page())
    webhook("payout.paid", account="acct_fishwick", id="po_fishwick")
    assert "po_fishwick" in _payouts(page())


def test_the_sites_own_payouts_are_not_shown_when_several_coops_share_its_account(
    page, webhook, factory
):
    factory.coop(name="Ribbleton", slug="ribbleton")
    webhook("payout.paid")
    shown = _payouts(page())
    assert "po_recon1" not in shown and "are not shown" in shown


def test_the_months_payments_download_as_csv(client, page, factory, fishwick):
    ann = factory.membership(coop=fishwick, user=factory.user(name="=Ann"))
    first = paid(ann, 2000, nov(3, 9), fee_pence=50, refunded_pence=500)
    answer = client.get("/coops/fishwick/admin/money/card-payments.csv?month=2026-11")
    assert answer.status_code == 200
    assert "fishwick-food-co-op-card-payments-2026-11.csv" in answer.headers["Content-Disposition"]
    lines = answer.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Day,Time,PaymentIntent,Household")
    # A name a spreadsheet would run as a formula is defused.
    assert (
        lines[1]
        == f"2026-11-03,09:00,{first.payment_intent_id},'=Ann,Top-up,20.00,Paid,0.50,5.00,14.50"
    )
    bad = client.get("/coops/fishwick/admin/money/card-payments.csv?month=nope")
    assert bad.status_code == 302 and "month=nope" in bad.headers["Location"]
