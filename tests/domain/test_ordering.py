"""Changing an order keeps a household's place.

Increases queue at the back; decreases take units off the newest requests.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop.domain.ordering import Held, Revision, revise


def apply(held: list[Held], revision: Revision) -> list[tuple[int, int]]:
    """Return the (quantity, tolerance) queue the revision leaves, in queue order."""
    result = []
    for request in held:
        if request.id in revision.deletes:
            continue
        result.append(revision.updates.get(request.id, (request.quantity, request.tolerance)))
    if revision.new is not None:
        result.append(revision.new)
    return result


def test_a_first_order_is_one_request():
    assert revise([], 2, 3) == Revision(new=(2, 3))


def test_ordering_nothing_writes_nothing():
    assert revise([], 0, 0).changes_nothing


def test_an_increase_joins_the_back_and_the_tolerance_stays_in_front():
    # DESIGN.md: A asks 2(3), later changes to 4(1).
    held = [Held(1, 2, 3)]

    revision = revise(held, 4, 1)

    assert revision == Revision(updates={1: (2, 1)}, new=(2, 0))


def test_a_decrease_takes_units_off_the_newest_request_first():
    held = [Held(1, 2, 1), Held(2, 3, 0), Held(3, 1, 0)]

    revision = revise(held, 3, 1)

    assert revision.deletes == (3,)
    assert revision.updates == {2: (1, 0)}
    assert apply(held, revision) == [(2, 1), (1, 0)]


def test_cancelling_an_order_deletes_every_request():
    held = [Held(1, 2, 1), Held(2, 3, 0)]

    assert revise(held, 0, 0) == Revision(deletes=(1, 2))


def test_tolerance_alone_keeps_the_earliest_place():
    held = [Held(1, 2, 1), Held(2, 3, 0)]

    assert apply(held, revise(held, 0, 2)) == [(0, 2)]


def test_the_same_order_again_changes_nothing():
    held = [Held(1, 2, 1), Held(2, 3, 0)]

    assert revise(held, 5, 1).changes_nothing


def test_negative_numbers_are_refused():
    with pytest.raises(ValueError):
        revise([], -1, 0)
    with pytest.raises(ValueError):
        revise([], 1, -1)


queues = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 5)).filter(lambda qt: qt[0] + qt[1] > 0),
    max_size=6,
).map(
    lambda rows: [
        Held(n + 1, quantity, tolerance if n == 0 else 0)
        for n, (quantity, tolerance) in enumerate(rows)
    ]
)


@given(held=queues, quantity=st.integers(0, 60), tolerance=st.integers(0, 10))
def test_the_result_always_adds_up_to_what_was_asked(held, quantity, tolerance):
    revision = revise(held, quantity, tolerance)
    after = apply(held, revision)

    assert sum(q for q, _ in after) == quantity
    assert sum(t for _, t in after) == tolerance
    assert all(q >= 0 and t >= 0 and q + t > 0 for q, t in after)
    # Requests that stay keep their order; only the last may be new, and only on an increase.
    grows = quantity > sum(r.quantity for r in held)
    assert (revision.new is not None) == (grows or (not held and tolerance > 0))
    # Firm units come off the newest requests: what is left is a prefix of the queue.
    left = [
        0
        if request.id in revision.deletes
        else revision.updates.get(request.id, (request.quantity,))[0]
        for request in held
    ]
    cut = next((i for i, r in enumerate(held) if left[i] < r.quantity), len(held))
    assert left[:cut] == [r.quantity for r in held[:cut]]
    assert all(units == 0 for units in left[cut + 1 :])
