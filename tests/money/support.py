"""Helpers for money tests: take a round to received without the receiving pages."""

from __future__ import annotations

from sqlalchemy import select, update

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Posting, Round, RoundItem
from coop.models.types import utcnow
from coop.services.money.settlement import settle_round
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


def surplus_round(rounds, *, settle=True):
    """Return a round whose one item (case of 6 at £12, 10% markup) left 2 units over.

    The first household asked for 4; a 50% fill threshold made a case of 6.
    """
    rounds.coop.markup_bp = 1000
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_price_pence=1200)
    round_ = rounds.round(oats, title="November order", fill_percent=50)
    rounds.ask(round_, oats, rounds.households[0], 4)
    receive_as_ordered(round_)
    if settle:
        settle_round(round_id=round_.id, by=rounds.coordinator)
        db.session.commit()
    return round_, rounds.item(round_, oats)
