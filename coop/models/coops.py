"""Co-ops and their links to councils."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.domain.bank import ACCOUNT_NAME_MAX_LENGTH, ROLL_NUMBER_MAX_LENGTH
from coop.domain.catalogue import BASIS_POINTS
from coop.domain.notifications import (
    DEADLINE_REMINDER_HOURS_RANGE,
    DEFAULT_DEADLINE_REMINDER_HOURS,
    OWING_REMINDER_DAYS_RANGE,
)
from coop.domain.roles import JoiningPolicy
from coop.extensions import Model
from coop.models.types import Pence, UTCDateTime, sql_between, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.councils import Council
    from coop.models.memberships import Invitation, Membership

DEFAULT_HOUSEHOLD_CAP = 20
# Above £500 a treasurer confirms an entry twice (a co-op can change it).
DEFAULT_LARGE_AMOUNT_PENCE = 50_000


class Coop(Model):
    """A food-buying co-operative of households."""

    __tablename__ = "coops"
    __table_args__ = (
        CheckConstraint("household_cap >= 1", name="household_cap_positive"),
        CheckConstraint("length(slug) >= 2", name="slug_length"),
        CheckConstraint(sql_between("markup_bp", 0, BASIS_POINTS), name="markup_range"),
        CheckConstraint(
            "contribution_pence IS NULL OR contribution_pence >= 0",
            name="contribution_not_negative",
        ),
        CheckConstraint(
            "deadline_reminder_hours IS NULL OR "
            + sql_between("deadline_reminder_hours", *DEADLINE_REMINDER_HOURS_RANGE),
            name="deadline_reminder_range",
        ),
        CheckConstraint(
            "owing_reminder_days IS NULL OR "
            + sql_between("owing_reminder_days", *OWING_REMINDER_DAYS_RANGE),
            name="owing_reminder_range",
        ),
        CheckConstraint("owing_reminder_from_pence >= 1", name="owing_reminder_from_positive"),
        CheckConstraint(
            "credit_limit_pence IS NULL OR credit_limit_pence >= 0",
            name="credit_limit_not_negative",
        ),
        CheckConstraint("large_amount_pence >= 100", name="large_amount_positive"),
        CheckConstraint(
            "bank_sort_code IS NULL OR length(bank_sort_code) = 6", name="bank_sort_code_length"
        ),
        CheckConstraint(
            "bank_account_number IS NULL OR length(bank_account_number) = 8",
            name="bank_account_number_length",
        ),
        # The account is all there or not there: name, sort code and number together.
        CheckConstraint(
            "(bank_account_name IS NULL AND bank_sort_code IS NULL AND bank_account_number IS NULL)"
            " OR (bank_account_name IS NOT NULL AND bank_sort_code IS NOT NULL"
            " AND bank_account_number IS NOT NULL)",
            name="bank_details_whole",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    pickup_address: Mapped[str] = mapped_column(Text, default="")
    household_cap: Mapped[int] = mapped_column(default=DEFAULT_HOUSEHOLD_CAP)
    joining_policy: Mapped[JoiningPolicy] = mapped_column(
        str_enum(JoiningPolicy, "joining_policy"), default=JoiningPolicy.APPROVAL
    )
    # The co-op's markup on supplier prices, in basis points (250 = 2.5%).
    markup_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    # The fixed-contribution model (Preston's groups): every collecting
    # household is charged this much per round; None charges what it received.
    contribution_pence: Mapped[int | None]
    # Households that have not ordered hear this many hours before a round
    # closes; None sends no deadline reminder.
    deadline_reminder_hours: Mapped[int | None] = mapped_column(
        default=DEFAULT_DEADLINE_REMINDER_HOURS, server_default=str(DEFAULT_DEADLINE_REMINDER_HOURS)
    )
    # Households that owe at least owing_reminder_from_pence are reminded every
    # owing_reminder_days days; None (the default) sends no reminders.
    owing_reminder_days: Mapped[int | None]
    owing_reminder_from_pence: Mapped[int] = mapped_column(Pence, default=100, server_default="100")
    # Credit control: the most a household may owe before its new orders are
    # refused (or, with credit_limit_needs_approval, wait for the treasurer's
    # approval); None sets no limit.
    credit_limit_pence: Mapped[int | None] = mapped_column(Pence)
    credit_limit_needs_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A treasurer's entry above this amount needs a second confirmation that repeats it.
    large_amount_pence: Mapped[int] = mapped_column(
        Pence, default=DEFAULT_LARGE_AMOUNT_PENCE, server_default=str(DEFAULT_LARGE_AMOUNT_PENCE)
    )
    # The account households pay into by bank transfer (coop.domain.bank);
    # None until a treasurer enters it. Private to the co-op's own people.
    bank_account_name: Mapped[str | None] = mapped_column(String(ACCOUNT_NAME_MAX_LENGTH))
    bank_sort_code: Mapped[str | None] = mapped_column(String(6))
    bank_account_number: Mapped[str | None] = mapped_column(String(8))
    bank_roll_number: Mapped[str | None] = mapped_column(String(ROLL_NUMBER_MAX_LENGTH))
    # How to pay in cash ("at pickup, to the treasurer"), in the co-op's words.
    cash_instructions: Mapped[str] = mapped_column(Text, default="")
    # The co-op's own Stripe account on a platform with Connect (direct
    # charges: the co-op is the merchant of record); None when the
    # deployment's own keys take the payments.
    stripe_account_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # What Stripe last said of that account (`coop.services.payments.connect`):
    # it takes card payments only once charges are enabled.
    stripe_charges_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    stripe_details_submitted: Mapped[bool] = mapped_column(default=False, server_default=false())
    stripe_account_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="coop")
    council_links: Mapped[list[CoopCouncilLink]] = relationship(
        back_populates="coop", order_by="CoopCouncilLink.starts_on"
    )
    invitations: Mapped[list[Invitation]] = relationship(back_populates="coop")

    def __repr__(self) -> str:
        return f"<Coop {self.slug}>"


class CoopCouncilLink(Model):
    """A co-op's belonging to a council between two dates (end open-ended)."""

    __tablename__ = "coop_council_links"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="link_dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    coop: Mapped[Coop] = relationship(back_populates="council_links")
    council: Mapped[Council] = relationship(back_populates="coop_links")

    def covers(self, day: date) -> bool:
        """Tell whether the link is in force on *day*."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)
