"""Whose figures a report counts: a council (with the councils it replaced) and its co-ops.

The co-ops counted are those linked to the council itself at some time (as
its officers see them), for the days of the period they were linked to it
or to a council it replaced: a co-op that moved to a successor brings its
history with it, a co-op of a replaced council that went to another
successor does not, and a round or an hour of volunteering counts only when
its day is inside such a link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.sql.expression import ColumnElement

from coop.extensions import db
from coop.models import Coop, CoopCouncilLink, Council
from coop.services.council_reports.period import Period
from coop.services.errors import ServiceError
from coop.services.people.councils import coop_ids_of, council_scope

COOP_OUTSIDE = "coop_outside_council"


@dataclass(frozen=True)
class Scope:
    """A council, the councils it covers, and the co-ops counted."""

    council: Council
    council_ids: frozenset[int]
    coop_ids: tuple[int, ...]
    period: Period
    chosen: bool  # one co-op or a pool was chosen, rather than every co-op of the council

    @property
    def is_pool(self) -> bool:
        """Whether breakdowns by place may be offered: more than one co-op is counted."""
        return len(self.coop_ids) > 1

    @property
    def threshold(self) -> int:
        return self.council.suppression_threshold

    def linked_on(self, coop_id: Any, day: Any) -> ColumnElement[bool]:
        """Return a condition: the co-op is counted and was linked to the council on *day*."""
        return and_(
            coop_id.in_(self.coop_ids),
            exists().where(
                CoopCouncilLink.coop_id == coop_id,
                CoopCouncilLink.council_id.in_(self.council_ids),
                CoopCouncilLink.starts_on <= day,
                or_(CoopCouncilLink.ends_on.is_(None), CoopCouncilLink.ends_on >= day),
            ),
        )


def _linked_in(council_ids: frozenset[int], period: Period) -> list[int]:
    return list(
        db.session.scalars(
            select(CoopCouncilLink.coop_id)
            .where(
                CoopCouncilLink.council_id.in_(council_ids),
                CoopCouncilLink.starts_on <= period.end,
                or_(CoopCouncilLink.ends_on.is_(None), CoopCouncilLink.ends_on >= period.start),
            )
            .distinct()
            .order_by(CoopCouncilLink.coop_id)
        )
    )


def report_scope(
    *, council: Council, period: Period, coop_ids: Iterable[int] | None = None
) -> Scope:
    """Return the scope of a report, or refuse a co-op that was not the council's in the period."""
    councils = council_scope(council=council)
    own = set(coop_ids_of(council=council))
    linked = [coop_id for coop_id in _linked_in(councils, period) if coop_id in own]
    if coop_ids is None:
        return Scope(council, councils, tuple(linked), period, chosen=False)
    wanted = sorted(set(coop_ids))
    outside = [coop_id for coop_id in wanted if coop_id not in linked]
    if outside or not wanted:
        names = db.session.scalars(select(Coop.name).where(Coop.id.in_(outside))).all()
        which = ", ".join(sorted(names)) or "That co-op"
        raise ServiceError(
            f"{which} did not belong to {council.name} between {period.start:%-d %B %Y} and "
            f"{period.end:%-d %B %Y}: a report counts only the council's co-ops.",
            field="coop",
            code=COOP_OUTSIDE,
        )
    # Every one of the council's co-ops, chosen by hand, is the whole council's report.
    return Scope(council, councils, tuple(wanted), period, chosen=wanted != sorted(linked))


def period_bounds(period: Period) -> tuple[date, date]:
    return period.start, period.end
