"""The report's SQL: one aggregate query per table, GROUP BY in the database.

Every query here is built from a `Scope` and selects only ids of co-ops,
months, kinds, codes of places and aggregates: never a name, an email, a
postcode or an order line (tests/council_reports checks the compiled SQL).
A household's fulfilled order is a (round, household) pair of a settled
round with at least one received unit; a round counts on its day (its
pickup, else its deadline), when the co-op was the council's that day.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.expression import ColumnElement

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
from coop.services.council_reports.scope import Scope
from coop.services.council_reports.sql import day_of, month_of

ROUND_DAY = day_of(func.coalesce(Round.pickup_at, Round.closes_at))


def _zero(value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(value, 0)


def _counted_round(scope: Scope) -> ColumnElement[bool]:
    """A settled round of a counted co-op, in the period, on a day the co-op was the council's."""
    return and_(
        Round.state == RoundState.SETTLED,
        scope.period.start <= ROUND_DAY,
        scope.period.end >= ROUND_DAY,
        scope.linked_on(Round.coop_id, ROUND_DAY),
    )


def fulfilled_orders(scope: Scope, *, in_period: bool = True) -> Select:
    """Return (membership, round, co-op, day, month) of every fulfilled order (a subquery).

    The goods lines are grouped by (round, household) alone, the key they are
    stored by, and only the orders found meet their rounds.
    """
    where = (
        _counted_round(scope)
        if in_period
        else and_(Round.state == RoundState.SETTLED, Round.coop_id.in_(scope.coop_ids))
    )
    orders = (
        select(BillLine.membership_id, BillLine.round_id)
        .where(
            BillLine.round_id.in_(select(Round.id).where(where)),
            BillLine.kind == BillLineKind.GOODS,
        )
        .group_by(BillLine.round_id, BillLine.membership_id)
        .having(func.sum(BillLine.units) > 0)
        .subquery("fulfilled")
    )
    return (
        select(
            orders.c.membership_id.label("membership_id"),
            orders.c.round_id.label("round_id"),
            Round.coop_id.label("coop_id"),
            ROUND_DAY.label("day"),
            month_of(ROUND_DAY).label("month"),
        )
        .select_from(orders)
        .join(Round, Round.id == orders.c.round_id)
    )


def households_query(scope: Scope) -> Select:
    """Per co-op and new/repeat: households and their collections in the period."""
    orders = fulfilled_orders(scope).subquery("orders")
    ever = fulfilled_orders(scope, in_period=False).subquery("ever")
    first = (
        select(ever.c.membership_id, func.min(ever.c.day).label("first_day"))
        .group_by(ever.c.membership_id)
        .subquery("first")
    )
    repeat = case((first.c.first_day < scope.period.start, 1), else_=0).label("repeat")
    return (
        select(
            orders.c.coop_id,
            repeat,
            func.count(distinct(orders.c.membership_id)).label("households"),
            func.count().label("collections"),
        )
        .join(first, first.c.membership_id == orders.c.membership_id)
        .group_by(orders.c.coop_id, repeat)
        .order_by(orders.c.coop_id, repeat)
    )


def active_households(scope: Scope) -> Select:
    """The distinct (household, co-op) pairs active in the period (a subquery)."""
    orders = fulfilled_orders(scope).subquery("orders")
    return select(orders.c.membership_id, orders.c.coop_id).distinct()


def monthly_query(scope: Scope) -> Select:
    """Per month: households active and their collections."""
    orders = fulfilled_orders(scope).subquery("orders")
    return (
        select(
            orders.c.month,
            func.count(distinct(orders.c.membership_id)).label("households"),
            func.count().label("collections"),
        )
        .group_by(orders.c.month)
        .order_by(orders.c.month)
    )


def _round_references(scope: Scope) -> Any:
    """Per counted round and supplier: the reference value of its goods lines (a subquery).

    Summed by round first, so the million lines of a city's year are grouped
    once by a key they are stored by, and only the rounds' sums meet the
    rounds, the months and the suppliers.
    """
    return (
        select(
            BillLine.round_id.label("round_id"),
            BillLine.supplier_id.label("supplier_id"),
            func.sum(BillLine.reference_pence).label("reference_pence"),
        )
        .join(Round, Round.id == BillLine.round_id)
        .where(_counted_round(scope), BillLine.kind == BillLineKind.GOODS)
        .group_by(BillLine.round_id, BillLine.supplier_id)
        .subquery("round_references")
    )


def _reference_sums(sums: Any) -> list[ColumnElement[Any]]:
    surplus = exists().where(
        Supplier.id == sums.c.supplier_id, Supplier.kind == SupplierKind.SURPLUS
    )
    return [
        _zero(func.sum(case((~surplus, sums.c.reference_pence)))).label("reference_pence"),
        _zero(func.sum(case((surplus, sums.c.reference_pence)))).label("surplus_pence"),
    ]


def reference_query(scope: Scope) -> Select:
    """Per co-op: reference value and surplus-food value of the goods received, from bill lines."""
    sums = _round_references(scope)
    return (
        select(Round.coop_id, *_reference_sums(sums))
        .join(Round, Round.id == sums.c.round_id)
        .group_by(Round.coop_id)
        .order_by(Round.coop_id)
    )


def monthly_reference_query(scope: Scope) -> Select:
    """Per month: reference value and surplus-food value."""
    sums = _round_references(scope)
    month = month_of(ROUND_DAY).label("month")
    return (
        select(month, *_reference_sums(sums))
        .join(Round, Round.id == sums.c.round_id)
        .group_by(month)
        .order_by(month)
    )


def reference_sources_query(scope: Scope) -> Select:
    """Per source of reference prices: the earliest and latest price dates, and the items priced.

    The round items priced are found first (distinct), so each meets its product once.
    """
    priced = (
        select(BillLine.round_item_id)
        .join(Round, Round.id == BillLine.round_id)
        .where(
            _counted_round(scope),
            BillLine.kind == BillLineKind.GOODS,
            BillLine.reference_pence.is_not(None),
        )
        .distinct()
        .subquery("priced")
    )
    return (
        select(
            Product.reference_price_source,
            func.min(Product.reference_price_date).label("earliest"),
            func.max(Product.reference_price_date).label("latest"),
            func.count(distinct(Product.id)).label("items"),
        )
        .select_from(priced)
        .join(RoundItem, RoundItem.id == priced.c.round_item_id)
        .join(Product, Product.id == RoundItem.product_id)
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


def _ledger(query: Select, scope: Scope) -> Select:
    return (
        query.join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .join(Round, Round.id == LedgerTransaction.round_id)
        .where(LedgerTransaction.kind.in_(ROUND_MONEY), _counted_round(scope))
    )


def _spend() -> ColumnElement[Any]:
    """What households were charged: minus their accounts' postings (a charge is negative)."""
    household = Account.kind == AccountKind.HOUSEHOLD
    return _zero(-func.sum(case((household, Posting.amount_pence)))).label("spend_pence")


def ledger_query(scope: Scope) -> Select:
    """Per co-op, from the ledger: member spend, supplier spend, local supplier spend, subsidy."""
    supplier = Account.kind == AccountKind.SUPPLIER
    query = select(
        Round.coop_id,
        _spend(),
        _zero(func.sum(case((supplier, Posting.amount_pence)))).label("supplier_pence"),
        _zero(func.sum(case((and_(supplier, _local_supplier(scope)), Posting.amount_pence)))).label(
            "local_pence"
        ),
        _zero(
            -func.sum(case((Account.kind == AccountKind.COUNCIL_SUPPORT, Posting.amount_pence)))
        ).label("subsidy_pence"),
    )
    return (
        _ledger(query, scope)
        .outerjoin(Supplier, Supplier.id == Account.supplier_id)
        .group_by(Round.coop_id)
        .order_by(Round.coop_id)
    )


def monthly_ledger_query(scope: Scope) -> Select:
    """Per month, from the ledger: member spend."""
    month = month_of(ROUND_DAY).label("month")
    return _ledger(select(month, _spend()), scope).group_by(month).order_by(month)


def registered_query(scope: Scope) -> Select:
    """Per co-op: memberships active on the last day of the period."""
    end = scope.period.end
    return (
        select(Membership.coop_id, func.count(Membership.id).label("households"))
        .where(
            Membership.status != MembershipStatus.PENDING,
            Membership.joined_at.is_not(None),
            day_of(Membership.joined_at) <= end,
            or_(Membership.left_at.is_(None), day_of(Membership.left_at) > end),
            scope.linked_on(Membership.coop_id, literal(end)),
        )
        .group_by(Membership.coop_id)
        .order_by(Membership.coop_id)
    )


def retention_query(scope: Scope) -> Select:
    """Per month m: households active in m, and how many of them were active in m+3."""
    orders = fulfilled_orders(scope).subquery("orders")
    index = (
        cast(func.substr(orders.c.month, 1, 4), Integer) * 12
        + cast(func.substr(orders.c.month, 6, 2), Integer)
    ).label("month_index")
    # A common table expression, so both sides of the join read the orders once.
    months = select(orders.c.membership_id, orders.c.month, index).distinct().cte("am")
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
    return select(func.count(distinct(Round.coop_id))).where(_counted_round(scope))


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
