"""Amounts at the money fields' ceiling still settle: the columns that add them up are 64-bit."""

from __future__ import annotations

from rounds.builders import build_round_world
from support import text

from coop.domain.money import MAX_PENCE, plain_pounds
from coop.services.money.ledger import household_balance_pence
from money.support import receive_as_ordered, transaction_sums
from money.treasury_support import treasurer

HOUSEHOLDS = 25  # 25 x £1,000,000 is past what a 32-bit column holds (£21,474,836.47)


def test_a_round_with_every_amount_at_the_ceiling_settles(factory, client, auth):
    rounds = build_round_world(factory, households=HOUSEHOLDS)
    base = f"/coops/{rounds.coop.slug}/admin"
    most = plain_pounds(MAX_PENCE)
    auth.login_as(rounds.coordinator)
    client.post(
        f"{base}/settings",
        data={
            "name": rounds.coop.name,
            "pickup_address": "Church hall",
            "household_cap": str(HOUSEHOLDS),
            "joining_policy": "approval",
            "contribution_pence": most,
        },
    )
    auth.logout()
    # A case of one at the ceiling for every household, and a shared cost at the ceiling.
    dear = rounds.product(case_size=1, case_price_pence=MAX_PENCE, name="Saffron by the sack")
    round_ = rounds.round(dear)
    for household in rounds.households:
        rounds.ask(round_, dear, household, 1)
    receive_as_ordered(round_)
    auth.login_as(treasurer(rounds))
    response = client.post(
        f"{base}/rounds/{round_.id}/costs",
        data={"name": "Armoured van", "amount": most, "basis": "equal", "supplier": ""},
    )
    assert response.status_code == 302, text(response)

    settled = client.post(f"{base}/rounds/{round_.id}/settle", follow_redirects=True)

    assert settled.status_code == 200
    assert f"{HOUSEHOLDS} households were charged" in text(settled)
    assert household_balance_pence(membership=rounds.households[0]) <= -MAX_PENCE
    assert transaction_sums(round_.id) == [0]


def test_a_money_field_refuses_an_amount_past_the_ceiling(rounds, client, auth):
    auth.login_as(rounds.coordinator)
    round_ = rounds.round(rounds.product())

    response = client.post(
        f"/coops/{rounds.coop.slug}/admin/rounds/{round_.id}/costs",
        data={"name": "Van", "amount": plain_pounds(MAX_PENCE + 1), "basis": "equal"},
    )

    assert "Enter an amount of at most £1,000,000." in text(response)
