"""The co-op's stock: surplus of settled rounds sold to households or written off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from support import count_rows, field_error, layout_problems, refusal_message, text

from coop.extensions import db
from coop.models import (
    AccountKind,
    LedgerTransaction,
    Posting,
    StockMovement,
    StockMovementKind,
    TransactionKind,
)
from coop.services.money.ledger import balances, household_balance_pence
from coop.services.money.stock import (
    sell_stock,
    stock_at_cost_pence,
    stock_on_hand,
    write_off_stock,
    written_off_pence,
)
from coop.services.money.treasury import reverse_entry
from money.support import surplus_round, transaction_sums
from money.treasury_support import treasurer

STOCK = "/coops/fishwick/admin/money/stock"


def fund_balance(coop) -> int:
    return sum(b.balance_pence for b in balances(coop=coop) if b.kind is AccountKind.FUND)


@pytest.fixture
def tess(rounds, auth):
    user = treasurer(rounds)
    auth.login_as(user)
    return user


def test_a_settled_round_s_surplus_is_on_hand_at_cost(rounds, client, tess):
    _round, item = surplus_round(rounds)

    (line,) = stock_on_hand(coop=rounds.coop)
    response = client.get(STOCK)
    page = text(response)

    assert not layout_problems(response.get_data(as_text=True))
    assert (line.round_item_id, line.units, line.unit_cost_pence) == (item.id, 2, 200)
    assert line.unit_price_pence == 220  # the member price each in its round
    assert line.value_pence == 400
    assert "worth £4.00 at cost" in page
    assert "Porridge oats" in page and "November order" in page


def test_surplus_of_a_round_not_yet_settled_is_not_stock_to_sell(rounds, tess):
    surplus_round(rounds, settle=False)

    assert stock_on_hand(coop=rounds.coop) == []


def test_selling_stock_charges_the_household_and_credits_the_fund_in_one_transaction(
    rounds, client, auth, tess
):
    _round, item = surplus_round(rounds)
    buyer = rounds.households[1]
    fund_before = fund_balance(rounds.coop)

    response = client.post(
        f"{STOCK}/sell",
        data={"sell-item": str(item.id), "sell-household": str(buyer.id), "sell-units": "2"},
        follow_redirects=True,
    )

    assert "Recorded: From the co-op's stock to Household 2: 2 x Porridge oats" in text(response)
    (sale,) = db.session.scalars(
        select(LedgerTransaction).where(LedgerTransaction.kind == TransactionKind.STOCK_SALE)
    ).all()
    postings = sorted((p.account.kind, p.amount_pence) for p in sale.postings)
    assert postings == [(AccountKind.FUND, 440), (AccountKind.HOUSEHOLD, -440)]
    assert transaction_sums() == [0] * len(transaction_sums())
    assert household_balance_pence(membership=buyer) == -440
    assert fund_balance(rounds.coop) == fund_before + 440
    assert stock_on_hand(coop=rounds.coop) == []
    assert "No stock:" in text(response)

    auth.logout()
    auth.login_as(buyer.user)
    statement = text(client.get("/coops/fishwick/statement"))
    assert "Bought from the co-op's stock" in statement
    assert "2 x Porridge oats" in statement
    assert "£4.40" in statement


def test_more_than_is_on_hand_is_refused_at_the_field_and_nothing_is_written(rounds, client, tess):
    _round, item = surplus_round(rounds)
    buyer = rounds.households[1]

    response = client.post(
        f"{STOCK}/sell",
        data={"sell-item": str(item.id), "sell-household": str(buyer.id), "sell-units": "3"},
    )

    assert response.status_code == 400
    assert field_error(text(response), "sell-units") == (
        "Only 2 of Porridge oats (500 g bag) are in stock."
    )
    assert count_rows(StockMovement) == 0
    assert count_rows(LedgerTransaction, LedgerTransaction.kind == TransactionKind.STOCK_SALE) == 0


@pytest.mark.parametrize("typed", ["0", "-1", "abc", "1.5", "", "99999999999"])
def test_units_that_are_not_a_whole_number_above_nothing_are_refused(rounds, client, tess, typed):
    _round, item = surplus_round(rounds)

    response = client.post(
        f"{STOCK}/write-off",
        data={"off-item": str(item.id), "off-units": typed, "off-kind": "spoiled"},
    )

    assert response.status_code == 400
    assert "whole number of units" in field_error(text(response), "off-units")
    assert count_rows(StockMovement) == 0


def test_an_item_or_household_from_elsewhere_is_refused(rounds, tess, factory):
    _round, item = surplus_round(rounds)
    stranger = factory.membership(coop=factory.coop(slug="ribbleton"))

    assert refusal_message(
        lambda: sell_stock(
            coop=rounds.coop,
            round_item_id=item.id,
            membership_id=stranger.id,
            units=1,
            note="",
            by=tess,
        ),
        field="household",
    ).startswith("Choose one of Fishwick Food's households")
    assert refusal_message(
        lambda: write_off_stock(
            coop=rounds.coop, round_item_id=999_999, units=1, kind="spoiled", note="", by=tess
        ),
        field="item",
    ) == ("Choose an item the co-op has in stock.")
    assert refusal_message(
        lambda: write_off_stock(
            coop=rounds.coop, round_item_id=item.id, units=1, kind="sold", note="", by=tess
        ),
        field="kind",
    ) == ("Choose given away or spoiled.")
    assert count_rows(StockMovement) == 0


def test_writing_off_records_the_cost_and_moves_no_money(rounds, client, tess):
    _round, item = surplus_round(rounds)
    transactions = count_rows(LedgerTransaction)
    posted = db.session.scalar(select(func.count()).select_from(Posting))

    response = client.post(
        f"{STOCK}/write-off",
        data={
            "off-item": str(item.id),
            "off-units": "1",
            "off-kind": "spoiled",
            "off-note": "Bag split",
        },
        follow_redirects=True,
    )

    assert "Recorded: 1 of Porridge oats spoiled, at a cost of £2.00." in text(response)
    (movement,) = db.session.scalars(select(StockMovement)).all()
    assert movement.kind is StockMovementKind.SPOILED
    assert (movement.units, movement.unit_cost_pence, movement.cost_pence) == (1, 200, 200)
    assert movement.transaction_id is None and movement.note == "Bag split"
    assert count_rows(LedgerTransaction) == transactions
    assert db.session.scalar(select(func.count()).select_from(Posting)) == posted
    (line,) = stock_on_hand(coop=rounds.coop)
    assert (line.units, line.value_pence) == (1, 200)
    year = {
        "start": movement.created_at - timedelta(days=1),
        "end": movement.created_at + timedelta(1),
    }
    assert written_off_pence(coop=rounds.coop, **year) == 200
    assert "Spoiled" in text(response) and "Bag split" in text(response)


def test_reversing_a_sale_puts_its_units_back_in_stock(rounds, tess):
    _round, item = surplus_round(rounds)
    buyer = rounds.households[1]
    movement = sell_stock(
        coop=rounds.coop, round_item_id=item.id, membership_id=buyer.id, units=2, note="", by=tess
    )
    db.session.commit()
    assert stock_on_hand(coop=rounds.coop) == []

    reverse_entry(transaction=movement.transaction, reason="Sold by mistake", by=tess)
    db.session.commit()

    (line,) = stock_on_hand(coop=rounds.coop)
    assert line.units == 2
    assert household_balance_pence(membership=buyer) == 0


def test_a_member_cannot_reach_the_stock(rounds, client, auth):
    surplus_round(rounds)
    auth.login_as(rounds.households[0].user)

    assert client.get(STOCK).status_code == 403
    assert client.post(f"{STOCK}/sell").status_code == 403
    assert client.post(f"{STOCK}/write-off").status_code == 403
    assert count_rows(StockMovement) == 0


def test_the_coordinators_stock_list_leaves_out_what_was_sold(rounds, client, auth, tess):
    _round, item = surplus_round(rounds)
    sell_stock(
        coop=rounds.coop,
        round_item_id=item.id,
        membership_id=rounds.households[1].id,
        units=2,
        note="",
        by=tess,
    )
    db.session.commit()
    auth.logout()
    auth.login_as(rounds.coordinator)

    page = text(client.get("/coops/fishwick/admin/stock"))

    assert "No stock" in page
    assert "sell them to a household or write them off" in page


def test_stock_at_cost_on_a_date_counts_what_was_held_then(rounds, tess):
    round_, item = surplus_round(rounds)
    before_settling = round_.settled_at - timedelta(seconds=1)
    movement = write_off_stock(
        coop=rounds.coop, round_item_id=item.id, units=1, kind="given_away", note="", by=tess
    )
    db.session.commit()

    assert stock_at_cost_pence(coop=rounds.coop, at=before_settling) == 0
    assert stock_at_cost_pence(coop=rounds.coop, at=movement.created_at) == 400
    assert stock_at_cost_pence(coop=rounds.coop, at=movement.created_at + timedelta(1)) == 200
