"""Helpers for the coordinators' round tests: typed details, form posts, page addresses."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from coop.models import Round
from coop.models.types import utcnow
from coop.services.rounds.lifecycle import RoundDetails

LONDON = ZoneInfo("Europe/London")


def details(**changes: Any) -> RoundDetails:
    """Return a round's details: opening in an hour, deadline in two days, pickup in four."""
    now = utcnow().replace(second=0, microsecond=0)
    values: dict[str, Any] = {
        "title": "Week of 14 July",
        "opens_at": now + timedelta(hours=1),
        "closes_at": now + timedelta(days=2),
        "pickup_at": now + timedelta(days=4),
        "pickup_place": "Church hall",
    }
    values.update(changes)
    return RoundDetails(**values)


def typed(moment: datetime) -> str:
    """Return *moment* as a ``datetime-local`` input holds it: UK clock time to the minute."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def round_form(**changes: Any) -> dict[str, Any]:
    """Return what the new-round form posts, times in UK clock time."""
    now = utcnow().replace(second=0, microsecond=0)
    data: dict[str, Any] = {
        "title": "Week of 14 July",
        "opens_at": typed(now + timedelta(hours=1)),
        "closes_at": typed(now + timedelta(days=2)),
        "pickup_at": typed(now + timedelta(days=4)),
        "pickup_place": "Church hall, Fishwick Parade",
        "policy": "fair_share",
        "fill_percent": "80",
        "max_per_household": "12",
        "notes": "Bring your own bags.",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def admin_url(round_: Round, tail: str = "") -> str:
    """Return the address of a round's coordinator page, or of *tail* below it."""
    return f"/coops/fishwick/admin/rounds/{round_.id}{tail}"


def sheet_url(round_: Round, supplier_id: int, tail: str = "sheet") -> str:
    return admin_url(round_, f"/suppliers/{supplier_id}/{tail}")
