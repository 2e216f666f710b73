"""A round's shared costs and council subsidies, and a preview of its settlement.

Costs and subsidies change only until the round is settled: settlement
reads them once, under the round's row lock, so adding or removing one takes
the same lock and refuses once the round is settled (or cancelled).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coop.domain.money import format_pence
from coop.domain.rounds import COSTS_CHANGEABLE
from coop.extensions import db
from coop.models import (
    Coop,
    Membership,
    Round,
    RoundCost,
    RoundSubsidy,
    RoundSupplier,
    SplitBasis,
    Supplier,
    SupportKind,
    SupportRecord,
    SupportStatus,
    User,
)
from coop.services.errors import ServiceError
from coop.services.money.settlement import work_out
from coop.services.people.coops import current_council
from coop.services.people.councils import council_scope
from coop.services.rounds.lifecycle import locked_round
from coop.services.rounds.states import require
from coop.services.support.usage import in_force_for, used_by_record

NAME_MAX_LENGTH = 120


def costs_can_change(round_: Round) -> bool:
    """Tell whether *round_*'s shared costs and subsidies may still change."""
    return round_.state in COSTS_CHANGEABLE


def _changeable(round_: Round) -> Round:
    """Lock the round and refuse unless its costs may still change."""
    locked = locked_round(round_id=round_.id)
    require(COSTS_CHANGEABLE, locked)
    return locked


def round_costs(*, round_: Round) -> list[RoundCost]:
    """Return the round's shared costs, oldest first, with their suppliers (reads only)."""
    return list(
        db.session.scalars(
            select(RoundCost)
            .where(RoundCost.round_id == round_.id)
            .options(selectinload(RoundCost.supplier))
            .order_by(RoundCost.id)
        )
    )


def round_subsidies(*, round_: Round) -> list[RoundSubsidy]:
    """Return the subsidies applied to the round, with their records and costs (reads only)."""
    return list(
        db.session.scalars(
            select(RoundSubsidy)
            .where(RoundSubsidy.round_id == round_.id)
            .options(
                selectinload(RoundSubsidy.support_record).selectinload(SupportRecord.council),
                selectinload(RoundSubsidy.round_cost),
            )
            .order_by(RoundSubsidy.id)
        )
    )


def cost_suppliers(*, round_: Round) -> list[Supplier]:
    """Return the suppliers of the round a cost can belong to: those not dropped."""
    return list(
        db.session.scalars(
            select(Supplier)
            .join(RoundSupplier, RoundSupplier.supplier_id == Supplier.id)
            .where(RoundSupplier.round_id == round_.id, RoundSupplier.dropped_at.is_(None))
            .order_by(Supplier.name, Supplier.id)
        )
    )


@dataclass(frozen=True)
class DeliveryOffer:
    """A supplier's usual delivery charge, offered as a cost of the round."""

    supplier_id: int
    supplier_name: str
    amount_pence: int

    @property
    def name(self) -> str:
        return f"Delivery from {self.supplier_name}"


def delivery_offers(*, round_: Round, costs: list[RoundCost]) -> list[DeliveryOffer]:
    """Return a delivery charge to add for each supplier that charges one and has none yet."""
    charged = {cost.supplier_id for cost in costs}
    return [
        DeliveryOffer(supplier.id, supplier.name, supplier.delivery_charge_pence)
        for supplier in cost_suppliers(round_=round_)
        if supplier.delivery_charge_pence > 0 and supplier.id not in charged
    ]


def subsidy_records(*, coop: Coop, round_: Round | None = None) -> list[SupportRecord]:
    """Return the subsidies in force that the co-op's council awarded it, newest first.

    The council's predecessors' records count too: a co-op keeps what the
    council it moved from awarded it. With *round_*, only records in force on
    the round's day are returned.
    """
    council = current_council(coop=coop)
    if council is None:
        return []
    records = db.session.scalars(
        select(SupportRecord)
        .where(
            SupportRecord.coop_id == coop.id,
            SupportRecord.council_id.in_(council_scope(council=council)),
            SupportRecord.kind == SupportKind.SUBSIDY,
            SupportRecord.status == SupportStatus.ACTIVE,
        )
        .options(selectinload(SupportRecord.council))
        .order_by(SupportRecord.awarded_on.desc(), SupportRecord.id.desc())
    )
    return [record for record in records if round_ is None or in_force_for(record, round_)]


def subsidies_left(*, records: list[SupportRecord]) -> dict[int, int]:
    """Return what is left of each subsidy record's value after the rounds already settled."""
    used = used_by_record(record_ids=[record.id for record in records])
    return {record.id: record.value_pence - used.get(record.id, 0) for record in records}


def add_round_cost(
    *,
    round_: Round,
    name: str,
    amount_pence: int,
    basis: SplitBasis,
    supplier_id: int | None,
) -> RoundCost:
    """Add a shared cost to a round that is not settled yet."""
    name = name.strip()
    if not name:
        raise ServiceError("Name the cost, such as Delivery or Hall hire.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"Use at most {NAME_MAX_LENGTH} characters.", field="name")
    if amount_pence <= 0:
        raise ServiceError("A shared cost must be more than £0.00.", field="amount")
    if supplier_id is not None and supplier_id not in {
        supplier.id for supplier in cost_suppliers(round_=round_)
    }:
        raise ServiceError(
            "Choose one of the round's suppliers, or none for the whole round.", field="supplier"
        )
    locked = _changeable(round_)
    cost = RoundCost(
        round_id=locked.id,
        name=name,
        amount_pence=amount_pence,
        basis=SplitBasis(basis),
        supplier_id=supplier_id,
    )
    db.session.add(cost)
    db.session.flush()
    return cost


def cost_for(*, round_: Round, cost_id: int) -> RoundCost | None:
    """Return the round's cost *cost_id*, or None for another round's or an unknown one."""
    return db.session.scalar(
        select(RoundCost).where(RoundCost.id == cost_id, RoundCost.round_id == round_.id)
    )


def remove_round_cost(*, round_: Round, cost: RoundCost) -> str:
    """Delete a shared cost of a round that is not settled; return its name."""
    _changeable(round_)
    paid_by = db.session.scalar(
        select(RoundSubsidy.id).where(RoundSubsidy.round_cost_id == cost.id).limit(1)
    )
    if paid_by is not None:
        raise ServiceError(
            f"A council subsidy pays {cost.name}: remove the subsidy first, then the cost."
        )
    name = cost.name
    db.session.delete(cost)
    db.session.flush()
    return name


def apply_subsidy(
    *,
    round_: Round,
    coop: Coop,
    support_record_id: int | None,
    cost_id: int | None,
    percent_bp: int,
    cap_pence: int | None,
) -> RoundSubsidy:
    """Apply a council subsidy to a round that is not settled: pay a cost, or a share of goods."""
    records = {record.id: record for record in subsidy_records(coop=coop, round_=round_)}
    if support_record_id not in records:
        raise ServiceError(
            "Choose a subsidy your council has awarded the co-op and that is in force "
            "for this round.",
            field="record",
        )
    left = subsidies_left(records=[records[support_record_id]])[support_record_id]
    if left <= 0:
        raise ServiceError(
            f"Nothing is left of {records[support_record_id].programme}: settled rounds have "
            "used all of it.",
            field="record",
        )
    if cost_id is not None:
        if cost_for(round_=round_, cost_id=cost_id) is None:
            raise ServiceError("Choose one of this round's shared costs.", field="pays")
        percent_bp = 0
    elif not 0 < percent_bp <= 10_000:
        raise ServiceError(
            "Enter a percentage above 0 and at most 100, such as 10.", field="percent"
        )
    if cap_pence is not None and cap_pence < 0:
        raise ServiceError("The cap cannot be negative.", field="cap")
    if cap_pence is not None and cap_pence > left:
        raise ServiceError(
            f"Only {format_pence(left)} is left of this subsidy; cap it at that or less.",
            field="cap",
        )
    locked = _changeable(round_)
    subsidy = RoundSubsidy(
        round_id=locked.id,
        support_record_id=support_record_id,
        round_cost_id=cost_id,
        percent_bp=percent_bp,
        cap_pence=cap_pence,
    )
    db.session.add(subsidy)
    db.session.flush()
    return subsidy


def remove_subsidy(*, round_: Round, subsidy_id: int | None) -> None:
    """Take a council subsidy off a round that is not settled."""
    subsidy = db.session.scalar(
        select(RoundSubsidy).where(
            RoundSubsidy.id == subsidy_id, RoundSubsidy.round_id == round_.id
        )
    )
    if subsidy is None:
        raise ServiceError("That subsidy is not applied to this round.")
    _changeable(round_)
    db.session.delete(subsidy)
    db.session.flush()


# --- the preview ------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdShare:
    """What settling would charge one household."""

    membership_id: int
    name: str
    goods_pence: int  # goods, VAT, markup and deposits
    costs_pence: int
    subsidy_pence: int
    total_pence: int


@dataclass(frozen=True)
class SupplierOwed:
    """What settling would owe one supplier, for goods and for its own costs."""

    supplier_id: int
    name: str
    goods_pence: int
    costs_pence: int


@dataclass(frozen=True)
class Preview:
    """A round's settlement as it would be, with the identity that proves it."""

    households: list[HouseholdShare]
    suppliers: list[SupplierOwed]
    fixed_contribution: bool
    charged_pence: int
    subsidy_pence: int
    supplier_pence: int  # goods and deposits
    costs_pence: int
    fund_result_pence: int
    markup_pence: int
    surplus_cost_pence: int
    absorbed_costs_pence: int
    stock_sold_pence: int = 0  # households' payments for the co-op's own stock: the fund's

    @property
    def balances(self) -> bool:
        """Charges + subsidy = suppliers + shared costs + the fund's result."""
        return self.charged_pence + self.subsidy_pence == (
            self.supplier_pence + self.costs_pence + self.fund_result_pence
        )


def preview_settlement(*, round_: Round, coop: Coop) -> Preview:
    """Work out what settling the round would charge and owe; writes nothing."""
    worked = work_out(round_=round_, contribution_pence=coop.contribution_pence)
    result = worked.result
    goods: dict[int, int] = defaultdict(int)
    for line in result.goods:
        goods[line.household] += line.total_pence
    costs: dict[int, int] = defaultdict(int)
    for charge in result.costs:
        costs[charge.household] += charge.pence
    subsidy: dict[int, int] = defaultdict(int)
    for credit in result.subsidies:
        subsidy[credit.household] += credit.pence
    totals = result.household_totals()
    names = dict(
        db.session.execute(
            select(Membership.id, User.name)
            .join(User, User.id == Membership.user_id)
            .where(Membership.id.in_(totals))
        ).all()
    )
    supplier_costs: dict[int, int] = defaultdict(int)
    for cost in worked.costs:
        if cost.supplier_id is not None:
            supplier_costs[cost.supplier_id] += cost.amount_pence
    owed = set(result.supplier_totals) | set(supplier_costs)
    supplier_names = dict(
        db.session.execute(select(Supplier.id, Supplier.name).where(Supplier.id.in_(owed))).all()
    )
    return Preview(
        households=sorted(
            (
                HouseholdShare(
                    membership_id=household,
                    name=names.get(household, ""),
                    goods_pence=goods[household],
                    costs_pence=costs[household],
                    subsidy_pence=subsidy[household],
                    total_pence=total,
                )
                for household, total in totals.items()
            ),
            key=lambda share: (share.name.lower(), share.membership_id),
        ),
        suppliers=sorted(
            (
                SupplierOwed(
                    supplier_id=supplier,
                    name=supplier_names.get(supplier, ""),
                    goods_pence=result.supplier_totals.get(supplier, 0),
                    costs_pence=supplier_costs[supplier],
                )
                for supplier in owed
            ),
            key=lambda owed: (owed.name.lower(), owed.supplier_id),
        ),
        fixed_contribution=bool(result.contributions),
        charged_pence=sum(totals.values()),
        subsidy_pence=result.subsidy_pence,
        supplier_pence=sum(result.supplier_totals.values()),
        costs_pence=sum(result.cost_totals.values()),
        fund_result_pence=result.fund_result_pence,
        markup_pence=result.markup_pence,
        surplus_cost_pence=result.surplus_cost_pence,
        absorbed_costs_pence=result.absorbed_costs_pence,
        stock_sold_pence=result.stock_sold_pence,
    )
