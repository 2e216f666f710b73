"""The report's SQL: one aggregate query per table, GROUP BY in the database.

Every query here is built from a `Scope` and selects only ids of co-ops,
months, kinds, codes of places and aggregates: never a name, an email, a
postcode or an order line (tests/council_reports checks the compiled SQL).
A household's fulfilled order is a (round, household) pair of a settled
round with at least one received unit; a round counts on its day (its
pickup, else its deadline) in the UK (Europe/London, the app's display
zone), when the co-op was the council's that day: a pickup at 00:30 BST on
1 April is in April and in the financial year that starts then. The
period's rounds are picked by comparing the two columns with the UTC
instants of its first midnight and the one after its last day, and its
months are a CASE over their UTC bounds (sql.py), all worked out in Python.

A city's year is about a million order lines, so the report reads them
twice and no more: once into its fulfilled orders (`ORDERS`: one row per
order, with its co-op and month) and once into its rounds' goods by item
(`ITEMS`: reference value and whether priced, per round, supplier and
item). `council_report` writes both as temporary tables of its own
connection (`orders_query`, `items_query`) and the tables that count
households or reference value read those rows instead of the lines. Each
such query takes the rows to read (``orders=`` or ``items=``); left out, it
derives them from the lines itself, the same figures in one statement.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.expression import ColumnElement, FromClause

from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    BillLineKind,
    Council,
    LedgerTransaction,
    Membership,
    Postcode,
    PostcodeEdition,
    Posting,
    Product,
    Round,
    RoundItem,
    Supplier,
    SupplierKind,
    SupportRecord,
    SupportStatus,
    TransactionKind,
    VolunteerEntry,
)
from coop.services.council_reports.period import Period
from coop.services.council_reports.scope import Scope
from coop.services.council_reports.sql import bucket, local_day, local_midnight
from coop.services.times import display_zone

# When a round counts: its pickup, else its deadline (a naive-UTC timestamp).
ROUND_AT = func.coalesce(Round.pickup_at, Round.closes_at)

# The report's temporary tables: never created by the schema, only by `council_report`.
SCRATCH = MetaData()
ORDERS = Table(
    "council_report_orders",
    SCRATCH,
    Column("membership_id", Integer),
    Column("round_id", Integer),
    Column("coop_id", Integer),
    Column("month", String),
    Column("month_index", Integer),
)
ITEMS = Table(
    "council_report_items",
    SCRATCH,
    Column("round_id", Integer),
    Column("coop_id", Integer),
    Column("month", String),
    Column("supplier_id", Integer),
    Column("round_item_id", Integer),
    Column("product_id", Integer),
    Column("reference_pence", Integer),
    Column("priced", Integer),  # how many of the item's lines have a reference value
)


def _zero(value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(value, 0)


def _midnight(day: date) -> datetime:
    """The UTC instant *day* starts at in the UK."""
    return local_midnight(day, display_zone())


def _day_before(day: date) -> ColumnElement[bool]:
    """The round's day (its pickup, else its deadline) in the UK is before *day*.

    Written on the two columns rather than on ROUND_AT, the same test, so
    that the database can estimate from their statistics how many rounds a
    period holds, and plan the passes over their lines for that many.
    """
    return or_(
        Round.pickup_at < _midnight(day),
        and_(Round.pickup_at.is_(None), Round.closes_at < _midnight(day)),
    )


def _day_from(day: date) -> ColumnElement[bool]:
    """The round's day in the UK is *day* or later (see `_day_before`)."""
    return or_(
        Round.pickup_at >= _midnight(day),
        and_(Round.pickup_at.is_(None), Round.closes_at >= _midnight(day)),
    )


def round_in(period: Period) -> ColumnElement[bool]:
    """The round's day in the UK is one of *period*'s."""
    return and_(_day_from(period.start), _day_before(period.after_end))


def round_day(period: Period) -> ColumnElement[Any]:
    """The round's day in the UK, as a date, for a round of *period* (`round_in`)."""
    return local_day(ROUND_AT, period.start, period.end, display_zone())


def _month_ends(period: Period) -> list[datetime]:
    """The UTC instants each month of *period* ends at: the next starts, or the period ends."""
    starts = [_midnight(date(int(m[:4]), int(m[5:]), 1)) for m in period.months[1:]]
    return [*starts, _midnight(period.after_end)]


def round_month(period: Period) -> ColumnElement[Any]:
    """The round's month in the UK, as "2026-04", for a round of *period* (`round_in`)."""
    return bucket(ROUND_AT, _month_ends(period), period.months)


def round_month_index(period: Period) -> ColumnElement[Any]:
    """The round's month as a number (year * 12 + month), so that "three months on" is + 3."""
    indexes = [int(m[:4]) * 12 + int(m[5:]) for m in period.months]
    return bucket(ROUND_AT, _month_ends(period), indexes)


def counted_round(scope: Scope) -> ColumnElement[bool]:
    """A settled round of a counted co-op, in the period, on a day the co-op was the council's."""
    return and_(
        Round.state == RoundState.SETTLED,
        round_in(scope.period),
        scope.linked_on(Round.coop_id, round_day(scope.period)),
    )


def _orders_of(where: ColumnElement[bool]) -> FromClause:
    """The (membership, round) pairs of the fulfilled orders of the rounds *where* picks.

    The goods lines are grouped by (round, household) alone, the key they are
    stored by, and only the orders found meet their rounds.
    """
    return (
        select(BillLine.membership_id, BillLine.round_id)
        .where(
            BillLine.round_id.in_(select(Round.id).where(where)),
            BillLine.kind == BillLineKind.GOODS,
        )
        .group_by(BillLine.round_id, BillLine.membership_id)
        .having(func.sum(BillLine.units) > 0)
        .subquery("fulfilled")
    )


def orders_query(scope: Scope) -> Select:
    """The period's fulfilled orders as `ORDERS` holds them: one row per (round, household)."""
    orders = _orders_of(counted_round(scope))
    return (
        select(
            orders.c.membership_id.label("membership_id"),
            orders.c.round_id.label("round_id"),
            Round.coop_id.label("coop_id"),
            round_month(scope.period).label("month"),
            round_month_index(scope.period).label("month_index"),
        )
        .select_from(orders)
        .join(Round, Round.id == orders.c.round_id)
    )


def _orders(scope: Scope, orders: FromClause | None) -> FromClause:
    return orders if orders is not None else orders_query(scope).subquery("orders")


def _earlier_households(scope: Scope) -> FromClause:
    """Households with a fulfilled order at a counted co-op before the period (a subquery).

    Such a household is a repeat household: its first order came before the period.
    """
    before = and_(
        Round.state == RoundState.SETTLED,
        Round.coop_id.in_(scope.coop_ids),
        _day_before(scope.period.start),
    )
    return select(_orders_of(before).c.membership_id).distinct().subquery("earlier")


def households_query(scope: Scope, orders: FromClause | None = None) -> Select:
    """Per co-op and new/repeat: households and their collections in the period."""
    orders = _orders(scope, orders)
    earlier = _earlier_households(scope)
    repeat = case((earlier.c.membership_id.is_not(None), 1), else_=0).label("repeat")
    return (
        select(
            orders.c.coop_id,
            repeat,
            func.count(distinct(orders.c.membership_id)).label("households"),
            func.count().label("collections"),
        )
        .select_from(orders)
        .outerjoin(earlier, earlier.c.membership_id == orders.c.membership_id)
        .group_by(orders.c.coop_id, repeat)
        .order_by(orders.c.coop_id, repeat)
    )


def active_households(scope: Scope, orders: FromClause | None = None) -> Select:
    """The distinct (household, co-op) pairs active in the period (a subquery)."""
    orders = _orders(scope, orders)
    return select(orders.c.membership_id, orders.c.coop_id).distinct()


def monthly_query(scope: Scope, orders: FromClause | None = None) -> Select:
    """Per month: households active and their collections."""
    orders = _orders(scope, orders)
    return (
        select(
            orders.c.month,
            func.count(distinct(orders.c.membership_id)).label("households"),
            func.count().label("collections"),
        )
        .group_by(orders.c.month)
        .order_by(orders.c.month)
    )


def items_query(scope: Scope) -> Select:
    """The counted rounds' goods as `ITEMS` holds them: per round, supplier and round item.

    Summed by round first, so the million lines of a city's year are grouped
    once by a key they are stored by, and only the rounds' sums meet the
    rounds and their months.
    """
    sums = (
        select(
            BillLine.round_id.label("round_id"),
            BillLine.supplier_id.label("supplier_id"),
            BillLine.round_item_id.label("round_item_id"),
            func.sum(BillLine.reference_pence).label("reference_pence"),
            func.count(BillLine.reference_pence).label("priced"),
        )
        .where(
            BillLine.round_id.in_(select(Round.id).where(counted_round(scope))),
            BillLine.kind == BillLineKind.GOODS,
        )
        .group_by(BillLine.round_id, BillLine.supplier_id, BillLine.round_item_id)
        .subquery("item_sums")
    )
    return (
        select(
            sums.c.round_id,
            Round.coop_id.label("coop_id"),
            round_month(scope.period).label("month"),
            sums.c.supplier_id,
            sums.c.round_item_id,
            RoundItem.product_id.label("product_id"),
            sums.c.reference_pence,
            sums.c.priced,
        )
        .select_from(sums)
        .join(Round, Round.id == sums.c.round_id)
        .outerjoin(RoundItem, RoundItem.id == sums.c.round_item_id)
    )


def _items(scope: Scope, items: FromClause | None) -> FromClause:
    return items if items is not None else items_query(scope).subquery("items")


def reference_query(scope: Scope, items: FromClause | None = None) -> Select:
    """Per co-op and month: reference value and surplus-food value of the goods received.

    From the bill lines; a co-op's figure is the sum of its months, and a month's of its co-ops.
    """
    items = _items(scope, items)
    surplus = case((Supplier.kind == SupplierKind.SURPLUS, 1), else_=0)
    return (
        select(
            items.c.coop_id,
            items.c.month,
            _zero(func.sum(case((surplus == 0, items.c.reference_pence)))).label("reference_pence"),
            _zero(func.sum(case((surplus == 1, items.c.reference_pence)))).label("surplus_pence"),
        )
        .select_from(items)
        .outerjoin(Supplier, Supplier.id == items.c.supplier_id)
        .group_by(items.c.coop_id, items.c.month)
        .order_by(items.c.coop_id, items.c.month)
    )


def reference_sources_query(scope: Scope, items: FromClause | None = None) -> Select:
    """Per source of reference prices: the earliest and latest price dates, and the items priced.

    The products of the round items priced are found first (distinct), so each
    product is read once.
    """
    items = _items(scope, items)
    priced = select(items.c.product_id).where(items.c.priced > 0).distinct().subquery("priced")
    return (
        select(
            Product.reference_price_source,
            func.min(Product.reference_price_date).label("earliest"),
            func.max(Product.reference_price_date).label("latest"),
            func.count(distinct(Product.id)).label("items"),
        )
        .select_from(priced)
        .join(Product, Product.id == priced.c.product_id)
        .group_by(Product.reference_price_source)
        .order_by(Product.reference_price_source)
    )


def _local_supplier(scope: Scope) -> ColumnElement[bool]:
    """Flagged local, or its postcode is in the active directory inside the council's area."""
    areas = select(Council.gss_code).where(Council.id.in_(scope.council_ids))
    compact = func.replace(func.upper(Supplier.postcode), " ", "")
    return or_(
        Supplier.is_local.is_(True),
        exists()
        .where(
            Postcode.postcode == compact,
            Postcode.lad.in_(areas.scalar_subquery()),
            PostcodeEdition.id == Postcode.edition_id,
            PostcodeEdition.active.is_(True),
        )
        .correlate(Supplier),
    )


# A round's money: its settlement, corrections to its bills, and reversals of either.
ROUND_MONEY = (TransactionKind.SETTLEMENT, TransactionKind.ADJUSTMENT, TransactionKind.REVERSAL)


def ledger_query(scope: Scope) -> Select:
    """Per co-op and month, from the ledger: member, supplier and local supplier spend, subsidy.

    The postings are summed by round and kind of account (and whether a
    supplier is local, worked out once per supplier) before they meet the
    rounds and their months. A co-op's figures are the sums of its months,
    and a month's of its co-ops.

    An item a round offers from the co-op's own stock posts to no supplier:
    the stock was bought, and counted as supplier (and local) spend, in the
    round it came from. What households pay for it is member spend, and its
    lines, with their reference price, are food received (reference value).
    """
    # Materialised, so that neither database works the test out again for every posting.
    local = (
        select(
            Supplier.id.label("supplier_id"),
            case((_local_supplier(scope), 1), else_=0).label("local"),
        )
        .cte("local_suppliers")
        .prefix_with("MATERIALIZED")
    )
    flag = _zero(local.c.local).label("local")
    sums = (
        select(
            LedgerTransaction.round_id.label("round_id"),
            Account.kind.label("kind"),
            flag,
            func.sum(Posting.amount_pence).label("amount_pence"),
        )
        .join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .outerjoin(local, local.c.supplier_id == Account.supplier_id)
        .where(
            LedgerTransaction.kind.in_(ROUND_MONEY),
            LedgerTransaction.round_id.in_(select(Round.id).where(counted_round(scope))),
        )
        .group_by(LedgerTransaction.round_id, Account.kind, flag)
        .subquery("round_money")
    )

    def total(kind: AccountKind, *, local_only: bool = False) -> ColumnElement[Any]:
        where = sums.c.kind == kind
        if local_only:
            where = and_(where, sums.c.local == 1)
        return _zero(func.sum(case((where, sums.c.amount_pence))))

    month = round_month(scope.period).label("month")
    return (
        select(
            Round.coop_id,
            month,
            # What households were charged: minus their postings (a charge is negative).
            (-total(AccountKind.HOUSEHOLD)).label("spend_pence"),
            total(AccountKind.SUPPLIER).label("supplier_pence"),
            total(AccountKind.SUPPLIER, local_only=True).label("local_pence"),
            (-total(AccountKind.COUNCIL_SUPPORT)).label("subsidy_pence"),
        )
        .select_from(sums)
        .join(Round, Round.id == sums.c.round_id)
        .group_by(Round.coop_id, month)
        .order_by(Round.coop_id, month)
    )


def registered_query(scope: Scope) -> Select:
    """Per co-op: memberships active on the last day of the period (a UK day, as a round's)."""
    end = scope.period.end
    after = _midnight(scope.period.after_end)
    return (
        select(Membership.coop_id, func.count(Membership.id).label("households"))
        .where(
            Membership.status != MembershipStatus.PENDING,
            Membership.joined_at.is_not(None),
            Membership.joined_at < after,
            or_(Membership.left_at.is_(None), Membership.left_at >= after),
            scope.linked_on(Membership.coop_id, literal(end)),
        )
        .group_by(Membership.coop_id)
        .order_by(Membership.coop_id)
    )


def retention_query(scope: Scope, orders: FromClause | None = None) -> Select:
    """Per month m: households active in m, and how many of them were active in m+3."""
    orders = _orders(scope, orders)
    # A common table expression, so both sides of the join read the orders once.
    months = (
        select(orders.c.membership_id, orders.c.month, orders.c.month_index).distinct().cte("am")
    )
    later = months.alias("later")
    retained = case((later.c.membership_id.is_not(None), 1), else_=0).label("retained")
    return (
        select(months.c.month, retained, func.count().label("households"))
        .outerjoin(
            later,
            and_(
                later.c.membership_id == months.c.membership_id,
                later.c.month_index == months.c.month_index + 3,
            ),
        )
        .group_by(months.c.month, retained)
        .order_by(months.c.month, retained)
    )


def volunteer_query(scope: Scope) -> Select:
    """Per co-op: households that logged time in the period, and the minutes."""
    day = VolunteerEntry.worked_on
    return (
        select(
            VolunteerEntry.coop_id,
            func.count(distinct(VolunteerEntry.membership_id)).label("households"),
            _zero(func.sum(VolunteerEntry.minutes)).label("minutes"),
        )
        .where(
            day >= scope.period.start,
            day <= scope.period.end,
            scope.linked_on(VolunteerEntry.coop_id, day),
        )
        .group_by(VolunteerEntry.coop_id)
        .order_by(VolunteerEntry.coop_id)
    )


def coops_active_query(scope: Scope) -> Select:
    """How many counted co-ops settled at least one round in the period."""
    return select(func.count(distinct(Round.coop_id))).where(counted_round(scope))


def support_query(scope: Scope) -> Select:
    """Per kind: the value of the council's support records awarded in the period."""
    return (
        select(SupportRecord.kind, _zero(func.sum(SupportRecord.value_pence)).label("value_pence"))
        .where(
            SupportRecord.council_id.in_(scope.council_ids),
            SupportRecord.coop_id.in_(scope.coop_ids),
            SupportRecord.status.in_([SupportStatus.ACTIVE, SupportStatus.CLOSED]),
            SupportRecord.awarded_on >= scope.period.start,
            SupportRecord.awarded_on <= scope.period.end,
        )
        .group_by(SupportRecord.kind)
        .order_by(SupportRecord.kind)
    )
