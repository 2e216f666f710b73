"""Card payments as a household and a treasurer meet them: the cases between the features."""

from __future__ import annotations

from money.test_credit_control import limit
from money.treasury_support import settled_round, treasurer
from rounds.ordering_support import order_url
from support import text


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
