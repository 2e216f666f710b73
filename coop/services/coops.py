"""Creating co-ops and changing their settings."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from coop.domain.roles import JoiningPolicy, MembershipStatus
from coop.extensions import db
from coop.models import Coop, CoopCouncilLink, Council, Membership
from coop.services.errors import ServiceError

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def active_household_count(*, coop: Coop) -> int:
    """Return how many households are active members of *coop*."""
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.coop_id == coop.id, Membership.status == MembershipStatus.ACTIVE)
    )


def current_council(*, coop: Coop, on: date | None = None) -> Council | None:
    """Return the council *coop* belongs to on a day (today by default)."""
    day = on or date.today()
    for link in coop.council_links:
        if link.covers(day):
            return link.council
    return None


def _check_slug(slug: str, *, coop_id: int | None = None) -> None:
    if not SLUG_PATTERN.match(slug) or not 2 <= len(slug) <= 60:
        raise ServiceError(
            "Use 2 to 60 lower-case letters, digits and single hyphens, e.g. 'fishwick-food'.",
            field="slug",
        )
    clash = db.session.scalar(select(Coop.id).where(Coop.slug == slug))
    if clash is not None and clash != coop_id:
        raise ServiceError(f"The address '{slug}' is already taken by another co-op.", field="slug")


def create_coop(
    *,
    name: str,
    slug: str,
    pickup_address: str = "",
    household_cap: int = 20,
    joining_policy: JoiningPolicy = JoiningPolicy.APPROVAL,
    council: Council | None = None,
    council_from: date | None = None,
) -> Coop:
    """Add a co-op, optionally linked to a council from a date."""
    slug = slug.strip().lower()
    _check_slug(slug)
    if household_cap < 1:
        raise ServiceError("A co-op needs room for at least one household.", field="household_cap")
    coop = Coop(
        name=name.strip(),
        slug=slug,
        pickup_address=pickup_address.strip(),
        household_cap=household_cap,
        joining_policy=joining_policy,
    )
    if council is not None:
        coop.council_links.append(
            CoopCouncilLink(council=council, starts_on=council_from or date.today())
        )
    db.session.add(coop)
    db.session.flush()
    return coop


def update_coop_settings(
    *,
    coop: Coop,
    name: str,
    pickup_address: str,
    household_cap: int,
    joining_policy: JoiningPolicy,
) -> Coop:
    """Change a co-op's name, pickup address, household cap and joining policy."""
    active = active_household_count(coop=coop)
    if household_cap < active:
        raise ServiceError(
            f"The co-op already has {active} active households; the cap cannot be lower.",
            field="household_cap",
        )
    coop.name = name.strip()
    coop.pickup_address = pickup_address.strip()
    coop.household_cap = household_cap
    coop.joining_policy = joining_policy
    db.session.flush()
    return coop
