"""What a household has told its co-op about itself, each fact with its consent."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.domain.household import FACT_RANGES, Fact
from coop.extensions import Model
from coop.models.types import UTCDateTime, sql_between, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.memberships import Membership


def _range_checks() -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(
            f"fact <> '{fact.value}' OR " + sql_between("number", *FACT_RANGES[fact]),
            name=f"{fact.value}_range",
        )
        for fact in FACT_RANGES
    )


class HouseholdFact(Model):
    """One fact a household gave, the consent text version it agreed to, and when.

    Withdrawing consent deletes the row: the fact is not kept without it.
    A postcode is stored normalised ("PR1 5XX"); the others are numbers (0 or
    1 for yes/no). Disability is special-category data: see
    `coop.domain.household` for who may see it.
    """

    __tablename__ = "household_facts"
    __table_args__ = (
        UniqueConstraint("membership_id", "fact"),
        CheckConstraint("(fact = 'postcode') = (postcode IS NOT NULL)", name="postcode_fact"),
        CheckConstraint("(fact = 'postcode') = (number IS NULL)", name="number_fact"),
        CheckConstraint("consent_version >= 1", name="consent_version_positive"),
        *_range_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    fact: Mapped[Fact] = mapped_column(str_enum(Fact, "household_fact"))
    number: Mapped[int | None]
    postcode: Mapped[str | None] = mapped_column(String(8))
    consent_version: Mapped[int]
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership] = relationship(back_populates="facts")

    @property
    def value(self) -> int | str | None:
        return self.postcode if self.fact is Fact.POSTCODE else self.number
