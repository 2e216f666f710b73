"""The treasurer's books as a treasurer keeps them: the cases between the features."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from support import field_error, layout_problems, text
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from coop.extensions import db
from coop.models import HeldIn
from coop.services.errors import ServiceError
from coop.services.money.accounts_report import receipts_and_payments
from coop.services.money.fund import local_today
from coop.services.money.opening import enter_opening_balances
from coop.services.money.periods import Period
from coop.services.money.reconcile import held_on
from coop.services.money.treasury import Method, record_payment
from money.fund_support import category, record
from money.test_fund_pages import counts, nothing_written, spend
from money.treasury_support import treasurer


@pytest.fixture
def books_begin(rounds):
    """The co-op's books begin thirty days ago, with £50.00 in cash and £400.00 in the bank."""
    as_of = local_today() - timedelta(days=30)
    enter_opening_balances(
        coop=rounds.coop,
        as_of=as_of,
        households={},
        cash_pence=5_000,
        bank_pence=40_000,
        confirmed={},
        by=rounds.coordinator,
        today=local_today(),
    )
    db.session.commit()
    return as_of


def test_spending_dated_before_the_opening_balances_is_refused_at_the_date(
    rounds, client, auth, books_begin
):
    auth.login_as(treasurer(rounds))
    before = counts()

    for day in (books_begin - timedelta(days=1), books_begin.replace(year=1900)):
        page = text(spend(client, rounds, occurred_on=day.isoformat()))

        error = field_error(page, "occurred_on")
        assert error is not None
        assert f"{books_begin:%-d %B %Y}" in error
        assert nothing_written(before)


def test_money_moved_on_the_day_of_the_opening_balances_or_after_is_recorded(rounds, books_begin):
    user = treasurer(rounds)

    on_the_day = record(rounds.coop, user, occurred_on=books_begin)
    after = record(rounds.coop, user, occurred_on=books_begin + timedelta(days=1))

    assert (on_the_day.occurred_on, after.occurred_on) == (
        books_begin,
        books_begin + timedelta(days=1),
    )


def test_without_opening_balances_an_old_entry_is_still_recorded(rounds):
    user = treasurer(rounds)

    entry = record(rounds.coop, user, occurred_on=local_today() - timedelta(days=400))

    assert entry.id is not None


def test_the_service_refuses_a_day_before_the_books_begin_with_nothing_written(rounds, books_begin):
    user = treasurer(rounds)
    before = counts()

    with pytest.raises(ServiceError) as refused:
        record(rounds.coop, user, occurred_on=books_begin - timedelta(days=1))

    assert refused.value.field == "occurred_on"
    db.session.rollback()
    assert nothing_written(before)


def test_money_in_after_midnight_on_1_april_in_summer_time_is_in_the_next_year(rounds):
    """31 March 23:30 UTC is 00:30 on 1 April in London (BST): the new financial year."""
    user = treasurer(rounds)
    household = rounds.households[0]
    late, early = (
        record_payment(
            coop=rounds.coop,
            membership_id=household.id,
            amount_pence=pence,
            method=Method.BANK,
            note="transfer",
            by=user,
        )
        for pence in (1_000, 2_000)
    )
    late.created_at = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 23:30 in London
    early.created_at = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 April
    db.session.commit()

    year = receipts_and_payments(
        coop=rounds.coop, period=Period(date(2025, 4, 1), date(2026, 3, 31))
    )
    next_year = receipts_and_payments(
        coop=rounds.coop, period=Period(date(2026, 4, 1), date(2026, 4, 30))
    )

    assert year.receipts_pence == 1_000
    assert next_year.receipts_pence == 2_000
    assert (year.closing_pence, next_year.opening_pence) == (1_000, 1_000)
    assert year.difference_pence == next_year.difference_pence == 0


def _spend_with_receipt(client, rounds, size: int, **changes: str):
    """Post the spending form with a receipt of *size* bytes, its body built in memory."""
    fields = {
        "category": str(category(rounds.coop, "hall_hire").id),
        "amount": "45.00",
        "method": "bank",
        "occurred_on": local_today().isoformat(),
        "reference": "INV-12",
        **changes,
        "receipt": FileStorage(io.BytesIO(b"\xff\xd8\xff\xe0" + bytes(size)), "IMG_2041.jpg"),
    }
    boundary, body = encode_multipart(fields)
    return client.post(
        "/coops/fishwick/admin/money/fund/spend",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_a_phone_photo_over_the_receipt_limit_is_refused_at_its_field_with_the_form_kept(
    app, rounds, client, auth
):
    auth.login_as(treasurer(rounds))
    before = counts()

    response = _spend_with_receipt(
        client, rounds, app.config["RECEIPT_MAX_BYTES"] + 3 * 1024 * 1024, amount="45.50"
    )

    assert response.status_code == 200
    page = text(response)
    error = field_error(page, "receipt")
    assert error is not None and "larger than 5 MB" in error
    assert 'value="45.50"' in page
    assert nothing_written(before)


def test_a_body_too_large_even_for_a_receipt_says_how_large_a_receipt_may_be(
    app, rounds, client, auth
):
    auth.login_as(treasurer(rounds))
    before = counts()

    response = _spend_with_receipt(client, rounds, app.config["RECEIPT_BODY_MAX_BYTES"])

    assert response.status_code == 413
    assert "a receipt 5 MB" in text(response)
    assert nothing_written(before)


# --- cash paid into the bank --------------------------------------------------------------------


@pytest.fixture
def cash_taken(rounds, books_begin):
    """£50.00 in the cash tin and £400.00 in the bank from the opening balances, and £30.00 more
    cash a household paid at a pickup."""
    user = treasurer(rounds)
    record_payment(
        coop=rounds.coop,
        membership_id=rounds.households[0].id,
        amount_pence=3_000,
        method=Method.CASH,
        note="at pickup",
        by=user,
    )
    db.session.commit()
    return user


def move(client, **changes: str):
    data = {"move": "pay_in", "amount": "70.00", "note": "paying-in slip 000123", **changes}
    return client.post("/coops/fishwick/admin/money/cash-and-bank", data=data)


def test_cash_paid_into_the_bank_leaves_the_tin_and_is_neither_receipt_nor_payment(
    rounds, client, auth, cash_taken
):
    auth.login_as(cash_taken)
    period = Period(local_today() - timedelta(days=40), local_today())
    before = receipts_and_payments(coop=rounds.coop, period=period)

    response = move(client)

    assert response.status_code == 302
    assert held_on(coop=rounds.coop, account=HeldIn.CASH, as_of=local_today()) == 1_000
    assert held_on(coop=rounds.coop, account=HeldIn.BANK, as_of=local_today()) == 47_000
    after = receipts_and_payments(coop=rounds.coop, period=period)
    assert (after.receipts_pence, after.payments_pence) == (
        before.receipts_pence,
        before.payments_pence,
    )
    assert after.closing_pence == before.closing_pence
    assert after.difference_pence == 0
    balances = text(client.get("/coops/fishwick/admin/money"))
    assert "holds £10.00" in balances and "holds £470.00" in balances


def test_a_float_drawn_from_the_bank_comes_into_the_cash(rounds, client, auth, cash_taken):
    auth.login_as(cash_taken)

    response = move(client, move="draw", amount="20")

    assert response.status_code == 302
    assert held_on(coop=rounds.coop, account=HeldIn.CASH, as_of=local_today()) == 10_000
    assert held_on(coop=rounds.coop, account=HeldIn.BANK, as_of=local_today()) == 38_000


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0"}, "amount", "Enter an amount of more than £0.00."),
        ({"amount": "-5"}, "amount", "The amount cannot be negative."),
        ({"amount": "ten"}, "amount", "Enter an amount in pounds and pence"),
        ({"amount": "12.345"}, "amount", "at most two digits after the decimal point"),
        ({"amount": "600"}, "confirm-amount", "type £600.00 again to confirm it"),
        ({"move": "sideways"}, "move", "Choose whether cash went into the bank"),
        ({"note": "x" * 201}, "note", "Use at most 200 characters."),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_moves(
    rounds, client, auth, cash_taken, changes, field, message
):
    auth.login_as(cash_taken)
    before = counts()

    response = move(client, **changes)

    assert response.status_code == 200
    error = field_error(text(response), field)
    assert error is not None and message in error
    assert nothing_written(before)


def test_more_than_the_tin_holds_is_asked_again_then_recorded(rounds, client, auth, cash_taken):
    auth.login_as(cash_taken)
    before = counts()

    warned = text(move(client, amount="90"))

    error = field_error(warned, "move")
    assert error is not None and "Cash holds £80.00 by the books" in error
    assert "Record it anyway" in warned
    assert nothing_written(before)
    token = re.search(r'name="below_zero_ok" type="hidden" value="([^"]+)"', warned)
    assert token is not None
    assert move(client, amount="90", below_zero_ok=token.group(1)).status_code == 302
    assert held_on(coop=rounds.coop, account=HeldIn.CASH, as_of=local_today()) == -1_000


def test_a_member_cannot_move_the_co_ops_money(rounds, client, auth, cash_taken):
    auth.login_as(rounds.households[1].user)
    before = counts()

    assert move(client).status_code == 403
    assert nothing_written(before)


def test_the_cash_and_bank_page_is_linked_from_the_money_pages_and_keeps_the_layout(
    rounds, client, auth, cash_taken
):
    auth.login_as(cash_taken)

    response = client.get("/coops/fishwick/admin/money/cash-and-bank")

    assert response.status_code == 200
    assert not layout_problems(response.get_data(as_text=True))
    assert 'href="/coops/fishwick/admin/money/cash-and-bank"' in text(
        client.get("/coops/fishwick/admin/money")
    )
