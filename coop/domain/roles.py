"""The vocabulary of roles and statuses that permissions are written in."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A household's role in a co-op."""

    MEMBER = "member"
    COORDINATOR = "coordinator"
    TREASURER = "treasurer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MembershipStatus(StrEnum):
    """Where a membership stands."""

    PENDING = "pending"
    ACTIVE = "active"
    LEFT = "left"


class JoiningPolicy(StrEnum):
    """How a household becomes a member of a co-op."""

    OPEN = "open"
    APPROVAL = "approval"
    INVITATION = "invitation"

    @property
    def label(self) -> str:
        return {
            JoiningPolicy.OPEN: "Open: anyone may join",
            JoiningPolicy.APPROVAL: "Approval: a coordinator approves each request",
            JoiningPolicy.INVITATION: "Invitation: by invitation link only",
        }[self]


#: The people a household may say it has: enough for a large shared house.
HOUSEHOLD_SIZE_RANGE = (1, 30)
