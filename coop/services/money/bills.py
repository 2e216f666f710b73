"""A household's bill for a settled round, every penny explained, and every household's total.

Selectors only, nothing written, each a fixed number of SQL queries. A
bill's lines are the `BillLine` rows settlement and corrections wrote, plus
one line for each reversal posted against them (a reversal writes no bill
line of its own), so they add up to what the ledger charged the household
for the round.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, Select, distinct, func, select

from coop.domain.catalogue import bp_to_percent, member_unit_price_pence, vat_label
from coop.domain.money import format_pence
from coop.domain.rounds import BILLED, FROM_STOCK, markup_on_item
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    BillLineKind,
    Coop,
    Council,
    LedgerTransaction,
    Membership,
    Posting,
    Round,
    RoundCost,
    RoundItem,
    RoundSubsidy,
    SplitBasis,
    Supplier,
    SupplierKind,
    SupportRecord,
    TransactionKind,
    User,
)
from coop.services.money.statements import household_postings

# --- one round's bill -------------------------------------------------------------------


class CostFacts(NamedTuple):
    """A cost of the round, its supplier's name, and how many households share it."""

    cost: RoundCost
    supplier_name: str | None
    households: int

    @property
    def how_shared(self) -> str:
        """Say how the cost was split, as the bill and the bills CSV both put it."""
        basis = {
            SplitBasis.EQUAL: "equally",
            SplitBasis.BY_VALUE: "by the value of each household's goods",
            SplitBasis.BY_UNITS: "by the number of units each household received",
        }[self.cost.basis]
        households = f"{self.households} household" + ("" if self.households == 1 else "s")
        among = f"that bought from {self.supplier_name}" if self.supplier_name else "collecting"
        return (
            f"{format_pence(self.cost.amount_pence)} in all, shared {basis} "
            f"between the {households} {among}."
        )


class _Correction(NamedTuple):
    """A correction line of the bill, with the transaction that posted it."""

    transaction_id: int | None
    description: str
    amount_pence: int


@dataclass(frozen=True)
class GoodsLine:
    """An item the household received, and how its amount is made up."""

    description: str
    supplier_name: str
    surplus: bool
    substitute: str  # what the supplier sent instead, if anything
    ordered: str  # what the household ordered: the item's name and unit
    units: int
    unit_price_pence: int  # the price each: the line is units x it, plus any deposit
    vat_rate: str
    net_pence: int
    vat_pence: int
    markup_pence: int
    deposit_pence: int
    amount_pence: int  # what it adds to the bill: 0 under fixed contributions

    @property
    def value_pence(self) -> int:
        return self.net_pence + self.vat_pence + self.markup_pence + self.deposit_pence


@dataclass(frozen=True)
class CostShare:
    """The household's share of one shared cost of the round."""

    name: str
    supplier_name: str | None
    basis: SplitBasis
    cost_pence: int  # the whole cost
    households: int  # how many households share it
    how_shared: str  # the sentence saying so
    amount_pence: int


@dataclass(frozen=True)
class Credit:
    """A council subsidy taken off the bill."""

    programme: str
    council: str
    cost_name: str | None  # the shared cost it pays ...
    percent: str  # ... or the percentage it takes off goods, such as "10" or "2.5"
    cap_pence: int | None  # for the whole round
    amount_pence: int  # negative


@dataclass(frozen=True)
class Adjustment:
    """A correction after settlement, or the reversal of a posted charge."""

    description: str
    created_at: datetime | None  # None only if the correction's transaction is unknown
    amount_pence: int


@dataclass(frozen=True)
class Bill:
    """A household's bill for a settled round, every penny explained."""

    round_: Round
    membership_id: int
    markup_bp: int
    goods: list[GoodsLine]
    costs: list[CostShare]
    subsidies: list[Credit]
    contribution_pence: int | None  # the agreed amount, under fixed contributions
    corrections: list[Adjustment]
    reversals: list[Adjustment]
    charged_pence: int  # what the ledger charged the household for the round

    @property
    def fixed(self) -> bool:
        return self.contribution_pence is not None

    @property
    def goods_pence(self) -> int:
        return sum(line.amount_pence for line in self.goods)

    @property
    def goods_value_pence(self) -> int:
        return sum(line.value_pence for line in self.goods)

    @property
    def total_pence(self) -> int:
        """Return the sum of every line of the bill."""
        return (
            self.goods_pence
            + sum(share.amount_pence for share in self.costs)
            + sum(credit.amount_pence for credit in self.subsidies)
            + (self.contribution_pence or 0)
            + sum(line.amount_pence for line in self.corrections + self.reversals)
        )


def household_for(*, coop: Coop, membership_id: int) -> Membership | None:
    """Return the co-op's household *membership_id* with its person, or None."""
    return db.session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.id == membership_id, Membership.coop_id == coop.id)
    )


def price_each_pence(row: Row[Any], markup_bp: int) -> int:
    """Return the price each of a bill line's item, from a row of `bill_lines_query`."""
    return member_unit_price_pence(
        case_price_pence=row.applied_case_price_pence or 0,
        case_size=row.case_size or 1,
        vat_bp=row.vat_bp or 0,
        markup_bp=markup_on_item(markup_bp, from_stock=row.stock_round_item_id is not None),
    )


def _goods(row: Row[Any], markup_bp: int) -> GoodsLine:
    line = row.BillLine
    return GoodsLine(
        description=line.description,
        supplier_name=row.supplier_name or (FROM_STOCK if row.stock_round_item_id else ""),
        surplus=row.supplier_kind == SupplierKind.SURPLUS,
        substitute=row.substitute or "",
        ordered=f"{row.item_name}, {row.unit_label}" if row.item_name else line.description,
        units=line.units,
        unit_price_pence=price_each_pence(row, markup_bp),
        vat_rate=vat_label(row.vat_bp or 0),
        net_pence=line.net_pence,
        vat_pence=line.vat_pence,
        markup_pence=line.markup_pence,
        deposit_pence=line.deposit_pence,
        amount_pence=line.amount_pence,
    )


def bill_lines_query(round_: Round) -> Select:
    """Return the query of a round's bill lines with their items, prices and suppliers."""
    return (
        select(
            BillLine,
            RoundItem.applied_case_price_pence,
            RoundItem.case_size,
            RoundItem.vat_bp,
            RoundItem.name.label("item_name"),
            RoundItem.unit_label,
            RoundItem.substitute,
            RoundItem.stock_round_item_id,
            Supplier.name.label("supplier_name"),
            Supplier.kind.label("supplier_kind"),
        )
        .outerjoin(RoundItem, RoundItem.id == BillLine.round_item_id)
        .outerjoin(Supplier, Supplier.id == BillLine.supplier_id)
        .where(BillLine.round_id == round_.id)
    )


def _lines(round_: Round, membership_id: int) -> list[Row[Any]]:
    """Return the household's bill lines with their items' prices and suppliers, in order."""
    return list(
        db.session.execute(
            bill_lines_query(round_)
            .where(BillLine.membership_id == membership_id)
            .order_by(BillLine.id)
        ).all()
    )


def cost_facts(round_: Round) -> dict[int, CostFacts]:
    """Return the round's costs by id, with the supplier's name and how many households share."""
    sharing = (
        select(func.count(distinct(BillLine.membership_id)))
        .where(BillLine.round_cost_id == RoundCost.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(RoundCost, Supplier.name, sharing)
        .outerjoin(Supplier, Supplier.id == RoundCost.supplier_id)
        .where(RoundCost.round_id == round_.id)
    )
    return {
        cost.id: CostFacts(cost, supplier, int(households)) for cost, supplier, households in rows
    }


def _subsidies(round_: Round, costs: dict[int, CostFacts]) -> dict[int, Credit]:
    """Return the round's subsidies by id, as credits of 0p to fill in per household."""
    found = {}
    for subsidy, programme, council in db.session.execute(
        select(RoundSubsidy, SupportRecord.programme, Council.name)
        .join(SupportRecord, SupportRecord.id == RoundSubsidy.support_record_id)
        .join(Council, Council.id == SupportRecord.council_id)
        .where(RoundSubsidy.round_id == round_.id)
    ):
        cost = None if subsidy.round_cost_id is None else costs.get(subsidy.round_cost_id)
        found[subsidy.id] = Credit(
            programme=programme,
            council=council,
            cost_name=cost.cost.name if cost else None,
            percent=bp_to_percent(subsidy.percent_bp),
            cap_pence=subsidy.cap_pence,
            amount_pence=0,
        )
    return found


def _round_transactions(round_: Round, membership: Membership) -> list[Row[Any]]:
    """Return the round's transactions on the household's account, oldest first."""
    return list(
        db.session.execute(
            household_postings(membership)
            .add_columns(
                LedgerTransaction.kind,
                LedgerTransaction.memo,
                LedgerTransaction.created_at,
                func.sum(Posting.amount_pence).label("amount_pence"),
            )
            .where(LedgerTransaction.round_id == round_.id)
            .group_by(LedgerTransaction.id)
            .order_by(LedgerTransaction.created_at, LedgerTransaction.id)
        ).all()
    )


@dataclass
class _Parts:
    """A bill's lines sorted by kind, as `bill_for` reads them."""

    goods: list[GoodsLine] = field(default_factory=list)
    shares: dict[int, int] = field(default_factory=dict)  # round cost id -> pence
    credits: list[Credit] = field(default_factory=list)
    contribution_pence: int | None = None
    corrections: list[_Correction] = field(default_factory=list)


def _sorted_lines(rows: list[Row[Any]], subsidies: dict[int, Credit], markup_bp: int) -> _Parts:
    parts = _Parts()
    for row in rows:
        line = row.BillLine
        if line.kind is BillLineKind.GOODS:
            parts.goods.append(_goods(row, markup_bp))
        elif line.kind is BillLineKind.COST:
            # A share of a round-wide cost is stored once per supplier: show it once.
            cost_id = line.round_cost_id
            parts.shares[cost_id] = parts.shares.get(cost_id, 0) + line.amount_pence
        elif line.kind is BillLineKind.SUBSIDY:
            credit = subsidies.get(line.round_subsidy_id)
            if credit is None:  # its record is gone: the line still says what it was
                credit = Credit(line.description, "", None, "", None, 0)
            parts.credits.append(replace(credit, amount_pence=line.amount_pence))
        elif line.kind is BillLineKind.CONTRIBUTION:
            parts.contribution_pence = (parts.contribution_pence or 0) + line.amount_pence
        else:
            parts.corrections.append(
                _Correction(line.transaction_id, line.description, line.amount_pence)
            )
    return parts


def _cost_share(facts: CostFacts, amount_pence: int) -> CostShare:
    return CostShare(
        name=facts.cost.name,
        supplier_name=facts.supplier_name,
        basis=facts.cost.basis,
        cost_pence=facts.cost.amount_pence,
        households=facts.households,
        how_shared=facts.how_shared,
        amount_pence=amount_pence,
    )


def bill_for(*, round_: Round, membership: Membership) -> Bill | None:
    """Return the household's bill for a settled round, or None (a fixed number of queries)."""
    if round_.state not in BILLED or round_.coop_id != membership.coop_id:
        return None
    rows = _lines(round_, membership.id)
    if not rows:
        return None
    costs = cost_facts(round_)
    parts = _sorted_lines(rows, _subsidies(round_, costs), round_.markup_bp)
    transactions = _round_transactions(round_, membership)
    when = {row.id: row.created_at for row in transactions}
    return Bill(
        round_=round_,
        membership_id=membership.id,
        markup_bp=round_.markup_bp,
        goods=parts.goods,
        costs=[_cost_share(costs[cost_id], pence) for cost_id, pence in parts.shares.items()],
        subsidies=parts.credits,
        contribution_pence=parts.contribution_pence,
        corrections=[
            Adjustment(
                line.description,
                when.get(line.transaction_id, round_.settled_at),
                line.amount_pence,
            )
            for line in parts.corrections
        ],
        reversals=[
            Adjustment(row.memo, row.created_at, -int(row.amount_pence))
            for row in transactions
            if row.kind == TransactionKind.REVERSAL
        ],
        charged_pence=-sum(int(row.amount_pence) for row in transactions),
    )


# --- every household's bill for a round ---------------------------------------------------


@dataclass(frozen=True)
class BillSummary:
    """One household's bill for a round, in totals by kind of line."""

    membership_id: int
    name: str
    goods_pence: int
    costs_pence: int
    subsidy_pence: int
    contribution_pence: int
    corrections_pence: int
    charged_pence: int  # from the ledger: includes any reversal
    fixed: bool  # charged the agreed contribution instead of its goods and shares

    @property
    def total_pence(self) -> int:
        """Return what the bill's lines add up to (corrections included)."""
        return (
            self.goods_pence
            + self.costs_pence
            + self.subsidy_pence
            + self.contribution_pence
            + self.corrections_pence
        )

    @property
    def reversed_pence(self) -> int:
        """Return what reversals changed: the ledger's charge less the bill lines."""
        return self.charged_pence - self.total_pence


def round_bills(*, round_: Round) -> list[BillSummary]:
    """Return every household's bill total for a settled round, by name (two queries)."""
    if round_.state not in BILLED:
        return []
    charged = dict(
        db.session.execute(
            select(Account.membership_id, func.sum(Posting.amount_pence))
            .join(Account, Account.id == Posting.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .where(
                LedgerTransaction.round_id == round_.id,
                Account.kind == AccountKind.HOUSEHOLD,
                Account.coop_id == round_.coop_id,
            )
            .group_by(Account.membership_id)
        ).all()
    )
    sums: dict[int, dict[BillLineKind, int]] = {}
    names: dict[int, str] = {}
    for membership_id, name, kind, pence in db.session.execute(
        select(BillLine.membership_id, User.name, BillLine.kind, func.sum(BillLine.amount_pence))
        .join(Membership, Membership.id == BillLine.membership_id)
        .join(User, User.id == Membership.user_id)
        .where(BillLine.round_id == round_.id)
        .group_by(BillLine.membership_id, User.name, BillLine.kind)
    ):
        sums.setdefault(membership_id, {})[BillLineKind(kind)] = int(pence)
        names[membership_id] = name
    summaries = [
        BillSummary(
            membership_id=membership_id,
            name=names[membership_id],
            goods_pence=by_kind.get(BillLineKind.GOODS, 0),
            costs_pence=by_kind.get(BillLineKind.COST, 0),
            subsidy_pence=by_kind.get(BillLineKind.SUBSIDY, 0),
            contribution_pence=by_kind.get(BillLineKind.CONTRIBUTION, 0),
            corrections_pence=by_kind.get(BillLineKind.CORRECTION, 0),
            charged_pence=-int(charged.get(membership_id, 0)),
            fixed=BillLineKind.CONTRIBUTION in by_kind,
        )
        for membership_id, by_kind in sums.items()
    ]
    return sorted(summaries, key=lambda summary: (summary.name.casefold(), summary.membership_id))
