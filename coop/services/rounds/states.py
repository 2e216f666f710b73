"""Refusing a use case when the round's state does not allow it.

The groups of states and their wording live in `coop.domain.rounds`; this
turns a group's refusal into the `ServiceError` callers show.
"""

from __future__ import annotations

from coop.domain.rounds import StateGroup
from coop.models import Round
from coop.services.errors import ServiceError


def require(group: StateGroup, round_: Round) -> None:
    """Refuse, in the group's words, unless *round_* is in one of *group*'s states."""
    refusal = group.refusal_for(round_.state)
    if refusal:
        raise ServiceError(refusal)
