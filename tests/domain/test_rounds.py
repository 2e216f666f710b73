"""The round state machine: allowed moves and the messages for the others."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.domain import rounds
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
        (S.RECEIVED, S.CLOSED),  # the delivery record undone
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
        (
            S.RECEIVED,
            S.CANCELLED,
            "A delivery is recorded for this round: settle it, or undo the delivery first.",
        ),
        (S.SETTLED, S.CLOSED, "A round that is settled cannot be closed. It is finished."),
    ],
)
def test_other_moves_are_refused_with_a_message(current, target, message):
    assert not can_move(current, target)
    with pytest.raises(ValueError, match=message):
        check_move(current, target)


def test_a_round_can_be_cancelled_until_its_delivery_is_recorded():
    for state in S:
        assert can_move(state, S.CANCELLED) == (state in (S.DRAFT, S.OPEN, S.CLOSED))


def test_the_groups_of_moves_are_the_transition_tables():
    for state in S:
        assert (state in rounds.CANCELLABLE) == can_move(state, S.CANCELLED)
        assert rounds.CANCELLABLE.refusal_for(state) == rounds.move_refusal(state, S.CANCELLED)
        # Closing and undoing a delivery are the two moves back to closed.
        to_closed = state in rounds.CLOSABLE or state in rounds.DELIVERY_UNDOABLE
        assert to_closed == can_move(state, S.CLOSED)
    assert set(rounds.DELIVERY_UNDOABLE) <= set(rounds.DELIVERED)


# --- what each state allows ------------------------------------------------------------

GROUPS = {
    "DETAILS_EDITABLE": {S.DRAFT, S.OPEN},
    "RULES_EDITABLE": {S.DRAFT},
    "DELETABLE": {S.DRAFT},
    "DEADLINE_EXTENDABLE": {S.OPEN},
    "SHEETS_SENDABLE": {S.CLOSED},
    "ITEMS_CHANGEABLE": {S.DRAFT, S.OPEN},
    "SUPPLIERS_DROPPABLE": {S.OPEN, S.CLOSED},
    "ORDERS_CHANGEABLE": {S.OPEN},
    "ALLOCATED": {S.CLOSED, S.RECEIVED, S.SETTLED},
    "SHARES_CHANGEABLE": {S.CLOSED, S.RECEIVED},
    "AWAITING_SETTLEMENT": {S.CLOSED, S.RECEIVED},
    "DELIVERED": {S.RECEIVED, S.SETTLED},
    "CLOSABLE": {S.OPEN},
    "CANCELLABLE": {S.DRAFT, S.OPEN, S.CLOSED},
    "DELIVERY_UNDOABLE": {S.RECEIVED},
    "SETTLEABLE": {S.RECEIVED},
    "BILLED": {S.SETTLED},
    "COSTS_CHANGEABLE": {S.DRAFT, S.OPEN, S.CLOSED, S.RECEIVED},
    "SEEN_BY_MEMBERS": {S.OPEN, S.CLOSED, S.RECEIVED, S.SETTLED, S.CANCELLED},
    "UNFINISHED": {S.DRAFT, S.OPEN, S.CLOSED, S.RECEIVED},
    "FINISHED": {S.SETTLED, S.CANCELLED},
}


@pytest.mark.parametrize(("name", "states"), GROUPS.items())
def test_each_group_allows_exactly_its_states_and_refuses_the_others_in_words(name, states):
    group = getattr(rounds, name)
    assert set(group) == states
    for state in S:
        refusal = group.refusal_for(state)
        assert (state in group) == (state in states)
        assert (refusal == "") == (state in states), (name, state)
        assert "{" not in refusal, "every placeholder is filled in"


def test_a_group_lists_its_states_in_the_order_a_round_passes_through_them():
    assert list(rounds.COSTS_CHANGEABLE) == [S.DRAFT, S.OPEN, S.CLOSED, S.RECEIVED]


def test_refusals_name_the_rounds_state_or_say_what_to_do_instead():
    assert rounds.DETAILS_EDITABLE.refusal_for(S.CLOSED) == (
        "A round that is closed can no longer be edited."
    )
    assert rounds.ORDERS_CHANGEABLE.refusal_for(S.DRAFT) == "This round is not open for orders yet."
    assert rounds.ORDERS_CHANGEABLE.refusal_for(S.RECEIVED) == (
        "This round has closed; your order can no longer change."
    )
    assert rounds.COSTS_CHANGEABLE.refusal_for(S.SETTLED).endswith(
        "Correct a household's bill instead."
    )
    assert rounds.SETTLEABLE.refusal_for(S.SETTLED) == "The round is already settled."


def test_finished_rounds_are_those_with_no_move_left():
    for state in S:
        assert (state in rounds.FINISHED) == (not rounds.TRANSITIONS[state])
        assert (state in rounds.UNFINISHED) != (state in rounds.FINISHED)


def test_the_move_refusal_is_the_message_check_move_raises():
    for current in S:
        for target in S:
            refusal = rounds.move_refusal(current, target)
            assert (refusal == "") == can_move(current, target)
            if refusal:
                with pytest.raises(ValueError) as raised:
                    check_move(current, target)
                assert str(raised.value) == refusal


# --- the derived values a round's rows share with SQL ---------------------------------


@given(manual=st.none() | st.integers(min_value=0), computed=st.integers(min_value=0))
def test_a_hand_set_share_wins_over_the_computed_one(manual, computed):
    units = rounds.effective_units(manual=manual, computed=computed)
    assert units == (computed if manual is None else manual)


@given(invoiced=st.none() | st.integers(min_value=0), opening=st.integers(min_value=0))
def test_the_invoiced_case_price_wins_over_the_opening_one(invoiced, opening):
    price = rounds.applied_case_price(invoiced=invoiced, opening=opening)
    assert price == (opening if invoiced is None else invoiced)
