"""Settling a received round: one action, under the round's row lock, all or nothing.

The arithmetic is `coop.domain.settlement.settle`; this module loads the
round, posts one balanced ledger transaction (households charged, suppliers
owed, the co-op fund's result, council support for subsidies), writes every
household's bill lines and tells each household its total. Postings:

- each household: minus its bill total;
- each supplier: plus its goods, deposits and its own delivery costs (an
  item from the co-op's own stock has no supplier: what households pay for
  it is the fund's, as stock sold);
- the co-op fund: plus round-wide costs (venue, packaging: the co-op pays
  them) and its net result (markup, less surplus and absorbed costs);
- council support: minus the subsidies it pays (the council owes them), one
  posting per support record, naming it, so a record's use is read from the
  ledger. A record pays at most what is left of its value, and nothing once it
  is no longer in force for the round; settling locks the records it draws on
  (PostgreSQL) so that two rounds cannot both spend what is left.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select

from coop.domain import settlement as rules
from coop.domain.rounds import SETTLEABLE, RoundState
from coop.extensions import db
from coop.models import (
    AccountKind,
    Allocation,
    BillLine,
    BillLineKind,
    Coop,
    Round,
    RoundCost,
    RoundItem,
    RoundSubsidy,
    RoundSupplier,
    SupportRecord,
    TransactionKind,
    User,
)
from coop.models.bulk import bulk_insert
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import render_message, send_emails
from coop.services.money.ledger import (
    Entry,
    household_accounts,
    post_transaction,
    single_account,
    supplier_accounts,
)
from coop.services.money.paying_in import paying_in
from coop.services.payments.autopay import queue_auto_pay
from coop.services.people.memberships import contacts_of
from coop.services.rounds.lifecycle import LinkBuilder, locked_round, move
from coop.services.rounds.states import require
from coop.services.support.usage import in_force_for, used_by_record


@dataclass(frozen=True)
class Settled:
    """What settling did, to report to the treasurer."""

    round_id: int
    transaction_id: int
    households: int
    charged_pence: int
    subsidy_pence: int
    supplier_pence: int
    costs_pence: int
    fund_result_pence: int


@dataclass(frozen=True)
class _Item:
    id: int
    name: str
    unit_label: str
    reference_pence: int | None


def _lines(round_: Round) -> tuple[list[rules.Line], dict[int, _Item]]:
    items = db.session.execute(
        select(
            RoundItem.id,
            RoundItem.name,
            RoundItem.unit_label,
            RoundItem.case_size,
            RoundItem.applied_case_price_pence,
            RoundItem.vat_bp,
            RoundItem.deposit_pence,
            RoundItem.units_received,
            RoundItem.cases_ordered,
            RoundItem.reference_price_pence,
            RoundItem.stock_round_item_id,
            RoundSupplier.supplier_id,
            RoundSupplier.dropped_at,
        )
        .outerjoin(RoundSupplier, RoundSupplier.id == RoundItem.round_supplier_id)
        .where(RoundItem.round_id == round_.id)
    ).all()
    shares: dict[int, dict[int, int]] = defaultdict(dict)
    for item_id, household, units in db.session.execute(
        select(Allocation.round_item_id, Allocation.membership_id, Allocation.units).where(
            Allocation.round_id == round_.id
        )
    ):
        if units:
            shares[item_id][household] = units
    lines, facts = [], {}
    for row in items:
        if row.stock_round_item_id is not None:
            # The co-op's own stock is in hand: closing ordered (a unit a case) what it gave.
            received = row.cases_ordered or 0
        else:
            received = 0 if row.dropped_at is not None else (row.units_received or 0)
        price = row.applied_case_price_pence
        lines.append(
            rules.Line(
                item=row.id,
                supplier=row.supplier_id,
                case_price_pence=price,
                case_size=row.case_size,
                vat_bp=row.vat_bp,
                units_received=received,
                shares=shares.get(row.id, {}),
                deposit_pence=row.deposit_pence,
            )
        )
        facts[row.id] = _Item(row.id, row.name, row.unit_label, row.reference_price_pence)
    return lines, facts


def _costs_and_subsidies(round_: Round) -> tuple[list[RoundCost], list[RoundSubsidy]]:
    costs = db.session.scalars(
        select(RoundCost).where(RoundCost.round_id == round_.id).order_by(RoundCost.id)
    ).all()
    subsidies = db.session.scalars(
        select(RoundSubsidy).where(RoundSubsidy.round_id == round_.id).order_by(RoundSubsidy.id)
    ).all()
    return list(costs), list(subsidies)


@dataclass(frozen=True)
class WorkedOut:
    """A round's settlement worked out from its rows, before anything is written."""

    result: rules.Settlement
    items: dict[int, _Item]
    costs: list[RoundCost]
    subsidies: list[RoundSubsidy]


def subsidy_budgets(
    *, round_: Round, subsidies: list[RoundSubsidy], lock: bool = False
) -> dict[int, int]:
    """Return what each record the round's subsidies draw on may still pay towards it."""
    ids = sorted({subsidy.support_record_id for subsidy in subsidies})
    if not ids:
        return {}
    query = select(SupportRecord).where(SupportRecord.id.in_(ids)).order_by(SupportRecord.id)
    if lock:
        query = query.with_for_update()
    records = db.session.scalars(query).all()
    used = used_by_record(record_ids=ids)
    return {
        record.id: max(record.value_pence - used.get(record.id, 0), 0)
        if in_force_for(record, round_)
        else 0
        for record in records
    }


def work_out(
    *, round_: Round, contribution_pence: int | None, lock_funds: bool = False
) -> WorkedOut:
    """Work out what settling *round_* would charge and owe (reads only: a preview)."""
    lines, facts = _lines(round_)
    costs, subsidies = _costs_and_subsidies(round_)
    budgets = subsidy_budgets(round_=round_, subsidies=subsidies, lock=lock_funds)
    try:
        result = rules.settle(
            lines,
            markup_bp=round_.markup_bp,
            costs=[
                rules.Cost(cost.id, cost.amount_pence, cost.basis.value, cost.supplier_id)
                for cost in costs
            ],
            subsidies=[
                rules.Subsidy(
                    subsidy.id,
                    cost=subsidy.round_cost_id,
                    percent_bp=subsidy.percent_bp,
                    cap_pence=subsidy.cap_pence,
                    fund=subsidy.support_record_id,
                )
                for subsidy in subsidies
            ],
            contribution_pence=contribution_pence,
            budgets=budgets,
        )
    except ValueError as error:
        raise ServiceError(str(error)) from None
    return WorkedOut(result, facts, costs, subsidies)


def settle_round(*, round_id: int, by: User | None, link_for: LinkBuilder | None = None) -> Settled:
    """Charge every household, owe every supplier and post the fund's result (flushes)."""
    round_ = locked_round(round_id=round_id)
    require(SETTLEABLE, round_)
    move(round_, RoundState.SETTLED)
    coop = db.session.get_one(Coop, round_.coop_id)
    worked = work_out(round_=round_, contribution_pence=coop.contribution_pence, lock_funds=True)
    result, facts = worked.result, worked.items
    costs, subsidies = worked.costs, worked.subsidies
    totals = result.household_totals()
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.SETTLEMENT,
        memo=f"{round_.title}: settled",
        entries=_entries(coop, result, totals, costs, subsidies),
        by=by,
        round_id=round_.id,
        may_be_empty=True,
    )
    _write_bill(round_, transaction.id, result, facts, costs, subsidies)
    round_.settled_at = utcnow()
    round_.settled_by_id = by.id if by is not None else None
    db.session.flush()
    _tell_households(round_, coop, totals, link_for)
    queue_auto_pay(round_=round_, membership_ids={m for m, pence in totals.items() if pence > 0})
    return Settled(
        round_id=round_.id,
        transaction_id=transaction.id,
        households=len(totals),
        charged_pence=sum(totals.values()),
        subsidy_pence=result.subsidy_pence,
        supplier_pence=sum(result.supplier_totals.values()),
        costs_pence=sum(result.cost_totals.values()),
        fund_result_pence=result.fund_result_pence,
    )


def _entries(
    coop: Coop,
    result: rules.Settlement,
    totals: dict[int, int],
    costs: list[RoundCost],
    subsidies: list[RoundSubsidy],
) -> list[Entry]:
    households = household_accounts(coop_id=coop.id, membership_ids=totals)
    owed: dict[int, int] = defaultdict(int, result.supplier_totals)
    fund = result.fund_result_pence
    for cost in costs:
        if cost.supplier_id is not None:
            owed[cost.supplier_id] += cost.amount_pence
        else:
            fund += cost.amount_pence
    suppliers = supplier_accounts(coop_id=coop.id, supplier_ids=owed)
    entries = [
        Entry(households[household], -total, "bill") for household, total in sorted(totals.items())
    ]
    entries += [Entry(suppliers[supplier], pence, "invoice") for supplier, pence in owed.items()]
    entries.append(
        Entry(single_account(coop_id=coop.id, kind=AccountKind.FUND).id, fund, "round result")
    )
    if result.subsidy_pence:
        support = single_account(coop_id=coop.id, kind=AccountKind.COUNCIL_SUPPORT)
        record_of = {subsidy.id: subsidy.support_record for subsidy in subsidies}
        paid: dict[int, int] = defaultdict(int)
        for credit in result.subsidies:
            paid[record_of[credit.subsidy].id] += credit.pence
        programmes = {record.id: record.programme for record in record_of.values()}
        entries += [
            Entry(
                support.id,
                -pence,
                f"subsidy: {programmes[record_id]}"[:200],
                support_record_id=record_id,
            )
            for record_id, pence in sorted(paid.items())
        ]
    return entries


class _BillRow(NamedTuple):
    """A bill line as settlement writes it: columns of `bill_lines`, in one tuple."""

    round_id: int
    transaction_id: int
    membership_id: int
    kind: str
    description: str
    amount_pence: int
    round_item_id: int | None = None
    round_cost_id: int | None = None
    round_subsidy_id: int | None = None
    supplier_id: int | None = None
    units: int = 0
    net_pence: int = 0
    vat_pence: int = 0
    markup_pence: int = 0
    deposit_pence: int = 0
    reference_pence: int | None = None


def _write_bill(
    round_: Round,
    transaction_id: int,
    result: rules.Settlement,
    facts: dict[int, _Item],
    costs: list[RoundCost],
    subsidies: list[RoundSubsidy],
) -> None:
    fixed = bool(result.contributions)
    base = {"round_id": round_.id, "transaction_id": transaction_id}
    descriptions = {item.id: f"{item.name} ({item.unit_label})" for item in facts.values()}
    rows = []
    for line in result.goods:
        reference = facts[line.item].reference_pence
        rows.append(
            _BillRow(
                **base,
                membership_id=line.household,
                kind=BillLineKind.GOODS.value,
                description=descriptions[line.item],
                # Under fixed contributions goods are shown, not charged.
                amount_pence=0 if fixed else line.total_pence,
                round_item_id=line.item,
                supplier_id=line.supplier,
                units=line.units,
                net_pence=line.net_pence,
                vat_pence=line.vat_pence,
                markup_pence=line.markup_pence,
                deposit_pence=line.deposit_pence,
                reference_pence=None if reference is None else reference * line.units,
            )
        )
    names = {cost.id: cost.name for cost in costs}
    if not fixed:
        rows += [
            _BillRow(
                **base,
                membership_id=charge.household,
                kind=BillLineKind.COST.value,
                description=names[charge.cost],
                amount_pence=charge.pence,
                round_cost_id=charge.cost,
                supplier_id=charge.supplier,
            )
            for charge in result.costs
            if charge.pence
        ]
    rows += [
        _BillRow(
            **base,
            membership_id=household,
            kind=BillLineKind.CONTRIBUTION.value,
            description="Agreed contribution for the round",
            amount_pence=pence,
        )
        for household, pence in result.contributions.items()
    ]
    programmes = {subsidy.id: subsidy.support_record.programme for subsidy in subsidies}
    rows += [
        _BillRow(
            **base,
            membership_id=credit.household,
            kind=BillLineKind.SUBSIDY.value,
            description=f"Council subsidy: {programmes[credit.subsidy]}",
            amount_pence=-credit.pence,
            round_subsidy_id=credit.subsidy,
        )
        for credit in result.subsidies
    ]
    bulk_insert(db.session.connection(), BillLine, _BillRow._fields, rows)


def _tell_households(
    round_: Round, coop: Coop, totals: dict[int, int], link_for: LinkBuilder | None
) -> None:
    if not totals:
        return
    link = link_for(round_) if link_for else ""
    paying = paying_in(coop=coop)
    send_emails(
        [
            render_message(
                "money/bill.txt",
                to=person.email,
                user=person,
                round_=round_,
                coop=coop,
                total_pence=totals[person.membership_id],
                link=link,
                paying=paying(person.membership_id),
            )
            for person in contacts_of(membership_ids=totals)
        ]
    )
