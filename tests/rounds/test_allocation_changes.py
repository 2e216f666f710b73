"""The allocations page, and a coordinator changing a household's share by hand."""

from __future__ import annotations

import pytest
from support import count_rows, field_error, refusal_message, text

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Round
from coop.services.rounds.allocations import clear_allocation, set_allocation
from coop.services.rounds.receiving import Arrived
from rounds.receiving_support import allocation_of, close, receive, units_of, words


@pytest.fixture
def closed(rounds):
    """A closed round of one case of 6 oats: Household 1 gets 4, Household 2 gets 2 of 3."""
    oats = rounds.product(name="Porridge oats", case_size=6)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 4)
    rounds.ask(round_, oats, b, 3, 1)
    close(round_)
    return round_, oats


def change(rounds, round_, oats, household, units, reason="Damaged in delivery"):
    allocation = allocation_of(rounds, round_, oats, household)
    result = set_allocation(
        round_id=round_.id,
        allocation_id=allocation.id,
        units=units,
        reason=reason,
        by=rounds.coordinator,
    )
    db.session.commit()
    return result


def page_url(round_, allocation=None) -> str:
    url = f"/coops/fishwick/admin/rounds/{round_.id}/allocations"
    return f"{url}/{allocation.id}" if allocation is not None else url


# --- the service --------------------------------------------------------------------


def test_a_share_set_by_hand_wins_and_says_who_and_why(rounds, closed, mailbox):
    round_, oats = closed
    a, b = rounds.households[:2]
    mailbox.messages.clear()  # what closing sent

    change(rounds, round_, oats, a, 3, reason="Asked for one less at the door")

    allocation = allocation_of(rounds, round_, oats, a)
    assert (allocation.computed_units, allocation.manual_units, allocation.units) == (4, 3, 3)
    assert allocation.manual_reason == "Asked for one less at the door"
    assert allocation.manual_by_id == rounds.coordinator.id
    assert allocation.manual_at is not None
    assert rounds.item(round_, oats).surplus_units == 1
    (message,) = mailbox.to(a.user.email)
    body = mailbox.body(message)
    assert "Cora Ord has changed how much Porridge oats you will receive" in body
    assert "4 -> 3 x 500 g bag" in body
    assert "Why: Asked for one less at the door" in body
    assert mailbox.to(b.user.email) == []


def test_a_share_larger_than_what_is_left_is_refused(rounds, closed):
    round_, oats = closed
    b = rounds.households[1]
    allocation = allocation_of(rounds, round_, oats, b)

    message = refusal_message(
        lambda: set_allocation(
            round_id=round_.id,
            allocation_id=allocation.id,
            units=3,
            reason="Wants more",
            by=rounds.coordinator,
        ),
        field="units",
    )

    assert message == "Only 2 units are left to give."
    assert allocation_of(rounds, round_, oats, b).manual_units is None


def test_after_receiving_the_limit_is_what_arrived(rounds, closed):
    round_, oats = closed
    a, b = rounds.households[:2]
    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=5))
    assert units_of(round_, oats) == {a.id: 4, b.id: 1}

    message = refusal_message(lambda: change(rounds, round_, oats, b, 2), field="units")

    assert message == "Only 1 unit is left to give."
    change(rounds, round_, oats, a, 2)
    assert rounds.item(round_, oats).surplus_units == 2


def test_a_reason_is_needed(rounds, closed):
    round_, oats = closed
    a = rounds.households[0]

    message = refusal_message(lambda: change(rounds, round_, oats, a, 2, reason="  "), "reason")

    assert message == "Say why; the household will read it."


def test_returning_to_the_computed_share_clears_the_change_and_tells_the_household(
    rounds, closed, mailbox
):
    round_, oats = closed
    a = rounds.households[0]
    change(rounds, round_, oats, a, 1)
    mailbox.messages.clear()

    clear_allocation(
        round_id=round_.id,
        allocation_id=allocation_of(rounds, round_, oats, a).id,
        by=rounds.coordinator,
    )
    db.session.commit()

    allocation = allocation_of(rounds, round_, oats, a)
    assert (allocation.manual_units, allocation.manual_reason, allocation.manual_by_id) == (
        None,
        "",
        None,
    )
    assert allocation.units == 4
    assert rounds.item(round_, oats).surplus_units == 0
    body = mailbox.body(mailbox.to(a.user.email)[0])
    assert "1 -> 4 x 500 g bag" in body


def test_returning_to_the_computed_share_is_refused_when_others_took_the_units(rounds, closed):
    round_, oats = closed
    a, b = rounds.households[:2]
    change(rounds, round_, oats, a, 2)
    change(rounds, round_, oats, b, 4)

    message = refusal_message(
        lambda: clear_allocation(
            round_id=round_.id,
            allocation_id=allocation_of(rounds, round_, oats, a).id,
            by=rounds.coordinator,
        )
    )

    assert message == "Only 2 units are left to give. Lower another household's share first."
    assert allocation_of(rounds, round_, oats, a).manual_units == 2


def test_a_settled_round_cannot_be_changed(rounds, closed):
    round_, oats = closed
    db.session.get(Round, round_.id).state = RoundState.SETTLED
    db.session.commit()

    message = refusal_message(lambda: change(rounds, round_, oats, rounds.households[0], 2))

    assert message == "Shares can be changed between closing and settling; this round is settled."


# --- the pages ----------------------------------------------------------------------


def test_the_allocations_page_shows_asks_shares_changes_and_surplus(
    rounds, closed, client, auth, factory
):
    round_, oats = closed
    change(rounds, round_, oats, rounds.households[1], 1, reason="Only wanted one")
    treasurer = factory.member(rounds.coop, Role.TREASURER)
    auth.login_as(treasurer)

    response = client.get(page_url(round_))

    page = words(response)
    assert response.status_code == 200
    assert "1 case of 6 \u00d7 500 g bag ordered; 6 units to share." in page
    assert "Given to households: 5. Left for the co-op's stock: 1." in page
    assert "3 + up to 1 more" in page
    assert "1: Only wanted one (Cora Ord," in page
    assert page.index("Household 1") < page.index("Household 2")
    assert "Change Household" not in page  # a treasurer sees shares but does not change them


def test_changing_a_share_through_the_page(rounds, closed, client, auth, mailbox):
    round_, oats = closed
    a = rounds.households[0]
    allocation = allocation_of(rounds, round_, oats, a)
    auth.login_as(rounds.coordinator)
    assert "Change<span" in text(client.get(page_url(round_)))

    response = client.post(
        page_url(round_, allocation),
        data={"units": "2", "reason": "Half went mouldy"},
        follow_redirects=True,
    )

    assert "Household 1 will receive 2 units of Porridge oats." in text(response)
    assert allocation_of(rounds, round_, oats, a).manual_units == 2
    assert "Why: Half went mouldy" in mailbox.body(mailbox.to(a.user.email)[-1])


def test_too_many_units_are_refused_next_to_the_field(rounds, closed, client, auth):
    round_, oats = closed
    b = rounds.households[1]
    allocation = allocation_of(rounds, round_, oats, b)
    auth.login_as(rounds.coordinator)

    response = client.post(page_url(round_, allocation), data={"units": "5", "reason": "Asked"})

    page = text(response)
    assert field_error(page, "units") == "Only 2 units are left to give."
    assert 'value="5"' in page
    assert allocation_of(rounds, round_, oats, b).manual_units is None


def test_a_missing_reason_is_shown_next_to_the_field(rounds, closed, client, auth):
    round_, oats = closed
    allocation = allocation_of(rounds, round_, oats, rounds.households[0])
    auth.login_as(rounds.coordinator)

    response = client.post(page_url(round_, allocation), data={"units": "2", "reason": ""})

    assert field_error(text(response), "reason") == "Say why; the household will read it."
    assert count_rows(Allocation, Allocation.manual_units.is_not(None)) == 0


def test_returning_to_the_computed_share_through_the_page(rounds, closed, client, auth):
    round_, oats = closed
    a = rounds.households[0]
    change(rounds, round_, oats, a, 1)
    allocation = allocation_of(rounds, round_, oats, a)
    auth.login_as(rounds.coordinator)
    assert "Return to the share by the rule" in text(client.get(page_url(round_, allocation)))

    response = client.post(page_url(round_, allocation), data={"clear": "1"}, follow_redirects=True)

    assert "Household 1's Porridge oats is back to the share by the round's rule." in text(response)
    assert allocation_of(rounds, round_, oats, a).manual_units is None


def test_a_treasurer_cannot_change_a_share_and_a_member_cannot_see_them(
    rounds, closed, client, auth, factory
):
    round_, oats = closed
    allocation = allocation_of(rounds, round_, oats, rounds.households[0])
    auth.login_as(factory.member(rounds.coop, Role.TREASURER))
    assert client.get(page_url(round_, allocation)).status_code == 403
    response = client.post(page_url(round_, allocation), data={"units": "1", "reason": "x"})
    assert response.status_code == 403
    auth.logout()

    auth.login_as(rounds.households[0].user)
    assert client.get(page_url(round_)).status_code == 403
    assert allocation_of(rounds, round_, oats, rounds.households[0]).manual_units is None


def test_an_allocation_of_another_round_is_not_found(rounds, closed, client, auth):
    round_, oats = closed
    allocation = allocation_of(rounds, round_, oats, rounds.households[0])
    other = rounds.round(oats, title="Another round")
    auth.login_as(rounds.coordinator)

    response = client.get(f"/coops/fishwick/admin/rounds/{other.id}/allocations/{allocation.id}")

    assert response.status_code == 404


def test_an_open_round_has_no_allocations_yet(rounds, client, auth):
    round_ = rounds.round(rounds.product())
    auth.login_as(rounds.coordinator)

    page = text(client.get(page_url(round_)))

    assert "Units are shared out between households when the round closes." in page
