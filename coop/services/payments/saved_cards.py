"""A household's saved-card row: finding it, and turning auto-pay off when the household leaves.

Apart from `coop.services.payments.autopay` so that leaving a co-op
(`coop.services.people.memberships`) can turn auto-pay off without
importing the bills and the card processor that charging needs.
"""

from __future__ import annotations

from sqlalchemy import select, update

from coop.extensions import db
from coop.models import Membership
from coop.models.saved_cards import SavedCard
from coop.models.types import utcnow


def saved_card(*, membership: Membership) -> SavedCard | None:
    """Return the household's saved-card row, if it has one (reads only)."""
    return db.session.scalar(select(SavedCard).where(SavedCard.membership_id == membership.id))


def household_saved_card(*, membership: Membership, card_id: int) -> SavedCard | None:
    """Return the saved card *card_id* if it is the household's own, else None (reads only)."""
    return db.session.scalar(
        select(SavedCard).where(SavedCard.id == card_id, SavedCard.membership_id == membership.id)
    )


def stop_auto_pay(*, membership: Membership) -> None:
    """Turn the household's auto-pay off, for a household that leaves (flushes)."""
    db.session.execute(
        update(SavedCard)
        .where(SavedCard.membership_id == membership.id, SavedCard.auto_pay.is_(True))
        .values(auto_pay=False, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
