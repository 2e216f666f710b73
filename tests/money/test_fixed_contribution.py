"""The fixed-contribution model (Preston's groups), from the settings page to the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support import count_rows, field_error, text

from coop.extensions import db
from coop.models import AccountKind, BillLine, BillLineKind, Posting, RoundCost
from coop.services.money.ledger import balances, household_balance_pence
from money.support import receive_as_ordered, transaction_sums
from money.treasury_support import treasurer

BASE = "/coops/fishwick/admin"


def settings(contribution: str) -> dict[str, str]:
    return {
        "name": "Fishwick Food",
        "pickup_address": "Church hall",
        "household_cap": "20",
        "joining_policy": "approval",
        "contribution_pence": contribution,
    }


def test_a_coordinator_sets_and_clears_the_agreed_contribution(rounds, client, auth):
    auth.login_as(rounds.coordinator)

    response = client.post(f"{BASE}/settings", data=settings("15"), follow_redirects=True)

    assert "The co-op's settings are saved." in text(response)
    db.session.expire_all()
    assert rounds.coop.contribution_pence == 1500
    page = text(client.get(f"{BASE}/settings"))
    assert "Each household pays the same agreed amount per round" in page
    assert 'value="15.00"' in page

    client.post(f"{BASE}/settings", data=settings(""))
    db.session.expire_all()
    assert rounds.coop.contribution_pence is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("15.001", "Use at most two digits after the decimal point, such as 12.50."),
        ("fifteen", "Enter an amount in pounds and pence, such as 12.50."),
        ("-15", "The amount cannot be negative."),
        (
            "0",
            "Enter an amount above £0.00, or leave it blank to charge each household "
            "for what it receives.",
        ),
    ],
)
def test_a_bad_contribution_is_refused_at_the_field(rounds, client, auth, typed, message):
    auth.login_as(rounds.coordinator)

    response = client.post(f"{BASE}/settings", data=settings(typed))

    assert field_error(text(response), "contribution_pence") == message
    db.session.expire_all()
    assert rounds.coop.contribution_pence is None


def test_a_fixed_contribution_co_op_settles_end_to_end(rounds, client, auth, mailbox):
    auth.login_as(rounds.coordinator)
    client.post(f"{BASE}/settings", data=settings("10.00"))
    auth.logout()
    # A case of 6 at £12.00 plus £3.00 delivery: the goods and costs come to £15.00.
    oats = rounds.product(case_size=6, case_price_pence=1200, name="Porridge oats")
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 5)
    rounds.ask(round_, oats, b, 1)
    receive_as_ordered(round_)
    auth.login_as(treasurer(rounds))
    client.post(
        f"{BASE}/rounds/{round_.id}/costs",
        data={"name": "Delivery", "amount": "3", "basis": "equal", "supplier": ""},
    )
    assert count_rows(RoundCost) == 1

    preview = text(client.get(f"{BASE}/rounds/{round_.id}/settle"))
    assert "the same agreed contribution of £10.00 a round" in preview
    assert "Adds up to the penny." in preview

    settled = text(client.post(f"{BASE}/rounds/{round_.id}/settle", follow_redirects=True))

    assert "Weekly order is settled: 2 households were charged" in settled
    # Each household's bill is the agreed amount, whatever it received.
    for household in (a, b):
        assert household_balance_pence(membership=household) == -1000
        charged = db.session.scalar(
            select(func.sum(BillLine.amount_pence)).where(
                BillLine.membership_id == household.id, BillLine.round_id == round_.id
            )
        )
        assert charged == 1000
    kinds = set(db.session.scalars(select(BillLine.kind).where(BillLine.membership_id == a.id)))
    assert kinds == {BillLineKind.GOODS, BillLineKind.CONTRIBUTION}
    # The fund takes the difference: £20.00 charged against £12.00 goods and £3.00 delivery.
    by_kind = {row.kind: row.balance_pence for row in balances(coop=rounds.coop)}
    assert by_kind[AccountKind.SUPPLIER] == 1200
    assert by_kind[AccountKind.FUND] == 2000 - 1200
    assert transaction_sums() == [0]
    assert db.session.scalar(select(func.sum(Posting.amount_pence))) == 0
    assert "Your bill comes to £10.00" in mailbox.body(mailbox.to(a.user.email)[-1])

    page = text(client.get(f"{BASE}/money"))
    assert "owes £10.00" in page
    assert "Every balance added together: £0.00: the ledger balances." in page
    bills = client.get(f"{BASE}/rounds/{round_.id}/bills.csv").get_data().decode("utf-8-sig")
    assert "contribution,Agreed contribution for the round,,,0,,0.00,0.00,0.00,0.00,10.00," in bills
