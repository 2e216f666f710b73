"""A household asks for its credit back; the treasurer pays it back to its cards, then the bank."""

from __future__ import annotations

import re

import pytest
from support import count_rows, field_error, layout_problems, text

from coop.extensions import db
from coop.models import CardRefund, CreditBackRequest, CreditBackStatus, LedgerTransaction
from coop.services.money.ledger import household_balance_pence
from coop.services.money.treasury import Method, record_payment

from . import test_charge_refunded as charges

coop, treasurer, paid_at_localstripe = charges.coop, charges.treasurer, charges.paid_at_localstripe


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


@pytest.fixture
def in_credit(coop, treasurer, paid_at_localstripe):
    """A household that paid £30 by card and £20 by bank transfer: £50 in credit."""
    household = paid_at_localstripe.membership
    record_payment(
        coop=coop,
        membership_id=household.id,
        amount_pence=2000,
        method=Method.BANK,
        note="",
        by=treasurer,
    )
    db.session.commit()
    return household


def _ask(client, auth, coop, household, **data):
    auth.login_as(household.user)
    return client.post(f"/coops/{coop.slug}/credit-back", data=data, follow_redirects=True)


def test_asking_is_refused_at_the_field_with_nothing_written(client, auth, coop, in_credit):
    auth.login_as(in_credit.user)
    ask = f"/coops/{coop.slug}/credit-back"
    statement = page_of(client.get(f"/coops/{coop.slug}/statement"))
    assert f'href="{ask}"' in statement
    form = page_of(client.get(ask))
    assert "You have £50.00 in credit" in form
    assert 'value="50.00"' in form
    for typed, says in [
        ("50.01", "You have £50.00 in credit: ask for at most that."),
        ("0", "Enter an amount of more than £0.00."),
        ("abc", None),
    ]:
        refused = text(client.post(ask, data={"amount": typed, "message": "Moving away"}))
        error = field_error(refused, "amount")
        assert error is not None and (says is None or error == says)
        assert "Moving away" in refused  # what was typed is kept
    assert count_rows(CreditBackRequest) == 0


def test_a_household_not_in_credit_has_nothing_to_ask_back(client, auth, factory, coop):
    household = factory.membership(coop=coop)
    auth.login_as(household.user)
    ask = f"/coops/{coop.slug}/credit-back"
    assert "You have no credit" in page_of(client.get(ask))
    client.post(ask, data={"amount": "5"})
    assert count_rows(CreditBackRequest) == 0


def test_approving_pays_back_to_the_card_first_then_by_bank(
    client, auth, coop, treasurer, in_credit, mailbox
):
    asked = _ask(client, auth, coop, in_credit, amount="45", message="Moving to Leeds")
    assert "Your request is sent" in page_of(asked)
    again = text(client.post(f"/coops/{coop.slug}/credit-back", data={"amount": "1"}))
    assert "You asked for £45.00 back" in again
    assert count_rows(CreditBackRequest) == 1
    (told,) = mailbox.to(treasurer.email, "asks for their credit back")
    assert "Moving to Leeds" in mailbox.body(told)
    assert f"/coops/{coop.slug}/admin/money/credit-back" in mailbox.body(told)
    auth.logout()

    auth.login_as(treasurer)
    base = f"/coops/{coop.slug}/admin/money"
    balances = page_of(client.get(base))
    assert "1 household asking for its credit back" in balances
    requests = page_of(client.get(f"{base}/credit-back"))
    assert "£30.00 to the card payment of" in requests
    assert "£15.00 by bank transfer or cash" in requests
    request_id = db.session.scalar(db.select(CreditBackRequest.id))
    done = client.post(
        f"{base}/credit-back/{request_id}/approve",
        data={f"request-{request_id}-method": "bank"},
        follow_redirects=True,
    )
    assert f"£45.00 is paid back to {in_credit.user.name}" in page_of(done)

    assert household_balance_pence(membership=in_credit) == 500
    (refund,) = db.session.scalars(db.select(CardRefund)).all()
    assert (refund.amount_pence, refund.refund_id[:3]) == (3000, "re_")
    memos = db.session.scalars(
        db.select(LedgerTransaction.memo).order_by(LedgerTransaction.id.desc()).limit(2)
    ).all()
    assert memos[0] == f"Refund to {in_credit.user.name} by bank transfer (credit asked back)"
    row = db.session.get(CreditBackRequest, request_id)
    assert (row.status, row.pending_key) == (CreditBackStatus.APPROVED, None)
    (paid_back,) = mailbox.to(in_credit.user.email, "of your credit paid back")
    body = mailbox.body(paid_back)
    assert "£30.00 is refunded to the card you paid with" in body
    assert "£15.00 is paid back by bank transfer" in body

    again = client.post(
        f"{base}/credit-back/{request_id}/approve", data={f"request-{request_id}-method": "bank"}
    )
    assert "This request has already been answered." in text(again)
    assert household_balance_pence(membership=in_credit) == 500


def test_declining_needs_a_note_the_household_reads(
    client, auth, coop, treasurer, in_credit, mailbox
):
    _ask(client, auth, coop, in_credit, amount="10")
    auth.logout()
    auth.login_as(treasurer)
    request_id = db.session.scalar(db.select(CreditBackRequest.id))
    decline = f"/coops/{coop.slug}/admin/money/credit-back/{request_id}/decline"
    refused = text(client.post(decline, data={f"request-{request_id}-note": " "}))
    assert field_error(refused, f"request-{request_id}-note") == (
        "Say why, for the household to read."
    )
    assert db.session.get(CreditBackRequest, request_id).status is CreditBackStatus.PENDING

    client.post(decline, data={f"request-{request_id}-note": "Your order next week uses it."})
    row = db.session.get(CreditBackRequest, request_id)
    assert (row.status, row.note) == (CreditBackStatus.DECLINED, "Your order next week uses it.")
    assert household_balance_pence(membership=in_credit) == 5000
    (told,) = mailbox.to(in_credit.user.email, "your request for your credit back")
    assert "Your order next week uses it." in mailbox.body(told)


def test_a_request_the_credit_no_longer_covers_is_refused_when_approving(
    client, auth, coop, treasurer, in_credit
):
    _ask(client, auth, coop, in_credit, amount="50")
    auth.logout()
    record_payment(
        coop=coop,
        membership_id=in_credit.id,
        amount_pence=1000,
        method=Method.BANK,
        note="",
        by=treasurer,
        refund=True,
    )
    db.session.commit()
    auth.login_as(treasurer)
    request_id = db.session.scalar(db.select(CreditBackRequest.id))
    answer = client.post(
        f"/coops/{coop.slug}/admin/money/credit-back/{request_id}/approve",
        data={f"request-{request_id}-method": "bank"},
    )
    assert "now has £40.00 in credit, less than the £50.00 asked" in text(answer)
    assert count_rows(CardRefund) == 0
    assert household_balance_pence(membership=in_credit) == 4000


def test_a_large_credit_back_is_typed_twice(client, auth, coop, treasurer, in_credit):
    coop.large_amount_pence = 4000
    db.session.commit()
    _ask(client, auth, coop, in_credit, amount="45")
    auth.logout()
    auth.login_as(treasurer)
    request_id = db.session.scalar(db.select(CreditBackRequest.id))
    approve = f"/coops/{coop.slug}/admin/money/credit-back/{request_id}/approve"
    field = f"request-{request_id}-confirm-amount"
    page = text(client.get(f"/coops/{coop.slug}/admin/money/credit-back"))
    assert "Type £45.00 again to confirm it" in page
    refused = text(client.post(approve, data={f"request-{request_id}-method": "bank"}))
    assert field_error(refused, field) == (
        "£45.00 is more than £40.00: type £45.00 again to confirm it."
    )
    assert count_rows(CardRefund) == 0
    assert db.session.get(CreditBackRequest, request_id).status is CreditBackStatus.PENDING
    client.post(approve, data={f"request-{request_id}-method": "bank", field: "45"})
    assert household_balance_pence(membership=in_credit) == 500


def test_credit_the_card_payments_cover_goes_back_to_the_card_alone(
    client, auth, coop, treasurer, paid_at_localstripe, mailbox
):
    household = paid_at_localstripe.membership
    _ask(client, auth, coop, household, amount="30")
    auth.logout()
    auth.login_as(treasurer)
    request_id = db.session.scalar(db.select(CreditBackRequest.id))
    page = text(client.get(f"/coops/{coop.slug}/admin/money/credit-back"))
    assert f'name="request-{request_id}-method"' not in page  # nothing for the bank or cash
    client.post(f"/coops/{coop.slug}/admin/money/credit-back/{request_id}/approve", data={})
    assert household_balance_pence(membership=household) == 0
    assert count_rows(CardRefund) == 1
    body = mailbox.body(mailbox.to(household.user.email, "of your credit paid back")[0])
    assert "by bank transfer" not in body


def test_a_rest_that_takes_the_bank_below_zero_is_paid_once_confirmed(
    client, auth, coop, treasurer, paid_at_localstripe
):
    household = paid_at_localstripe.membership
    record_payment(
        coop=coop,
        membership_id=household.id,
        amount_pence=1000,
        method=Method.CASH,
        note="",
        by=treasurer,
    )
    db.session.commit()
    _ask(client, auth, coop, household, amount="40")
    auth.logout()
    auth.login_as(treasurer)
    request_id = db.session.scalar(db.select(CreditBackRequest.id))
    approve = f"/coops/{coop.slug}/admin/money/credit-back/{request_id}/approve"
    warned = text(client.post(approve, data={f"request-{request_id}-method": "bank"}))
    assert "Check before it is paid" in warned
    assert count_rows(CardRefund) == 0
    token = re.search(rf'name="request-{request_id}-below_zero_ok"[^>]*value="([^"]*)"', warned)
    assert token is not None
    client.post(
        approve,
        data={
            f"request-{request_id}-method": "bank",
            f"request-{request_id}-below_zero_ok": token.group(1),
        },
    )
    assert household_balance_pence(membership=household) == 0
    assert count_rows(CardRefund) == 1
