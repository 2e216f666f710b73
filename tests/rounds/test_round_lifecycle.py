"""The round lifecycle services: details, items, opening, extending, cancelling, deleting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import count_rows, refusal_message

from coop.domain.rounds import FINISHED, RoundState
from coop.extensions import db
from coop.models import CatalogueSubscription, Round, RoundItem, RoundSupplier, Supplier
from coop.models.types import utcnow
from coop.services.rounds.items import set_item_limits
from coop.services.rounds.lifecycle import (
    add_round_items,
    cancel_round,
    create_round,
    delete_draft_round,
    extend_deadline,
    open_round,
    round_summaries,
    update_round,
)
from rounds.admin_support import details


def create(rounds, **changes):
    round_ = create_round(coop=rounds.coop, details=details(**changes), by=rounds.coordinator)
    db.session.commit()
    return round_


# --- details ----------------------------------------------------------------------


def test_a_new_round_is_a_draft_with_the_coops_markup(rounds):
    rounds.coop.markup_bp = 500
    db.session.commit()

    round_ = create(rounds, title="  Week of 14 July ", policy="fair_share", fill_percent=80)

    assert (round_.state, round_.title, round_.policy, round_.fill_percent) == (
        RoundState.DRAFT,
        "Week of 14 July",
        "fair_share",
        80,
    )
    assert round_.markup_bp == 500
    assert round_.created_by_id == rounds.coordinator.id


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "   "}, "title", "Give the round a title."),
        ({"closes_at": utcnow() - timedelta(days=1)}, "closes_at", "after the opening time"),
        ({"pickup_at": utcnow() + timedelta(days=1)}, "pickup_at", "after the deadline"),
        ({"policy": "lottery"}, "policy", "Choose how short items are shared out."),
        ({"fill_percent": 0}, "fill_percent", "from 1 to 100"),
        ({"max_per_household": 0}, "max_per_household", "or leave it blank"),
    ],
)
def test_details_that_make_no_sense_are_refused_at_their_field(rounds, changes, field, message):
    refusal = refusal_message(
        lambda: create_round(coop=rounds.coop, details=details(**changes), by=rounds.coordinator),
        field=field,
    )

    assert message in refusal
    assert count_rows(Round) == 0


def test_an_open_round_keeps_its_sharing_rules_and_timing(rounds):
    round_ = rounds.round(rounds.product(), fill_percent=100)
    kept = {"opens_at": round_.opens_at, "closes_at": round_.closes_at}

    policy = refusal_message(
        lambda: update_round(
            round_=round_, details=details(**kept, policy="fair_share", pickup_place="Hall")
        ),
        field="policy",
    )
    threshold = refusal_message(
        lambda: update_round(round_=round_, details=details(**kept, fill_percent=80)),
        field="policy",
    )
    deadline = refusal_message(
        lambda: update_round(
            round_=round_,
            details=details(opens_at=round_.opens_at, closes_at=round_.closes_at + timedelta(1)),
        ),
        field="closes_at",
    )

    assert "cannot change once the round is open" in policy
    assert threshold == policy
    assert "Extend the deadline" in deadline
    round_ = db.session.get(Round, round_.id)
    assert (round_.policy, round_.fill_percent) == ("first_come", 100)


def test_an_open_round_can_change_its_title_pickup_and_notes(rounds):
    round_ = rounds.round(rounds.product())

    update_round(
        round_=round_,
        details=details(
            opens_at=round_.opens_at,
            closes_at=round_.closes_at,
            title="Summer round",
            pickup_place="Scout hut",
            notes="Back door.",
        ),
    )
    db.session.commit()

    round_ = db.session.get(Round, round_.id)
    assert (round_.title, round_.pickup_place, round_.notes) == (
        "Summer round",
        "Scout hut",
        "Back door.",
    )


def test_a_closed_round_cannot_be_edited(rounds):
    round_ = rounds.round(rounds.product())
    round_.state = RoundState.CLOSED
    db.session.commit()

    assert "no longer be edited" in refusal_message(
        lambda: update_round(round_=round_, details=details(title="Renamed"))
    )


def test_a_limit_cannot_drop_below_what_a_household_already_asked_for(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 4, 2)
    kept = {"opens_at": round_.opens_at, "closes_at": round_.closes_at}

    message = refusal_message(
        lambda: update_round(round_=round_, details=details(**kept, max_per_household=5)),
        field="max_per_household",
    )
    item = rounds.item(round_, oats)
    item_message = refusal_message(
        lambda: set_item_limits(round_=round_, limits={item.id: 3}), field=f"limit_{item.id}"
    )

    assert "already asked for 6" in message
    assert "already asked for 6" in item_message
    update_round(round_=round_, details=details(**kept, max_per_household=6))
    db.session.commit()
    assert db.session.get(Round, round_.id).max_per_household == 6


def test_an_item_can_have_its_own_limit(rounds):
    oats, rice = rounds.product(), rounds.product()
    round_ = rounds.round(oats, rice, state=RoundState.DRAFT, max_per_household=10)
    item = rounds.item(round_, oats)

    set_item_limits(round_=round_, limits={item.id: 2})
    db.session.commit()

    assert rounds.item(round_, oats).limit_in(round_) == 2
    assert rounds.item(round_, rice).limit_in(round_) == 10


# --- items ------------------------------------------------------------------------


def test_products_of_own_and_subscribed_catalogues_can_be_offered(rounds, factory):
    other = factory.coop(name="Ribbleton Pantry", slug="ribbleton")
    growers = Supplier(coop=other, name="Ribble Valley Growers")
    db.session.add_all([growers, CatalogueSubscription(coop=rounds.coop, supplier=growers)])
    db.session.commit()
    oats, leeks = rounds.product(), rounds.product(supplier=growers)
    round_ = create(rounds)

    add_round_items(round_=round_, product_ids=[oats.id, leeks.id])
    add_round_items(round_=round_, product_ids=[oats.id])
    db.session.commit()

    assert count_rows(RoundItem) == 2
    assert count_rows(RoundSupplier) == 2


def test_a_product_outside_the_coops_catalogues_is_refused(rounds, factory):
    other = factory.coop(name="Ribbleton Pantry", slug="ribbleton")
    private = Supplier(coop=other, name="Private Wholesale")
    db.session.add(private)
    db.session.commit()
    theirs = rounds.product(supplier=private)
    round_ = create(rounds)

    message = refusal_message(
        lambda: add_round_items(round_=round_, product_ids=[rounds.product().id, theirs.id]),
        field="product_ids",
    )

    assert message == "Some of those products are not in the co-op's catalogues."
    assert count_rows(RoundItem) == 0


def test_an_unavailable_product_is_refused(rounds):
    gone = rounds.product(name="Brown rice", available=False)
    round_ = create(rounds)

    message = refusal_message(
        lambda: add_round_items(round_=round_, product_ids=[gone.id]), field="product_ids"
    )

    assert message == "Not available at the moment: Brown rice."
    assert count_rows(RoundItem) == 0


# --- opening ----------------------------------------------------------------------


def test_a_round_without_items_cannot_open(rounds):
    round_ = create(rounds)

    assert refusal_message(lambda: open_round(round_id=round_.id)) == (
        "Add at least one item before opening the round."
    )
    assert db.session.get(Round, round_.id).state is RoundState.DRAFT


def test_a_round_whose_deadline_has_passed_cannot_open(rounds):
    round_ = rounds.round(rounds.product(), state=RoundState.DRAFT)
    round_.opens_at = utcnow() - timedelta(days=3)
    round_.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()

    assert "deadline has passed" in refusal_message(lambda: open_round(round_id=round_.id))
    assert db.session.get(Round, round_.id).state is RoundState.DRAFT


def test_opening_copies_the_prices_a_later_catalogue_change_does_not_move(rounds):
    oats = rounds.product(case_price_pence=1200)
    round_ = rounds.round(oats, state=RoundState.DRAFT)
    oats.case_price_pence = 1300  # changed while the round is a draft: the round takes it
    rounds.coop.markup_bp = 250
    db.session.commit()

    open_round(round_id=round_.id)
    db.session.commit()
    oats.case_price_pence = 1500  # changed once it is open: the round keeps its price
    rounds.coop.markup_bp = 900
    db.session.commit()

    item = rounds.item(round_, oats)
    assert item.case_price_pence == 1300
    assert db.session.get(Round, round_.id).markup_bp == 250


def test_opening_early_by_hand_records_when_it_really_opened(rounds):
    round_ = create(rounds, opens_at=utcnow() + timedelta(hours=5))
    add_round_items(round_=round_, product_ids=[rounds.product().id])
    db.session.commit()

    open_round(round_id=round_.id)
    db.session.commit()

    round_ = db.session.get(Round, round_.id)
    assert round_.state is RoundState.OPEN
    assert round_.opens_at <= utcnow()


def test_opening_twice_is_refused(rounds):
    round_ = rounds.round(rounds.product())

    assert refusal_message(lambda: open_round(round_id=round_.id)) == "The round is already open."


# --- extending, cancelling, deleting ------------------------------------------------


def test_the_deadline_of_an_open_round_can_be_extended(rounds):
    round_ = rounds.round(rounds.product())
    later = round_.closes_at + timedelta(days=1)

    extend_deadline(round_=round_, closes_at=later)
    db.session.commit()

    assert db.session.get(Round, round_.id).closes_at == later


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (timedelta(hours=-1), "later than the current one"),
        (timedelta(days=3), "after pickup"),
    ],
)
def test_an_extension_that_is_earlier_or_past_pickup_is_refused(rounds, shift, message):
    round_ = rounds.round(rounds.product())  # pickup two days after the deadline
    deadline = round_.closes_at

    refusal = refusal_message(
        lambda: extend_deadline(round_=round_, closes_at=deadline + shift), field="closes_at"
    )

    assert message in refusal
    assert db.session.get(Round, round_.id).closes_at == deadline


def test_only_an_open_round_can_be_extended(rounds):
    round_ = rounds.round(rounds.product(), state=RoundState.DRAFT)

    assert "Only an open round" in refusal_message(
        lambda: extend_deadline(round_=round_, closes_at=round_.closes_at + timedelta(1))
    )


def test_cancelling_tells_the_households_that_ordered_why(rounds, mailbox):
    oats = rounds.product()
    round_ = rounds.round(oats)
    a, b, c = rounds.households[:3]
    rounds.ask(round_, oats, a, 2)
    rounds.ask(round_, oats, b, 1)

    cancel_round(
        round_id=round_.id,
        reason="The supplier's van broke down.",
        by=rounds.coordinator,
        link="http://localhost/coops/fishwick/",
    )
    db.session.commit()

    round_ = db.session.get(Round, round_.id)
    assert round_.state is RoundState.CANCELLED
    assert round_.cancel_reason == "The supplier's van broke down."
    body = mailbox.body(mailbox.to(a.user.email)[0])
    assert "Cora Ord has cancelled the round 'Weekly order'" in body
    assert "Why: The supplier's van broke down." in body
    assert len(mailbox.to(b.user.email)) == 1
    assert mailbox.to(c.user.email) == []


def test_cancelling_needs_a_reason(rounds, mailbox):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 2)

    refusal_message(
        lambda: cancel_round(round_id=round_.id, reason="  ", by=rounds.coordinator),
        field="reason",
    )

    assert db.session.get(Round, round_.id).state is RoundState.OPEN
    assert mailbox.messages == []


def test_a_settled_round_cannot_be_cancelled(rounds):
    round_ = rounds.round(rounds.product())
    round_.state = RoundState.SETTLED
    db.session.commit()

    message = refusal_message(
        lambda: cancel_round(round_id=round_.id, reason="Oops", by=rounds.coordinator)
    )

    assert message == "A round that is settled cannot be cancelled. It is finished."


def test_a_draft_can_be_deleted_with_its_items(rounds):
    round_ = rounds.round(rounds.product(), rounds.product(), state=RoundState.DRAFT)

    delete_draft_round(round_=round_)
    db.session.commit()

    assert (count_rows(Round), count_rows(RoundItem), count_rows(RoundSupplier)) == (0, 0, 0)


def test_an_open_round_cannot_be_deleted(rounds):
    round_ = rounds.round(rounds.product())

    assert "cancel it instead" in refusal_message(lambda: delete_draft_round(round_=round_))
    assert count_rows(Round) == 1


# --- lists --------------------------------------------------------------------------


def test_round_summaries_count_items_and_households_that_ordered(rounds):
    oats, rice = rounds.product(), rounds.product()
    busy = rounds.round(oats, rice, title="Busy")
    a, b = rounds.households[:2]
    rounds.ask(busy, oats, a, 2)
    rounds.ask(busy, rice, a, 1)
    rounds.ask(busy, oats, b, 1)
    rounds.round(oats, state=RoundState.DRAFT, title="Quiet")
    done = rounds.round(oats, title="Done")
    done.state = RoundState.SETTLED
    db.session.commit()

    current = {s.round.title: (s.items, s.households) for s in round_summaries(coop=rounds.coop)}
    past = round_summaries(coop=rounds.coop, states=FINISHED)

    assert current == {"Busy": (2, 2), "Quiet": (1, 0)}
    assert [summary.round.title for summary in past] == ["Done"]
