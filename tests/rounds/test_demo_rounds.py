"""The demo's rounds: Fishwick has one open with orders under way and one closed last week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import distinct, func, select
from support import count_rows, text

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Coop, OrderRequest, OutboxMessage, Round, RoundItem
from coop.models.types import utcnow
from coop.services.demo import FISHWICK_COORDINATOR, FISHWICK_MEMBERS, MEMBER_PASSWORD


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def fishwick_round(state: RoundState) -> Round:
    return db.session.scalars(
        select(Round).join(Coop).where(Coop.slug == "fishwick-food", Round.state == state)
    ).one()


def url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, slug="fishwick-food", **values)


def test_fishwick_has_an_open_round_of_staples_closing_in_three_days(seeded):
    round_ = fishwick_round(RoundState.OPEN)

    assert timedelta(days=2) < round_.closes_at - utcnow() <= timedelta(days=4)
    assert round_.pickup_at - round_.closes_at >= timedelta(days=1, hours=12)
    assert 25 <= count_rows(RoundItem, RoundItem.round_id == round_.id) <= 35
    assert round_.opened_at is not None and round_.markup_bp is not None


def test_several_households_have_ordered_in_the_open_round_some_with_tolerance(seeded):
    round_ = fishwick_round(RoundState.OPEN)
    ordered = db.session.scalar(
        select(func.count(distinct(OrderRequest.membership_id))).where(
            OrderRequest.round_id == round_.id
        )
    )

    assert 4 <= ordered < len(FISHWICK_MEMBERS)
    assert count_rows(OrderRequest, OrderRequest.round_id == round_.id, OrderRequest.tolerance > 0)
    times = db.session.scalars(
        select(OrderRequest.created_at).where(OrderRequest.round_id == round_.id)
    ).all()
    assert round_.opens_at < min(times) and max(times) < utcnow()


def test_a_member_sees_cases_part_full_on_the_ordering_page(app, seeded, auth, client):
    round_ = fishwick_round(RoundState.OPEN)
    auth.login(FISHWICK_MEMBERS[0][0], MEMBER_PASSWORD)

    page = text(client.get(url(app, "members.order", round_id=round_.id)))

    assert round_.title in page
    assert "in this case;" in page and "more needed" in page


def test_last_weeks_round_is_closed_with_allocations_and_emails_in_the_outbox(seeded):
    round_ = fishwick_round(RoundState.CLOSED)
    households = db.session.scalars(
        select(OrderRequest.membership_id).where(OrderRequest.round_id == round_.id).distinct()
    ).all()

    assert round_.closed_at == round_.closes_at < utcnow()
    assert round_.closed_by_id is None  # closed by the scheduler at its deadline
    assert count_rows(Allocation, Allocation.round_id == round_.id, Allocation.closed_units > 0)
    ordered = db.session.scalars(
        select(RoundItem.cases_ordered).where(RoundItem.round_id == round_.id)
    ).all()
    assert None not in ordered and sum(ordered) > 0
    assert 0 in ordered  # some cases did not fill, so the emails say so too
    subjects = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.subject.contains(round_.title))
    ).all()
    assert len(subjects) == len(households) >= 6


def test_the_coordinator_can_pack_and_send_last_weeks_round(app, seeded, auth, client):
    round_ = fishwick_round(RoundState.CLOSED)
    item = db.session.scalars(
        select(RoundItem)
        .where(RoundItem.round_id == round_.id, RoundItem.cases_ordered > 0)
        .order_by(RoundItem.name)
    ).first()
    auth.login(FISHWICK_COORDINATOR.email, FISHWICK_COORDINATOR.password)

    packing = client.get(url(app, "admin.packing_households", round_id=round_.id))
    sheet = client.get(
        url(
            app,
            "admin.order_sheet",
            round_id=round_.id,
            supplier_id=item.round_supplier.supplier_id,
        )
    )

    assert packing.status_code == sheet.status_code == 200
    assert item.name in text(packing)
    assert item.code in text(sheet)


def test_the_demo_orders_are_written_in_bulk(runner, count_queries):
    with count_queries() as statements:
        result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO ORDER_REQUESTS")]
    assert len(inserts) == 2  # one per round
    assert count_rows(OrderRequest) > 50
