"""Households joining and leaving co-ops, and coordinators managing them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from coop.domain.household import Fact
from coop.domain.permissions import is_last_coordinator
from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.extensions import db
from coop.models import Coop, Membership, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.payments.saved_cards import stop_auto_pay
from coop.services.people.coops import check_room

LAST_COORDINATOR = "A co-op needs at least one coordinator. Make someone else coordinator first."
INVITATION_ONLY = "This co-op takes new households by invitation only."

# Outward code, then the inward code (a digit and two letters that are never C, I, K, M, O or V).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(text: str) -> str:
    """Return a UK postcode in upper case with one space, or refuse it."""
    compact = re.sub(r"\s+", "", text).upper()
    match = _POSTCODE.match(compact)
    if match is None:
        raise ServiceError(
            "Enter a UK postcode, like PR1 5XX.",
            field="postcode",
        )
    return f"{match.group(1)} {match.group(2)}"


def membership_of(*, coop: Coop, user: User) -> Membership | None:
    """Return *user*'s membership row in *coop*, whatever its status."""
    return db.session.scalar(
        select(Membership).where(Membership.coop_id == coop.id, Membership.user_id == user.id)
    )


@dataclass(frozen=True)
class Contact:
    """Whom to write to about a household."""

    membership_id: int
    name: str
    email: str


def contacts_of(*, membership_ids: Iterable[int]) -> list[Contact]:
    """Return each household's name and email, in membership order (one query).

    An erased person has no email to write to: their former household is left out.
    """
    wanted = set(membership_ids)
    if not wanted:
        return []
    rows = db.session.execute(
        select(Membership.id, User.name, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.id.in_(wanted), User.erased_at.is_(None))
        .order_by(Membership.id)
    )
    return [Contact(membership_id, name, email) for membership_id, name, email in rows]


def coordinators_of(*, coop: Coop) -> list[Membership]:
    """Return the active coordinators of *coop*, with their users."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(
                Membership.coop_id == coop.id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.role == Role.COORDINATOR,
            )
            .options(contains_eager(Membership.user))
            .order_by(User.name)
        )
    )


def count_pending(*, coop: Coop) -> int:
    """Return how many households are waiting for an answer to join *coop* (reads only)."""
    return db.session.execute(
        select(func.count())
        .select_from(Membership)
        .where(Membership.coop_id == coop.id, Membership.status == MembershipStatus.PENDING)
    ).scalar_one()


def _tell_household(template: str, *, coop: Coop, user: User, link: str = "") -> None:
    """Tell a household what became of its membership, naming the coordinators to ask."""
    coordinators = [membership.user for membership in coordinators_of(coop=coop)]
    send_message(
        template, to=user.email, user=user, coop=coop, coordinators=coordinators, link=link
    )


def _tell_coordinators(*, coop: Coop, user: User, event: str, link: str) -> None:
    """Tell *coop*'s coordinators that *user*'s household has joined or left (*event*)."""
    for coordinator in coordinators_of(coop=coop):
        send_message(
            "people/member_came_or_went.txt",
            to=coordinator.user.email,
            coordinator=coordinator.user,
            user=user,
            coop=coop,
            event=event,
            link=link,
        )


def lock_coop(coop: Coop) -> None:
    """Hold *coop*'s row until the transaction ends, so cap checks cannot race.

    PostgreSQL takes a row lock; SQLite has no row locks and serialises writers anyway.
    """
    db.session.execute(select(Coop.id).where(Coop.id == coop.id).with_for_update())


def activate(*, coop: Coop, user: User, membership: Membership | None) -> Membership:
    """Make *user* an active member of *coop*, reusing their row if there is one.

    The caller has checked the policy; this checks the cap and flushes.
    """
    lock_coop(coop)
    check_room(coop=coop)
    now = utcnow()
    if membership is None:
        membership = Membership(coop=coop, user=user, requested_at=now)
        db.session.add(membership)
    elif membership.status is MembershipStatus.LEFT:
        _reset_former(membership, now)
    membership.status = MembershipStatus.ACTIVE
    membership.joined_at = now
    membership.left_at = None
    db.session.flush()
    return membership


def _reset_former(membership: Membership, now: datetime) -> None:
    # A returning household starts again as a plain member; its old role ended when it left.
    membership.role = Role.MEMBER
    membership.requested_at = now
    membership.left_at = None


def refuse_if_member(*, coop: Coop, membership: Membership | None) -> None:
    """Refuse when the household is already an active member of *coop*."""
    if membership is None:
        return
    if membership.status is MembershipStatus.ACTIVE:
        raise ServiceError(f"You are already a member of {coop.name}.")


def request_to_join(*, coop: Coop, user: User, review_link: str = "") -> Membership:
    """Join an open co-op at once, or ask to join one that approves requests.

    Coordinators are emailed either way; *review_link* is the absolute address
    of the management page, where they approve requests and see the members.
    """
    membership = membership_of(coop=coop, user=user)
    refuse_if_member(coop=coop, membership=membership)
    if membership is not None and membership.status is MembershipStatus.PENDING:
        raise ServiceError(
            f"You have already asked to join {coop.name}. A coordinator will answer soon."
        )
    if coop.joining_policy is JoiningPolicy.INVITATION:
        raise ServiceError(INVITATION_ONLY)
    if coop.joining_policy is JoiningPolicy.OPEN:
        membership = activate(coop=coop, user=user, membership=membership)
        _tell_coordinators(coop=coop, user=user, event="joined", link=review_link)
        return membership

    # Approval: refuse now rather than queue a request nobody could approve.
    check_room(coop=coop)
    now = utcnow()
    if membership is None:
        membership = Membership(coop=coop, user=user, requested_at=now)
        db.session.add(membership)
    else:
        # joined_at stays: it marks a household that was once a member.
        _reset_former(membership, now)
    membership.status = MembershipStatus.PENDING
    db.session.flush()
    for coordinator in coordinators_of(coop=coop):
        send_message(
            "people/join_request.txt",
            to=coordinator.user.email,
            coordinator=coordinator.user,
            user=user,
            coop=coop,
            link=review_link,
        )
    return membership


def _pending(coop: Coop, membership: Membership) -> None:
    if membership.coop_id != coop.id or membership.status is not MembershipStatus.PENDING:
        raise ServiceError(f"{membership.user.name} has no request waiting for an answer.")


def approve_membership(*, coop: Coop, membership: Membership, coop_link: str = "") -> Membership:
    """Make a pending household an active member, if there is room, and tell them."""
    _pending(coop, membership)
    lock_coop(coop)
    check_room(coop=coop)
    membership.status = MembershipStatus.ACTIVE
    membership.joined_at = utcnow()
    db.session.flush()
    _tell_household("people/approved.txt", coop=coop, user=membership.user, link=coop_link)
    return membership


def decline_membership(*, coop: Coop, membership: Membership) -> None:
    """Turn down a pending request, and tell the household.

    A household that was a member before goes back to being a former member;
    a request from someone who never joined leaves no row behind.
    """
    _pending(coop, membership)
    user = membership.user
    if membership.joined_at is None:
        db.session.delete(membership)
    else:
        membership.status = MembershipStatus.LEFT
        membership.left_at = utcnow()
    db.session.flush()
    _tell_household("people/declined.txt", coop=coop, user=user)


def _active(coop: Coop, membership: Membership) -> None:
    if membership.coop_id != coop.id or membership.status is not MembershipStatus.ACTIVE:
        raise ServiceError(f"{membership.user.name} is not an active member of {coop.name}.")


def _refuse_last_coordinator(membership: Membership, field: str | None = None) -> None:
    if membership.role is not Role.COORDINATOR:
        return
    coordinator_ids = frozenset(
        db.session.scalars(
            select(Membership.id).where(
                Membership.coop_id == membership.coop_id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.role == Role.COORDINATOR,
            )
        )
    )
    if is_last_coordinator(coordinator_ids, membership.id):
        raise ServiceError(LAST_COORDINATOR, field=field)


def _with_article(role: Role) -> str:
    return f"a {role.label.lower()}"


def change_role(*, coop: Coop, membership: Membership, role: Role) -> Membership:
    """Give an active household another role in the co-op.

    Choosing the role it already has is refused, so the person hears that nothing changed.
    """
    _active(coop, membership)
    if role is membership.role:
        raise ServiceError(
            f"{membership.user.name} is already {_with_article(role)}.", field="role"
        )
    lock_coop(coop)
    _refuse_last_coordinator(membership, field="role")
    membership.role = role
    db.session.flush()
    return membership


def ending_problem(*, coop: Coop, membership: Membership) -> str | None:
    """Return why *membership* cannot end now, by leaving or removal, or None (reads only).

    Pages ask before offering the button, so nobody confirms something that will be refused.
    """
    try:
        _active(coop, membership)
        _refuse_last_coordinator(membership)
    except ServiceError as error:
        return error.message
    return None


def _end(membership: Membership) -> None:
    lock_coop(membership.coop)
    _refuse_last_coordinator(membership)
    membership.status = MembershipStatus.LEFT
    membership.left_at = utcnow()
    stop_auto_pay(membership=membership)  # a former household's bills are paid by hand
    # A former household's postcode serves no purpose any more, so it is not kept.
    for held in [row for row in membership.facts if row.fact is Fact.POSTCODE]:
        membership.facts.remove(held)
    db.session.flush()


def remove_member(*, coop: Coop, membership: Membership) -> Membership:
    """Take an active household out of the co-op (it becomes a former member) and tell them."""
    _active(coop, membership)
    _end(membership)
    _tell_household("people/removed.txt", coop=coop, user=membership.user)
    return membership


def leave_coop(*, membership: Membership, members_link: str = "") -> Membership:
    """End the household's own active membership (it becomes a former member).

    The co-op's coordinators are told; *members_link* is the absolute address of
    the co-op's management page.
    """
    coop = membership.coop
    _active(coop, membership)
    _end(membership)
    user = membership.user
    _tell_coordinators(coop=coop, user=user, event="left", link=members_link)
    return membership
