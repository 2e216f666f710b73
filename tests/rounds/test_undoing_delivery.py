"""Undoing a recorded delivery: the round goes back to closed, and only then can it be cancelled."""

from __future__ import annotations

from support import count_rows, layout_problems, refusal_message, text

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import LedgerTransaction, OutboxMessage, Round
from coop.services.rounds.allocations import set_allocation as set_by_hand
from coop.services.rounds.lifecycle import cancel_round
from coop.services.rounds.ordering import funds_of
from coop.services.rounds.receiving import Arrived, undo_delivery
from rounds.receiving_support import allocation_of, close, receive, units_of, words

NOT_CANCELLABLE = "A delivery is recorded for this round: settle it, or undo the delivery first."


def build(rounds, **product):
    """Household 1 and Household 2 each ask for 3 of a case of 6, and the round is closed."""
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200, **product)
    round_ = rounds.round(oats, policy="first_come")
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 3)
    rounds.ask(round_, oats, b, 3)
    return close(round_), oats


def short_delivery(rounds, round_, oats):
    """Record that 4 units of a case of 6 came, as Jumbo oats at £15 a case."""
    item_id = rounds.item(round_, oats).id
    return receive(
        rounds,
        round_,
        Arrived(item_id=item_id, amount=4, substitute="Jumbo oats", case_price_pence=1500),
    )


def undo(rounds, round_):
    undone = undo_delivery(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    return undone


def fresh(round_: Round) -> Round:
    db.session.expire_all()
    return db.session.get_one(Round, round_.id)


def url(round_: Round, action: str = "") -> str:
    return f"/coops/fishwick/admin/rounds/{round_.id}{action}"


# --- the service -----------------------------------------------------------------------


def test_undoing_the_delivery_returns_the_round_to_what_closing_left(rounds):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    a, b = rounds.households[:2]
    assert units_of(round_, oats) == {a.id: 3, b.id: 1}

    undo(rounds, round_)

    round_ = fresh(round_)
    item = rounds.item(round_, oats)
    assert (round_.state, round_.received_at) == (RoundState.CLOSED, None)
    assert (item.units_received, item.received_case_price_pence, item.substitute) == (
        None,
        None,
        "",
    )
    assert item.surplus_units == 0
    assert units_of(round_, oats) == {a.id: 3, b.id: 3}


def test_the_delivery_can_be_recorded_again_once_undone(rounds):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    undo(rounds, round_)

    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=5))

    a, b = rounds.households[:2]
    assert fresh(round_).state is RoundState.RECEIVED
    assert units_of(round_, oats) == {a.id: 3, b.id: 2}
    assert rounds.item(round_, oats).received_case_price_pence == 1200


def test_a_share_set_by_hand_after_a_short_delivery_goes_with_the_delivery(rounds):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    b = rounds.households[1]
    set_by_hand(
        round_id=round_.id,
        allocation_id=allocation_of(rounds, round_, oats, b).id,
        units=0,
        reason="Gave theirs up",
        by=rounds.coordinator,
    )
    db.session.commit()

    undo(rounds, round_)

    allocation = allocation_of(rounds, round_, oats, b)
    assert (allocation.manual_units, allocation.manual_reason) == (None, "")
    assert allocation.units == 3
    assert rounds.item(round_, oats).surplus_units == 0


def test_a_share_set_by_hand_on_an_item_that_arrived_in_full_stays(rounds):
    round_, oats = build(rounds)
    b = rounds.households[1]
    receive(rounds, round_)
    set_by_hand(
        round_id=round_.id,
        allocation_id=allocation_of(rounds, round_, oats, b).id,
        units=1,
        reason="Asked for less",
        by=rounds.coordinator,
    )
    db.session.commit()

    undo(rounds, round_)

    assert allocation_of(rounds, round_, oats, b).units == 1
    assert rounds.item(round_, oats).surplus_units == 2


def test_households_whose_share_goes_back_are_told(rounds, mailbox):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    a, b = rounds.households[:2]
    mailbox.messages.clear()  # what closing and receiving sent

    undone = undo(rounds, round_)

    assert undone.households_told == 1
    assert mailbox.to(a.user.email) == []
    (message,) = mailbox.to(b.user.email)
    assert (
        message["Subject"] == "Fishwick Food: the delivery for Weekly order is to be recorded again"
    )
    assert "Porridge oats: 1 -> 3 x 500 g bag" in mailbox.body(message)


def test_only_a_received_rounds_delivery_can_be_undone(rounds):
    round_, oats = build(rounds)

    assert refusal_message(lambda: undo_delivery(round_id=round_.id, by=rounds.coordinator)) == (
        "The round is closed: no delivery is recorded to undo."
    )

    receive(rounds, round_)
    round_ = fresh(round_)
    round_.state = RoundState.SETTLED
    db.session.commit()
    message = refusal_message(lambda: undo_delivery(round_id=round_.id, by=rounds.coordinator))

    assert message.startswith("The round is settled: its delivery can no longer be undone.")
    assert rounds.item(round_, oats).units_received == 6


def test_a_received_round_cannot_be_cancelled(rounds, mailbox):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    before = count_rows(OutboxMessage)

    message = refusal_message(
        lambda: cancel_round(round_id=round_.id, reason="Oops", by=rounds.coordinator)
    )

    assert message == NOT_CANCELLABLE
    assert fresh(round_).state is RoundState.RECEIVED
    assert rounds.item(round_, oats).units_received == 4
    assert count_rows(OutboxMessage) == before


def test_undoing_then_cancelling_leaves_nothing_charged(rounds):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    a, b = rounds.households[:2]
    assert funds_of(membership=a).committed_pence > 0

    undo(rounds, round_)
    cancel_round(round_id=round_.id, reason="The oats were spoilt", by=rounds.coordinator)
    db.session.commit()

    assert fresh(round_).state is RoundState.CANCELLED
    for household in (a, b):
        funds = funds_of(membership=household)
        assert (funds.committed_pence, funds.balance_pence) == (0, 0)
    assert count_rows(LedgerTransaction) == 0


# --- the pages -------------------------------------------------------------------------


def test_a_received_round_offers_undoing_the_delivery_and_not_cancelling(rounds, client, auth):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    auth.login_as(rounds.coordinator)

    page = text(client.get(url(round_)))

    assert "Cancel the round" not in page
    assert f'action="{url(round_, "/cancel")}"' not in page
    assert "Close it now" not in page
    assert f'href="{url(round_, "/receive/undo")}"' in page
    assert "Undo the delivery record" in page


def test_cancelling_a_received_round_through_the_page_is_refused(rounds, client, auth):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    auth.login_as(rounds.coordinator)

    response = client.post(url(round_, "/cancel"), data={"reason": "Oops"}, follow_redirects=True)

    assert NOT_CANCELLABLE in text(response)
    assert fresh(round_).state is RoundState.RECEIVED


def test_undoing_through_the_page_asks_first_then_the_round_can_be_cancelled(
    rounds, client, auth, mailbox
):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    auth.login_as(rounds.coordinator)

    asked = words(client.get(url(round_, "/receive/undo")))
    assert "Undo the delivery record for Weekly order?" in asked
    assert fresh(round_).state is RoundState.RECEIVED

    done = words(client.post(url(round_, "/receive/undo"), follow_redirects=True))
    assert "The delivery record is undone: Weekly order is closed again" in done
    assert "Cancel the round" in done
    assert "Record the delivery" in done
    assert fresh(round_).state is RoundState.CLOSED

    client.post(url(round_, "/cancel"), data={"reason": "The oats were spoilt"})
    assert fresh(round_).state is RoundState.CANCELLED
    assert funds_of(membership=rounds.households[0]).committed_pence == 0
    assert count_rows(LedgerTransaction) == 0


def test_the_undo_page_of_a_round_without_a_delivery_says_why_not(rounds, client, auth):
    round_, _ = build(rounds)
    auth.login_as(rounds.coordinator)

    page = words(client.get(url(round_, "/receive/undo"), follow_redirects=True))

    assert "The round is closed: no delivery is recorded to undo." in page
    assert fresh(round_).state is RoundState.CLOSED


def test_the_received_round_page_and_the_undo_page_follow_the_layout(rounds, client, auth):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    auth.login_as(rounds.coordinator)

    for path in (url(round_), url(round_, "/receive"), url(round_, "/receive/undo")):
        assert layout_problems(text(client.get(path))) == [], path


def test_a_treasurer_cannot_undo_a_delivery(rounds, client, auth, factory):
    round_, oats = build(rounds)
    short_delivery(rounds, round_, oats)
    auth.login_as(factory.member(rounds.coop, Role.TREASURER))

    assert client.get(url(round_, "/receive/undo")).status_code == 403
    assert client.post(url(round_, "/receive/undo")).status_code == 403
    assert "Undo the delivery record" not in text(client.get(url(round_)))
    assert fresh(round_).state is RoundState.RECEIVED
