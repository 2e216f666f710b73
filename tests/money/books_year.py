"""A year of a co-op's books written through the services, dated back as it would have happened.

`year_of_books` writes the last complete financial year (April to March):
opening balances as at its first day (typed in ten weeks later), three
settled rounds (one with a shared cost the co-op pays, one leaving surplus
stock), households' payments in cash and by bank, a refund, payments to the
supplier, hall hire every month, bags, bank charges, membership fees, a
donation and a grant, a correction the fund carries, a stock sale, a
write-off, and two reversals; plus a donation in the year before and entries
after the year, which the year must leave out. The services stamp
everything now; each transaction is then dated back to its day, as the
demo's history does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from rounds.builders import RoundWorld

from coop.extensions import db
from coop.models import (
    HeldIn,
    LedgerTransaction,
    Round,
    SplitBasis,
    StockMovement,
    User,
)
from coop.services.money.costs import add_round_cost
from coop.services.money.fund import local_today
from coop.services.money.opening import enter_opening_balances
from coop.services.money.periods import Period, last_complete_year
from coop.services.money.settlement import settle_round
from coop.services.money.stock import sell_stock, stock_on_hand
from coop.services.money.treasury import (
    Carrier,
    Method,
    correct_bill,
    record_payment,
    record_supplier_payment,
    reverse_entry,
)
from coop.services.money.write_offs import write_off
from coop.services.times import display_zone
from money.fund_support import record
from money.support import receive_as_ordered
from money.treasury_support import treasurer


@dataclass
class Books:
    """The year written, and who wrote it."""

    period: Period
    treasurer: User
    rounds: list[Round]


def at(day: date, hour: int = 12) -> datetime:
    """The moment *day* at *hour* London time, in UTC, as the ledger stores it."""
    return datetime.combine(day, time(hour), tzinfo=display_zone()).astimezone(UTC)


def dated(transaction: LedgerTransaction | int, day: date, hour: int = 12) -> None:
    transaction_id = transaction if isinstance(transaction, int) else transaction.id
    db.session.get_one(LedgerTransaction, transaction_id).created_at = at(day, hour)
    db.session.commit()


def _round(world: RoundWorld, *units: int, title: str, **details: object) -> Round:
    """A received round of one item (case of 6 at £12) where household n received units[n]."""
    oats = world.product(case_price_pence=1200, name=f"Oats for {title}")
    round_ = world.round(oats, title=title, **details)
    for household, quantity in zip(world.households, units, strict=False):
        if quantity:
            world.ask(round_, oats, household, quantity)
    return receive_as_ordered(round_)


def _settle(world: RoundWorld, round_: Round, day: date) -> Round:
    settled = settle_round(round_id=round_.id, by=world.coordinator)
    round_.settled_at = at(day, 18)
    db.session.commit()
    dated(settled.transaction_id, day, 18)
    return round_


def year_of_books(world: RoundWorld) -> Books:
    """Write the year described above through the services; return its period."""
    coop, (h0, h1, h2, h3) = world.coop, world.households[:4]
    coop.markup_bp = 1000
    db.session.commit()
    tess = treasurer(world)
    year = last_complete_year(local_today())

    def day(month: int, on: int) -> date:
        """The *on*-th day of the year's *month*-th month (0 = April)."""
        first = year.start
        index = first.year * 12 + first.month - 1 + month
        return date(index // 12, index % 12 + 1, on)

    # The year before: a donation, so the account has a previous year beside it.
    record(
        coop,
        tess,
        key="donations",
        amount_pence=2500,
        method=HeldIn.CASH,
        occurred_on=year.start - timedelta(days=40),
    )
    opening = enter_opening_balances(
        coop=coop,
        as_of=year.start,
        households={h0.id: -300, h1.id: 200},
        cash_pence=5000,
        bank_pence=25_000,
        confirmed={},
        by=tess,
        today=local_today(),
    )
    db.session.commit()
    # Typed in ten weeks into the year: the books count it from its as-at date all the same.
    dated(opening.transaction_id, day(2, 14), 10)

    for month in range(12):
        record(coop, tess, key="hall_hire", amount_pence=4500, occurred_on=day(month, 5))
    record(
        coop,
        tess,
        key="membership_fees",
        amount_pence=1000,
        method=HeldIn.CASH,
        occurred_on=day(0, 20),
    )
    record(
        coop,
        tess,
        key="membership_fees",
        amount_pence=1200,
        method=HeldIn.CASH,
        occurred_on=day(6, 20),
    )
    record(
        coop, tess, key="donations", amount_pence=5000, method=HeldIn.CASH, occurred_on=day(2, 11)
    )
    record(
        coop,
        tess,
        key="grants_received",
        amount_pence=30_000,
        occurred_on=day(7, 1),
        repeated=30_000,
    )
    record(
        coop,
        tess,
        key="bags_and_packaging",
        amount_pence=1250,
        method=HeldIn.CASH,
        occurred_on=day(3, 9),
    )
    record(coop, tess, key="bank_charges", amount_pence=600, occurred_on=day(6, 28))

    first = _round(world, 6, 4, 2, 6, title="May order")
    add_round_cost(
        round_=first, name="Hall hire", amount_pence=400, basis=SplitBasis.EQUAL, supplier_id=None
    )
    db.session.commit()
    _settle(world, first, day(1, 12))
    surplus = _round(world, 4, title="August order", fill_percent=50)
    _settle(world, surplus, day(4, 14))
    third = _round(world, 6, 6, 6, 12, title="December order")
    _settle(world, third, day(8, 12))

    def pay(household, pence: int, method: Method, on: date, refund: bool = False):  # type: ignore[no-untyped-def]
        payment = record_payment(
            coop=coop,
            membership_id=household.id,
            amount_pence=pence,
            method=method,
            note="",
            by=tess,
            refund=refund,
        )
        db.session.commit()
        dated(payment, on)
        return payment

    pay(h0, 1100, Method.CASH, day(1, 13))
    pay(h1, 500, Method.BANK, day(1, 15))
    pay(h2, 440, Method.CASH, day(1, 13))
    twice = pay(h2, 440, Method.CASH, day(1, 14))
    pay(h0, 1320, Method.CASH, day(4, 15))
    pay(h1, 1500, Method.BANK, day(8, 14))
    pay(h2, 1320, Method.BANK, day(8, 15))
    pay(h3, 1000, Method.CASH, day(8, 13))
    pay(h1, 100, Method.BANK, day(9, 2), refund=True)

    undo = reverse_entry(transaction=twice, reason="Typed in twice", by=tess)
    db.session.commit()
    dated(undo, day(1, 20))

    for pence, on in [(2000, day(2, 1)), (1500, day(9, 1))]:
        paid = record_supplier_payment(
            coop=coop,
            supplier_id=world.supplier.id,
            amount_pence=pence,
            method=Method.BANK,
            note="",
            by=tess,
        )
        db.session.commit()
        dated(paid, on)

    fix = correct_bill(
        round_=first,
        membership=h0,
        round_item_id=None,
        amount_pence=-50,
        carrier=Carrier.FUND,
        reason="One bag was split",
        by=tess,
    )
    db.session.commit()
    dated(fix, day(2, 3))

    (line,) = stock_on_hand(coop=coop)
    sold = sell_stock(
        coop=coop, round_item_id=line.round_item_id, membership_id=h2.id, units=1, note="", by=tess
    )
    db.session.commit()
    sold.created_at = at(day(5, 2))
    dated(sold.transaction_id, day(5, 2))

    gone = write_off(
        coop=coop,
        membership=h3,
        amount_pence=150,
        reason="Moved away",
        confirmed_pence=None,
        by=tess,
    )
    db.session.commit()
    dated(gone, day(10, 4))

    spilt = record(coop, tess, key="hall_hire", amount_pence=4500, occurred_on=day(7, 6))
    back = reverse_entry(
        transaction=db.session.get_one(LedgerTransaction, spilt.transaction_id),
        reason="Entered twice",
        by=tess,
    )
    db.session.commit()
    dated(back, day(7, 9))

    # After the year: left out of it.
    record(coop, tess, key="hall_hire", amount_pence=4500, occurred_on=year.end + timedelta(days=1))
    pay(h0, 700, Method.CASH, local_today())
    db.session.expire_all()
    assert db.session.get_one(StockMovement, sold.id).created_at == at(day(5, 2))
    return Books(period=year, treasurer=tess, rounds=[first, surplus, third])
