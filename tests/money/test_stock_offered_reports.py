"""Stock offered in a round, in the annual accounts and in a council's report."""

from __future__ import annotations

from datetime import date

from council_reports.world import build_world, ledger_sum, load_places, on_day
from sqlalchemy import select

from coop.extensions import db
from coop.models import AccountKind, RoundItem
from coop.services.council_reports.period import quarter_period
from coop.services.council_reports.report import council_report
from coop.services.money.accounts_report import assets_and_liabilities, receipts_and_payments
from coop.services.money.ledger import balances
from coop.services.money.periods import financial_year_of
from coop.services.money.settlement import settle_round
from coop.services.money.stock import offer_stock, stock_on_hand
from coop.services.money.treasury import Method, record_payment, record_supplier_payment
from coop.services.rounds.ordering import set_order
from money.statement_support import settle
from money.support import receive_as_ordered
from money.treasury_support import treasurer


def _offer_and_order(world, tess, source, round_, takers):
    """Offer *takers* units of *source* in *round_*; each household of *takers* orders one."""
    offer_stock(
        coop=world.coop,
        round_item_id=source.id,
        round_id=round_.id,
        units=len(takers),
        note="",
        by=tess,
    )
    db.session.commit()
    item = db.session.scalars(
        select(RoundItem).where(
            RoundItem.round_id == round_.id, RoundItem.stock_round_item_id == source.id
        )
    ).one()
    for household in takers:
        set_order(round_=round_, item=item, membership=household, quantity=1, tolerance=0)
        db.session.commit()
    return item


def _surplus(world, **product):
    """Settle a round of one case of 6 where one household took 2: 4 are the co-op's stock."""
    oats = world.product(name="Porridge oats", **product)
    round_ = world.round(oats, title="Oats order", fill_percent=30)
    world.ask(round_, oats, world.households[0], 2)
    settle(round_)
    return round_, world.item(round_, oats)


def test_the_annual_account_adds_up_with_stock_sold_in_a_round(rounds):
    tess = treasurer(rounds)
    rounds.coop.markup_bp = 1000
    db.session.commit()
    _first, source = _surplus(rounds, case_price_pence=1200)  # £2 each at cost, £2.20 to members
    rice = rounds.product(name="Rice", case_size=2, case_price_pence=300)
    later = rounds.round(rice, title="December order")
    buyer, neighbour = rounds.households[1:3]
    _offer_and_order(rounds, tess, source, later, [buyer, neighbour])
    rounds.ask(later, rice, neighbour, 2)
    receive_as_ordered(later)
    settle_round(round_id=later.id, by=rounds.coordinator)
    db.session.commit()
    for household, pence in ((rounds.households[0], 440), (buyer, 220), (neighbour, 220 + 330)):
        record_payment(
            coop=rounds.coop,
            membership_id=household.id,
            amount_pence=pence,
            method=Method.CASH,
            note="At pickup",
            by=tess,
        )
    # The oats' case (£12) is paid; the rice (£3) is still owed, and nothing for stock sold.
    record_supplier_payment(
        coop=rounds.coop,
        supplier_id=rounds.supplier.id,
        amount_pence=1200,
        method=Method.CASH,
        note="Invoices",
        by=tess,
    )
    db.session.commit()

    today = later.settled_at.date()
    account = receipts_and_payments(coop=rounds.coop, period=financial_year_of(today))
    statement = assets_and_liabilities(coop=rounds.coop, as_of=today)

    assert account.receipts_pence == 440 + 220 + 550
    assert account.payments_pence == 1200
    assert account.difference_pence == 0
    assert account.closing_pence - account.opening_pence == 1210 - 1200
    assert statement.suppliers_unpaid_pence == 300 and statement.households_owing_pence == 0
    # Of the 4 spare units 2 were sold in the round: 2 are left, at £2 each.
    assert sum(line.units for line in stock_on_hand(coop=rounds.coop)) == 2
    assert statement.stock_at_cost_pence == 400
    fund = sum(b.balance_pence for b in balances(coop=rounds.coop) if b.kind is AccountKind.FUND)
    # The fund: markup on 2 oats (40p) and 2 rice (30p), less the 4 spare oats (£8) it bought,
    # plus the 2 of them sold in the round (£4.40): what it holds, less the stock it holds.
    assert fund == 40 + 30 - 800 + 440
    assert statement.net_pence - statement.stock_at_cost_pence == fund


def test_stock_lines_are_member_spend_and_food_received_but_no_supplier_or_local_spend(factory):
    world = build_world(factory)
    load_places({"PR1 1AA": ("E05012345", "E01000001", "E07000123", 5)})
    world.big.supplier.postcode = "PR1 1AA"  # local: every supplier pound is local spend
    db.session.commit()
    tess = treasurer(world.big)
    q1 = quarter_period(year=2026, quarter=1)
    before = council_report(council=world.council, period=q1).headline
    oats_round, source = _surplus(
        world.big,
        case_price_pence=1200,
        reference_price_pence=350,
        reference_price_date=date(2025, 11, 3),
        reference_price_source="Tesco website",
    )
    on_day(oats_round, date(2025, 12, 3))  # bought, and counted, before the quarter
    later = world.big.round(world.product, title="February order")
    takers = world.big.households[:3]
    _offer_and_order(world.big, tess, source, later, takers)
    settle(later)
    on_day(later, date(2026, 2, 25))

    after = council_report(council=world.council, period=q1).headline

    assert after["supplier_pence"] == before["supplier_pence"] == 26 * 250
    assert after["local_pence"] == before["local_pence"] == 23 * 250
    assert after["member_spend_pence"] == before["member_spend_pence"] + 3 * 200
    assert after["reference_pence"] == before["reference_pence"] + 3 * 350
    coops = [world.big.coop.id, world.small.coop.id]
    start, end = date(2026, 1, 1), date(2026, 4, 1)
    assert after["supplier_pence"] == ledger_sum(AccountKind.SUPPLIER, coops, start, end)
    assert after["member_spend_pence"] == -ledger_sum(AccountKind.HOUSEHOLD, coops, start, end)
