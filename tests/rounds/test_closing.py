"""Closing a round: whole cases, allocations by policy, emails, and never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from support import count_rows, refusal_message

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, OutboxMessage, Round, RoundItem
from coop.models.types import utcnow
from coop.services.rounds.closing import close_round
from rounds.ordering_support import place


def units_by_household(round_: Round, product) -> dict[int, int]:
    rows = db.session.execute(
        select(Allocation.membership_id, Allocation.computed_units)
        .join(RoundItem, RoundItem.id == Allocation.round_item_id)
        .where(RoundItem.round_id == round_.id, RoundItem.product_id == product.id)
    )
    return dict(rows.all())


def close(round_: Round, by=None):
    result = close_round(round_id=round_.id, by=by)
    db.session.commit()
    return result


def test_first_come_keeps_an_early_place_and_queues_an_increase(rounds):
    oats = rounds.product(case_size=5)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    # DESIGN.md: A asks 2(3), B asks 2(0), A changes to 4(1).
    rounds.ask(round_, oats, a, 2, 1)
    rounds.ask(round_, oats, b, 2, 0)
    rounds.ask(round_, oats, a, 2, 0)

    close(round_)

    assert units_by_household(round_, oats) == {a.id: 3, b.id: 2}
    assert rounds.item(round_, oats).cases_ordered == 1


@pytest.mark.parametrize(
    ("policy", "fill", "expected", "cases"),
    [
        ("first_come", 100, (4, 2, 0), 1),
        ("fair_share", 100, (3, 3, 0), 1),
        ("first_come", 80, (4, 4, 3), 2),
    ],
)
def test_the_worked_examples_of_the_design(rounds, policy, fill, expected, cases):
    beans = rounds.product(case_size=6)
    round_ = rounds.round(beans, policy=policy, fill_percent=fill)
    a, b, c = rounds.households[:3]
    rounds.ask(round_, beans, a, 4)
    rounds.ask(round_, beans, b, 4)
    rounds.ask(round_, beans, c, 1, 2)

    close(round_)

    assert units_by_household(round_, beans) == dict(zip((a.id, b.id, c.id), expected, strict=True))
    item = rounds.item(round_, beans)
    assert item.cases_ordered == cases
    assert item.surplus_units == cases * 6 - sum(expected)


def test_fair_share_gives_a_household_that_raised_its_order_its_share_of_the_whole(rounds):
    oats = rounds.product(case_size=7)
    round_ = rounds.round(oats, policy="fair_share")
    a, b = rounds.households[:2]
    place(rounds, round_, oats, a, 4)
    place(rounds, round_, oats, b, 6)
    place(rounds, round_, oats, a, 6)  # the increase of 2 joins the back of the queue

    close(round_)

    # One case of 7 for 6 and 6: 3.5 each, and the spare unit to A, who ordered first.
    assert units_by_household(round_, oats) == {a.id: 4, b.id: 3}
    assert rounds.item(round_, oats).surplus_units == 0


def test_closing_tells_each_household_what_it_will_receive(rounds, mailbox):
    oats = rounds.product(name="Porridge oats", case_size=2, case_price_pence=500)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 2)

    close(round_, by=rounds.coordinator)

    mail = mailbox.to(a.user.email)
    assert len(mail) == 1
    body = mailbox.body(mail[0])
    assert "Porridge oats: 1 x 500 g bag" in body
    assert "Porridge oats: 1 of the 2" in mailbox.body(mailbox.to(b.user.email)[0])
    assert db.session.get(Round, round_.id).closed_by_id == rounds.coordinator.id


def test_closing_writes_one_message_per_household_and_sends_them_in_one_smtp_session(
    rounds, mailbox
):
    oats = rounds.product(name="Porridge oats", case_size=2, case_price_pence=500)
    round_ = rounds.round(oats)
    households = rounds.households[:3]
    for household in households:
        rounds.ask(round_, oats, household, 1)

    close(round_, by=rounds.coordinator)

    kept = list(db.session.scalars(select(OutboxMessage)))
    assert sorted(m.recipient for m in kept) == sorted(h.user.email for h in households)
    assert {m.status.value for m in kept} == {"sent"}
    assert sorted(m["To"] for m in mailbox.messages) == sorted(h.user.email for h in households)
    assert len(set(mailbox.peers)) == 1


def test_a_closed_round_cannot_be_closed_again(rounds):
    oats = rounds.product()
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 6)
    close(round_)

    message = refusal_message(lambda: close_round(round_id=round_.id, by=None))

    assert message == "The round is already closed."
    assert count_rows(Allocation) == 1


def test_a_draft_round_cannot_be_closed(rounds):
    round_ = rounds.round(rounds.product(), state=RoundState.DRAFT)

    message = refusal_message(lambda: close_round(round_id=round_.id, by=None))

    assert "draft" in message
    assert db.session.get(Round, round_.id).state is RoundState.DRAFT


def test_tick_opens_and_closes_rounds_whose_time_has_come(rounds, runner):
    oats = rounds.product()
    due = rounds.round(oats, title="Due to close")
    rounds.ask(due, oats, rounds.households[0], 6)
    due.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    draft = rounds.round(oats, state=RoundState.DRAFT, title="Due to open")

    result = runner.invoke(args=["tick"])

    assert result.exit_code == 0, result.output
    assert f"Round {due.id} closed." in result.output
    assert f"Round {draft.id} opened." in result.output
    db.session.expire_all()
    assert db.session.get(Round, due.id).state is RoundState.CLOSED
    assert db.session.get(Round, draft.id).state is RoundState.OPEN
    # One household told what it will receive; the co-op's five told of the opening.
    assert count_rows(OutboxMessage) == 1 + 5

    again = runner.invoke(args=["tick"])

    assert again.exit_code == 0
    assert again.output == ""
    assert count_rows(Allocation) == 1
