"""Helpers for the bill-pay tests: its pages, the button's attempt, a bill paid at localstripe."""

from __future__ import annotations

import re

from sqlalchemy import select

from coop.extensions import db
from coop.models import CardPayment, CardPurpose, Membership, Round
from coop.services.payments.bill_pay import new_attempt

ATTEMPT = re.compile(r'name="attempt" type="hidden" value="([0-9a-f]{32})"')


def bill_url(round_: Round, slug: str = "fishwick") -> str:
    return f"/coops/{slug}/rounds/{round_.id}/bill"


def pay_url(round_: Round | int, slug: str = "fishwick") -> str:
    round_id = round_ if isinstance(round_, int) else round_.id
    return f"/coops/{slug}/bills/{round_id}/pay"


def attempt_on(page: str) -> str:
    """The token of the attempt the pay page's button carries."""
    match = ATTEMPT.search(page)
    assert match, "no pay button on the page"
    return match.group(1)


def press_pay(client, round_: Round, attempt: str | None = None):  # type: ignore[no-untyped-def]
    """Press the pay page's button: the token of a fresh page unless *attempt* is given."""
    if attempt is None:
        attempt = attempt_on(client.get(pay_url(round_)).get_data(as_text=True))
    return client.post(pay_url(round_), data={"attempt": attempt})


def press_earlier_page(client, round_: Round | int):  # type: ignore[no-untyped-def]
    """Press pay as from a page opened earlier, whatever the page shows now."""
    return client.post(pay_url(round_), data={"attempt": new_attempt()})


def bill_payments(household: Membership) -> list[CardPayment]:
    """The household's card payments of bills made by hand, oldest first."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(CardPayment)
            .where(
                CardPayment.membership_id == household.id,
                CardPayment.purpose == CardPurpose.BILL,
            )
            .order_by(CardPayment.id)
        )
    )


def pay_at_localstripe(raw_stripe, payment: CardPayment, card: str = "pm_card_visa") -> None:  # type: ignore[no-untyped-def]
    """What Stripe.js does on the card payment page: attach the card and confirm."""
    raw_stripe.v1.payment_intents.update(payment.payment_intent_id, params={"payment_method": card})
    raw_stripe.v1.payment_intents.confirm(payment.payment_intent_id)


def awaiting_3d_secure(raw_stripe, payment: CardPayment) -> None:  # type: ignore[no-untyped-def]
    """Give *payment* a card whose bank asks for 3-D Secure, as the bank would see it.

    localstripe's Stripe.js completes only that check (see
    `test_card_payment_browser`), so the page's own script then confirms it.
    """
    from .test_autopay import THREE_D_SECURE

    card = raw_stripe.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": THREE_D_SECURE, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    raw_stripe.v1.payment_intents.update(
        payment.payment_intent_id, params={"payment_method": card.id}
    )
    intent = raw_stripe.v1.payment_intents.confirm(payment.payment_intent_id)
    assert intent.status == "requires_action"
