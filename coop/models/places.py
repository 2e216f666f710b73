"""Open data that places a postcode: the ONS postcode directory and the IMD deciles.

Each load is an edition. A new edition is written inactive and made active
in the transaction that finishes its load, when the edition it replaces is
deleted; so at most one edition of each is active, and a lookup never sees
half a load.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from coop.extensions import Model
from coop.models.types import UTCDateTime, utcnow


class PostcodeEdition(Model):
    """One load of the postcode directory (a release such as "NSPL May 2025")."""

    __tablename__ = "postcode_editions"
    __table_args__ = (
        CheckConstraint("lsoa_vintage IN (2011, 2021)", name="lsoa_vintage_known"),
        CheckConstraint("rows >= 0", name="rows_not_negative"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index(
            "uq_postcode_editions_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Which census's LSOAs the directory gives (2011 or 2021), from its column's name.
    lsoa_vintage: Mapped[int | None]
    rows: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=False)
    # The file it is loaded from while it loads; emptied once it is in.
    source: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Postcode(Model):
    """A postcode of an edition, with its ward, LSOA and local authority (GSS codes)."""

    __tablename__ = "postcodes"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("postcode_editions.id", ondelete="CASCADE"), primary_key=True
    )
    # Upper case without spaces ("PR15XX"), as every lookup writes it.
    postcode: Mapped[str] = mapped_column(String(7), primary_key=True)
    ward: Mapped[str | None] = mapped_column(String(9))
    lsoa: Mapped[str | None] = mapped_column(String(9))
    lad: Mapped[str | None] = mapped_column(String(9))


class ImdEdition(Model):
    """One load of the English Indices of Deprivation's IMD deciles (IoD 2019 or IoD 2025)."""

    __tablename__ = "imd_editions"
    __table_args__ = (
        CheckConstraint("year IN (2019, 2025)", name="year_known"),
        CheckConstraint(
            "(year = 2019 AND lsoa_vintage = 2011) OR (year = 2025 AND lsoa_vintage = 2021)",
            name="lsoa_vintage_of_year",
        ),
        CheckConstraint("rows >= 0", name="rows_not_negative"),
        Index(
            "uq_imd_editions_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    lsoa_vintage: Mapped[int]
    rows: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def name(self) -> str:
        """The edition as reports name it: "English Indices of Deprivation 2019"."""
        return f"English Indices of Deprivation {self.year}"


class ImdDecile(Model):
    """An LSOA's IMD decile in an edition (1 is the most deprived tenth)."""

    __tablename__ = "imd_deciles"
    __table_args__ = (CheckConstraint("decile BETWEEN 1 AND 10", name="decile_range"),)

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("imd_editions.id", ondelete="CASCADE"), primary_key=True
    )
    lsoa: Mapped[str] = mapped_column(String(9), primary_key=True)
    decile: Mapped[int]
