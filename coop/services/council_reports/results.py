"""What a council report is made of: tables, ratios and figures, each already suppressed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from coop.domain.suppression import SafeTable, Shown, Suppressed
from coop.services.council_reports.definitions import DEFINITIONS
from coop.services.council_reports.period import Period


@dataclass(frozen=True)
class VolunteerRate:
    """What an hour of volunteering is valued at, and where the rate comes from."""

    pence_per_hour: int = 1221
    source: str = "National Living Wage from 1 April 2025 (GOV.UK), £12.21 an hour"


@dataclass(frozen=True)
class Table:
    """One table of the report: labelled rows and columns, its figures' names, suppressed."""

    key: str
    title: str
    definition: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    figures: tuple[str, ...]  # the names of each cell's figures, after its household count
    safe: SafeTable


@dataclass(frozen=True)
class Ratio:
    """An exact ratio, such as pence of savings per pence of support; pages format it."""

    numerator: int
    denominator: int


Derived = Ratio | Suppressed | None


@dataclass(frozen=True)
class ReferenceSource:
    """Where reference supermarket prices came from, and how old they are."""

    source: str  # as the catalogue records it; "" when none was given
    earliest: date | None
    latest: date | None
    items: int


@dataclass(frozen=True)
class Report:
    """Every figure a council may see for a period and scope, with how each is defined."""

    council_name: str
    gss_code: str
    period: Period
    coop_names: tuple[str, ...]
    threshold: int
    produced_at: datetime
    reference_method: str
    imd_edition: str | None
    postcode_directory: str | None
    volunteer_rate: VolunteerRate
    tables: dict[str, Table]
    headline: dict[str, Shown | None]
    derived: dict[str, Derived]
    reference_sources: tuple[ReferenceSource, ...] = ()
    definitions: dict[str, str] = field(default_factory=lambda: dict(DEFINITIONS))
