"""Households that leave keep their accounts: they read their statements and can still pay up."""

from __future__ import annotations

from money.treasury_support import settled_round, treasurer
from sqlalchemy import select
from support import field_error, layout_problems, text

from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import LedgerTransaction, RoundItem, TransactionKind
from coop.services.money.ledger import household_balance_pence
from coop.services.money.treasury import Method, record_payment

COOP = "/coops/fishwick"
ADMIN = f"{COOP}/admin"


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


def refreshed(membership):
    db.session.expire_all()
    return membership


def test_a_household_that_left_with_a_debt_sees_it_pays_it_and_is_settled(rounds, client, auth):
    round_ = settled_round(rounds, 6)
    household = rounds.households[0]
    auth.login_as(household.user)

    # Leaving says what is owed first, and asks.
    leave = page_of(client.get(f"{COOP}/leave"))
    assert "You owe the co-op £12.00." in leave
    assert "Leave, and pay the £12.00 I owe to a treasurer" in leave
    refused = text(client.post(f"{COOP}/leave", data={"balance": "-12.00"}))
    assert field_error(refused, "settle") == "You owe £12.00. Choose what happens to it."
    assert refreshed(household).status is MembershipStatus.ACTIVE

    response = client.post(f"{COOP}/leave", data={"balance": "-12.00", "settle": "keep"})
    assert response.status_code == 302
    assert refreshed(household).status is MembershipStatus.LEFT

    # Signed in again, the former household finds and reads its statement and bill.
    auth.logout()
    auth.login_as(household.user)
    assert client.get("/").headers["Location"] == "/my-coops"
    assert f'href="{COOP}/statement"' in page_of(client.get("/my-coops"))
    statement = page_of(client.get(f"{COOP}/statement"))
    assert "Your household has left" in statement
    assert "You owe: £12.00" in statement
    assert "Porridge oats" in page_of(client.get(f"{COOP}/rounds/{round_.id}/bill"))

    # The treasurer records its payment: it is offered, marked as left.
    auth.logout()
    auth.login_as(treasurer(rounds))
    form = page_of(client.get(f"{ADMIN}/money/payments/new"))
    assert f'<option value="{household.id}">Household 1 (left)</option>' in form
    paid = client.post(
        f"{ADMIN}/money/payments/new",
        data={
            "household": str(household.id),
            "kind": "payment",
            "amount": "12.00",
            "method": "cash",
            "note": "",
        },
        follow_redirects=True,
    )
    balances = page_of(paid)
    assert "Recorded: Cash from Household 1." in balances
    row = balances[balances.index('data-label="Household">Household 1') :]
    row = row[: row.index("</tr>")]
    assert "(left)" in row and "£0.00" in row and "settled up" in row
    assert household_balance_pence(membership=household) == 0

    # And the household sees it settled.
    auth.logout()
    auth.login_as(household.user)
    assert "Nothing owed: £0.00" in page_of(client.get(f"{COOP}/statement"))


def test_a_household_that_left_cannot_order(rounds, client, auth):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    household = rounds.households[0]
    auth.login_as(household.user)
    client.post(f"{COOP}/leave", data={"balance": "0.00"})
    assert refreshed(household).status is MembershipStatus.LEFT
    item = db.session.scalar(select(RoundItem).where(RoundItem.round_id == round_.id))

    assert client.get(f"{COOP}/rounds").status_code == 403
    assert client.get(f"{COOP}/rounds/{round_.id}").status_code == 403
    posted = client.post(f"{COOP}/rounds/{round_.id}/items/{item.id}", data={"quantity": "2"})
    assert posted.status_code == 403
    assert client.get(f"{COOP}/").status_code == 403


def test_a_person_who_never_was_a_member_cannot_read_a_statement(rounds, client, auth, factory):
    outsider = factory.user()
    auth.login_as(outsider)
    assert client.get(f"{COOP}/statement").status_code == 403


def test_removing_a_household_in_credit_offers_the_refund(rounds, client, auth):
    household = rounds.households[1]
    record_payment(
        coop=rounds.coop,
        membership_id=household.id,
        amount_pence=1000,
        method=Method.BANK,
        note="",
        by=rounds.coordinator,
    )
    db.session.commit()
    auth.login_as(rounds.coordinator)
    link = f"{ADMIN}/members/{household.id}/remove"

    page = page_of(client.get(link))
    assert "The co-op holds £10.00 in credit for Household 2." in page
    assert "Pay the £10.00 credit back now, then remove Household 2" in page

    stale = text(client.post(link, data={"balance": "4.00", "settle": "refund", "method": "bank"}))
    assert "The balance has changed since the page was shown" in field_error(stale, "settle")
    assert refreshed(household).status is MembershipStatus.ACTIVE

    client.post(link, data={"balance": "10.00", "settle": "refund", "method": "bank"})

    assert refreshed(household).status is MembershipStatus.LEFT
    assert household_balance_pence(membership=household) == 0
    refund = db.session.scalars(
        select(LedgerTransaction).order_by(LedgerTransaction.id.desc()).limit(1)
    ).one()
    assert refund.kind is TransactionKind.REFUND
    assert refund.memo == "Refund to Household 2 by bank transfer (on leaving the co-op)"


def test_removing_a_household_that_owes_keeps_the_debt_on_the_balances_page(rounds, client, auth):
    settled_round(rounds, 6)
    household = rounds.households[0]
    auth.login_as(rounds.coordinator)
    link = f"{ADMIN}/members/{household.id}/remove"

    page = page_of(client.get(link))
    assert "Household 1 owes the co-op £12.00." in page
    assert "Remove Household 1 with the debt" in page
    refused = text(client.post(link, data={"balance": "-12.00", "settle": "refund"}))
    assert "Only a credit can be paid back" in field_error(refused, "settle")

    client.post(link, data={"balance": "-12.00", "settle": "keep"})

    assert refreshed(household).status is MembershipStatus.LEFT
    balances = page_of(client.get(f"{ADMIN}/money"))
    row = balances[balances.index('data-label="Household">Household 1') :]
    row = row[: row.index("</tr>")]
    assert "(left)" in row and "owes £12.00" in row


def test_a_household_with_nothing_owed_is_removed_without_a_settle_up(rounds, client, auth):
    household = rounds.households[2]
    auth.login_as(rounds.coordinator)
    link = f"{ADMIN}/members/{household.id}/remove"

    assert "Settle up first" not in page_of(client.get(link))
    client.post(link, data={"balance": "0.00"})

    assert refreshed(household).status is MembershipStatus.LEFT
