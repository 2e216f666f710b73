"""Creating co-ops and changing their settings."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select

from coop.domain.notifications import (
    DEADLINE_REMINDER_HOURS_RANGE,
    DEFAULT_OWING_REMINDER_FROM_PENCE,
    OWING_REMINDER_DAYS_RANGE,
)
from coop.domain.places import matches_place, postcode_district
from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, CoopCouncilLink, Council, Membership, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.people.accounts import find_user, normalise_email

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def active_household_count(*, coop: Coop) -> int:
    """Return how many households are active members of *coop*."""
    return db.session.execute(
        select(func.count())
        .select_from(Membership)
        .where(Membership.coop_id == coop.id, Membership.status == MembershipStatus.ACTIVE)
    ).scalar_one()


def current_council(*, coop: Coop, on: date | None = None) -> Council | None:
    """Return the council *coop* belongs to on a day (today by default)."""
    day = on or date.today()
    for link in coop.council_links:
        if link.covers(day):
            return link.council
    return None


def coop_by_slug(*, slug: str) -> Coop:
    """Return the co-op at *slug*, or refuse when there is none."""
    coop = db.session.scalar(select(Coop).where(Coop.slug == slug.strip().lower()))
    if coop is None:
        raise ServiceError(f"There is no co-op at '{slug}'.", field="slug")
    return coop


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
    coordinator_email: str | None = None,
    manage_link_for: Callable[[str], str] | None = None,
) -> Coop:
    """Add a co-op, optionally linked to a council from a date and with a first coordinator.

    *manage_link_for* turns the co-op's slug into the absolute address of its
    management page, for the email that tells the first coordinator.
    """
    if not name.strip():
        raise ServiceError("Give the co-op a name.", field="name")
    slug = slug.strip().lower()
    _check_slug(slug)
    if household_cap < 1:
        raise ServiceError("A co-op needs room for at least one household.", field="household_cap")
    # Check everything that can fail before writing anything, so a refusal
    # leaves no half-made co-op behind.
    starts_on = council_from or date.today()
    if council is not None:
        _check_council_dates(council=council, starts_on=starts_on, field="council_from")
    coordinator = (
        user_by_email(email=coordinator_email, field="coordinator_email")
        if coordinator_email
        else None
    )
    coop = Coop(
        name=name.strip(),
        slug=slug,
        pickup_address=pickup_address.strip(),
        household_cap=household_cap,
        joining_policy=joining_policy,
    )
    db.session.add(coop)
    db.session.flush()
    if council is not None:
        link_coop_to_council(coop=coop, council=council, starts_on=starts_on)
    if coordinator is not None:
        appoint_coordinator(
            coop=coop,
            email=coordinator.email,
            manage_link=manage_link_for(coop.slug) if manage_link_for else "",
        )
    return coop


@dataclass(frozen=True)
class Reminders:
    """When a co-op's households are reminded: before a deadline, and when they owe."""

    deadline_hours: int | None  # None: no deadline reminder
    owing_days: int | None  # None: no owing reminders
    owing_from_pence: int | None  # None: the default amount


def _check_reminders(reminders: Reminders) -> None:
    low, high = DEADLINE_REMINDER_HOURS_RANGE
    if reminders.deadline_hours is not None and not low <= reminders.deadline_hours <= high:
        raise ServiceError(
            f"Enter a whole number of hours from {low} to {high}, or leave it blank.",
            field="deadline_reminder_hours",
        )
    low, high = OWING_REMINDER_DAYS_RANGE
    if reminders.owing_days is not None and not low <= reminders.owing_days <= high:
        raise ServiceError(
            f"Enter a whole number of days from {low} to {high}, or leave it blank.",
            field="owing_reminder_days",
        )
    if reminders.owing_from_pence is not None and reminders.owing_from_pence <= 0:
        raise ServiceError(
            "Enter an amount above £0.00: households that owe less are not reminded.",
            field="owing_reminder_from_pence",
        )


def update_coop_settings(
    *,
    coop: Coop,
    name: str,
    pickup_address: str,
    household_cap: int,
    joining_policy: JoiningPolicy,
    contribution_pence: int | None,
    reminders: Reminders,
) -> Coop:
    """Change a co-op's name, pickup address, cap, joining policy, contribution and reminders.

    A *contribution_pence* charges every household that amount per round (the
    fixed-contribution model); None charges each what it received.
    """
    active = active_household_count(coop=coop)
    if household_cap < active:
        raise ServiceError(
            f"The co-op already has {active} active households; the cap cannot be lower.",
            field="household_cap",
        )
    if contribution_pence is not None and contribution_pence <= 0:
        raise ServiceError(
            "Enter an amount above £0.00, or leave it blank to charge each household "
            "for what it receives.",
            field="contribution_pence",
        )
    _check_reminders(reminders)
    coop.name = name.strip()
    coop.pickup_address = pickup_address.strip()
    coop.household_cap = household_cap
    coop.joining_policy = joining_policy
    coop.contribution_pence = contribution_pence
    coop.deadline_reminder_hours = reminders.deadline_hours
    coop.owing_reminder_days = reminders.owing_days
    coop.owing_reminder_from_pence = (
        DEFAULT_OWING_REMINDER_FROM_PENCE
        if reminders.owing_from_pence is None
        else reminders.owing_from_pence
    )
    db.session.flush()
    return coop


def user_by_email(*, email: str, field: str = "email") -> User:
    """Return the person with *email* (any letter case), or refuse when there is none."""
    address = normalise_email(email)
    user = find_user(email=address) if address else None
    if user is None:
        raise ServiceError(
            f"There is no account for {address or 'that address'}. Ask them to register first.",
            field=field,
        )
    return user


def check_room(*, coop: Coop, field: str | None = None) -> None:
    """Refuse when *coop* already has as many active households as its cap allows."""
    active = active_household_count(coop=coop)
    if active >= coop.household_cap:
        raise ServiceError(
            f"{coop.name} is full: it has {active} of {coop.household_cap} households.",
            field=field,
        )


def appoint_coordinator(*, coop: Coop, email: str, manage_link: str = "") -> Membership:
    """Make the person with *email* an active coordinator of *coop*, and tell them.

    *manage_link* is the absolute address of the co-op's management page.
    """
    user = user_by_email(email=email)
    membership = db.session.scalar(
        select(Membership).where(Membership.coop_id == coop.id, Membership.user_id == user.id)
    )
    if membership is not None and membership.is_active:
        if membership.role is Role.COORDINATOR:
            raise ServiceError(
                f"{user.name} is already a coordinator of {coop.name}.", field="email"
            )
    else:
        check_room(coop=coop, field="email")
        if membership is None:
            membership = Membership(coop=coop, user=user)
            db.session.add(membership)
        membership.status = MembershipStatus.ACTIVE
        membership.joined_at = utcnow()
        membership.left_at = None
    membership.role = Role.COORDINATOR
    db.session.flush()
    send_message(
        "people/coordinator_appointed.txt", to=user.email, user=user, coop=coop, link=manage_link
    )
    return membership


def link_in_force(day: date) -> ColumnElement[bool]:
    """Return a condition: the co-op/council link covers *day*."""
    return and_(
        CoopCouncilLink.starts_on <= day,
        or_(CoopCouncilLink.ends_on.is_(None), CoopCouncilLink.ends_on >= day),
    )


def _check_council_dates(*, council: Council, starts_on: date, field: str) -> None:
    if starts_on < council.valid_from or (
        council.valid_to is not None and starts_on > council.valid_to
    ):
        until = f" to {council.valid_to:%-d %B %Y}" if council.valid_to else " onwards"
        raise ServiceError(
            f"{council.name} exists from {council.valid_from:%-d %B %Y}{until}; "
            "choose a start date in that time.",
            field=field,
        )


def link_coop_to_council(*, coop: Coop, council: Council, starts_on: date) -> CoopCouncilLink:
    """Link *coop* to *council* from a day, ending its current link the day before."""
    _check_council_dates(council=council, starts_on=starts_on, field="starts_on")
    links = db.session.scalars(
        select(CoopCouncilLink).where(CoopCouncilLink.coop_id == coop.id)
    ).all()
    for link in links:
        if link.starts_on >= starts_on:
            raise ServiceError(
                f"{coop.name} already has a council link starting on "
                f"{link.starts_on:%-d %B %Y}; a new link must start after it.",
                field="starts_on",
            )
    current = next((link for link in links if link.covers(starts_on)), None)
    if current is not None:
        if current.council_id == council.id:
            raise ServiceError(
                f"{coop.name} already belongs to {council.name} on that day.", field="council"
            )
        current.ends_on = starts_on - timedelta(days=1)
    link = CoopCouncilLink(coop=coop, council=council, starts_on=starts_on)
    db.session.add(link)
    db.session.flush()
    return link


@dataclass(frozen=True)
class CoopSummary:
    """A co-op with its active household count and its council today."""

    coop: Coop
    active_households: int
    council: Council | None

    @property
    def is_full(self) -> bool:
        return self.active_households >= self.coop.household_cap

    @property
    def district(self) -> str | None:
        """The postcode district of the pickup address, the most of it anyone may be told."""
        return postcode_district(self.coop.pickup_address)

    def is_in(self, place: str) -> bool:
        """Say whether the co-op is what someone looking for *place* asks for."""
        return matches_place(
            place,
            name=self.coop.name,
            council=self.council.name if self.council else "",
            district=self.district,
        )


def list_coops(
    *,
    on: date | None = None,
    policies: Collection[JoiningPolicy] | None = None,
    place: str = "",
) -> list[CoopSummary]:
    """Return co-ops by name, with active household counts and councils on a day (reads only).

    With *policies*, only co-ops with one of those joining policies are listed;
    with *place*, only those in that town, council, postcode district or area.
    """
    day = on or date.today()
    active = (
        select(Membership.coop_id, func.count().label("households"))
        .where(Membership.status == MembershipStatus.ACTIVE)
        .group_by(Membership.coop_id)
        .subquery()
    )
    query = (
        select(Coop, func.coalesce(active.c.households, 0), Council)
        .outerjoin(active, active.c.coop_id == Coop.id)
        .outerjoin(CoopCouncilLink, and_(CoopCouncilLink.coop_id == Coop.id, link_in_force(day)))
        .outerjoin(Council, Council.id == CoopCouncilLink.council_id)
        .order_by(Coop.name, Coop.id)
    )
    if policies is not None:
        query = query.where(Coop.joining_policy.in_(list(policies)))
    rows = db.session.execute(query).all()
    summaries = [
        CoopSummary(coop=coop, active_households=count, council=council)
        for coop, count, council in rows
    ]
    # A platform holds hundreds of co-ops, not millions: matched here, in one rule.
    return [summary for summary in summaries if summary.is_in(place)]
