"""Card payments as a household and a treasurer meet them: the cases between the features."""

from __future__ import annotations

from datetime import timedelta

import pytest
from money.statement_support import page_text, pay
from money.test_credit_control import limit
from money.treasury_support import settled_round, treasurer
from rounds.ordering_support import order_url
from sqlalchemy import select
from support import text

from coop.extensions import db
from coop.models import LedgerTransaction
from coop.services.money.ledger import household_balance_pence
from coop.services.payments.owing import bills_owing_pence, owed_on_bill_pence

from .bill_pay_support import bill_payments, bill_url, press_pay
from .test_bill_pay import BILL, STATEMENT, paid_by_webhook


def _credit_notice(page: str) -> str:
    start = page.index('id="credit-limit"')
    return page[start : page.index("you can order again", start)]


def test_a_household_past_the_limit_with_card_payments_on_is_offered_a_top_up_by_card(
    stripe_app, rounds, client, auth
):
    settled_round(rounds, 6)  # the first household owes £12.00
    treasurer(rounds)
    limit(rounds, 500)
    rice = rounds.product(name="Brown rice", case_price_pence=1200)
    round_ = rounds.round(rice, title="Next week")
    auth.login_as(rounds.households[0].user)

    notice = _credit_notice(text(client.get(order_url(round_))))

    assert "Pay £7.00 to order again." in notice
    assert '<a href="/coops/fishwick/top-up" id="credit-top-up">Top up by card</a>' in notice


def test_with_card_payments_off_the_credit_notice_offers_no_card(rounds, client, auth):
    settled_round(rounds, 6)
    limit(rounds, 500)
    rice = rounds.product(name="Brown rice", case_price_pence=1200)
    round_ = rounds.round(rice, title="Next week")
    auth.login_as(rounds.households[0].user)

    notice = _credit_notice(text(client.get(order_url(round_))))

    assert "Pay £7.00 to order again." in notice
    assert "top-up" not in notice
    assert "Card payment is not available" in notice


# --- bills paid otherwise: what is owing on each ------------------------------------------------


@pytest.fixture
def two_bills(stripe_app, rounds, client, auth):
    """The first household's £12.00 bills for an older and a newer round; it is signed in."""
    older = settled_round(rounds, 6, 6)
    newer = settled_round(rounds, 6, 6)
    household = rounds.households[0]
    older_day = older.settled_at - timedelta(days=7)
    transactions = db.session.scalars(
        select(LedgerTransaction).where(LedgerTransaction.round_id == older.id)
    )
    for transaction in transactions:
        transaction.created_at = older_day
    older.settled_at = older_day
    db.session.commit()
    auth.login_as(household.user)
    return household, older, newer


def test_a_bank_transfer_for_one_bill_leaves_only_the_newer_bill_to_pay_by_card(client, two_bills):
    household, older, newer = two_bills
    pay(household, BILL, memo="Bank transfer")  # what the older bill charged

    statement = text(client.get(STATEMENT))

    assert household_balance_pence(membership=household) == -BILL
    assert f'id="pay-bill-{newer.id}"' in statement
    assert f'id="pay-bill-{older.id}"' not in statement
    assert owed_on_bill_pence(membership=household, round_=newer) == BILL
    assert owed_on_bill_pence(membership=household, round_=older) == 0
    assert "Pay this bill by card" not in page_text(client.get(bill_url(older)))


def test_part_of_the_debt_paid_otherwise_leaves_the_newest_bill_owing_first(client, two_bills):
    household, older, newer = two_bills
    pay(household, 1_500, memo="Cash")  # £24.00 billed, £9.00 owing

    owing = bills_owing_pence(membership=household)

    assert owing == {newer.id: 900}
    assert owed_on_bill_pence(membership=household, round_=older) == 0
    assert sum(owing.values()) == -household_balance_pence(membership=household)


def test_the_older_bill_paid_by_card_leaves_the_newer_owing_in_full(client, raw_stripe, two_bills):
    household, older, newer = two_bills

    press_pay(client, older)
    [payment] = bill_payments(household)
    paid_by_webhook(client, raw_stripe, payment, times=3)

    assert payment.amount_pence == BILL
    assert household_balance_pence(membership=household) == -BILL
    assert bills_owing_pence(membership=household) == {newer.id: BILL}
    assert owed_on_bill_pence(membership=household, round_=older) == 0
