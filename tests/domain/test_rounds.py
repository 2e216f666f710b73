"""The round state machine: allowed moves and the messages for the others."""

from __future__ import annotations

import pytest

from coop.domain.rounds import RoundState, can_move, check_move

S = RoundState


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.OPEN),
        (S.OPEN, S.CLOSED),
        (S.CLOSED, S.RECEIVED),
        (S.RECEIVED, S.SETTLED),
        (S.DRAFT, S.CANCELLED),
        (S.OPEN, S.CANCELLED),
        (S.CLOSED, S.CANCELLED),
        (S.RECEIVED, S.CANCELLED),
    ],
)
def test_allowed_moves(current, target):
    assert can_move(current, target)
    check_move(current, target)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (S.SETTLED, S.CANCELLED, "A round that is settled cannot be cancelled. It is finished."),
        (S.CLOSED, S.OPEN, "A round that is closed cannot be opened."),
        (S.OPEN, S.SETTLED, "A round that is open cannot be settled."),
        (S.CANCELLED, S.OPEN, "A round that is cancelled cannot be opened. It is finished."),
        (S.OPEN, S.OPEN, "The round is already open."),
    ],
)
def test_other_moves_are_refused_with_a_message(current, target, message):
    assert not can_move(current, target)
    with pytest.raises(ValueError, match=message):
        check_move(current, target)


def test_every_state_but_the_finished_ones_can_be_cancelled():
    for state in S:
        assert can_move(state, S.CANCELLED) == (state not in (S.SETTLED, S.CANCELLED))
