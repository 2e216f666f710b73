"""Build the `Viewer` that permission checks are written against."""

from __future__ import annotations

from sqlalchemy import select

from coop.domain.permissions import ANONYMOUS, Viewer
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import CouncilOfficer, Membership, User


def viewer_for(user: User | None) -> Viewer:
    """Return what *user* may see: active co-op roles, co-ops left and council appointments."""
    if user is None:
        return ANONYMOUS
    rows = db.session.execute(
        select(Membership.coop_id, Membership.role, Membership.status).where(
            Membership.user_id == user.id,
            Membership.status.in_((MembershipStatus.ACTIVE, MembershipStatus.LEFT)),
        )
    ).all()
    roles = [(coop_id, role) for coop_id, role, status in rows if status is MembershipStatus.ACTIVE]
    former = frozenset(coop_id for coop_id, _, status in rows if status is MembershipStatus.LEFT)
    council_ids = db.session.scalars(
        select(CouncilOfficer.council_id).where(CouncilOfficer.user_id == user.id)
    ).all()
    return Viewer(
        user_id=user.id,
        is_platform_admin=user.is_platform_admin,
        coop_roles=dict(roles),
        council_ids=frozenset(council_ids),
        former_coop_ids=former,
    )


def navigation_for(viewer: Viewer) -> dict[str, list]:
    """Return the co-ops and councils a viewer's navigation links to."""
    from coop.models import Coop, Council

    if not viewer.is_authenticated:
        return {"coops": [], "councils": []}
    coops = (
        db.session.scalars(
            select(Coop).where(Coop.id.in_(viewer.coop_roles)).order_by(Coop.name)
        ).all()
        if viewer.coop_roles
        else []
    )
    councils = (
        db.session.scalars(
            select(Council).where(Council.id.in_(viewer.council_ids)).order_by(Council.name)
        ).all()
        if viewer.council_ids
        else []
    )
    return {"coops": list(coops), "councils": list(councils)}
