"""The treasurer's books as a treasurer keeps them: the cases between the features."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import field_error, text

from coop.extensions import db
from coop.services.errors import ServiceError
from coop.services.money.fund import local_today
from coop.services.money.opening import enter_opening_balances
from money.fund_support import record
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
