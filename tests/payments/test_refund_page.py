"""A treasurer refunds a card payment from the household's card payments, at localstripe."""

from __future__ import annotations

from support import count_rows, field_error, layout_problems, text

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CardRefund
from coop.services.money.ledger import household_balance_pence

from . import test_charge_refunded as charges

coop, treasurer, paid_at_localstripe = charges.coop, charges.treasurer, charges.paid_at_localstripe


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


def test_a_treasurer_refunds_part_then_the_rest_never_more(
    client, auth, coop, treasurer, paid_at_localstripe, mailbox
):
    payment = paid_at_localstripe
    household = payment.membership
    base = f"/coops/{coop.slug}/admin/money"
    auth.login_as(treasurer)
    listing = f"{base}/households/{household.id}/card-payments"
    assert f'href="{listing}"' in page_of(client.get(base))
    link = f"{base}/card-payments/{payment.id}/refund"
    assert f'href="{link}"' in page_of(client.get(listing))

    form = page_of(client.get(link))
    assert 'value="30.00"' in form  # all that is left, to start with

    refused = text(client.post(link, data={"amount": "30.01"}))
    assert field_error(refused, "amount") == "At most £30.00 of this payment is left to refund."
    refused = text(client.post(link, data={"amount": "1.234"}))
    assert field_error(refused, "amount") is not None
    assert count_rows(CardRefund) == 0

    done = page_of(client.post(link, data={"amount": "10"}, follow_redirects=True))
    assert f"£10.00 is refunded to {household.user.name}'s card, and they are told." in done
    assert household_balance_pence(membership=household) == 2000
    assert 'value="20.00"' in page_of(client.get(link))
    refused = text(client.post(link, data={"amount": "20.01"}))
    assert field_error(refused, "amount") == "At most £20.00 of this payment is left to refund."

    page_of(client.post(link, data={"amount": "20"}, follow_redirects=True))
    assert household_balance_pence(membership=household) == 0
    assert count_rows(CardRefund) == 2
    assert "Nothing of this payment is left to refund." in page_of(client.get(link))
    assert [m["Subject"] for m in mailbox.to(household.user.email, "refunded")] == [
        f"{coop.name}: £10.00 refunded to your card",
        f"{coop.name}: £20.00 refunded to your card",
    ]


def test_a_large_refund_is_typed_twice(client, auth, coop, treasurer, paid_at_localstripe):
    coop.large_amount_pence = 2000
    db.session.commit()
    payment = paid_at_localstripe
    link = f"/coops/{coop.slug}/admin/money/card-payments/{payment.id}/refund"
    auth.login_as(treasurer)
    refused = text(client.post(link, data={"amount": "25"}))
    assert field_error(refused, "confirm-amount") == (
        "£25.00 is more than £20.00: type £25.00 again to confirm it."
    )
    assert count_rows(CardRefund) == 0
    page_of(client.post(link, data={"amount": "25", "confirm-amount": "25"}, follow_redirects=True))
    assert household_balance_pence(membership=payment.membership) == 500


def test_only_the_treasurer_refunds(client, auth, factory, coop, paid_at_localstripe):
    link = f"/coops/{coop.slug}/admin/money/card-payments/{paid_at_localstripe.id}/refund"
    for role in (Role.COORDINATOR, Role.MEMBER):
        auth.login_as(factory.member(coop, role))
        assert client.get(link).status_code == 403
        assert client.post(link, data={"amount": "5"}).status_code == 403
        auth.logout()
    other = factory.coop()
    auth.login_as(factory.member(other, Role.TREASURER))
    elsewhere = f"/coops/{other.slug}/admin/money/card-payments/{paid_at_localstripe.id}/refund"
    assert client.get(elsewhere).status_code == 404
    assert count_rows(CardRefund) == 0
