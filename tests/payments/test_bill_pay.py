"""A household pays what a bill leaves it owing by card, in one tap, against localstripe."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from money.statement_support import amount_by_id, page_text, pay
from money.test_paying_in import with_bank
from money.treasury_support import settled_round
from notices.test_owing_notices import bills_days_ago
from rounds.builders import RoundWorld
from sqlalchemy import func, select
from support import commits_held_until_someone_waits, race, text

from coop.domain.roles import MembershipStatus, Role
from coop.extensions import db
from coop.models import CardPayment, CardPaymentStatus, Membership, Round, Supplier
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.links import links
from coop.services.money.ledger import household_balance_pence
from coop.services.money.paying_in import reference_of
from coop.services.notices.owing import send_owing_reminders
from coop.services.payments.bill_pay import new_attempt, start_bill_payment
from coop.services.payments.owing import bills_owing_pence, owed_on_bill_pence
from coop.services.people.memberships import leave_coop

from .bill_pay_support import (
    attempt_on,
    bill_payments,
    bill_url,
    pay_at_localstripe,
    pay_url,
    press_earlier_page,
    press_pay,
)
from .test_autopay import card_postings, event_of, intents_at_localstripe
from .test_webhook import deliver

STATEMENT = "/coops/fishwick/statement"
BILL = 1200  # six of a case of six at £12.00


@pytest.fixture
def household(rounds):
    return rounds.households[0]


@pytest.fixture
def billed(rounds):
    """A settled round in which the first two households were each billed £12.00."""
    return settled_round(rounds, 6, 6)


@pytest.fixture
def paying(stripe_app, client, auth, household, billed):
    """Card payments on and the first household signed in, owing its £12.00 bill."""
    auth.login_as(household.user)
    return billed


def paid_by_webhook(client, raw_stripe, payment: CardPayment, times: int = 1) -> list[str]:
    """Pay *payment* at localstripe and deliver its success event *times*; the outcomes."""
    pay_at_localstripe(raw_stripe, payment)
    succeeded = event_of(raw_stripe, payment, "payment_intent.succeeded")
    return [deliver(client, succeeded).json["outcome"] for _ in range(times)]


def intents_now(raw_stripe) -> list:
    return list(raw_stripe.v1.payment_intents.list().auto_paging_iter())


def nothing_written(household) -> bool:
    return bill_payments(household) == []


# --- the bill, the statement and the pay page show what is owing ------------------------


def test_a_settled_bill_offers_to_pay_by_card_what_it_leaves_owing(client, household, paying):
    bill = text(client.get(bill_url(paying)))
    assert 'id="pay-bill"' in bill
    assert f'href="{pay_url(paying)}">Pay this bill by card</a>' in bill
    assert "(£12.00 owing)" in bill

    statement = text(client.get(STATEMENT))
    assert f'href="{pay_url(paying)}" id="pay-bill-{paying.id}"' in statement
    assert "£12.00 owing" in statement

    page = client.get(pay_url(paying))
    assert page.status_code == 200
    assert amount_by_id(text(page), "owed") == BILL
    assert "Pay £12.00 by card" in page_text(page)
    assert nothing_written(household)  # looking creates nothing


def test_pressing_pay_makes_one_card_payment_for_what_is_owed_and_opens_its_page(
    client, household, paying, raw_stripe, localstripe
):
    answer = press_pay(client, paying)

    [payment] = bill_payments(household)
    assert answer.status_code == 302
    assert answer.location.endswith(f"/coops/fishwick/card-payments/{payment.id}")
    assert (payment.amount_pence, payment.round_id) == (BILL, paying.id)
    assert payment.status is CardPaymentStatus.REQUIRES_PAYMENT_METHOD
    intent = raw_stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert (intent.amount, intent.currency, intent.status) == (
        BILL,
        "gbp",
        "requires_payment_method",
    )
    assert intent.metadata["purpose"] == "bill"
    assert intent.metadata["round_id"] == str(paying.id)
    assert intent.metadata["membership_id"] == str(household.id)

    card_page = text(client.get(answer.location))
    assert "Card payment of £12.00" in card_page
    assert f'data-secret="{payment.payment_intent_id}_secret_' in card_page
    assert f"{localstripe}/js.stripe.com/v3/" in card_page
    assert f'href="{bill_url(paying)}">Your bill</a>' in card_page
    assert household_balance_pence(membership=household) == -BILL  # nothing paid yet


def test_the_same_tap_sent_twice_or_a_reload_pays_the_one_payment_and_asks_stripe_once(
    client, household, paying, raw_stripe
):
    before = intents_at_localstripe(raw_stripe)
    attempt = attempt_on(text(client.get(pay_url(paying))))

    first = press_pay(client, paying, attempt)
    again = press_pay(client, paying, attempt)
    reloaded = client.get(pay_url(paying))
    after_reload = press_pay(client, paying)

    [payment] = bill_payments(household)
    assert {first.location, again.location, after_reload.location} == {
        f"/coops/fishwick/card-payments/{payment.id}"
    }
    assert "Continue paying £12.00 by card" in page_text(reloaded)
    assert attempt_on(text(reloaded)) != attempt
    assert intents_at_localstripe(raw_stripe) == before + 1


def test_a_bill_paid_and_its_webhook_sent_three_times_is_posted_once_and_owes_nothing(
    client, household, paying, raw_stripe
):
    assert amount_by_id(text(client.get(STATEMENT)), "balance") == BILL  # "You owe: £12.00"
    attempt = attempt_on(text(client.get(pay_url(paying))))
    press_pay(client, paying, attempt)
    [payment] = bill_payments(household)

    outcomes = paid_by_webhook(client, raw_stripe, payment, times=3)

    assert outcomes == ["posted", "replay", "replay"]
    db.session.expire_all()
    assert card_postings(household) == 1
    assert household_balance_pence(membership=household) == 0
    assert db.session.get_one(CardPayment, payment.id).status is CardPaymentStatus.SUCCEEDED
    statement = page_text(client.get(STATEMENT))
    assert "Nothing owed: £0.00" in statement
    assert statement.count("Card payment from") == 1
    assert f'id="pay-bill-{paying.id}"' not in text(client.get(STATEMENT))
    bill = text(client.get(bill_url(paying)))
    assert 'id="pay-bill"' not in bill
    assert "Pay this bill by card" not in bill
    pay_page = text(client.get(pay_url(paying)))
    assert 'id="nothing-owing"' in pay_page
    assert "<form" not in pay_page.split('id="nothing-owing"')[1]
    # The old page's button, pressed once more, charges nothing.
    again = press_pay(client, paying, attempt)
    assert again.status_code == 200
    assert "Nothing is owing on this bill" in page_text(again)
    assert len(bill_payments(household)) == 1


def test_a_declined_card_leaves_the_bill_owing_and_trying_again_pays_a_new_payment(
    client, household, paying, raw_stripe, mailbox
):
    press_pay(client, paying)
    [declined] = bill_payments(household)
    with pytest.raises(Exception, match="declined"):
        pay_at_localstripe(raw_stripe, declined, "pm_card_chargeCustomerFail")
    failed = event_of(raw_stripe, declined, "payment_intent.payment_failed")
    assert deliver(client, failed).json["outcome"] == "marked_failed"

    card_page = text(client.get(f"/coops/fishwick/card-payments/{declined.id}"))
    assert "This payment did not go through" in card_page
    assert f'href="{pay_url(paying)}">Try again</a>' in card_page
    assert "(£12.00 owing)" in text(client.get(bill_url(paying)))
    again = press_pay(client, paying)

    old, new = bill_payments(household)
    assert old.status is CardPaymentStatus.FAILED
    assert again.location.endswith(f"/card-payments/{new.id}")
    assert paid_by_webhook(client, raw_stripe, new) == ["posted"]
    db.session.expire_all()
    assert household_balance_pence(membership=household) == 0
    assert card_postings(household) == 1


def test_a_household_in_credit_is_asked_only_what_its_account_owes(
    rounds, client, auth, household, stripe_app
):
    pay(household, 500)  # £5.00 in credit before the bill
    round_ = settled_round(rounds, 6, 6)
    auth.login_as(household.user)

    assert owed_on_bill_pence(membership=household, round_=round_) == 700
    assert "(£7.00 owing)" in text(client.get(bill_url(round_)))
    assert "£7.00 owing" in text(client.get(STATEMENT))
    assert amount_by_id(text(client.get(pay_url(round_))), "owed") == 700
    press_pay(client, round_)
    [payment] = bill_payments(household)
    assert payment.amount_pence == 700


def test_a_household_that_paid_the_treasurer_the_whole_bill_in_cash_has_nothing_to_pay(
    client, household, paying
):
    pay(household, BILL)

    assert 'id="pay-bill"' not in text(client.get(bill_url(paying)))
    assert f'id="pay-bill-{paying.id}"' not in text(client.get(STATEMENT))
    page = text(client.get(pay_url(paying)))
    assert "Nothing is owing on this bill" in page
    assert "pay-bill-button" not in page
    pressed = press_earlier_page(client, paying)
    assert pressed.status_code == 200
    assert "Nothing is owing on this bill, so there is nothing to pay." in page_text(pressed)
    assert nothing_written(household)


def test_cash_paid_after_pressing_pay_cancels_the_open_payment_and_asks_for_the_rest(
    client, household, paying, raw_stripe
):
    press_pay(client, paying)
    [first] = bill_payments(household)
    pay(household, 500)

    assert amount_by_id(text(client.get(pay_url(paying))), "owed") == 700
    press_pay(client, paying)

    old, new = bill_payments(household)
    assert old.id == first.id
    assert old.status is CardPaymentStatus.CANCELED
    assert raw_stripe.v1.payment_intents.retrieve(old.payment_intent_id).status == "canceled"
    assert (new.amount_pence, new.status) == (700, CardPaymentStatus.REQUIRES_PAYMENT_METHOD)


def test_less_than_a_card_payment_can_be_is_left_for_cash_or_the_bank(client, household, paying):
    pay(household, BILL - 20)

    assert 'id="pay-bill"' not in text(client.get(bill_url(paying)))
    page = text(client.get(pay_url(paying)))
    assert 'id="too-little"' in page
    assert 'id="how-to-pay"' in page
    assert "pay-bill-button" not in page
    assert press_earlier_page(client, paying).status_code == 200
    assert nothing_written(household)


# --- bills that are not the household's -----------------------------------------------------


def other_coops_round(rounds: RoundWorld, household):
    """A settled round of another co-op in which *household*'s person has a bill there too."""
    factory = rounds.factory
    coop = factory.coop(name="Ribbleton Food", slug="ribbleton")
    there = factory.membership(coop=coop, user=household.user)
    supplier = Supplier(coop=coop, name="Ribble Wholefoods", email="orders@ribble.example")
    db.session.add(supplier)
    db.session.commit()
    world = RoundWorld(
        factory=factory,
        coop=coop,
        coordinator=factory.member(coop, Role.COORDINATOR),
        households=[there],
        supplier=supplier,
    )
    return settled_round(world, 6)


@pytest.mark.parametrize("whose", ["another household's", "another co-op's"])
def test_a_bill_that_is_not_the_households_is_not_found_and_nothing_is_made(
    rounds, client, auth, household, stripe_app, whose
):
    if whose == "another household's":
        round_ = settled_round(rounds, 0, 6)  # only the second household was billed
    else:
        round_ = other_coops_round(rounds, household)
    auth.login_as(household.user)
    before = db.session.scalar(select(func.count(CardPayment.id)))

    assert client.get(pay_url(round_)).status_code == 404
    assert press_earlier_page(client, round_).status_code == 404
    assert client.get(bill_url(round_)).status_code == 404
    assert db.session.scalar(select(func.count(CardPayment.id))) == before


def test_a_round_without_a_bill_or_that_does_not_exist_is_not_found(
    rounds, client, auth, household, stripe_app
):
    open_round = rounds.round(rounds.product())
    auth.login_as(household.user)
    for round_id in (open_round.id, 999_999):
        assert client.get(f"/coops/fishwick/bills/{round_id}/pay").status_code == 404
        assert press_earlier_page(client, round_id).status_code == 404
    assert nothing_written(household)


def test_the_service_refuses_a_round_the_household_has_no_bill_in(
    rounds, household, stripe_app, billed
):
    other = other_coops_round(rounds, household)
    unbilled = settled_round(rounds, 0, 6)
    for round_ in (other, unbilled):
        with pytest.raises(ServiceError, match="Nothing is owing"):
            start_bill_payment(membership=household, round_=round_, attempt=None, by=household.user)
    assert nothing_written(household)


def test_a_member_of_another_co_op_cannot_reach_the_pay_page(
    rounds, client, auth, factory, stripe_app, billed
):
    stranger = factory.membership(coop=factory.coop())
    auth.login_as(stranger.user)
    assert client.get(pay_url(billed)).status_code == 403
    assert press_earlier_page(client, billed).status_code == 403
    assert db.session.scalar(select(func.count(CardPayment.id))) == 0


# --- a household that has left ---------------------------------------------------------------


def test_a_household_that_has_left_may_still_pay_its_bill(
    client, auth, household, stripe_app, billed, raw_stripe
):
    leave_coop(membership=household)
    db.session.commit()
    assert household.status is MembershipStatus.LEFT
    auth.login_as(household.user)

    assert "(£12.00 owing)" in text(client.get(bill_url(billed)))
    assert f'id="pay-bill-{billed.id}"' in text(client.get(STATEMENT))
    answer = press_pay(client, billed)
    [payment] = bill_payments(household)
    assert answer.location.endswith(f"/card-payments/{payment.id}")
    assert paid_by_webhook(client, raw_stripe, payment) == ["posted"]
    db.session.expire_all()
    assert household_balance_pence(membership=household) == 0


# --- card payments off --------------------------------------------------------------------------


def test_with_card_payments_off_the_pay_page_shows_the_bank_and_makes_nothing(
    rounds, client, auth, household, billed
):
    with_bank(rounds.coop)
    auth.login_as(household.user)
    reference = reference_of(coop=rounds.coop, membership_id=household.id)

    page = client.get(pay_url(billed))
    assert page.status_code == 200
    said = page_text(page)
    assert "Card payments are not available for Fishwick Food" in said
    assert "40-11-62" in said and "31926819" in said
    assert f"Payment reference {reference}" in said
    assert "<form" not in text(page).split('id="cards-off"')[1]
    pressed = press_earlier_page(client, billed)
    assert pressed.status_code == 200
    assert "Card payments are not available" in page_text(pressed)
    assert nothing_written(household)
    with pytest.raises(ServiceError, match="not available"):
        start_bill_payment(membership=household, round_=billed, attempt=None, by=household.user)

    bill = page_text(client.get(bill_url(billed)))
    assert "Pay this bill by card" not in bill
    assert "40-11-62" in bill and f"Payment reference {reference}" in bill
    assert "Pay this bill by card" not in page_text(client.get(STATEMENT))
    assert bills_owing_pence(membership=household) == {billed.id: BILL}  # owed, all the same


# --- the owing reminder ----------------------------------------------------------------------


@pytest.mark.parametrize("cards", [True, False], ids=["cards-on", "cards-off"])
def test_the_owing_reminder_links_to_paying_the_bill_only_with_card_payments_on(
    rounds, household, billed, mailbox, client, auth, request, cards
):
    if cards:
        request.getfixturevalue("stripe_app")
    rounds.coop.owing_reminder_days = 7
    rounds.coop.owing_reminder_from_pence = 100
    db.session.commit()
    bills_days_ago()

    assert household in send_owing_reminders(coop=rounds.coop, now=utcnow() + timedelta(hours=1))
    db.session.commit()

    [message] = mailbox.to(household.user.email, "you owe")
    body = mailbox.body(message)
    link = links().pay_bill(billed)
    assert link.endswith(pay_url(billed))
    assert (link in body) is cards
    assert ("Pay it now by card, in one tap" in body) is cards
    assert links().bill(billed) in body
    if cards:  # the link leads to the page that asks for the bill
        auth.login_as(household.user)
        assert amount_by_id(text(client.get(pay_url(billed))), "owed") == BILL


def test_an_open_card_payment_of_a_bill_since_paid_in_cash_takes_nothing_more(
    client, household, paying
):
    press_pay(client, paying)
    [open_payment] = bill_payments(household)
    pay(household, BILL)

    page = client.get(f"/coops/fishwick/card-payments/{open_payment.id}")

    assert page.status_code == 302 and page.headers["Location"].endswith(pay_url(paying))
    assert 'id="nothing-owing"' in text(client.get(pay_url(paying)))


def test_the_reminder_has_no_pay_link_to_a_latest_bill_that_is_paid(
    rounds, household, paying, mailbox, client, raw_stripe
):
    later = settled_round(rounds, 6, 6)  # the latest bill; the first stays owing
    press_pay(client, later)
    [payment] = bill_payments(household)
    assert paid_by_webhook(client, raw_stripe, payment) == ["posted"]
    rounds.coop.owing_reminder_days = 7
    rounds.coop.owing_reminder_from_pence = 100
    db.session.commit()
    bills_days_ago()

    assert household in send_owing_reminders(coop=rounds.coop, now=utcnow() + timedelta(hours=1))
    db.session.commit()

    [message] = mailbox.to(household.user.email, "you owe")
    body = mailbox.body(message)
    assert links().pay_bill(later) not in body
    assert "Pay it now by card" not in body
    assert links().bill(later) in body


# --- two taps at the same moment (PostgreSQL) ------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.committing
@pytest.mark.skipif(
    not os.environ.get("COOP_TEST_DATABASE_URL"),
    reason="the second tap waits on the first's row lock only on PostgreSQL "
    "(set COOP_TEST_DATABASE_URL to run this)",
)
def test_two_taps_at_the_same_moment_make_one_payment_and_cancel_the_spare_intent(
    stripe_app, rounds, raw_stripe
):
    household = rounds.households[0]
    round_ = settled_round(rounds, 6, 6)
    household_id, round_id = household.id, round_.id
    before = {intent.id for intent in intents_now(raw_stripe)}

    def tap():
        membership = db.session.get_one(Membership, household_id)
        payment = start_bill_payment(
            membership=membership,
            round_=db.session.get_one(Round, round_id),
            attempt=new_attempt(),
            by=membership.user,
        )
        db.session.commit()
        return payment.payment_intent_id

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(stripe_app, tap, tap)

    assert overlap.seen == [True]
    [payment] = bill_payments(household)
    assert {outcome.result for outcome in outcomes} == {payment.payment_intent_id}
    assert payment.amount_pence == BILL
    # localstripe keeps no idempotency keys: each tap made an intent, and the spare is cancelled.
    made = [intent for intent in intents_now(raw_stripe) if intent.id not in before]
    assert len(made) == 2
    spare = [intent for intent in made if intent.id != payment.payment_intent_id]
    assert [intent.status for intent in spare] == ["canceled"]
