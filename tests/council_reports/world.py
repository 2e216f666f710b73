"""A small council world with settled rounds: a co-op of 12 households and one of 3."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from money.statement_support import settle
from rounds.builders import RoundWorld, build_round_world
from sqlalchemy import func, select, update

from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Coop,
    CoopCouncilLink,
    Council,
    LedgerTransaction,
    Membership,
    Posting,
    Product,
    Round,
    TransactionKind,
)


@dataclass
class World:
    council: Council
    big: RoundWorld
    small: RoundWorld
    product: Product
    small_product: Product


def on_day(round_: Round, day: date) -> None:
    db.session.execute(
        update(Round)
        .where(Round.id == round_.id)
        .values(pickup_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
    )
    db.session.commit()


def settled_round(world: RoundWorld, product: Product, households: list[Membership], day: date):
    """Settle a round where each of *households* takes one unit, counted on *day*."""
    round_ = world.round(product)
    for household in households:
        world.ask(round_, product, household, 1)
    settle(round_)
    on_day(round_, day)
    return round_


def build_world(factory) -> World:
    council = factory.council(name="Preston City Council", gss_code="E07000123")
    big = build_round_world(factory, households=12)
    db.session.add(CoopCouncilLink(coop=big.coop, council=council, starts_on=date(2024, 1, 1)))
    small_coop = factory.coop(name="Tiny Pantry", slug="tiny")
    small = build_round_world_in(factory, small_coop, 3)
    db.session.add(CoopCouncilLink(coop=small_coop, council=council, starts_on=date(2024, 1, 1)))
    db.session.commit()
    # 250p each, bought by the case of one; the supermarket charges 400p.
    priced = {
        "case_size": 1,
        "case_price_pence": 250,
        "reference_price_pence": 400,
        "reference_price_source": "Tesco website",
    }
    product = big.product(reference_price_date=date(2025, 11, 3), **priced)
    small_product = small.product(reference_price_date=date(2026, 1, 6), **priced)
    homes = big.households
    settled_round(big, product, homes[:10], date(2025, 12, 10))  # before the period
    settled_round(big, product, homes, date(2026, 1, 14))
    settled_round(big, product, homes[:11], date(2026, 2, 11))
    settled_round(big, product, homes[:10], date(2026, 4, 15))  # after Q1
    settled_round(small, small_product, small.households, date(2026, 1, 20))
    return World(council, big, small, product, small_product)


def build_round_world_in(factory, coop: Coop, households: int) -> RoundWorld:
    """A round world in an existing co-op, with its own coordinator and supplier."""
    from coop.domain.roles import Role
    from coop.models import Supplier

    coordinator = factory.member(coop, Role.COORDINATOR)
    members = factory.households(coop, households)
    supplier = Supplier(coop=coop, name="Corner Wholesale")
    db.session.add(supplier)
    db.session.commit()
    return RoundWorld(
        factory=factory, coop=coop, coordinator=coordinator, households=members, supplier=supplier
    )


ROUND_MONEY = (TransactionKind.SETTLEMENT, TransactionKind.ADJUSTMENT, TransactionKind.REVERSAL)


def ledger_sum(kind: AccountKind, coop_ids: list[int], start: date, end: date) -> int:
    """Sum the postings of *kind* accounts for rounds counted from *start* to *end*.

    A round's postings: its settlement, corrections to its bills, and reversals.
    """
    day = func.coalesce(Round.pickup_at, Round.closes_at)
    return int(
        db.session.scalar(  # type: ignore[arg-type]
            select(func.coalesce(func.sum(Posting.amount_pence), 0))
            .join(Account, Account.id == Posting.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .join(Round, Round.id == LedgerTransaction.round_id)
            .where(
                Account.kind == kind,
                LedgerTransaction.kind.in_(ROUND_MONEY),
                Round.coop_id.in_(coop_ids),
                day >= datetime(start.year, start.month, start.day, tzinfo=UTC),
                day < datetime(end.year, end.month, end.day, tzinfo=UTC),
            )
        )
    )


def joined_long_ago(*memberships: Membership) -> None:
    """Date the memberships from June 2025, before every round of the world."""
    db.session.execute(
        update(Membership)
        .where(Membership.id.in_([m.id for m in memberships]))
        .values(joined_at=datetime(2025, 6, 1, tzinfo=UTC))
    )
    db.session.commit()


def give_facts(memberships: list[Membership], fact, values: list) -> None:
    """Record each household's consented *fact*, one value each."""
    from coop.domain.household import Fact
    from coop.models import HouseholdFact

    for membership, value in zip(memberships, values, strict=True):
        if fact is Fact.POSTCODE:
            row = HouseholdFact(fact=fact, postcode=value, consent_version=1)
        else:
            row = HouseholdFact(fact=fact, number=value, consent_version=1)
        row.membership_id = membership.id
        db.session.add(row)
    db.session.commit()


def name_distinctively(world: World) -> None:
    """Give the households distinctive names, emails and postcodes, so any that leaked are found.

    Names are Zyxname00..., emails zyxmail00@example.org..., postcodes PR1 0ZQ...
    """
    from coop.domain.household import Fact
    from coop.models import User

    homes = world.big.households + world.small.households
    for n, home in enumerate(homes):
        db.session.execute(
            update(User)
            .where(User.id == home.user_id)
            .values(name=f"Zyxname{n:02d}", email=f"zyxmail{n:02d}@example.org")
        )
    db.session.commit()
    give_facts(homes, Fact.POSTCODE, [f"PR1 {n}ZQ" for n in range(len(homes))])


def load_places(postcodes: dict[str, tuple[str, str, str, int]]) -> None:
    """Load a synthetic postcode directory (2021 LSOAs) and IoD 2025 deciles, both active.

    *postcodes* maps "PR1 1AA" to (ward, LSOA, local authority, IMD decile).
    """
    from coop.models import ImdDecile, ImdEdition, Postcode, PostcodeEdition

    directory = PostcodeEdition(name="NSPL test", lsoa_vintage=2021, active=True)
    imd = ImdEdition(year=2025, lsoa_vintage=2021, active=True)
    db.session.add_all([directory, imd])
    db.session.flush()
    lsoas: dict[str, int] = {}
    for code, (ward, lsoa, lad, decile) in postcodes.items():
        db.session.add(
            Postcode(
                edition_id=directory.id,
                postcode=code.replace(" ", ""),
                ward=ward,
                lsoa=lsoa,
                lad=lad,
            )
        )
        lsoas[lsoa] = decile
    db.session.add_all(
        ImdDecile(edition_id=imd.id, lsoa=lsoa, decile=d) for lsoa, d in lsoas.items()
    )
    db.session.commit()


def log_minutes(world: RoundWorld, households: list[Membership], minutes: int, day: date) -> None:
    from coop.models import VolunteerEntry, VolunteerTask

    task = VolunteerTask(coop_id=world.coop.id, name=f"Packing {day}")
    db.session.add(task)
    db.session.flush()
    db.session.add_all(
        VolunteerEntry(
            coop_id=world.coop.id,
            membership_id=h.id,
            task_id=task.id,
            worked_on=day,
            minutes=minutes,
        )
        for h in households
    )
    db.session.commit()


def award(council: Council, coop: Coop, kind, pence: int, on: date):
    from coop.models import SupportRecord

    record = SupportRecord(
        council_id=council.id,
        coop_id=coop.id,
        programme="UKSPF",
        kind=kind,
        value_pence=pence,
        awarded_on=on,
    )
    db.session.add(record)
    db.session.commit()
    return record
