"""The auto-pay page: saving a card through it, removing it in one tap, and what is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.models.saved_cards import SavedCard
from coop.services.payments.saved_cards import saved_card

from .autopay_support import save_card
from .conftest import PUBLISHABLE_KEY


@pytest.fixture
def household(factory):
    coop = factory.coop(name="Fishwick Food Co-op", slug="fishwick")
    return factory.membership(coop=coop)


def _saved_cards() -> int:
    return db.session.scalar(select(func.count(SavedCard.id)))


def test_with_card_payments_off_auto_pay_is_refused_and_nothing_is_stored(client, auth, household):
    auth.login_as(household.user)
    page = client.get("/coops/fishwick/auto-pay")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Card payments are not available for Fishwick Food Co-op" in text
    assert 'id="how-to-pay"' in text
    assert 'id="save-card"' not in text

    answer = client.post("/coops/fishwick/auto-pay/card", follow_redirects=True)
    assert answer.status_code == 200
    assert (
        "Card payments are not available for Fishwick Food Co-op, so a card cannot be saved"
        " for auto-pay." in answer.get_data(as_text=True)
    )
    assert _saved_cards() == 0
    answer = client.post("/coops/fishwick/auto-pay/switch", data={"on": "yes"})
    assert answer.status_code == 302
    assert _saved_cards() == 0


def test_a_household_saves_its_card_through_the_card_page(
    client, auth, household, stripe_app, raw_stripe, localstripe
):
    auth.login_as(household.user)
    answer = client.post("/coops/fishwick/auto-pay/card")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/coops/fishwick/auto-pay/card")

    page = client.get("/coops/fishwick/auto-pay/card")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    card = saved_card(membership=household)
    secret = raw_stripe.v1.setup_intents.retrieve(card.setup_intent_id).client_secret
    assert f'data-secret="{secret}"' in text
    assert f'data-key="{PUBLISHABLE_KEY}"' in text
    assert f"{localstripe}/js.stripe.com/v3/" in page.headers["Content-Security-Policy"]

    # What Stripe.js's confirmCardSetup does with the card typed, then the page posts back.
    raw_stripe.v1.setup_intents.confirm(
        card.setup_intent_id, params={"payment_method": "pm_card_visa"}
    )
    answer = client.post("/coops/fishwick/auto-pay/card/saved", follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "Your card is saved, and auto-pay is on" in text
    assert "Visa ending 4242, expires 12/" in text
    assert "Auto-pay is on: each settled bill is charged to this card." in text
    # The card page's own policy is the only one that lets Stripe.js in.
    assert localstripe not in answer.headers["Content-Security-Policy"]


def test_the_card_is_not_kept_until_the_processor_says_it_is_saved(
    client, auth, household, stripe_app
):
    auth.login_as(household.user)
    client.post("/coops/fishwick/auto-pay/card")
    answer = client.post("/coops/fishwick/auto-pay/card/saved", follow_redirects=True)
    assert "The card was not saved. Enter it again." in answer.get_data(as_text=True)
    card = saved_card(membership=household)
    assert card.payment_method_id is None
    assert card.auto_pay is False


def test_removing_the_card_detaches_it_at_the_processor_and_turns_auto_pay_off(
    client, auth, household, stripe_app, raw_stripe
):
    card = save_card(household, raw_stripe)
    method = card.payment_method_id
    assert raw_stripe.v1.payment_methods.retrieve(method).customer == card.customer_id
    auth.login_as(household.user)
    answer = client.post(f"/coops/fishwick/saved-cards/{card.id}/remove", follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "Your card is removed, and auto-pay is off." in text
    assert 'id="no-card"' in text
    assert raw_stripe.v1.payment_methods.retrieve(method).customer is None
    db.session.expire_all()
    card = saved_card(membership=household)
    assert (card.payment_method_id, card.last4, card.auto_pay) == (None, None, False)


def test_another_households_card_is_not_found_and_stays_saved(
    client, auth, factory, household, stripe_app, raw_stripe
):
    card = save_card(household, raw_stripe)
    neighbour = factory.membership(coop=household.coop)
    auth.login_as(neighbour.user)
    answer = client.post(f"/coops/fishwick/saved-cards/{card.id}/remove")
    assert answer.status_code == 404
    db.session.expire_all()
    assert saved_card(membership=household).auto_pay is True
    method = saved_card(membership=household).payment_method_id
    assert raw_stripe.v1.payment_methods.retrieve(method).customer == card.customer_id


def test_someone_outside_the_coop_cannot_reach_its_auto_pay_page(client, auth, factory, household):
    outsider = factory.membership(coop=factory.coop(name="Ribbleton", slug="ribbleton"))
    auth.login_as(outsider.user)
    assert client.get("/coops/fishwick/auto-pay").status_code == 403
