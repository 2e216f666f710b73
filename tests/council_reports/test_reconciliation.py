"""Every money figure of a council report, recomputed from the ledger's postings and bill lines.

Two financial years of rounds are generated from a seeded random generator,
through the services the app uses: a coordinator opens a round, households
order (and change their minds), it closes, the delivery is received (short,
over, at another price, or undone and received again), shared costs and
council subsidies are added, it is settled, and some bills are corrected and
some corrections reversed. Payments, unsettled and cancelled rounds, a
household that is erased, a co-op that joins the council late, one that
leaves it for another council and one that was never its own add money and
rows the report must leave out or keep.

The recomputation is written plainly, apart from the report's queries:
rounds, links, postings and bill lines are read with simple selects and
summed in Python, as METRICS.md and the README ("Council reports", "Money")
define each figure. Every figure a report shows must equal it to the penny;
every figure it withholds must describe fewer than k households, or be
hidden beside one that does (secondary suppression); and no cell of 1 to k-1
households may show.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rounds.builders import RoundWorld
from sqlalchemy import select
from support import PASSWORD

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.domain.suppression import Reason, SafeCell, SafeTable, Suppressed
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Allocation,
    BillLine,
    BillLineKind,
    Coop,
    CoopCouncilLink,
    Council,
    LedgerTransaction,
    Membership,
    Postcode,
    PostcodeEdition,
    Posting,
    Product,
    Round,
    RoundItem,
    SplitBasis,
    Supplier,
    SupplierKind,
    SupportKind,
    SupportRecord,
    SupportStatus,
    TransactionKind,
    User,
    VolunteerEntry,
)
from coop.models.support import IN_KIND
from coop.services.council_reports.period import Period, financial_year, quarter_period
from coop.services.council_reports.report import council_report
from coop.services.council_reports.results import Ratio, Report, VolunteerRate
from coop.services.errors import ServiceError
from coop.services.jobs import AFTER_COMMIT
from coop.services.money.costs import add_round_cost, apply_subsidy
from coop.services.money.settlement import settle_round
from coop.services.money.treasury import (
    Carrier,
    Method,
    correct_bill,
    record_payment,
    reverse_entry,
)
from coop.services.people.my_data import erase_person
from coop.services.people.volunteering import log_hours
from coop.services.rounds.allocations import set_allocation
from coop.services.rounds.closing import close_round
from coop.services.rounds.lifecycle import (
    RoundDetails,
    add_round_items,
    cancel_round,
    create_round,
    open_round,
)
from coop.services.rounds.ordering import set_order
from coop.services.rounds.receiving import (
    Arrived,
    items_to_receive,
    receive_round,
    undo_delivery,
)
from coop.services.rounds.suppliers import drop_supplier
from coop.services.support.records import (
    SupportDetails,
    close_support_record,
    create_support_record,
    decide_support_record,
    propose_support_record,
)
from council_reports.world import load_places

SEED = 20240401
PRESTON, SOUTH_RIBBLE = "E07000123", "E07000126"
FIRST_DAY, LAST_DAY = date(2024, 4, 1), date(2026, 3, 31)
RATE = VolunteerRate(pence_per_hour=1221)
SURPLUS = SupplierKind.SURPLUS

# --- the generated world --------------------------------------------------------------------


@dataclass
class Plan:
    """How one co-op is generated: its size, suppliers, council links and rhythm."""

    name: str
    households: int
    suppliers: list[dict[str, Any]]
    markup_bp: int = 0
    linked: tuple[date, date | None] = (date(2024, 1, 1), None)
    contribution_pence: int | None = None
    every_days: tuple[int, int] = (24, 40)
    edges: tuple[tuple[date, int], ...] = ()  # rounds picked up on a report's edges: (day, hour)


FISHWICK = Plan(
    "Fishwick Food",
    14,
    [
        {"name": "Northern Wholefoods", "postcode": "LS1 1AA"},
        {"name": "Fishwick Growers", "kind": SupplierKind.PRODUCER, "is_local": True},
        {"name": "FareShare Lancashire", "kind": SURPLUS, "postcode": "PR1 1AA"},
    ],
    markup_bp=500,
    edges=(
        (date(2025, 3, 31), 17),
        (date(2025, 4, 1), 10),
        (date(2025, 6, 30), 23),
        (date(2025, 9, 30), 18),
        (date(2026, 3, 31), 17),
    ),
)
PLANS = [
    FISHWICK,
    Plan(  # leaves Preston for South Ribble at the end of January 2026
        "Ribbleton Pantry",
        12,
        [
            {"name": "Lancashire Wholesale", "postcode": "BB1 1AA"},
            {"name": "Ribble Farm", "kind": SupplierKind.PRODUCER, "postcode": "pr2 2bb"},
        ],
        linked=(date(2024, 1, 1), date(2026, 1, 31)),
        edges=((date(2026, 1, 31), 11), (date(2026, 2, 1), 11)),
    ),
    Plan(  # Preston's own model, a fixed contribution; it joins the council in October 2024
        "Callon Community Larder",
        11,
        [
            {"name": "Booths Trade", "postcode": "PR3 3CC"},
            {"name": "Real Junk Food", "kind": SURPLUS, "postcode": "BB1 1AA"},
        ],
        markup_bp=1234,
        linked=(date(2024, 10, 1), None),
        contribution_pence=800,
        edges=((date(2024, 9, 30), 12), (date(2024, 10, 1), 12)),
    ),
    Plan("Tiny Pantry", 4, [{"name": "Corner Shop", "is_local": True}], 250, every_days=(45, 80)),
]
OUTSIDE = Plan("Elsewhere Co-op", 6, [{"name": "Far Away Foods"}], every_days=(150, 200))


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _quiet() -> None:
    """Commit, without the notices the jobs after it would send (they have tests of their own)."""
    db.session.info.pop(AFTER_COMMIT, None)
    db.session.commit()


def _catalogue(world: RoundWorld, suppliers: list[Supplier], rng: random.Random) -> list[Product]:
    """Products mostly cheaper than the supermarket, some dearer, some unpriced, surplus free."""
    products = []
    for supplier in suppliers:
        free = supplier.kind is SURPLUS
        for _ in range(rng.randint(2, 4)):
            size, each = rng.choice([1, 1, 2, 3, 4, 6, 10, 12]), rng.randint(30, 700)
            priced = rng.random() > 0.2
            products.append(
                world.product(
                    supplier=supplier,
                    case_size=size,
                    case_price_pence=0 if free else int(each * size * rng.uniform(0.5, 1.1)),
                    vat_bp=0 if free else rng.choice([0, 0, 500, 2000]),
                    deposit_pence=0 if free else rng.choice([0, 0, 0, 10]),
                    reference_price_pence=each if priced else None,
                    reference_price_date=date(2024, 3, 1) if priced else None,
                    reference_price_source="Tesco website" if priced else "",
                )
            )
    return products


def _reprice(products: list[Product], rng: random.Random) -> None:
    """The catalogue changes between rounds; a round keeps the prices it copied when it opened."""
    for product in rng.sample(products, max(1, len(products) // 4)):
        if product.supplier.kind is not SURPLUS:
            product.case_price_pence = int(product.case_price_pence * rng.uniform(0.9, 1.15))
        if product.reference_price_pence is not None:
            product.reference_price_pence = int(product.reference_price_pence * rng.uniform(1, 1.2))
    db.session.commit()


def _support(
    council: Council, coop: Coop, officer: User, coordinator: User, rng: random.Random, plan: Plan
) -> list[SupportRecord]:
    """Record the council's support for *coop*; return the subsidies its rounds may draw on."""
    start = max(plan.linked[0], FIRST_DAY)
    subsidies = []
    for year in (2024, 2025):

        def details(kind: SupportKind, pence: int, month: int, year: int = year) -> SupportDetails:
            # Awarded in *month* of the financial year (4 is April, 13 the January after).
            on = date(year + month // 13, (month - 1) % 12 + 1, rng.randint(1, 28))
            return SupportDetails(
                programme=f"{kind.label} {year}",
                kind=kind,
                value_pence=pence,
                awarded_on=max(start, on),
                value_basis="£15 an hour x 24 hours" if kind in IN_KIND else "",
            )

        # A subsidy in force to the end of the financial year (dated from its award).
        subsidy = details(SupportKind.SUBSIDY, rng.randint(3_000, 20_000), rng.randint(4, 9))
        subsidy = replace(
            subsidy, period_start=subsidy.awarded_on, period_end=date(year + 1, 3, 31)
        )
        subsidies.append(
            create_support_record(council=council, coop=coop, details=subsidy, by=officer)
        )
        for kind in rng.sample([k for k in SupportKind if k is not SupportKind.SUBSIDY], 3):
            award = details(kind, rng.randint(1_000, 250_000), rng.randint(4, 15))
            record = create_support_record(council=council, coop=coop, details=award, by=officer)
            if rng.random() < 0.3:
                close_support_record(record=record, note="Spent", by=officer)
        # A room given free, proposed by the co-op: the council confirms one and declines one.
        for confirm in (True, False):
            room = details(SupportKind.PREMISES, rng.randint(1_000, 9_000), 13)
            proposed = propose_support_record(coop=coop, details=room, by=coordinator)
            note = "" if confirm else "Not ours to give"
            decide_support_record(record=proposed, confirm=confirm, note=note, by=officer)
    db.session.commit()
    return subsidies


@dataclass
class RoundPlan:
    """What happens to one round."""

    day: date
    pickup_hour: int | None  # None: picked up at a random hour, or not at all
    settle: bool = True
    cancel: bool = False


def _open_and_order(
    world: RoundWorld,
    products: list[Product],
    plan: RoundPlan,
    rng: random.Random,
    keen: dict[int, float],
) -> Round:
    opens, closes = _at(plan.day - timedelta(days=7), 9), _at(plan.day - timedelta(days=2), 18)
    hour = plan.pickup_hour
    pickup = _at(plan.day, hour) if hour is not None else _at(plan.day, rng.choice([10, 13, 17]))
    details = RoundDetails(
        title=f"Order for {plan.day:%-d %B %Y}",
        opens_at=opens,
        closes_at=closes,
        pickup_at=None if hour is None and rng.random() < 0.15 else pickup,
        pickup_place="Church hall",
        policy=rng.choice(["first_come", "fair_share"]),
        fill_percent=rng.choice([100, 100, 100, 75]),
    )
    round_ = create_round(coop=world.coop, details=details, by=world.coordinator)
    offered = rng.sample(products, min(len(products), rng.randint(3, 6)))
    add_round_items(round_=round_, product_ids=[p.id for p in offered])
    db.session.commit()
    open_round(round_id=round_.id, now=opens)
    _quiet()
    items = list(db.session.scalars(select(RoundItem).where(RoundItem.round_id == round_.id)))
    moment, last = opens, closes - timedelta(minutes=5)
    for household in world.households:
        if rng.random() > keen[household.id]:
            continue
        for item in rng.sample(items, rng.randint(1, min(3, len(items)))):
            moment += timedelta(minutes=rng.randint(1, 90))
            quantity, extra = rng.randint(1, max(2, item.case_size)), rng.choice([0, 0, 1, 2])
            order = {"round_": round_, "item": item, "membership": household}
            set_order(**order, quantity=quantity, tolerance=extra, now=min(moment, last))
            if rng.random() < 0.1:  # more (to the back of the queue) or less
                again = max(0, quantity + rng.choice([-1, 2]))
                set_order(**order, quantity=again, tolerance=0, now=min(moment, last))
    db.session.commit()
    suppliers = sorted({item.round_supplier.supplier_id for item in items})
    if len(suppliers) > 1 and rng.random() < 0.08:  # under its minimum order: dropped
        drop_supplier(round_id=round_.id, supplier_id=rng.choice(suppliers), by=world.coordinator)
        _quiet()
    return round_


def _receive(world: RoundWorld, round_: Round, rng: random.Random) -> list[RoundItem]:
    """Record the delivery: mostly as ordered, some short, over or at another price."""
    by, ordered = world.coordinator, items_to_receive(round_id=round_.id)
    lines = []
    for item in ordered:
        units, luck = item.units_ordered or 0, rng.random()
        if luck < 0.1:
            lines.append(Arrived(item_id=item.id, amount=max(0, units - rng.randint(1, 3))))
        elif luck < 0.15:
            lines.append(Arrived(item_id=item.id, amount=units + 1, more_arrived=True))
        elif luck < 0.22 and item.case_price_pence:
            price = max(0, item.case_price_pence + rng.randint(-150, 150))
            lines.append(
                Arrived(item_id=item.id, amount=units, substitute="Own", case_price_pence=price)
            )
        else:
            lines.append(Arrived(item_id=item.id, amount=item.cases_ordered, in_cases=True))
    receive_round(round_id=round_.id, by=by, lines=lines)
    _quiet()
    if rng.random() < 0.06:  # recorded by mistake: undone, then received as ordered
        undo_delivery(round_id=round_.id, by=by)
        _quiet()
        as_ordered = [Arrived(item_id=i.id, amount=i.cases_ordered, in_cases=True) for i in ordered]
        receive_round(round_id=round_.id, by=by, lines=as_ordered)
        _quiet()
    if rng.random() < 0.15:  # a dented tin: a household gets a unit less, the co-op keeps it
        allocation = db.session.scalars(
            select(Allocation).where(Allocation.round_id == round_.id, Allocation.units > 0)
        ).first()
        if allocation is not None:
            set_allocation(
                round_id=round_.id,
                allocation_id=allocation.id,
                units=allocation.units - 1,
                reason="Dented tin",
                by=by,
            )
            _quiet()
    return ordered


def _charges_anything(round_: Round) -> bool:
    """Tell whether any household received a unit with a price or a deposit."""
    return any(
        allocation.units
        and (allocation.item.applied_case_price_pence or allocation.item.deposit_pence)
        for allocation in db.session.scalars(
            select(Allocation).where(Allocation.round_id == round_.id)
        )
    )


def _settle(
    world: RoundWorld,
    round_: Round,
    ordered: list[RoundItem],
    rng: random.Random,
    subsidies: list[SupportRecord],
) -> None:
    """Add shared costs and subsidies, settle, then correct a bill or two and reverse some."""
    suppliers = sorted({item.round_supplier.supplier_id for item in ordered})
    costs = []
    for name, chance, supplier in (("Delivery", 0.6, rng.choice(suppliers)), ("Hall", 0.4, None)):
        if rng.random() < chance:
            pence, basis = rng.randint(300, 2500), rng.choice(list(SplitBasis))
            costs.append(
                add_round_cost(
                    round_=round_, name=name, amount_pence=pence, basis=basis, supplier_id=supplier
                )
            )
    if not costs and not _charges_anything(round_):
        # The ledger refuses a transaction of nothing but zeros, so a round of free surplus
        # food alone could not be settled: such a round pays for its hall.
        costs.append(
            add_round_cost(
                round_=round_,
                name="Hall",
                amount_pence=600,
                basis=SplitBasis.EQUAL,
                supplier_id=None,
            )
        )
    db.session.commit()
    for record in subsidies:
        if rng.random() < 0.5:
            pays = costs[0].id if costs and rng.random() < 0.5 else None
            cap = rng.choice([None, rng.randint(100, 1500)])
            try:
                apply_subsidy(
                    round_=round_,
                    coop=world.coop,
                    support_record_id=record.id,
                    cost_id=pays,
                    percent_bp=rng.choice([500, 1000, 2500]),
                    cap_pence=cap,
                )
            except ServiceError:
                continue  # not in force for the round, or all used: refused, nothing written
            db.session.commit()
    by = world.coordinator
    settle_round(round_id=round_.id, by=by)
    _quiet()
    billed = list(
        db.session.scalars(
            select(BillLine).where(
                BillLine.round_id == round_.id,
                BillLine.kind == BillLineKind.GOODS,
                BillLine.units > 0,
            )
        )
    )
    if rng.random() < 0.3:
        line = rng.choice(billed)
        supplier_pays = rng.random() < 0.5
        correction = correct_bill(
            round_=round_,
            membership=db.session.get_one(Membership, line.membership_id),
            round_item_id=line.round_item_id if supplier_pays else None,
            amount_pence=rng.choice([-1, 1]) * rng.randint(10, 400),
            carrier=Carrier.SUPPLIER if supplier_pays else Carrier.FUND,
            reason="Bruised apples" if supplier_pays else "A bag went missing",
            by=by,
        )
        _quiet()
        if rng.random() < 0.4:
            reverse_entry(transaction=correction, reason="Entered twice", by=by)
            _quiet()
    if rng.random() < 0.3:  # money paid in, and a payment reversed: not the round's money
        payment = record_payment(
            coop=world.coop,
            membership_id=billed[0].membership_id,
            method=Method.CASH,
            amount_pence=rng.randint(100, 3000),
            note="At pickup",
            by=by,
        )
        _quiet()
        if rng.random() < 0.3:
            reverse_entry(transaction=payment, reason="Wrong household", by=by)
            _quiet()


def _run_round(
    world: RoundWorld,
    products: list[Product],
    plan: RoundPlan,
    rng: random.Random,
    keen: dict[int, float],
    subsidies: list[SupportRecord],
) -> None:
    """Take one round through the services from opening to settled (or cancelled, or not)."""
    round_ = _open_and_order(world, products, plan, rng, keen)
    if plan.cancel:
        cancel_round(round_id=round_.id, reason="The hall is flooded", by=world.coordinator)
        _quiet()
        return
    close_round(round_id=round_.id, by=None, now=round_.closes_at)
    _quiet()
    if not items_to_receive(round_id=round_.id):
        cancel_round(round_id=round_.id, reason="No case filled", by=world.coordinator)
        _quiet()
        return
    ordered = _receive(world, round_, rng)
    if plan.settle:
        _settle(world, round_, ordered, rng, subsidies)


def generate(factory, seed: int) -> tuple[Council, dict[str, Coop]]:
    """Build the council, its co-ops and two financial years of their rounds."""
    rng = random.Random(seed)
    council = factory.council(name="Preston City Council", gss_code=PRESTON)
    elsewhere = factory.council(name="South Ribble Borough Council", gss_code=SOUTH_RIBBLE)
    officer = factory.officer(council)
    load_places(
        {
            "PR1 1AA": ("E05000001", "E01000001", PRESTON, 1),
            "PR2 2BB": ("E05000002", "E01000002", PRESTON, 4),
            "PR3 3CC": ("E05000003", "E01000003", PRESTON, 8),
            "BB1 1AA": ("E05000009", "E01000009", "E07000117", 2),
        }
    )
    coops = {}
    for plan in [*PLANS, OUTSIDE]:
        coop = factory.coop(name=plan.name)
        coop.markup_bp, coop.contribution_pence = plan.markup_bp, plan.contribution_pence
        starts, ends = plan.linked
        own = elsewhere if plan is OUTSIDE else council
        db.session.add(CoopCouncilLink(coop=coop, council=own, starts_on=starts, ends_on=ends))
        if ends is not None:
            db.session.add(
                CoopCouncilLink(coop=coop, council=elsewhere, starts_on=ends + timedelta(days=1))
            )
        coordinator = factory.member(coop, Role.COORDINATOR)
        households = factory.households(coop, plan.households)
        suppliers = [Supplier(coop=coop, **values) for values in plan.suppliers]
        db.session.add_all(suppliers)
        db.session.commit()
        coops[plan.name] = coop
        world = RoundWorld(factory, coop, coordinator, households, suppliers[0])
        world.counter = 1000 * len(coops)
        products = _catalogue(world, suppliers, rng)
        subsidies = (
            [] if plan is OUTSIDE else _support(council, coop, officer, coordinator, rng, plan)
        )
        keen = {household.id: rng.uniform(0.55, 0.98) for household in households}
        days = [RoundPlan(day, hour) for day, hour in plan.edges]
        day = FIRST_DAY + timedelta(days=rng.randint(2, 20))
        while day <= LAST_DAY:
            days.append(RoundPlan(day, None))
            day += timedelta(days=rng.randint(*plan.every_days))
        days.sort(key=lambda p: p.day)
        unsettled, cancelled = rng.sample(days[:8], 2)
        unsettled.settle, cancelled.cancel = False, True
        for round_plan in days:
            if plan is FISHWICK and round_plan.day.year == 2025 and world.households == households:
                # A household asks to be forgotten: its ledger and bills stay, anonymised.
                erase_person(user=households[0].user, password=PASSWORD)
                _quiet()
                world.households = households[1:]
            _run_round(world, products, round_plan, rng, keen, subsidies)
            if rng.random() < 0.3:
                _reprice(products, rng)
        for household in rng.sample(world.households, min(len(world.households), 11)):
            for _ in range(rng.randint(1, 3)):
                log_hours(
                    coop=coop,
                    membership_id=household.id,
                    task_name="Packing",
                    worked_on=FIRST_DAY + timedelta(days=rng.randint(0, 729)),
                    minutes=15 * rng.randint(1, 16),
                    logged_by=coordinator,
                    today=LAST_DAY,
                )
        db.session.commit()
    return council, coops


# --- the recomputation, from postings and bill lines -------------------------------------------

ROUND_MONEY = {TransactionKind.SETTLEMENT, TransactionKind.ADJUSTMENT, TransactionKind.REVERSAL}
GRANTS = {SupportKind.GRANT, SupportKind.MICRO_GRANT}
MONEY = ("spend", "reference", "surplus", "supplier", "local", "subsidy")


def _rows(query: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.session.execute(query)]


@dataclass
class Facts:
    """The rows every figure is recomputed from, read with plain selects."""

    rounds: list[tuple[Any, ...]]  # id, co-op, state, pickup, deadline
    links: list[tuple[Any, ...]]  # co-op, council, from, to
    postings: list[tuple[Any, ...]]  # round, transaction kind, account kind, supplier, pence
    goods: list[tuple[Any, ...]]  # round, household, units, reference pence, supplier
    suppliers: dict[int, tuple[SupplierKind, bool, str]]  # kind, flagged local, postcode
    areas: dict[str, str]  # postcode (no space): local authority, of the directory in use
    support: list[tuple[Any, ...]]  # council, co-op, kind, pence, awarded on, status
    volunteering: list[tuple[Any, ...]]  # co-op, household, day, minutes
    names: dict[int, str]


def read_facts() -> Facts:
    link, record, entry = CoopCouncilLink, SupportRecord, VolunteerEntry
    return Facts(
        rounds=_rows(
            select(Round.id, Round.coop_id, Round.state, Round.pickup_at, Round.closes_at)
        ),
        links=_rows(select(link.coop_id, link.council_id, link.starts_on, link.ends_on)),
        postings=_rows(
            select(
                LedgerTransaction.round_id,
                LedgerTransaction.kind,
                Account.kind,
                Account.supplier_id,
                Posting.amount_pence,
            )
            .join(Account, Account.id == Posting.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        ),
        goods=_rows(
            select(
                BillLine.round_id,
                BillLine.membership_id,
                BillLine.units,
                BillLine.reference_pence,
                BillLine.supplier_id,
            ).where(BillLine.kind == BillLineKind.GOODS)
        ),
        suppliers={
            row[0]: row[1:]
            for row in _rows(
                select(Supplier.id, Supplier.kind, Supplier.is_local, Supplier.postcode)
            )
        },
        areas=dict(
            _rows(
                select(Postcode.postcode, Postcode.lad)
                .join(PostcodeEdition, PostcodeEdition.id == Postcode.edition_id)
                .where(PostcodeEdition.active.is_(True))
            )
        ),
        support=_rows(
            select(
                record.council_id,
                record.coop_id,
                record.kind,
                record.value_pence,
                record.awarded_on,
                record.status,
            )
        ),
        volunteering=_rows(
            select(entry.coop_id, entry.membership_id, entry.worked_on, entry.minutes)
        ),
        names=dict(_rows(select(Coop.id, Coop.name))),
    )


@dataclass
class Line:
    """The households counted and the money worked out for a co-op, a month or the whole."""

    households: set[int] = field(default_factory=set)
    collections: int = 0
    money: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MONEY, 0))


@dataclass
class Expected:
    coops: list[int]
    by_coop: dict[int, Line]
    by_month: dict[str, Line]
    whole: Line
    support: dict[SupportKind, int]
    volunteers: dict[int, tuple[set[int], int]]  # co-op: households, minutes


def recompute(facts: Facts, council: Council, period: Period, chosen: list[int] | None) -> Expected:
    """Work out every figure of a report from the rows, as METRICS.md and the README define it."""

    def linked_on(coop_id: int, day: date) -> bool:
        return any(
            (c, k) == (coop_id, council.id) and start <= day and (end is None or day <= end)
            for c, k, start, end in facts.links
        )

    in_period = {
        c
        for c, k, start, end in facts.links
        if k == council.id and start <= period.end and (end is None or end >= period.start)
    }
    coops = sorted(in_period if chosen is None else chosen)
    counted = {}  # round: the co-op's, the month's and the whole period's lines
    by_coop, by_month, whole = (
        {c: Line() for c in coops},
        {m: Line() for m in period.months},
        Line(),
    )
    for round_id, coop_id, state, pickup, deadline in facts.rounds:
        # Its pickup day, else its deadline's, in the UK.
        day = (pickup or deadline).astimezone(ZoneInfo("Europe/London")).date()
        if (
            state is RoundState.SETTLED
            and coop_id in coops
            and period.start <= day <= period.end
            and linked_on(coop_id, day)
        ):
            counted[round_id] = [by_coop[coop_id], by_month[f"{day:%Y-%m}"], whole]

    def local(supplier_id: int) -> bool:
        _, flagged, postcode = facts.suppliers[supplier_id]
        return flagged or facts.areas.get(postcode.upper().replace(" ", "")) == council.gss_code

    for round_id, transaction, account, supplier_id, pence in facts.postings:
        if round_id not in counted or transaction not in ROUND_MONEY:
            continue
        for line in counted[round_id]:
            if account is AccountKind.HOUSEHOLD:
                line.money["spend"] -= pence  # a household is charged by a negative posting
            elif account is AccountKind.SUPPLIER:
                line.money["supplier"] += pence
                line.money["local"] += pence if local(supplier_id) else 0
            elif account is AccountKind.COUNCIL_SUPPORT:
                line.money["subsidy"] -= pence
    units: dict[tuple[int, int], int] = defaultdict(int)
    for round_id, household, got, reference, supplier_id in facts.goods:
        if round_id in counted:
            units[round_id, household] += got
            free = facts.suppliers[supplier_id][0] is SURPLUS
            for line in counted[round_id]:
                line.money["surplus" if free else "reference"] += reference or 0
    for (round_id, household), got in units.items():
        for line in counted[round_id] if got > 0 else []:
            line.households.add(household)
            line.collections += 1
    support: dict[SupportKind, int] = defaultdict(int)
    for council_id, coop_id, kind, pence, awarded, status in facts.support:
        if (
            council_id == council.id
            and status in (SupportStatus.ACTIVE, SupportStatus.CLOSED)
            and coop_id in coops
            and period.start <= awarded <= period.end
        ):
            support[kind] += pence
    who: dict[int, set[int]] = {c: set() for c in coops}
    logged = dict.fromkeys(coops, 0)
    for coop_id, household, day, minutes in facts.volunteering:
        if coop_id in coops and period.start <= day <= period.end and linked_on(coop_id, day):
            who[coop_id].add(household)
            logged[coop_id] += minutes
    volunteers = {c: (who[c], logged[c]) for c in coops}
    return Expected(coops, by_coop, by_month, whole, dict(support), volunteers)


# --- comparing ---------------------------------------------------------------------------------


def _small(*tables: SafeTable) -> bool:
    """Tell whether any cell of *tables* is withheld for counting fewer than k households.

    Or because the whole council's report hides it beside a cell that does.
    """
    return any(
        isinstance(c.households, Suppressed)
        and c.households.reason in (Reason.SMALL, Reason.ACROSS)
        for t in tables
        for c in [*(c for row in t.rows for c in row), *t.row_totals, *t.column_totals, t.total]
    )


def _ratio(part: Any, whole: Any) -> Any:
    return None if not whole else Ratio(part, whole)


class Checker:
    """Compare a report with the recomputation, collecting every disagreement."""

    def __init__(self, label: str, k: int) -> None:
        self.label, self.k = label, k
        self.problems: list[str] = []
        self.shown = self.withheld = 0

    def say(self, where: str, message: str) -> None:
        self.problems.append(f"{self.label}: {where}: {message}")

    def cell(
        self, where: str, cell: SafeCell, households: int, figures: dict[str, int], beside: bool
    ) -> None:
        """One cell: shown equal to the penny, or withheld for fewer than k households.

        *beside* says whether a cell counting fewer than k is withheld next to it (in its
        table or in the table of the same households), for which this one may be hidden too.
        """
        mark = cell.households
        if isinstance(mark, Suppressed):
            self.withheld += 1
            if not all(isinstance(f, Suppressed) for f in cell.figures):
                self.say(where, "its households are withheld but a figure made of them shows")
            if mark.reason is Reason.SMALL and not 0 < households < self.k:
                self.say(where, f"withheld as fewer than {self.k}, but it counts {households}")
            # Hidden as the whole council's report hides it (test_cross_report.py checks that).
            if mark.reason not in (Reason.SMALL, Reason.ACROSS) and not beside:
                self.say(where, f"withheld ({mark.reason}) with nothing small beside it")
            return
        self.shown += 1
        if mark != households:
            self.say(where, f"shows {mark} households, the orders give {households}")
        if 0 < households < self.k:
            self.say(where, f"shows {households} households, fewer than {self.k}")
        for (name, want), got in zip(figures.items(), cell.figures, strict=True):
            if got != want:
                self.say(where, f"{name} is {got}, the ledger gives {want} ({got - want:+d}p)")

    def value(self, where: str, got: Any, want: Any, withheld: bool) -> None:
        """A headline figure or ratio: withheld with what it is made of, else equal."""
        if withheld:
            if not isinstance(got, Suppressed):
                self.say(where, f"shows {got} though what it is made of is withheld")
        elif got != want:
            self.say(where, f"is {got}, recomputed it is {want}")


def check_report(report: Report, expected: Expected, facts: Facts, label: str) -> Checker:
    """Check every money figure of *report* against *expected*."""
    check = Checker(label, report.threshold)
    names = tuple(facts.names[c] for c in expected.coops)
    if report.coop_names != names:
        check.say("co-ops", f"counts {report.coop_names}, the links give {names}")
        return check
    active, money, trend = (report.tables[t].safe for t in ("active", "money", "trend"))
    assert report.tables["money"].figures == tuple(f"{n}_pence" for n in MONEY)

    # Money by co-op and for the whole; a co-op's money is hidden wherever its households are.
    beside = _small(active, money)
    for row, coop_id in enumerate(expected.coops):
        line, name = expected.by_coop[coop_id], facts.names[coop_id]
        figures = {f"{n}_pence": line.money[n] for n in MONEY}
        for cell in (money.rows[row][0], money.row_totals[row]):
            check.cell(f"money, {name}", cell, len(line.households), figures, beside)
        if active.row_totals[row].hidden and not money.rows[row][0].hidden:
            check.say(f"money, {name}", "shows though its active households are hidden")
    whole = expected.whole.money
    for cell in (money.total, money.column_totals[0]):
        figures = {f"{n}_pence": whole[n] for n in MONEY}
        check.cell("money, total", cell, len(expected.whole.households), figures, beside)
    for table, cell in (("money", money.total), ("by month", trend.total)):
        if active.total.hidden and not cell.hidden:
            check.say(f"{table}, total", "shows though the period's households are hidden")

    # Month by month; the months add up to the period.
    beside = _small(active, trend)
    sums = dict.fromkeys(["collections", "spend_pence", "reference_pence", "surplus_pence"], 0)
    assert report.tables["trend"].row_labels == tuple(expected.by_month)
    for row, (month, line) in enumerate(expected.by_month.items()):
        figures = {"collections": line.collections}
        figures |= {f"{n}_pence": line.money[n] for n in ("spend", "reference", "surplus")}
        check.cell(f"by month, {month}", trend.rows[row][0], len(line.households), figures, beside)
        sums = {name: sums[name] + figures[name] for name in sums}
    for name in ("spend", "reference", "surplus"):
        if sums[f"{name}_pence"] != whole[name]:
            check.say(
                "by month", f"the months' {name} is {sums[name + '_pence']}, not {whole[name]}"
            )
    household_months = sum(len(line.households) for line in expected.by_month.values())
    check.cell("by month, total", trend.total, household_months, sums, beside)

    # Headline money, savings as METRICS.md defines them, support, and value for money.
    h, hidden = report.headline, money.total.hidden
    savings = whole["reference"] - whole["spend"]
    for name, want in {
        "member_spend_pence": whole["spend"],
        "reference_pence": whole["reference"],
        "surplus_pence": whole["surplus"],
        "savings_pence": savings,
        "supplier_pence": whole["supplier"],
        "local_pence": whole["local"],
        "subsidy_pence": whole["subsidy"],
    }.items():
        check.value(f"headline {name}", h[name], want, hidden)
    if not hidden and h["savings_pence"] != h["reference_pence"] - h["member_spend_pence"]:
        check.say("headline savings", "are not the reference value less member spend")
    kinds = [kind for kind in SupportKind if kind in expected.support]
    support = report.tables["support"]
    check.value("support kinds", support.row_labels, tuple(k.label for k in kinds), False)
    for row, kind in zip(support.safe.rows, kinds, strict=False):
        check.value(f"support, {kind.label}", row[0].figures, (expected.support[kind],), False)
    given = sum(expected.support.values())
    grants = sum(v for k, v in expected.support.items() if k in GRANTS)
    in_kind = sum(v for k, v in expected.support.items() if k in IN_KIND)
    check.value("headline support_pence", h["support_pence"], given, False)
    for name, want, withheld in (
        ("savings_share", _ratio(savings, whole["reference"]), hidden),
        ("local_share", _ratio(whole["local"], whole["supplier"]), hidden),
        ("savings_per_support", _ratio(savings, given), hidden),
        ("support_per_active", _ratio(given, len(expected.whole.households)), active.total.hidden),
        ("leverage", _ratio(whole["spend"] + in_kind, grants), hidden),
    ):
        check.value(name, report.derived[name], want, withheld)

    # Volunteer time is money once valued: hours x the printed rate, a part of a penny dropped.
    volunteers = report.tables["volunteers"].safe
    beside = _small(volunteers)
    for row, coop_id in enumerate(expected.coops):
        who, minutes = expected.volunteers[coop_id]
        where = f"volunteers, {facts.names[coop_id]}"
        check.cell(where, volunteers.rows[row][0], len(who), {"minutes": minutes}, beside)
    logging = sum(len(w) for w, _ in expected.volunteers.values())
    minutes = sum(m for _, m in expected.volunteers.values())
    check.cell("volunteers, total", volunteers.total, logging, {"minutes": minutes}, beside)
    value = minutes * RATE.pence_per_hour // 60
    check.value("volunteer value", h["volunteer_value_pence"], value, volunteers.total.hidden)
    return check


def test_every_money_figure_of_every_report_is_recomputed_from_the_ledger(factory):
    council, coops = generate(factory, SEED)
    facts = read_facts()
    fishwick, callon, tiny = (coops[p.name].id for p in (FISHWICK, PLANS[2], PLANS[3]))
    year, last_year = financial_year(starting=2025), financial_year(starting=2024)
    reports = [
        ("2024/25", last_year, None),
        ("2025/26", year, None),
        ("Q1 2026", quarter_period(year=2026, quarter=1), None),  # Ribbleton leaves in it
        ("Q3 2025", quarter_period(year=2025, quarter=3), None),
        ("2025/26, Fishwick", year, [fishwick]),
        ("2024/25, Callon", last_year, [callon]),  # joined in October
        ("Q3 2025, Fishwick", quarter_period(year=2025, quarter=3), [fishwick]),
        ("2025/26, Tiny Pantry", year, [tiny]),
        ("2024/25, Fishwick and Tiny Pantry", last_year, [fishwick, tiny]),
    ]
    problems, shown, withheld = [], 0, 0
    for label, period, chosen in reports:
        report = council_report(
            council=council, period=period, coop_ids=chosen, volunteer_rate=RATE
        )
        check = check_report(report, recompute(facts, council, period, chosen), facts, label)
        problems += check.problems
        shown, withheld = shown + check.shown, withheld + check.withheld
    assert problems == []
    # The generated years exercise both: most cells show, and some are withheld.
    assert shown > 80 and withheld > 30, (shown, withheld)
