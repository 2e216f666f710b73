"""The permission checks, as pure functions of a viewer."""

from __future__ import annotations

import pytest

from coop.domain import permissions
from coop.domain.permissions import ANONYMOUS, Viewer
from coop.domain.roles import Role

COOP, OTHER_COOP = 1, 2
COUNCIL, OTHER_COUNCIL = 7, 8


def in_coop(role: Role) -> Viewer:
    return Viewer(user_id=10, coop_roles={COOP: role})


MEMBER = in_coop(Role.MEMBER)
TREASURER = in_coop(Role.TREASURER)
COORDINATOR = in_coop(Role.COORDINATOR)
OUTSIDER = Viewer(user_id=11, coop_roles={OTHER_COOP: Role.COORDINATOR})
OFFICER = Viewer(user_id=12, council_ids=frozenset({COUNCIL}))
ADMIN = Viewer(user_id=13, is_platform_admin=True)

# Who passes each co-op check for co-op 1; everyone else is refused.
COOP_CHECKS = {
    permissions.can_view_coop: {"member", "treasurer", "coordinator"},
    permissions.can_manage_coop: {"treasurer", "coordinator"},
    permissions.can_view_members: {"treasurer", "coordinator"},
    permissions.can_manage_money: {"treasurer", "coordinator"},
    permissions.can_manage_members: {"coordinator"},
    permissions.can_view_postcodes: {"coordinator"},
    permissions.can_edit_coop_settings: {"coordinator"},
    permissions.can_order: {"member", "treasurer", "coordinator"},
    permissions.can_view_rounds: {"treasurer", "coordinator"},
    permissions.can_record_collections: {"treasurer", "coordinator"},
    permissions.can_manage_rounds: {"coordinator"},
}
VIEWERS = {
    "anonymous": ANONYMOUS,
    "member": MEMBER,
    "treasurer": TREASURER,
    "coordinator": COORDINATOR,
    "coordinator of another co-op": OUTSIDER,
    "council officer": OFFICER,
    "platform admin": ADMIN,
}


@pytest.mark.parametrize("check", COOP_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("who", VIEWERS)
def test_coop_checks_pass_only_for_the_right_roles(check, who):
    assert check(VIEWERS[who], COOP) is (who in COOP_CHECKS[check])


@pytest.mark.parametrize("check", COOP_CHECKS, ids=lambda check: check.__name__)
def test_a_role_in_one_coop_grants_nothing_in_another(check):
    assert check(COORDINATOR, OTHER_COOP) is False


def test_an_empty_viewer_is_anonymous():
    assert ANONYMOUS.is_authenticated is False
    assert MEMBER.is_authenticated is True


def test_council_officers_see_only_their_own_council():
    assert permissions.can_view_council(OFFICER, COUNCIL)
    assert not permissions.can_view_council(OFFICER, OTHER_COUNCIL)
    assert not permissions.can_view_council(ADMIN, COUNCIL)
    assert not permissions.can_view_council(COORDINATOR, COUNCIL)


@pytest.mark.parametrize("who", VIEWERS)
def test_only_platform_admins_administer_the_platform(who):
    viewer = VIEWERS[who]
    expected = who == "platform admin"
    assert permissions.can_administer_platform(viewer) is expected
    assert permissions.can_administer_coop(viewer, COOP) is expected
    assert permissions.can_administer_council(viewer, COUNCIL) is expected


@pytest.mark.parametrize("who", VIEWERS)
def test_anyone_signed_in_may_ask_to_join(who):
    assert permissions.can_join_coops(VIEWERS[who]) is (who != "anonymous")


def test_the_only_coordinator_is_the_last_one():
    assert permissions.is_last_coordinator(frozenset({5}), 5)
    assert not permissions.is_last_coordinator(frozenset({5, 6}), 5)
    assert not permissions.is_last_coordinator(frozenset({6}), 5)
    assert not permissions.is_last_coordinator(frozenset(), 5)
