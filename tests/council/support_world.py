"""Helpers of the support record tests: a council linked to the round world's co-op, forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rounds.builders import RoundWorld
from sqlalchemy import func, select

from coop.extensions import db
from coop.models import Account, AccountKind, CoopCouncilLink, Council, Posting, User

TODAY = date.today()


def linked_council(rounds: RoundWorld, name: str = "Preston City Council") -> Council:
    """Return a new council the round world's co-op belongs to since 2024."""
    council = rounds.factory.council(name=name)
    db.session.add(CoopCouncilLink(coop=rounds.coop, council=council, starts_on=date(2024, 1, 1)))
    db.session.commit()
    return council


def officer_of(rounds: RoundWorld, council: Council, name: str = "Olu Officer") -> User:
    return rounds.factory.officer(council, rounds.factory.user(name=name))


def record_form(**values: Any) -> dict[str, str]:
    """Return a support record form's fields as a browser posts them, with *values* over them."""
    data = {
        "programme": "Household Support Fund round 6",
        "intermediary": "",
        "kind": "grant",
        "value": "600.00",
        "value_basis": "",
        "awarded_on": TODAY.isoformat(),
        "period_start": (TODAY - timedelta(days=30)).isoformat(),
        "period_end": (TODAY + timedelta(days=90)).isoformat(),
        "spend_by": "",
        "conditions": "",
        "monitoring_months": "",
        "monitoring_next_due": "",
        "notes": "",
    }
    data.update({key: str(value) for key, value in values.items()})
    return data


def council_support_pence(round_id: int | None = None) -> int:
    """Return what the ledger's council-support accounts hold, for one round's postings if given."""
    from coop.models import LedgerTransaction

    query = (
        select(func.coalesce(func.sum(Posting.amount_pence), 0))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.kind == AccountKind.COUNCIL_SUPPORT)
    )
    if round_id is not None:
        query = query.join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id).where(
            LedgerTransaction.round_id == round_id
        )
    return int(db.session.scalar(query))
