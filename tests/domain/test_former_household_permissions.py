"""Households that left read their own accounts; only treasurers keep the books."""

from __future__ import annotations

from coop.domain.permissions import (
    ANONYMOUS,
    Viewer,
    can_keep_the_books,
    can_order,
    can_view_coop,
    can_view_own_account,
)
from coop.domain.roles import Role

COOP, OTHER_COOP = 1, 2
FORMER = Viewer(user_id=20, former_coop_ids=frozenset({COOP}))


def test_a_household_that_left_reads_its_own_account_and_does_nothing_else():
    assert can_view_own_account(FORMER, COOP)
    assert not can_view_coop(FORMER, COOP)
    assert not can_order(FORMER, COOP)
    assert not can_view_own_account(FORMER, OTHER_COOP)


def test_members_of_any_role_read_their_own_accounts():
    for role in Role:
        assert can_view_own_account(Viewer(user_id=21, coop_roles={COOP: role}), COOP)
    assert not can_view_own_account(ANONYMOUS, COOP)


def test_only_the_treasurer_keeps_the_books():
    allowed = {
        role
        for role in Role
        if can_keep_the_books(Viewer(user_id=22, coop_roles={COOP: role}), COOP)
    }
    assert allowed == {Role.TREASURER}
    assert not can_keep_the_books(FORMER, COOP)
    assert not can_keep_the_books(Viewer(user_id=23, is_platform_admin=True), COOP)
