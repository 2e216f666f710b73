"""Helpers for the auto-pay tests: a card saved as its page saves it, automatic payments."""

from __future__ import annotations

from sqlalchemy import select

from coop.extensions import db
from coop.models import CardPayment, CardPurpose, Membership
from coop.models.saved_cards import SavedCard
from coop.services.payments.autopay import finish_saving_card, start_saving_card


def save_card(household: Membership, raw_stripe, card: str = "pm_card_visa") -> SavedCard:
    """Save *card* for the household as its card page does: SetupIntent, Stripe.js, back."""
    saved = start_saving_card(membership=household)
    db.session.commit()
    # What Stripe.js does on the page: confirm the SetupIntent with the card typed.
    setup = raw_stripe.v1.setup_intents.confirm(
        saved.setup_intent_id, params={"payment_method": card}
    )
    # Real Stripe attaches the saved card to the customer; localstripe leaves that out.
    raw_stripe.v1.payment_methods.attach(
        setup.payment_method, params={"customer": saved.customer_id}
    )
    saved = finish_saving_card(membership=household)
    db.session.commit()
    return saved


def auto_payments(household: Membership) -> list[CardPayment]:
    return list(
        db.session.scalars(
            select(CardPayment)
            .where(
                CardPayment.membership_id == household.id,
                CardPayment.purpose == CardPurpose.AUTO_PAY,
            )
            .order_by(CardPayment.id)
        )
    )
