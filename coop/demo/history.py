"""A year of the demo council's history, so its reports show real figures on first run.

Preston's three co-ops (Fishwick, Ribbleton and Avenham) have run rounds for
the past fourteen months (a year, and two months before it, so the past
year has repeat households): Fishwick weekly, the other two fortnightly. Every
round went the way a real one goes, through the services: created, opened,
ordered (each household at its own rate: most order most rounds, a third
now and then), closed at its deadline, received (now and then a unit short), a delivery
charge shared out where the supplier makes one, and settled by the
treasurer, so the ledger, bills, reference prices and savings are real and
reconcile. Some rounds carry surplus food; every co-op buys from a local
supplier as well as the regional wholesaler. A few households joined during
the year and a few left, so new, repeat and retention figures move.

Households pay as people do: some in cash at each pickup, some by bank
transfer of a round sum every few weeks, a few late, so balances are mostly
near zero with some in credit and some owing. Volunteers log packing,
driving, ordering and treasurer's time for every round. Most households
gave their size, children, pension age, disability and postcode, with
consent; the postcodes are in a made-up postcode directory and IoD 2025
edition (`coop.demo.places`), loaded through the places services as an
admin's upload would be, so reach in deprived areas and the pooled
breakdowns by ward, decile and household type show. Each co-op's households
live in one ward and on one side of the deprived line (Fishwick decile 5,
Ribbleton 1, Avenham 2): a pooled breakdown is offered only when none of its
cells is withheld, and twenty households a co-op spread thinner would be.
The council's support
is recorded too: a grant, a micro-grant, premises, staff time, training, the
delivery subsidy applied to some of Fishwick's rounds and a Household
Support Fund round 6 subsidy taking 10% off Avenham's goods, with
monitoring returns falling due.

Everything is deterministic (one `random.Random` with a fixed seed) and
dated relative to today. The services stamp what they do with the present
moment; the history is then dated back to the days it would have happened.
The emails the history would have sent at the time (closing, ready for
pickup, bills) are not kept in the outbox, since they would have gone long
ago.
"""

from __future__ import annotations

import logging
import random
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, func, select

from coop.demo.catalogue import PRICED_ON, WHOLESALER, _supplier
from coop.demo.places import iod_text, nspl_text, write
from coop.demo.rounds import _dated, _order
from coop.domain.allocation import FAIR_SHARE, FIRST_COME
from coop.domain.catalogue import Tag, tags_to_bits
from coop.domain.household import Fact
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import (
    BillLine,
    Coop,
    Council,
    Membership,
    OutboxMessage,
    Product,
    Round,
    SplitBasis,
    Supplier,
    SupplierKind,
    SupportKind,
    SupportRecord,
    User,
)
from coop.services.catalogue.sharing import subscribe_to_catalogue
from coop.services.jobs import AFTER_COMMIT
from coop.services.money.costs import add_round_cost, apply_subsidy, delivery_offers
from coop.services.money.settlement import settle_round
from coop.services.money.treasury import Method, record_payment
from coop.services.people.household import Answer, update_facts
from coop.services.people.memberships import activate, leave_coop
from coop.services.people.volunteering import log_hours
from coop.services.places.loading import (
    load_imd_job,
    load_postcodes_job,
    start_imd_load,
    start_postcode_load,
)
from coop.services.rounds.closing import close_round
from coop.services.rounds.items import add_round_items
from coop.services.rounds.lifecycle import RoundDetails, create_round, open_round
from coop.services.rounds.receiving import Arrived, items_to_receive, receive_round
from coop.services.support.records import (
    SupportDetails,
    create_support_record,
    record_acknowledgement,
)
from coop.services.times import display_zone

SEED = 2026
# A year, and two months before it, so a report of the past twelve months has repeat
# households and retention from its first month.
DAYS = 365 + 60
EVENING, MORNING = time(20, 0), time(10, 0)

# A made-up postcode directory for Preston (local authority E07000123): ward, LSOA.
# Fishwick's households live in ward A (decile 5), Ribbleton's in ward B (decile 1),
# Avenham's mostly in ward C (decile 2); the wholesaler's postcode is not in it, so
# only the suppliers flagged local or with a Preston postcode count as local.
PRESTON = "E07000123"
WARD_A, WARD_B, WARD_C = "E05012345", "E05012347", "E05012348"
DEMO_DECILES = {
    "E01025310": 5,
    "E01025311": 5,
    "E01025320": 1,
    "E01025321": 1,
    "E01025330": 2,
    "E01025331": 2,
}
FISHWICK_POSTCODES = {
    "PR1 5XX": "E01025310", "PR1 4XX": "E01025310", "PR1 5XY": "E01025311",
    "PR1 4XY": "E01025311", "PR1 5XZ": "E01025310", "PR1 4XZ": "E01025311",
}  # fmt: skip
RIBBLETON_POSTCODES = {
    "PR2 6XX": "E01025320", "PR2 7XX": "E01025321", "PR2 6XY": "E01025320",
    "PR2 7XY": "E01025321", "PR2 6XZ": "E01025320",
}  # fmt: skip
AVENHAM_POSTCODES = {
    "PR1 3XX": "E01025330", "PR1 3XY": "E01025331", "PR1 8XX": "E01025330",
    "PR1 8XY": "E01025331", "PR1 7XX": "E01025331",
}  # fmt: skip
WARDS = {
    **dict.fromkeys(FISHWICK_POSTCODES, WARD_A),
    **dict.fromkeys(RIBBLETON_POSTCODES, WARD_B),
    **dict.fromkeys(AVENHAM_POSTCODES, WARD_C),
}
DEMO_PLACES = [
    (postcode, WARDS[postcode], lsoa, PRESTON)
    for postcode, lsoa in {**FISHWICK_POSTCODES, **RIBBLETON_POSTCODES, **AVENHAM_POSTCODES}.items()
]
POSTCODES = {
    "fishwick-food": FISHWICK_POSTCODES,
    "ribbleton-pantry": RIBBLETON_POSTCODES,
    "avenham-larder": AVENHAM_POSTCODES,
}
# Fishwick has ten active households before the history, Ribbleton five, Avenham one.
NEWCOMERS = {"fishwick-food": 14, "ribbleton-pantry": 17, "avenham-larder": 20}
POSTCODE_DIRECTORY = "Demo postcode directory (made up, NSPL layout)"

# Wholesale staples in small cases, so a co-op of twenty fills them most rounds.
STAPLES = tuple(
    f"NW-{line}-01"
    for line in (
        "OATS", "PASS", "PNBT", "JAMS", "OILR", "LAUL", "LOOR", "NAPP", "YEAS", "MUES",
        "RICL", "SPAG", "PENN", "TOMC", "BEAN", "CHKT", "SOUP", "LENR", "TEAB", "WASH",
    )
)  # fmt: skip
VEG = ("GL-CAR", "GL-ONI", "GL-APE", "GL-KAL", "GL-PAR", "GL-SWE")
SURPLUS_FOOD = ("SF-BRD", "SF-VEG", "SF-CER", "SF-SNK")

BAKERY = {
    "name": "Ribbleton Lane Bakery",
    "kind": SupplierKind.PRODUCER,
    "email": "bread@ribbleton-bakery.example.org",
    "address": "41 Sample Parade (demo), Preston",
    "postcode": "PR2 6XZ",  # in Preston, so local by its postcode, not by a flag
    "order_days": 4 | 16,
    "lead_time_days": 1,
}
BAKERY_ITEMS = (
    ("RLB-WHT", "White bloomer", "Bakery", "800 g loaf", 6, 780, 180),
    ("RLB-BRN", "Wholemeal tin loaf", "Bakery", "800 g loaf", 6, 810, 185),
    ("RLB-ROL", "Bread rolls", "Bakery", "pack of 6", 6, 720, 150),
    ("RLB-TEA", "Teacakes", "Bakery", "pack of 4", 6, 690, 140),
)
DAIRY = {
    "name": "Brockholes Farm Dairy",
    "kind": SupplierKind.PRODUCER,
    "email": "milk@brockholes-dairy.example.org",
    "address": "Brockholes Farm (demo), near Preston",
    "postcode": "PR5 0XX",
    "is_local": True,
    "order_days": 2 | 16,
    "lead_time_days": 1,
}
DAIRY_ITEMS = (
    ("BFD-MLK", "Semi-skimmed milk", "Dairy", "2 litres", 6, 830, 165),
    ("BFD-EGG", "Free-range eggs", "Dairy", "box of 6", 6, 1_260, 250),
    ("BFD-YOG", "Natural yoghurt", "Dairy", "500 g pot", 6, 720, 140),
    ("BFD-CHE", "Lancashire cheese", "Dairy", "250 g", 6, 1_350, 280),
)

FIRST_NAMES = (
    "Aisha", "Ben", "Carys", "Danny", "Esther", "Femi", "Gemma", "Hassan", "Ivy", "Jamal",
    "Kerry", "Leon", "Maryam", "Niall", "Olivia", "Pawel", "Qasim", "Rachel", "Sam", "Tanya",
    "Usman", "Vicky", "Wes", "Yasmin", "Zofia", "Adam", "Bushra", "Callum", "Donna", "Ewan",
    "Fatima", "Gary", "Hannah", "Ibrahim", "Jade", "Kieran", "Lucy", "Mohammed", "Nadia",
    "Owen", "Priya", "Ryan", "Sadia", "Tom", "Uzma", "Vince", "Wendy", "Yusuf", "Zara",
    "Abdul", "Beth", "Connor",
)  # fmt: skip
SURNAMES = (
    "Ahmed", "Barker", "Clarke", "Dunn", "Evans", "Fletcher", "Gill", "Hussain", "Iqbal",
    "Jones", "Kowalski", "Lee", "Mistry", "Nolan", "Owens", "Parker", "Quinn", "Rahman",
    "Singh", "Turner", "Umar", "Varga", "Wright", "Young", "Zielinski", "Ashworth",
)  # fmt: skip


@dataclass
class Household:
    """One household of a demo co-op over the year."""

    membership: Membership
    joined: date
    rate: float  # the chance it orders in a given round
    pays: str  # "cash", "bank" or "late"
    leaves: date | None = None
    owes: int = 0  # what its bills come to less what it has paid, in pence
    last_paid: date | None = None


@dataclass
class HistoryCoop:
    """A demo co-op whose year of rounds the history writes."""

    coop: Coop
    coordinator: User
    treasurer: User
    every_days: int
    last_pickup: date  # the pickup day of its most recent round of the history
    supplier_ids: list[int] = field(default_factory=list)
    extra_codes: tuple[str, ...] = ()
    households: list[Household] = field(default_factory=list)

    @property
    def postcodes(self) -> dict[str, str]:
        """The demo postcodes the co-op's households live at, with their LSOAs."""
        return POSTCODES[self.coop.slug]

    @property
    def newcomers(self) -> int:
        """How many households the history adds to the co-op."""
        return NEWCOMERS[self.coop.slug]


@dataclass(frozen=True)
class DemoHistory:
    """What the history added, for the caller to mention."""

    rounds: int
    households: int
    example_email: str


def load_demo_history(
    *,
    council: Council,
    officer: User,
    coops: Sequence[HistoryCoop],
    password_hash: str,
    today: date | None = None,
) -> DemoHistory:
    """Write a year of rounds, payments, hours, facts and support for *coops* (flushes)."""
    today = today or datetime.now(display_zone()).date()
    pick = random.Random(SEED)
    first_outbox = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    logger = current_app.logger
    level = logger.level
    logger.setLevel(logging.WARNING)  # the history's thousands of emails are not news
    try:
        load_demo_places()
        _suppliers(coops)
        emails = _newcomers(coops, password_hash, pick, today)
        support = _support(council, officer, coops, today)
        round_ids: set[int] = set()
        for history in coops:
            round_ids |= _rounds(history, support, pick, today)
        _leavers(coops)
        _forget_notices(first_outbox, round_ids)
    finally:
        logger.setLevel(level)
    return DemoHistory(rounds=len(round_ids), households=len(emails), example_email=emails[0])


def _forget_notices(first_outbox: int, round_ids: set[int]) -> None:
    """Drop the history's emails, and its rounds' notices waiting for the commit.

    They would have gone out at the time; sent now they would be news of a year ago.
    """
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > first_outbox))
    pending = db.session.info.get(AFTER_COMMIT, {})
    for key in [key for key, (_, _, ids) in pending.items() if ids.get("round_id") in round_ids]:
        del pending[key]
    db.session.flush()


def load_demo_places() -> None:
    """Load the demo postcode directory and IoD 2025 deciles, as an admin's upload would be."""
    with tempfile.TemporaryDirectory() as folder:
        directory = write(Path(folder) / "demo_nspl.csv", nspl_text(DEMO_PLACES))
        run = start_postcode_load(source=directory, name=POSTCODE_DIRECTORY, user=None)
        load_postcodes_job(run_id=run.id)
        deciles = write(Path(folder) / "demo_iod2025.csv", iod_text(2021, 2024, DEMO_DECILES))
        run = start_imd_load(source=deciles, year=2025, user=None)
        load_imd_job(run_id=run.id)


def _suppliers(coops: Sequence[HistoryCoop]) -> None:
    """Give Ribbleton a bakery and Avenham a dairy; Avenham subscribes to the wholesaler."""
    fishwick, ribbleton, avenham = coops
    wholesaler = db.session.scalars(
        select(Supplier).where(
            Supplier.coop_id == fishwick.coop.id, Supplier.name == WHOLESALER["name"]
        )
    ).one()
    subscribe_to_catalogue(coop=avenham.coop, supplier=wholesaler)
    fishwick.supplier_ids = list(
        db.session.scalars(select(Supplier.id).where(Supplier.coop_id == fishwick.coop.id))
    )
    bakery = _supplier(ribbleton.coop, BAKERY, _local_rows(BAKERY_ITEMS, "Booths"))
    dairy = _supplier(avenham.coop, DAIRY, _local_rows(DAIRY_ITEMS, "Booths"))
    ribbleton.supplier_ids = [wholesaler.id, bakery.id]
    ribbleton.extra_codes = tuple(code for code, *_ in BAKERY_ITEMS)
    avenham.supplier_ids = [wholesaler.id, dairy.id]
    avenham.extra_codes = tuple(code for code, *_ in DAIRY_ITEMS)


def _local_rows(
    items: tuple[tuple[str, str, str, str, int, int, int], ...], shop: str
) -> Iterator[dict[str, object]]:
    for code, name, category, unit, case, case_pence, shop_pence in items:
        yield {
            "code": code,
            "name": name,
            "category": category,
            "tag_bits": tags_to_bits((Tag.VEGETARIAN, Tag.LOCAL)),
            "unit_label": unit,
            "case_size": case,
            "case_price_pence": case_pence,
            "origin": "Lancashire",
            "reference_price_pence": shop_pence,
            "reference_price_date": PRICED_ON,
            "reference_price_source": f"{shop} (demo figure)",
        }


def _history_start(today: date) -> date:
    return today - timedelta(days=DAYS)


def _newcomers(
    coops: Sequence[HistoryCoop],
    password_hash: str,
    pick: random.Random,
    today: date,
) -> list[str]:
    """Add each co-op's newcomers, then plan every household's year."""
    start = _history_start(today)
    names = [(first, SURNAMES[n % len(SURNAMES)]) for n, first in enumerate(FIRST_NAMES)]
    emails = []
    names_left = iter(names)
    for history in coops:
        added = history.newcomers
        for _ in range(added):
            first, surname = next(names_left)
            email = f"{first.lower()}.{surname.lower()}@example.org"
            # One password for all of them, hashed once: the same hash a sign-up would store.
            user = User(email=email, name=f"{first} {surname}", password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            activate(coop=history.coop, user=user, membership=None)
            emails.append(email)
        members = db.session.scalars(
            select(Membership)
            .where(
                Membership.coop_id == history.coop.id,
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(Membership.id)
        ).all()
        # Three households joined during the year; three others left before its end.
        joiners = set(pick.sample(range(len(members) - added, len(members)), 3))
        officers = {history.coordinator.id, history.treasurer.id}
        others = [
            n
            for n, membership in enumerate(members)
            if n not in joiners and membership.user_id not in officers
        ]
        leavers = set(pick.sample(others, 3))
        for n, membership in enumerate(members):
            joined = (
                start + timedelta(days=pick.randint(40, DAYS - 60))
                if n in joiners
                else start - timedelta(days=pick.randint(60, 600))
            )
            leaves = today - timedelta(days=pick.randint(40, 250)) if n in leavers else None
            household = Household(
                membership=membership,
                joined=joined,
                rate=_rate(pick, officer=membership.user_id in officers),
                pays=pick.choices(("cash", "bank", "late"), weights=(4, 5, 1))[0],
                leaves=leaves,
            )
            history.households.append(household)
            _backdate_joining(membership, joined)
            _facts(membership, history.postcodes, n, pick, joined)
    return emails


def _rate(pick: random.Random, *, officer: bool) -> float:
    """How often a household orders: most most rounds, one in three now and then."""
    if officer:
        return 0.95
    if pick.random() < 1 / 3:
        return pick.uniform(0.15, 0.35)
    return pick.uniform(0.6, 0.95)


def _backdate_joining(membership: Membership, joined: date) -> None:
    when = datetime.combine(joined, time(18, 30), display_zone())
    membership.requested_at = when - timedelta(days=2)
    membership.joined_at = when


def _facts(
    membership: Membership, postcodes: dict[str, str], n: int, pick: random.Random, joined: date
) -> None:
    """Most households tell the co-op about themselves, with consent; one in eight does not."""
    if n % 8 == 5:
        return
    kind = pick.choices(("children", "pension", "other"), weights=(4, 3, 4))[0]
    if kind == "children":
        under_18 = pick.randint(1, 3)
        under_5 = pick.randint(0, min(under_18, 2))
        size = under_18 + pick.randint(1, 2)
        pension = 0
    elif kind == "pension":
        under_18 = under_5 = 0
        size = pick.randint(1, 2)
        pension = 1
    else:
        under_18 = under_5 = pension = 0
        size = pick.randint(1, 4)
    answers = {
        Fact.POSTCODE: Answer(pick.choice(sorted(postcodes)), consent=True),
        Fact.HOUSEHOLD_SIZE: Answer(size, consent=True),
        Fact.CHILDREN_UNDER_5: Answer(under_5, consent=True),
        Fact.CHILDREN_UNDER_18: Answer(under_18, consent=True),
        Fact.PENSION_AGE: Answer(pension, consent=True),
        Fact.DISABILITY: Answer(1 if pick.random() < 0.2 else 0, consent=True),
    }
    if n % 8 == 2:  # some give their postcode and size only
        answers = {fact: answers[fact] for fact in (Fact.POSTCODE, Fact.HOUSEHOLD_SIZE)}
    update_facts(membership=membership, answers=answers)
    consented = datetime.combine(joined + timedelta(days=1), time(19, 0), display_zone())
    for held in membership.facts:
        held.consented_at = consented


@dataclass(frozen=True)
class Support:
    """The subsidies the history applies to rounds."""

    delivery_id: int | None
    hsf_id: int
    hsf_start: date
    hsf_end: date


def _fy_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _support(council: Council, officer: User, coops: Sequence[HistoryCoop], today: date) -> Support:
    """Record the council's support for each co-op over the year, as the officer would."""
    fishwick, ribbleton, avenham = (history.coop for history in coops)
    hsf_start = _fy_start(today - timedelta(days=240))
    hsf_end = date(hsf_start.year + 1, 3, 31)
    records = [
        (
            avenham,
            SupportDetails(
                programme="Household Support Fund round 6",
                intermediary="Preston City Council (DWP funding)",
                kind=SupportKind.SUBSIDY,
                value_pence=100_000,
                awarded_on=hsf_start,
                period_start=hsf_start,
                period_end=hsf_end,
                spend_by=hsf_end,
                conditions=(
                    "10% off every household's goods, up to £30 a round; report households "
                    "helped by type each quarter."
                ),
                restricted_fund=True,
                underspend_returnable=True,
                monitoring_months=3,
                monitoring_next_due=today + timedelta(days=12),
            ),
        ),
        (
            avenham,
            SupportDetails(
                programme="UKSPF Communities and Place: community food grant",
                kind=SupportKind.GRANT,
                value_pence=250_000,
                awarded_on=today - timedelta(days=300),
                period_start=today - timedelta(days=300),
                period_end=today + timedelta(days=65),
                spend_by=today + timedelta(days=65),
                conditions="Start-up costs: scales, crates, a chest freezer, volunteer training.",
                restricted_fund=True,
                acknowledgement_required=True,
                monitoring_months=6,
                monitoring_next_due=today + timedelta(days=9),
            ),
        ),
        (
            avenham,
            SupportDetails(
                programme="Community development officer time",
                kind=SupportKind.STAFF_TIME,
                value_pence=96_000,
                value_basis="£30 an hour x 32 hours",
                awarded_on=today - timedelta(days=330),
                period_start=today - timedelta(days=330),
                period_end=today + timedelta(days=35),
                monitoring_months=3,
                monitoring_next_due=today + timedelta(days=40),
            ),
        ),
        (
            ribbleton,
            SupportDetails(
                programme="Library meeting room for pickups",
                kind=SupportKind.PREMISES,
                value_pence=52_000,
                value_basis="£10 an hour x 52 hours",
                awarded_on=today - timedelta(days=280),
                period_start=today - timedelta(days=280),
                period_end=today + timedelta(days=85),
                monitoring_months=12,
                monitoring_next_due=today + timedelta(days=27),
            ),
        ),
        (
            ribbleton,
            SupportDetails(
                programme="Ward councillor micro-grant",
                kind=SupportKind.MICRO_GRANT,
                value_pence=30_000,
                awarded_on=today - timedelta(days=170),
                conditions="Reusable bags and a trolley for pickups.",
            ),
        ),
        (
            fishwick,
            SupportDetails(
                programme="Food hygiene training",
                kind=SupportKind.TRAINING,
                value_pence=18_000,
                value_basis="£45 a place x 4 volunteers",
                awarded_on=today - timedelta(days=120),
            ),
        ),
    ]
    hsf_id = 0
    for coop, details in records:
        record = create_support_record(council=council, coop=coop, details=details, by=officer)
        if details.programme.startswith("Household Support Fund"):
            hsf_id = record.id
        if details.acknowledgement_required:
            # Avenham thanked the council in its newsletter; the officer noted it then.
            record_acknowledgement(record=record, by=officer)
            record.acknowledged_on = details.awarded_on + timedelta(days=21)
    delivery_id = db.session.scalar(
        select(SupportRecord.id).where(
            SupportRecord.coop_id == fishwick.id,
            SupportRecord.kind == SupportKind.SUBSIDY,
        )
    )
    return Support(delivery_id, hsf_id, hsf_start, hsf_end)


def _rounds(history: HistoryCoop, support: Support, pick: random.Random, today: date) -> set[int]:
    """Run the co-op's rounds of the year, oldest first; return their ids."""
    zone = display_zone()
    start = _history_start(today)
    pickups = []
    day = history.last_pickup
    while day > start:
        pickups.append(day)
        day -= timedelta(days=history.every_days)
    staples = sorted(STAPLES)
    round_ids = set()
    for number, pickup_day in enumerate(reversed(pickups)):
        codes = pick.sample(staples, 9)
        if history.extra_codes:
            codes += pick.sample(history.extra_codes, 3)
        else:
            codes += pick.sample(VEG, 3)
            if number % 3 == 0:
                codes += pick.sample(SURPLUS_FOOD, 2)
        round_ids.add(_one_round(history, support, pick, codes, pickup_day, number, zone, today))
    return round_ids


def _one_round(
    history: HistoryCoop,
    support: Support,
    pick: random.Random,
    codes: list[str],
    pickup_day: date,
    number: int,
    zone: ZoneInfo,
    today: date,
) -> int:
    coop, coordinator, treasurer = history.coop, history.coordinator, history.treasurer

    def at(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, zone)

    pickup = at(pickup_day, MORNING)
    deadline = at(pickup_day - timedelta(days=2), EVENING)
    opens = at(pickup_day - timedelta(days=8), MORNING)
    every = "Weekly" if history.every_days == 7 else "Fortnightly"
    round_ = create_round(
        coop=coop,
        details=RoundDetails(
            title=f"{every} order, pickup {pickup:%a %-d %b %Y}",
            opens_at=opens,
            closes_at=deadline,
            pickup_at=pickup,
            pickup_place=coop.pickup_address,
            policy=FAIR_SHARE if number % 4 == 3 else FIRST_COME,
        ),
        by=coordinator,
    )
    round_.created_at = opens - timedelta(days=1)
    product_ids = db.session.scalars(
        select(Product.id).where(
            Product.code.in_(codes), Product.supplier_id.in_(history.supplier_ids)
        )
    ).all()
    add_round_items(round_=round_, product_ids=product_ids)
    open_round(round_id=round_.id, now=opens)
    ordering = [
        household
        for household in history.households
        if household.joined <= pickup_day - timedelta(days=3)
        and (household.leaves is None or pickup_day <= household.leaves)
        and pick.random() < household.rate
    ] or history.households[:3]  # never a round nobody ordered in
    _order(round_, [h.membership.id for h in ordering], pick, items_each=(3, 6))
    close_round(round_id=round_.id, by=None, now=deadline)

    items = items_to_receive(round_id=round_.id)
    short = pick.randrange(len(items)) if items and pick.random() < 0.3 else None
    arrived = [
        Arrived(item_id=item.id, amount=(item.units_ordered or 0) - (1 if n == short else 0))
        for n, item in enumerate(items)
    ]
    receive_round(round_id=round_.id, by=coordinator, lines=arrived)
    round_.received_at = pickup - timedelta(hours=2)
    for offer in delivery_offers(round_=round_, costs=[]):
        cost = add_round_cost(
            round_=round_,
            name=offer.name,
            amount_pence=offer.amount_pence,
            basis=SplitBasis.BY_VALUE,
            supplier_id=offer.supplier_id,
        )
        # Fishwick's delivery subsidy pays the delivery of every eighth round this year.
        if (
            support.delivery_id is not None
            and pickup_day.year == today.year
            and number % 8 == 0
            and coop.slug == "fishwick-food"
        ):
            apply_subsidy(
                round_=round_,
                coop=coop,
                support_record_id=support.delivery_id,
                cost_id=cost.id,
                percent_bp=0,
                cap_pence=None,
            )
    if coop.slug == "avenham-larder" and support.hsf_start <= pickup_day <= support.hsf_end:
        apply_subsidy(
            round_=round_,
            coop=coop,
            support_record_id=support.hsf_id,
            cost_id=None,
            percent_bp=1_000,
            cap_pence=3_000,
        )
    settled = settle_round(round_id=round_.id, by=treasurer)
    round_.settled_at = pickup + timedelta(hours=5)
    _dated(settled.transaction_id, round_.settled_at)
    _volunteers(history, ordering, pick, pickup_day, today)
    _payments(history, round_, ordering, pick, pickup_day)
    return round_.id


def _volunteers(
    history: HistoryCoop,
    ordering: list[Household],
    pick: random.Random,
    pickup_day: date,
    today: date,
) -> None:
    """Two or three households pack, one drives; the coordinator orders, the treasurer settles."""
    coop, coordinator = history.coop, history.coordinator
    helpers = pick.sample(ordering, min(len(ordering), pick.randint(2, 3)))
    shifts = [(helper.membership.id, "Packing", pick.choice((60, 90, 120))) for helper in helpers]
    if helpers:
        shifts.append((helpers[0].membership.id, "Driving", pick.choice((45, 60))))
    by_user = {h.membership.user_id: h.membership.id for h in history.households}
    shifts.append((by_user[coordinator.id], "Ordering", pick.choice((30, 45, 60))))
    shifts.append((by_user[history.treasurer.id], "Treasurer", pick.choice((30, 45))))
    for membership_id, task, minutes in shifts:
        worked_on = pickup_day - timedelta(days=3) if task == "Ordering" else pickup_day
        log_hours(
            coop=coop,
            membership_id=membership_id,
            task_name=task,
            worked_on=min(worked_on, today),
            minutes=minutes,
            logged_by=coordinator,
            today=today,
        )


def _payments(
    history: HistoryCoop,
    round_: Round,
    ordering: list[Household],
    pick: random.Random,
    pickup_day: date,
) -> None:
    """Cash payers pay at pickup; bank payers a round sum every four weeks; a few pay late."""
    bills = dict(
        db.session.execute(
            select(BillLine.membership_id, func.sum(BillLine.amount_pence))
            .where(BillLine.round_id == round_.id)
            .group_by(BillLine.membership_id)
        ).all()
    )
    settled_at = round_.settled_at or datetime.combine(pickup_day, MORNING, display_zone())
    for household in history.households:
        household.owes += int(bills.get(household.membership.id, 0))
        if household.owes <= 0:
            continue
        if household.pays == "cash" and household in ordering:
            amount, method, when = household.owes, Method.CASH, settled_at - timedelta(hours=4)
            if pick.random() < 0.15:  # short of change this week
                amount = household.owes // 200 * 100
        elif household.pays == "bank" and (
            household.last_paid is None or (pickup_day - household.last_paid).days >= 28
        ):
            amount = (household.owes // 500 + 1) * 500  # rounds up, so often in credit
            method, when = Method.BANK, settled_at + timedelta(days=1, hours=3)
        elif household.pays == "late" and pick.random() < 0.35:
            amount, method, when = household.owes, Method.CASH, settled_at - timedelta(hours=3)
        else:
            continue
        if amount <= 0:
            continue
        payment = record_payment(
            coop=history.coop,
            membership_id=household.membership.id,
            amount_pence=amount,
            method=method,
            note="",
            by=history.treasurer,
        )
        _dated(payment.id, when)
        household.owes -= amount
        household.last_paid = pickup_day


def _leavers(coops: Sequence[HistoryCoop]) -> None:
    """The households that left settle up by bank transfer, then leave on their day."""
    for history in coops:
        for household in history.households:
            if household.leaves is None:
                continue
            when = datetime.combine(household.leaves + timedelta(days=2), time(12), display_zone())
            if household.owes > 0:
                payment = record_payment(
                    coop=history.coop,
                    membership_id=household.membership.id,
                    amount_pence=household.owes,
                    method=Method.BANK,
                    note="settling up before leaving",
                    by=history.treasurer,
                )
                _dated(payment.id, when)
                household.owes = 0
            leave_coop(membership=household.membership)
            household.membership.left_at = when + timedelta(hours=2)
