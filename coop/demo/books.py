"""The demo co-op's books beside its year of rounds, so its treasurer sees a full annual account.

Fishwick started keeping its books here when its history starts: it
entered its bank details, so that bills show households the account to pay
into, and its opening balances that day (cash in the box, the bank balance,
one household that owed and one in credit). Since then its treasurer has
paid the pickup cash into the bank at the start of each month (keeping a
float), paid the hall hire from the bank each month and the bank's
charges, bought bags with cash now and then, paid each supplier at the end
of every month what the books said it was owed, taken a donation in cash and the year's
membership fees, and written off part of the debt of a household that left
owing. Every entry goes through the services; each is then dated back to
its day, as the history's rounds and payments are (`coop.demo.history`).
Nothing is dated after today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from coop.demo.history import DAYS as HISTORY_DAYS
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Coop,
    FundDirection,
    HeldIn,
    LedgerTransaction,
    Membership,
    Posting,
    User,
)
from coop.services.money.banking import Move, move_money
from coop.services.money.confirming import confirm_field
from coop.services.money.fund import record_fund_entry
from coop.services.money.fund_categories import category_by_key
from coop.services.money.ledger import household_balance_pence
from coop.services.money.opening import BANK, enter_opening_balances, opening_households
from coop.services.money.treasury import Method, record_supplier_payment
from coop.services.money.write_offs import write_off
from coop.services.times import display_zone

DEMO_SORT_CODE = "000000"
DEMO_ACCOUNT_NUMBER = "00012345"
OPENING_CASH_PENCE = 8_540
OPENING_BANK_PENCE = 124_000
CASH_FLOAT_PENCE = 5_000  # kept in the tin for change when the month's cash is banked
HALL_HIRE_PENCE = 4_500
BANK_CHARGES_PENCE = 450
BAGS_PENCE = 1_250
DONATION_PENCE = 15_000
MEMBERSHIP_FEE_PENCE = 200  # a year, each household
WRITE_OFF_MAX_PENCE = 480
DAY = timedelta(days=1)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=display_zone()).astimezone(UTC)


def _dated(transaction_id: int, when: datetime) -> None:
    db.session.get_one(LedgerTransaction, transaction_id).created_at = when
    db.session.flush()


def _months(start: date, today: date) -> list[date]:
    """The first day of each month after *start*, up to *today*."""
    found, month = [], date(start.year + start.month // 12, start.month % 12 + 1, 1)
    while month <= today:
        found.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return found


def _entry(coop: Coop, by: User, key: str, pence: int, held: HeldIn, day: date) -> None:
    category = category_by_key(coop_id=coop.id, key=key)
    assert category is not None
    entry = record_fund_entry(
        coop=coop,
        direction=FundDirection(category.direction),
        category_id=category.id,
        amount_pence=pence,
        method=held,
        occurred_on=day,
        reference="",
        by=by,
        below_zero_confirmed=True,
    )
    _dated(entry.transaction_id, _at(day, 10))


def load_demo_books(*, coop: Coop, treasurer: User, today: date) -> None:
    """Write *coop*'s opening balances when its history starts, and its books to *today*.

    Flushes. Call it after `load_demo_history`, whose rounds and payments these books join.
    """
    start = today - timedelta(days=HISTORY_DAYS)
    # The account households pay into, as the treasurer entered it on the Bank details
    # page (made up, like every demo address); set here, since nobody needs telling.
    coop.bank_account_name = "Fishwick Food Co-op"
    coop.bank_sort_code = DEMO_SORT_CODE
    coop.bank_account_number = DEMO_ACCOUNT_NUMBER
    households = opening_households(coop=coop)[:2]
    balances = {households[0].membership_id: -650, households[1].membership_id: 300}
    opening = enter_opening_balances(
        coop=coop,
        as_of=start,
        households=balances,
        cash_pence=OPENING_CASH_PENCE,
        bank_pence=OPENING_BANK_PENCE,
        confirmed={confirm_field(BANK): OPENING_BANK_PENCE},
        by=treasurer,
        today=today,
    )
    _dated(opening.transaction_id, _at(start, 8))

    members = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.coop_id == coop.id, Membership.status == MembershipStatus.ACTIVE
        )
    )
    fees = MEMBERSHIP_FEE_PENCE * int(members or 0)
    months = _months(start, today)
    for number, month in enumerate(months):
        spend = [("hall_hire", HALL_HIRE_PENCE, HeldIn.BANK, month)]
        spend.append(("bank_charges", BANK_CHARGES_PENCE, HeldIn.BANK, month + DAY * 27))
        if number % 3 == 0:
            spend.append(("bags_and_packaging", BAGS_PENCE, HeldIn.CASH, month + DAY * 8))
        if number == 0 or month.month == 4:  # the year's fees, when it starts and each April
            spend.append(("membership_fees", fees, HeldIn.CASH, month + DAY * 14))
        if number == 2:
            spend.append(("donations", DONATION_PENCE, HeldIn.CASH, month + DAY * 3))
        for key, pence, held, day in spend:
            if day <= today:
                _entry(coop, treasurer, key, pence, held, day)
        _bank_the_cash(coop, treasurer, month)
        _pay_suppliers(coop, treasurer, month)
    _write_off_a_debt(coop, treasurer, max(start, min(today, _before_year_end(today))))


def _before_year_end(today: date) -> date:
    """Ten days before the last financial year ended: the treasurer tidies up for the AGM."""
    year = today.year if today.month >= 4 else today.year - 1
    return date(year, 3, 21)


def _held_before(coop: Coop, kind: AccountKind, when: datetime) -> int:
    """What the co-op held in cash or the bank just before *when*, by the books."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Posting.amount_pence), 0))
        .join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(
            Account.coop_id == coop.id,
            Account.kind == kind,
            LedgerTransaction.created_at < when,
        )
    )
    return -int(total or 0)


def _bank_the_cash(coop: Coop, treasurer: User, month: date) -> None:
    """Pay the month's pickup cash into the bank on its first day, keeping a float in the tin."""
    when = _at(month, 8)
    pence = _held_before(coop, AccountKind.CASH, when) - CASH_FLOAT_PENCE
    if pence > 0:
        moved = move_money(
            coop=coop,
            move=Move.PAY_IN,
            amount_pence=pence,
            note="pickup cash",
            by=treasurer,
            below_zero_confirmed=True,
        )
        _dated(moved.id, when)


def _pay_suppliers(coop: Coop, treasurer: User, month: date) -> None:
    """Pay each supplier, on the month's first day, what the books said it was owed then."""
    when = _at(month, 9)
    owed = db.session.execute(
        select(Account.supplier_id, func.sum(Posting.amount_pence))
        .join(Posting, Posting.account_id == Account.id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(
            Account.coop_id == coop.id,
            Account.kind == AccountKind.SUPPLIER,
            LedgerTransaction.created_at < when,
        )
        .group_by(Account.supplier_id)
    ).all()
    for supplier_id, pence in owed:
        if pence and pence > 0:
            paid = record_supplier_payment(
                coop=coop,
                supplier_id=supplier_id,
                amount_pence=int(pence),
                method=Method.BANK,
                note="monthly statement",
                by=treasurer,
                below_zero_confirmed=True,  # the statement is paid, overdrawn or not
            )
            _dated(paid.id, when)


def _write_off_a_debt(coop: Coop, treasurer: User, day: date) -> None:
    """Write off part of the largest debt, on *day*: a household's that left, else anyone's."""
    households = db.session.scalars(
        select(Membership)
        .where(
            Membership.coop_id == coop.id,
            Membership.status.in_([MembershipStatus.LEFT, MembershipStatus.ACTIVE]),
        )
        .order_by(Membership.id)
    ).all()
    owing = [
        (m.status is not MembershipStatus.LEFT, balance, m.id, m)
        for m in households
        if (balance := household_balance_pence(membership=m)) < 0
    ]
    if not owing:
        return
    _active, balance, _id, membership = min(owing)
    done = write_off(
        coop=coop,
        membership=membership,
        amount_pence=min(-balance, WRITE_OFF_MAX_PENCE),
        reason="Moved away and cannot be reached",
        confirmed_pence=None,
        by=treasurer,
    )
    _dated(done.id, _at(day, 11))
