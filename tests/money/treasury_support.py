"""Helpers for the treasurer's tests: settled rounds, a council's subsidy, a treasurer."""

from __future__ import annotations

from datetime import date

from rounds.builders import RoundWorld

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CoopCouncilLink, LedgerTransaction, Round, SupportKind, SupportRecord
from coop.services.money.settlement import settle_round
from money.support import receive_as_ordered


def treasurer(rounds: RoundWorld):  # type: ignore[no-untyped-def]
    """Return a new user who is the co-op's treasurer."""
    return rounds.factory.member(
        rounds.coop, Role.TREASURER, user=rounds.factory.user(name="Tess Urer")
    )


def received_round(rounds: RoundWorld, *units: int, case_price_pence: int = 1200) -> Round:
    """Return a received round of one item (case of 6) where household n received units[n]."""
    oats = rounds.product(case_price_pence=case_price_pence, name="Porridge oats")
    round_ = rounds.round(oats)
    for household, quantity in zip(rounds.households, units, strict=False):
        if quantity:
            rounds.ask(round_, oats, household, quantity)
    return receive_as_ordered(round_)


def settled_round(rounds: RoundWorld, *units: int, case_price_pence: int = 1200) -> Round:
    """Return a settled round of one item, as `received_round` builds it."""
    round_ = received_round(rounds, *units, case_price_pence=case_price_pence)
    settle_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    return round_


def subsidy_record(rounds: RoundWorld, *, programme: str = "Healthy Start top-up") -> SupportRecord:
    """Link the co-op to a new council and record a subsidy it awarded the co-op."""
    council = rounds.factory.council(name="Preston City Council")
    db.session.add(CoopCouncilLink(coop=rounds.coop, council=council, starts_on=date(2024, 1, 1)))
    record = SupportRecord(
        council_id=council.id,
        coop_id=rounds.coop.id,
        programme=programme,
        kind=SupportKind.SUBSIDY,
        value_pence=50_000,
        awarded_on=date(2025, 4, 1),
    )
    db.session.add(record)
    db.session.commit()
    return record


def latest_transaction() -> LedgerTransaction:
    return db.session.scalars(
        db.select(LedgerTransaction).order_by(LedgerTransaction.id.desc()).limit(1)
    ).one()
