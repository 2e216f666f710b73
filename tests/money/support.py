"""Helpers for money tests: take a round to received without the receiving pages."""

from __future__ import annotations

from sqlalchemy import select, update

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Posting, Round, RoundItem
from coop.models.types import utcnow
from coop.services.rounds.closing import close_round


def receive_as_ordered(round_: Round) -> Round:
    """Close the round and record that exactly what was ordered arrived."""
    close_round(round_id=round_.id, by=None)
    db.session.execute(
        update(RoundItem)
        .where(RoundItem.round_id == round_.id)
        .values(units_received=RoundItem.cases_ordered * RoundItem.case_size)
    )
    round_.state = RoundState.RECEIVED
    round_.received_at = utcnow()
    db.session.commit()
    return round_


def transaction_sums(round_id: int | None = None) -> list[int]:
    """Return the sum of each ledger transaction's postings (each must be 0)."""
    from sqlalchemy import func

    from coop.models import LedgerTransaction

    query = (
        select(func.sum(Posting.amount_pence))
        .join(LedgerTransaction)
        .group_by(LedgerTransaction.id)
    )
    if round_id is not None:
        query = query.where(LedgerTransaction.round_id == round_id)
    return list(db.session.scalars(query))
