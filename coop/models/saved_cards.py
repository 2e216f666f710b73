"""A household's saved card, for auto-pay: the card processor's customer and card, never its number.

One row per household (membership), made when it first saves a card: the
processor's customer for the household on the co-op's account (the
platform's, or the co-op's connected account: ``stripe_account``), the
SetupIntent being confirmed while a card is being saved, and, once it is
saved, the payment method with what a person needs to recognise the card
(brand, last four digits, expiry). Removing the card clears those and turns
auto-pay off; the customer is kept, so saving a card again reuses it.

``auto_pay`` says whether each settled bill is charged to the card; a
CHECK keeps it off while no card is saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.payments import STRIPE_ID_LENGTH
from coop.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from coop.models.memberships import Membership

BRAND_LENGTH = 40


class SavedCard(Model):
    """A household's customer at the card processor, and the card saved to it, if any."""

    __tablename__ = "saved_cards"
    __table_args__ = (
        CheckConstraint(
            "NOT auto_pay OR payment_method_id IS NOT NULL", name="auto_pay_needs_card"
        ),
        CheckConstraint("exp_month IS NULL OR exp_month BETWEEN 1 AND 12", name="exp_month_valid"),
        CheckConstraint("last4 IS NULL OR length(last4) = 4", name="last4_four_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), unique=True)
    # The co-op's connected account the customer lives on (Connect), if any.
    stripe_account: Mapped[str | None] = mapped_column(String(STRIPE_ID_LENGTH))
    customer_id: Mapped[str] = mapped_column(String(STRIPE_ID_LENGTH))
    # The SetupIntent the card page is confirming; cleared once the card is saved.
    setup_intent_id: Mapped[str | None] = mapped_column(String(STRIPE_ID_LENGTH))
    payment_method_id: Mapped[str | None] = mapped_column(String(STRIPE_ID_LENGTH))
    brand: Mapped[str | None] = mapped_column(String(BRAND_LENGTH))
    last4: Mapped[str | None] = mapped_column(String(4))
    exp_month: Mapped[int | None] = mapped_column(Integer)
    exp_year: Mapped[int | None] = mapped_column(Integer)
    auto_pay: Mapped[bool] = mapped_column(default=False)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    membership: Mapped[Membership] = relationship()

    @property
    def has_card(self) -> bool:
        """Say whether a card is saved."""
        return self.payment_method_id is not None
