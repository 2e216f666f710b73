"""Receiving a delivery: shortfalls and extras shared out again, substitutions, all or nothing."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select
from support import (
    commits_held_until_someone_waits,
    count_rows,
    field_error,
    race,
    refusal_message,
    text,
)

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import OutboxMessage, Round
from coop.services.rounds.allocations import set_allocation as set_by_hand
from coop.services.rounds.receiving import Arrived, RowsRefused, receive_round
from rounds.receiving_support import (
    allocation_of,
    close,
    form_data,
    receive,
    units_of,
)


@pytest.fixture
def two_households_share_a_case(rounds):
    """Household 1 then Household 2 each ask for 3 of a case of 6: one case is ordered."""
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    round_ = rounds.round(oats, policy="first_come")
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 3)
    rounds.ask(round_, oats, b, 3)
    return round_, oats


def build(rounds, policy: str, asks, case_size: int = 6, **product):
    item = rounds.product(name="Porridge oats", case_size=case_size, **product)
    round_ = rounds.round(item, policy=policy)
    for household, quantity, tolerance in asks:
        rounds.ask(round_, item, rounds.households[household], quantity, tolerance)
    return close(round_), item


# --- shortfalls and extras, by policy ---------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("first_come", (3, 1)), ("fair_share", (2, 2))],
)
def test_a_shortfall_is_shared_out_again_by_the_rounds_policy(rounds, policy, expected):
    round_, oats = build(rounds, policy, [(0, 3, 0), (1, 3, 0)])
    a, b = rounds.households[:2]
    assert units_of(round_, oats) == {a.id: 3, b.id: 3}

    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=4))

    assert units_of(round_, oats) == dict(zip((a.id, b.id), expected, strict=True))
    item = rounds.item(round_, oats)
    assert (item.units_received, item.surplus_units) == (4, 0)
    assert db.session.get(Round, round_.id).state is RoundState.RECEIVED


def test_fair_share_splits_a_shortfall_in_proportion_with_ties_to_the_earlier_request(rounds):
    round_, oats = build(rounds, "fair_share", [(0, 4, 0), (1, 4, 0), (2, 4, 0)])
    a, b, c = rounds.households[:3]

    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=10))

    # 10 units for 12 asked: 3.33 each, floors 3, the last unit to the earliest request.
    assert units_of(round_, oats) == {a.id: 4, b.id: 3, c.id: 3}


def test_extra_units_go_to_tolerance_when_the_coordinator_says_so(rounds):
    round_, oats = build(rounds, "first_come", [(0, 4, 2), (1, 2, 0)])
    a, b = rounds.households[:2]
    assert units_of(round_, oats) == {a.id: 4, b.id: 2}

    result = receive(
        rounds,
        round_,
        Arrived(item_id=rounds.item(round_, oats).id, amount=9, more_arrived=True),
    )

    # A's tolerance takes two of the three extra units; the last one is the co-op's.
    assert units_of(round_, oats) == {a.id: 6, b.id: 2}
    assert rounds.item(round_, oats).surplus_units == 1
    assert result.surplus_units == 1


def test_more_than_ordered_without_saying_so_is_refused_and_writes_nothing(rounds):
    round_, oats = build(rounds, "first_come", [(0, 4, 2), (1, 2, 0)])
    item_id = rounds.item(round_, oats).id

    with pytest.raises(RowsRefused) as refused:
        receive_round(
            round_id=round_.id,
            by=rounds.coordinator,
            lines=[Arrived(item_id=item_id, amount=8)],
        )
    db.session.rollback()

    assert refused.value.problems == {
        f"amount_{item_id}": "6 units were ordered; tick 'more arrived' to share out the extra."
    }
    item = rounds.item(round_, oats)
    assert item.units_received is None
    assert db.session.get(Round, round_.id).state is RoundState.CLOSED


def test_an_amount_in_cases_counts_whole_cases(rounds):
    round_, oats = build(rounds, "first_come", [(0, 6, 0), (1, 6, 0)])
    a, b = rounds.households[:2]

    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=1, in_cases=True))

    assert units_of(round_, oats) == {a.id: 6, b.id: 0}


def test_a_bad_row_refuses_the_whole_delivery(rounds):
    oats = rounds.product(name="Porridge oats")
    rice = rounds.product(name="Brown rice")
    round_ = rounds.round(oats, rice)
    a = rounds.households[0]
    rounds.ask(round_, oats, a, 6)
    rounds.ask(round_, rice, a, 6)
    close(round_)
    oats_id, rice_id = rounds.item(round_, oats).id, rounds.item(round_, rice).id

    with pytest.raises(RowsRefused) as refused:
        receive_round(
            round_id=round_.id,
            by=rounds.coordinator,
            lines=[Arrived(item_id=oats_id, amount=2), Arrived(item_id=rice_id, amount=-1)],
        )
    db.session.rollback()

    assert list(refused.value.problems) == [f"amount_{rice_id}"]
    assert units_of(round_, oats) == {a.id: 6}
    assert rounds.item(round_, oats).units_received is None
    assert db.session.get(Round, round_.id).state is RoundState.CLOSED


def test_receiving_twice_is_refused(rounds, two_households_share_a_case):
    round_, oats = two_households_share_a_case
    close(round_)
    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=4))

    message = refusal_message(
        lambda: receive_round(
            round_id=round_.id,
            by=rounds.coordinator,
            lines=[Arrived(item_id=rounds.item(round_, oats).id, amount=6)],
        )
    )

    assert message == "The round is already received."
    assert rounds.item(round_, oats).units_received == 4


def test_an_open_round_cannot_be_received(rounds, two_households_share_a_case):
    round_, _ = two_households_share_a_case

    message = refusal_message(
        lambda: receive_round(round_id=round_.id, by=rounds.coordinator, lines=[])
    )

    assert message == "A round that is open cannot be marked as received."


def test_a_share_set_by_hand_is_cleared_when_its_item_is_shared_out_again(rounds):
    round_, oats = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0)])
    a, b = rounds.households[:2]
    allocation = allocation_of(rounds, round_, oats, b)
    set_by_hand(
        round_id=round_.id,
        allocation_id=allocation.id,
        units=2,
        reason="Asked for less",
        by=rounds.coordinator,
    )
    db.session.commit()

    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=5))

    allocation = allocation_of(rounds, round_, oats, b)
    assert allocation.manual_units is None and allocation.manual_reason == ""
    assert units_of(round_, oats) == {a.id: 3, b.id: 2}


def test_a_share_set_by_hand_stays_when_its_item_arrived_in_full(rounds):
    round_, oats = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0)])
    b = rounds.households[1]
    set_by_hand(
        round_id=round_.id,
        allocation_id=allocation_of(rounds, round_, oats, b).id,
        units=1,
        reason="Asked for less",
        by=rounds.coordinator,
    )
    db.session.commit()

    receive(rounds, round_)

    assert allocation_of(rounds, round_, oats, b).manual_units == 1
    assert rounds.item(round_, oats).surplus_units == 2


# --- telling households ------------------------------------------------------------


def test_households_whose_share_changed_are_told_and_the_others_are_not(rounds, mailbox):
    round_, oats = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0), (2, 0, 2)])
    a, b, c = rounds.households[:3]
    mailbox.messages.clear()  # what closing sent

    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=4))

    assert mailbox.to(a.user.email, about="what arrived") == []
    assert mailbox.to(c.user.email, about="what arrived") == []
    (message,) = mailbox.to(b.user.email, about="what arrived")
    assert message["Subject"] == "Fishwick Food: what arrived for Weekly order"
    body = mailbox.body(message)
    assert "Porridge oats: 3 -> 1 x 500 g bag (less arrived than was ordered)" in body


def test_a_substitution_at_another_price_is_stored_and_households_are_told(rounds, mailbox):
    round_, oats = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0)], case_price_pence=1200)
    a, b = rounds.households[:2]
    mailbox.messages.clear()  # what closing sent

    receive(
        rounds,
        round_,
        Arrived(
            item_id=rounds.item(round_, oats).id,
            amount=1,
            in_cases=True,
            substitute="Jumbo oats",
            case_price_pence=1500,
        ),
    )

    item = rounds.item(round_, oats)
    assert (item.substitute, item.received_case_price_pence) == ("Jumbo oats", 1500)
    for household in (a, b):
        body = mailbox.body(mailbox.to(household.user.email)[0])
        assert "Porridge oats: the supplier sent Jumbo oats instead" in body
        assert "at £2.50 a unit (was £2.00)" in body
    assert units_of(round_, oats) == {a.id: 3, b.id: 3}


def test_nobody_is_emailed_when_everything_arrived_as_ordered(rounds, two_households_share_a_case):
    round_, _ = two_households_share_a_case
    close(round_)
    before = count_rows(OutboxMessage)

    receive(rounds, round_)

    # Only the notices that the order is ready for pickup, no word of changes.
    subjects = db.session.scalars(
        select(OutboxMessage.subject).order_by(OutboxMessage.id).offset(before)
    ).all()
    assert subjects and all("ready for pickup" in subject for subject in subjects)
    assert db.session.get(Round, round_.id).received_at is not None


# --- the page ---------------------------------------------------------------------------


def test_the_page_offers_what_was_ordered_by_default(rounds, client, auth):
    round_, oats = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0)])
    auth.login_as(rounds.coordinator)

    response = client.get(f"/coops/fishwick/admin/rounds/{round_.id}/receive")

    page = text(response)
    item_id = rounds.item(round_, oats).id
    assert response.status_code == 200
    assert "Porridge oats" in page
    assert re.search(rf'<input id="amount_{item_id}"[^>]* value="1">', page)
    assert '<option selected value="cases">cases of 6</option>' in page
    assert re.search(rf'<input [^>]*id="case_price_{item_id}"[^>]* value="12.00">', page)


def test_receiving_a_shortfall_through_the_page(rounds, client, auth, mailbox):
    round_, oats = build(rounds, "fair_share", [(0, 3, 0), (1, 3, 0)])
    item_id = rounds.item(round_, oats).id
    auth.login_as(rounds.coordinator)
    mailbox.messages.clear()  # what closing sent

    response = client.post(
        f"/coops/fishwick/admin/rounds/{round_.id}/receive",
        data=form_data(round_, **{str(item_id): {"amount": "4", "counted_in": "units"}}),
        follow_redirects=True,
    )

    page = text(response)
    assert "The delivery is recorded. 1 item shared out again" in page
    assert "2 households told what changed." in page
    a, b = rounds.households[:2]
    assert units_of(round_, oats) == {a.id: 2, b.id: 2}
    assert len(mailbox.to(a.user.email, about="what arrived")) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"amount": "2.5"}, "Enter a whole number, such as 6."),
        ({"amount": "-1"}, "Enter 0 or more: what arrived cannot be negative."),
        ({"amount": ""}, "Enter what arrived: 0 if none came."),
        ({"amount": "2"}, "6 units were ordered; tick 'more arrived' to share out the extra."),
        (
            {"case_price": "12.345"},
            "Use at most two digits after the decimal point, such as 12.50.",
        ),
    ],
)
def test_a_bad_row_is_shown_next_to_its_field_and_nothing_is_written(
    rounds, client, auth, typed, message
):
    oats = rounds.product(name="Porridge oats")
    rice = rounds.product(name="Brown rice")
    round_ = rounds.round(oats, rice)
    rounds.ask(round_, oats, rounds.households[0], 6)
    rounds.ask(round_, rice, rounds.households[0], 6)
    close(round_)
    oats_id, rice_id = rounds.item(round_, oats).id, rounds.item(round_, rice).id
    auth.login_as(rounds.coordinator)

    response = client.post(
        f"/coops/fishwick/admin/rounds/{round_.id}/receive",
        data=form_data(
            round_, **{str(oats_id): {"amount": "3", "counted_in": "units"}, str(rice_id): typed}
        ),
    )

    page = text(response)
    assert response.status_code == 200
    field = "case_price" if "case_price" in typed else "amount"
    assert field_error(page, f"{field}_{rice_id}") == message
    assert field_error(page, f"amount_{oats_id}") is None
    assert "There is a problem" in page
    label = "case price ex VAT" if field == "case_price" else "how much arrived"
    assert f'<a href="#{field}_{rice_id}">Brown rice, {label}</a>: {message}' in page
    assert rounds.item(round_, oats).units_received is None
    assert db.session.get(Round, round_.id).state is RoundState.CLOSED


def test_receiving_again_through_the_page_is_refused(rounds, client, auth):
    round_, _ = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0)])
    auth.login_as(rounds.coordinator)
    url = f"/coops/fishwick/admin/rounds/{round_.id}/receive"
    data = form_data(round_)
    client.post(url, data=data)

    response = client.post(url, data=data, follow_redirects=True)

    page = text(response)
    assert "The round is already received." in page
    assert "The delivery for this round was recorded on" in page


def test_a_treasurer_cannot_receive_and_a_member_cannot_either(rounds, client, auth, factory):
    round_, _ = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0)])
    treasurer = factory.member(rounds.coop, Role.TREASURER)
    url = f"/coops/fishwick/admin/rounds/{round_.id}/receive"

    for person in (treasurer, rounds.households[0].user):
        auth.login_as(person)
        assert client.get(url).status_code == 403
        assert client.post(url, data=form_data(round_)).status_code == 403
        auth.logout()
    assert db.session.get(Round, round_.id).state is RoundState.CLOSED


def test_another_coops_round_is_not_found(rounds, client, auth, factory):
    round_, _ = build(rounds, "first_come", [(0, 3, 0)])
    other = factory.coop(slug="elsewhere")
    auth.login_as(factory.member(other, Role.COORDINATOR))

    assert client.get(f"/coops/elsewhere/admin/rounds/{round_.id}/receive").status_code == 404


def test_the_round_page_leads_to_receiving_allocations_and_packing(rounds, client, auth, factory):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 6)
    page_url = f"/coops/fishwick/admin/rounds/{round_.id}"
    auth.login_as(rounds.coordinator)
    assert "Record the delivery" not in text(client.get(page_url))  # still open
    close(round_)

    page = text(client.get(page_url))

    assert "Delivery, packing and pickup" in page
    assert f'href="{page_url}/receive">Record the delivery</a>' in page
    for link in ("allocations", "packing", "packing/products", "pickup"):
        assert f'href="{page_url}/{link}"' in page
    auth.logout()

    auth.login_as(factory.member(rounds.coop, Role.TREASURER))
    page = text(client.get(page_url))
    assert "Record the delivery" not in page
    assert "A coordinator records the delivery when it arrives." in page
    assert f'href="{page_url}/pickup"' in page


@pytest.mark.postgres_only
@pytest.mark.committing
@pytest.mark.skipif(
    not os.environ.get("COOP_TEST_DATABASE_URL"),
    reason="row locks are PostgreSQL's (set COOP_TEST_DATABASE_URL to run this)",
)
def test_two_coordinators_receiving_at_once_receive_the_delivery_once(app, rounds, mailbox):
    round_, oats = build(rounds, "first_come", [(0, 3, 0), (1, 3, 0)])
    item_id = rounds.item(round_, oats).id
    other = rounds.factory.member(rounds.coop, Role.COORDINATOR)
    mailbox.messages.clear()  # what closing sent

    def receiving(user, amount: int):
        def attempt():
            received = receive_round(
                round_id=round_.id, by=user, lines=[Arrived(item_id=item_id, amount=amount)]
            )
            db.session.commit()
            return received

        return attempt

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, receiving(rounds.coordinator, 4), receiving(other, 5))

    assert overlap.seen == [True]
    assert [outcome.refusal for outcome in outcomes if outcome.refusal] == [
        "The round is already received."
    ]
    db.session.expire_all()
    arrived = rounds.item(round_, oats).units_received
    assert arrived in (4, 5)
    a, b = rounds.households[:2]
    assert units_of(round_, oats) == {a.id: 3, b.id: arrived - 3}
    assert len(mailbox.to(b.user.email, about="what arrived")) == 1
    assert len(mailbox.to(b.user.email, about="ready for pickup")) == 1
