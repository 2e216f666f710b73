"""The co-op's stock offered as an item of a later round: ordered, capped, settled to the fund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import count_rows, field_error, refusal_message, text

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    AccountKind,
    Allocation,
    BillLine,
    BillLineKind,
    LedgerTransaction,
    RoundItem,
    StockMovement,
    StockMovementKind,
)
from coop.services.money.ledger import household_balance_pence
from coop.services.money.period_reports import round_results
from coop.services.money.periods import financial_year_of
from coop.services.money.settlement import settle_round
from coop.services.money.stock import offer_stock, stock_at_cost_pence, stock_on_hand
from coop.services.rounds.closing import close_round
from coop.services.rounds.items import remove_round_item
from coop.services.rounds.lifecycle import cancel_round, delete_draft_round, open_round
from coop.services.rounds.order_sheets import order_sheets
from coop.services.rounds.ordering import set_order
from coop.services.rounds.packing import household_bags, product_splits
from money.support import receive_as_ordered, transaction_sums
from money.treasury_support import treasurer

STOCK = "/coops/fishwick/admin/money/stock"


def stock_of_oats(rounds) -> RoundItem:
    """Settle a round whose oats (case of 6 at £12, 10% markup: £2.20 each) left 4 in stock.

    The first household asked for 2; a 30% fill threshold made a case of 6.
    """
    rounds.coop.markup_bp = 1000
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_price_pence=1200)
    round_ = rounds.round(oats, title="November order", fill_percent=30)
    rounds.ask(round_, oats, rounds.households[0], 2)
    receive_as_ordered(round_)
    settle_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    return rounds.item(round_, oats)


def later_round(rounds, title="December order", **details):
    """Return an open round of the same co-op offering rice (case of 2 at £3) from the supplier."""
    rice = rounds.product(name="Rice", case_size=2, case_price_pence=300, unit_label="1 kg")
    return rounds.round(rice, title=title, **details), rice


def on_hand(rounds) -> int:
    return sum(line.units for line in stock_on_hand(coop=rounds.coop))


def offered_item(round_) -> RoundItem:
    return db.session.scalars(
        select(RoundItem).where(
            RoundItem.round_id == round_.id, RoundItem.stock_round_item_id.is_not(None)
        )
    ).one()


def offer(rounds, tess, source, round_, units):
    movement = offer_stock(
        coop=rounds.coop,
        round_item_id=source.id,
        round_id=round_.id,
        units=units,
        note="",
        by=tess,
    )
    db.session.commit()
    return movement


def order(round_, item, household, quantity, tolerance=0):
    set_order(
        round_=round_, item=item, membership=household, quantity=quantity, tolerance=tolerance
    )
    db.session.commit()


@pytest.fixture
def tess(rounds, auth):
    user = treasurer(rounds)
    auth.login_as(user)
    return user


def test_offering_stock_adds_an_item_at_the_co_ops_price_and_takes_the_units_off_hand(
    rounds, client, auth, tess
):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    assert on_hand(rounds) == 4

    response = client.post(
        f"{STOCK}/offer",
        data={"offer-item": str(source.id), "offer-round": str(december.id), "offer-units": "3"},
        follow_redirects=True,
    )

    assert (
        "Offered: 3 of Porridge oats (500 g bag) in December order at £2.20 each, "
        "from the co-op's stock." in text(response)
    )
    assert on_hand(rounds) == 1
    item = offered_item(december)
    assert (item.round_supplier_id, item.product_id, item.case_size) == (None, None, 1)
    assert item.stock_round_item_id == source.id
    (movement,) = db.session.scalars(select(StockMovement)).all()
    assert (movement.kind, movement.units, movement.unit_cost_pence) == (
        StockMovementKind.OFFERED,
        3,
        200,
    )
    assert "December order, 3 offered" in text(response)

    # Members see it at £2.20: the round's 10% markup is not added again (it would be £2.42).
    auth.logout()
    auth.login_as(rounds.households[1].user)
    page = text(client.get(f"/coops/fishwick/rounds/{december.id}"))
    assert "Porridge oats" in page and "£2.20" in page and "£2.42" not in page
    # It comes by the unit: no case to fill, only what there is to share.
    assert "From the co-op's stock: 3 to share; no orders yet." in page
    order(december, item, rounds.households[2], 3)
    cases = client.get(f"/coops/fishwick/rounds/{december.id}/cases.json").get_json()
    (shown,) = [line["indicator"] for line in cases["items"] if line["id"] == item.id]
    assert shown == "From the co-op's stock: 3 to share, all asked for: a later order may get none."


def test_two_offers_cannot_take_more_than_is_on_hand(rounds, client, tess):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    christmas, _ = later_round(rounds, title="Christmas order")
    offer(rounds, tess, source, december, 3)

    response = client.post(
        f"{STOCK}/offer",
        data={"offer-item": str(source.id), "offer-round": str(christmas.id), "offer-units": "2"},
    )

    assert response.status_code == 400
    assert field_error(text(response), "offer-units") == (
        "Only 1 of Porridge oats (500 g bag) is in stock."
    )
    assert count_rows(StockMovement) == 1
    assert count_rows(RoundItem, RoundItem.round_id == christmas.id) == 1  # the rice alone
    assert on_hand(rounds) == 1


def test_the_same_stock_is_offered_once_in_a_round(rounds, tess):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    offer(rounds, tess, source, december, 1)

    assert refusal_message(
        lambda: offer_stock(
            coop=rounds.coop,
            round_item_id=source.id,
            round_id=december.id,
            units=1,
            note="",
            by=tess,
        ),
        field="item",
    ) == ("Porridge oats from November order is already offered in December order.")
    assert on_hand(rounds) == 3


def test_only_a_round_of_the_co_op_that_has_not_closed_takes_stock(rounds, tess, factory):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    close_round(round_id=december.id, by=None)
    db.session.commit()
    elsewhere = factory.coop(slug="ribbleton")

    assert refusal_message(
        lambda: offer_stock(
            coop=rounds.coop,
            round_item_id=source.id,
            round_id=december.id,
            units=1,
            note="",
            by=tess,
        ),
        field="round",
    ) == ("December order is closed: stock can only be offered in a round that has not closed.")
    assert refusal_message(
        lambda: offer_stock(
            coop=elsewhere,
            round_item_id=source.id,
            round_id=december.id,
            units=1,
            note="",
            by=tess,
        ),
        field="round",
    ).startswith("Choose one of")
    assert count_rows(StockMovement) == 0 and on_hand(rounds) == 4


def test_stock_offered_in_a_draft_round_keeps_its_price_when_the_round_opens(rounds, tess):
    source = stock_of_oats(rounds)
    draft, _rice = later_round(rounds, state=RoundState.DRAFT)
    offer(rounds, tess, source, draft, 2)

    open_round(round_id=draft.id)
    db.session.commit()

    item = offered_item(draft)
    assert (item.case_price_pence, item.vat_bp, item.case_size) == (220, 0, 1)
    assert draft.state is RoundState.OPEN and on_hand(rounds) == 2


def test_households_asking_for_more_than_was_offered_get_only_what_was_offered(rounds, tess):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    offer(rounds, tess, source, december, 3)
    item = offered_item(december)
    first, second, third = rounds.households[1:4]
    order(december, item, first, 2, tolerance=1)
    order(december, item, second, 2)
    order(december, item, third, 0, tolerance=3)
    assert refusal_message(lambda: order(december, item, third, 4), field="quantity") == (
        "At most 3 per household for this item."
    )

    close_round(round_id=december.id, by=None)
    db.session.commit()

    given = dict(
        db.session.execute(
            select(Allocation.membership_id, Allocation.units).where(
                Allocation.round_item_id == item.id
            )
        ).all()
    )
    # First come: 2 to the first, the last unit to the second; tolerance changes nothing.
    assert given == {first.id: 2, second.id: 1, third.id: 0}
    assert item.cases_ordered == 3 and item.surplus_units == 0
    assert on_hand(rounds) == 1
    # Not ordered from any supplier, but packed for the households.
    assert all(
        line.item_id != item.id for sheet in order_sheets(round_=december) for line in sheet.items
    )
    (split,) = [split for split in product_splits(round_id=december.id) if split.item_id == item.id]
    assert sorted(units for _, units in split.shares) == [1, 2]
    bags = {bag.membership_id: bag for bag in household_bags(round_id=december.id)}
    assert [(line.name, line.units) for line in bags[second.id].lines] == [("Porridge oats", 1)]


def test_units_nobody_ordered_go_back_to_stock_when_the_round_closes(rounds, tess):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    offer(rounds, tess, source, december, 3)
    order(december, offered_item(december), rounds.households[1], 1)
    assert on_hand(rounds) == 1

    close_round(round_id=december.id, by=None)
    db.session.commit()

    assert on_hand(rounds) == 3
    (line,) = stock_on_hand(coop=rounds.coop)
    assert line.round_item_id == source.id


def test_cancelling_the_round_puts_every_unit_back(rounds, tess):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    offer(rounds, tess, source, december, 3)
    order(december, offered_item(december), rounds.households[1], 2)
    close_round(round_id=december.id, by=None)
    db.session.commit()
    assert on_hand(rounds) == 2

    cancel_round(round_id=december.id, reason="The hall flooded", by=rounds.coordinator)
    db.session.commit()

    assert on_hand(rounds) == 4


def test_removing_the_item_or_deleting_the_draft_puts_every_unit_back(rounds, tess):
    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    draft, _ = later_round(rounds, title="January order", state=RoundState.DRAFT)
    offer(rounds, tess, source, december, 3)
    offer(rounds, tess, source, draft, 1)
    assert on_hand(rounds) == 0

    remove_round_item(round_=december, item=offered_item(december))
    db.session.commit()
    assert on_hand(rounds) == 3

    delete_draft_round(round_=draft)
    db.session.commit()
    assert on_hand(rounds) == 4
    assert count_rows(StockMovement) == 0


def test_settling_charges_the_household_at_the_co_ops_price_and_the_fund_takes_it_all(rounds, tess):
    source = stock_of_oats(rounds)
    december, rice = later_round(rounds)
    offer(rounds, tess, source, december, 3)
    item = offered_item(december)
    buyer, neighbour = rounds.households[1:3]
    order(december, item, buyer, 2)
    rounds.ask(december, rice, neighbour, 2)
    receive_as_ordered(december)
    # Closed: 2 of the 4 are spoken for, but the co-op holds all 4 until the round is settled.
    assert on_hand(rounds) == 2
    assert stock_at_cost_pence(coop=rounds.coop, at=december.closed_at + timedelta(1)) == 800

    settled = settle_round(round_id=december.id, by=rounds.coordinator)
    db.session.commit()

    (line,) = db.session.scalars(
        select(BillLine).where(
            BillLine.round_item_id == item.id, BillLine.membership_id == buyer.id
        )
    ).all()
    assert line.kind is BillLineKind.GOODS
    assert (line.units, line.amount_pence, line.markup_pence, line.supplier_id) == (2, 440, 0, None)
    assert household_balance_pence(membership=buyer) == -440
    settlement = db.session.get(LedgerTransaction, settled.transaction_id)
    postings = {}
    for posting in settlement.postings:
        key = (posting.account.kind, posting.account.supplier_id)
        postings[key] = postings.get(key, 0) + posting.amount_pence
    # Rice: 2 x £1.50 owed to its supplier, charged at £1.65 each; the oats owe nobody.
    assert postings[AccountKind.SUPPLIER, rounds.supplier.id] == 300
    assert [key for key in postings if key[0] is AccountKind.SUPPLIER] == [
        (AccountKind.SUPPLIER, rounds.supplier.id)
    ]
    assert settled.supplier_pence == 300
    assert postings[AccountKind.FUND, None] == 440 + 30
    assert settled.charged_pence == 440 + 330
    assert transaction_sums() == [0] * len(transaction_sums())

    # What is left: 4 - 2 given out, at cost; the offered item's own surplus is no stock.
    assert on_hand(rounds) == 2
    assert [line.round_item_id for line in stock_on_hand(coop=rounds.coop)] == [source.id]
    assert stock_at_cost_pence(coop=rounds.coop, at=december.settled_at + timedelta(1)) == 400

    year = financial_year_of(december.settled_at.date())
    (result,) = [
        r for r in round_results(coop=rounds.coop, period=year) if r.round_id == december.id
    ]
    assert (result.stock_sold_pence, result.markup_pence, result.settlement_pence) == (
        440,
        30,
        470,
    )
    assert result.other_pence == 0


def test_a_share_cut_by_hand_after_closing_goes_back_to_stock(rounds, tess):
    from coop.services.rounds.allocations import set_allocation

    source = stock_of_oats(rounds)
    december, _rice = later_round(rounds)
    offer(rounds, tess, source, december, 3)
    item = offered_item(december)
    order(december, item, rounds.households[1], 3)
    close_round(round_id=december.id, by=None)
    db.session.commit()
    assert on_hand(rounds) == 1
    allocation = db.session.scalars(
        select(Allocation).where(Allocation.round_item_id == item.id)
    ).one()

    set_allocation(
        round_id=december.id,
        allocation_id=allocation.id,
        units=1,
        reason="Only wanted one in the end",
        by=rounds.coordinator,
    )
    db.session.commit()

    assert on_hand(rounds) == 3
    assert refusal_message(
        lambda: set_allocation(
            round_id=december.id,
            allocation_id=allocation.id,
            units=4,
            reason="More please",
            by=rounds.coordinator,
        )
    )
    assert on_hand(rounds) == 3
