"""Who may do what: the one vocabulary of permissions.

Every check is a pure function of a `Viewer` (what the signed-in person is)
and the co-op or council concerned. Routes use them through the decorators in
`coop.web.access`; templates use them to show only what a person may do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from coop.domain.roles import Role


@dataclass(frozen=True)
class Viewer:
    """What the permission checks need to know about the person asking.

    ``coop_roles`` maps co-op id to the role of the person's *active*
    membership there; pending and former memberships grant nothing there.
    ``former_coop_ids`` are the co-ops the person's household has left: they
    grant reading its own statement and bills, and nothing else.
    ``council_ids`` are the councils the person is an officer of.
    """

    user_id: int | None = None
    is_platform_admin: bool = False
    coop_roles: Mapping[int, Role] = field(default_factory=dict)
    council_ids: frozenset[int] = frozenset()
    former_coop_ids: frozenset[int] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Viewer()

MANAGERS = frozenset({Role.COORDINATOR, Role.TREASURER})


def _role(viewer: Viewer, coop_id: int) -> Role | None:
    return viewer.coop_roles.get(coop_id)


def can_view_coop(viewer: Viewer, coop_id: int) -> bool:
    """Active members of any role see their co-op's member pages."""
    return _role(viewer, coop_id) is not None


def can_manage_coop(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators and treasurers reach the co-op's management area."""
    return _role(viewer, coop_id) in MANAGERS


def can_view_members(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators and treasurers see the member list (names, emails, household sizes)."""
    return _role(viewer, coop_id) in MANAGERS


def can_view_postcodes(viewer: Viewer, coop_id: int) -> bool:
    """Only coordinators see households' postcodes (METRICS.md: they are for the organisers)."""
    return _role(viewer, coop_id) is Role.COORDINATOR


def can_manage_members(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators approve, invite, change roles and remove members."""
    return _role(viewer, coop_id) is Role.COORDINATOR


def can_edit_coop_settings(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators change the co-op's name, pickup address, cap and policy."""
    return _role(viewer, coop_id) is Role.COORDINATOR


def can_manage_money(viewer: Viewer, coop_id: int) -> bool:
    """Treasurers and coordinators handle the co-op's accounts."""
    return _role(viewer, coop_id) in MANAGERS


def can_keep_the_books(viewer: Viewer, coop_id: int) -> bool:
    """Treasurers alone enter opening balances and write off debts.

    These change what the co-op is worth without any money moving, so they
    are the treasurer's, answerable at the AGM, and not every manager's.
    """
    return _role(viewer, coop_id) is Role.TREASURER


def can_view_own_account(viewer: Viewer, coop_id: int) -> bool:
    """Members, and households that have left, read their own statement and bills.

    A household that left keeps its account: it may still owe or be owed money.
    """
    return _role(viewer, coop_id) is not None or coop_id in viewer.former_coop_ids


def can_view_catalogue(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators and treasurers read the co-op's suppliers and products."""
    return _role(viewer, coop_id) in MANAGERS


def can_manage_catalogue(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators keep suppliers and catalogues, import, export and share them."""
    return _role(viewer, coop_id) is Role.COORDINATOR


def can_order(viewer: Viewer, coop_id: int) -> bool:
    """Every active household, whatever its role, orders from the co-op's rounds."""
    return _role(viewer, coop_id) is not None


def can_view_rounds(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators and treasurers see rounds, order sheets, allocations and packing lists."""
    return _role(viewer, coop_id) in MANAGERS


def can_manage_rounds(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators create, open, close and cancel rounds, receive deliveries, adjust shares."""
    return _role(viewer, coop_id) is Role.COORDINATOR


def can_record_collections(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators and treasurers tick off households as they collect at pickup."""
    return _role(viewer, coop_id) in MANAGERS


def can_view_council(viewer: Viewer, council_id: int) -> bool:
    """Officers of a council see its dashboard, aggregated only."""
    return council_id in viewer.council_ids


def can_keep_support(viewer: Viewer, council_id: int) -> bool:
    """Officers of a council create, edit, confirm, decline and close its support records."""
    return council_id in viewer.council_ids


def may_support_coop(*, council_id: int, coop_council_ids: frozenset[int]) -> bool:
    """A council records support only for a co-op that is or was linked to it."""
    return council_id in coop_council_ids


def can_propose_support(viewer: Viewer, coop_id: int) -> bool:
    """Coordinators propose support their council gives (a room, an officer's hours)."""
    return _role(viewer, coop_id) is Role.COORDINATOR


def can_administer_platform(viewer: Viewer) -> bool:
    """Platform admins create councils and co-ops and appoint people."""
    return viewer.is_platform_admin


def can_administer_coop(viewer: Viewer, coop_id: int) -> bool:
    """Platform admins see any co-op's set-up and appoint its coordinators."""
    return viewer.is_platform_admin


def can_administer_council(viewer: Viewer, council_id: int) -> bool:
    """Platform admins edit any council and appoint its officers."""
    return viewer.is_platform_admin


def can_follow_job_run(viewer: Viewer, *, started_by_id: int | None, coop_id: int | None) -> bool:
    """The person who started long work, its co-op's coordinators and platform admins follow it."""
    if viewer.is_platform_admin:
        return True
    if viewer.user_id is not None and viewer.user_id == started_by_id:
        return True
    return coop_id is not None and _role(viewer, coop_id) is Role.COORDINATOR


def can_join_coops(viewer: Viewer) -> bool:
    """Any signed-in person may ask to join a co-op."""
    return viewer.is_authenticated


def is_last_coordinator(coordinator_ids: frozenset[int], membership_id: int) -> bool:
    """Tell whether *membership_id* is the only coordinator left."""
    return coordinator_ids == {membership_id}
