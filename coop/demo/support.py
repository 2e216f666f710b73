"""Demo support records: Preston's delivery subsidy for Fishwick, and a room it gives free.

The subsidy is recorded by the officer and is there to apply on a round's
settle page; the room was proposed by Fishwick's coordinator and confirmed
by the officer, and its next monitoring return is due in three weeks, so it
shows on the council dashboard's list of what is due.
"""

from __future__ import annotations

from datetime import date, timedelta

from coop.models import Coop, Council, SupportKind, User
from coop.services.support.records import (
    SupportDetails,
    create_support_record,
    decide_support_record,
    propose_support_record,
)


def load_demo_support(
    *, council: Council, coop: Coop, officer: User, coordinator: User, today: date | None = None
) -> None:
    """Record a delivery subsidy for *coop* and a confirmed free room, as the demo shows them."""
    day = today or date.today()
    year_start = date(day.year, 1, 1)
    create_support_record(
        council=council,
        coop=coop,
        details=SupportDetails(
            programme="Delivery subsidy",
            kind=SupportKind.SUBSIDY,
            value_pence=15_000,
            awarded_on=year_start,
            period_start=year_start,
            period_end=date(day.year, 12, 31),
            conditions="Pays suppliers' delivery charges; report rounds used each quarter.",
            acknowledgement_required=True,
        ),
        by=officer,
    )
    room = propose_support_record(
        coop=coop,
        details=SupportDetails(
            programme="Community centre room",
            kind=SupportKind.PREMISES,
            value_pence=36_000,
            value_basis="£15 an hour x 24 pickups of an hour",
            awarded_on=year_start,
            period_start=year_start,
            period_end=date(day.year, 12, 31),
            monitoring_months=3,
            monitoring_next_due=day + timedelta(days=21),
        ),
        by=coordinator,
    )
    decide_support_record(
        record=room, confirm=True, note="Agreed with the centre manager.", by=officer
    )
