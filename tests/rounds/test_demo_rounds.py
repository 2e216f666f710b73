"""The demo's rounds: Fishwick has one open, one closed last week and one settled and paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import distinct, func, select
from support import count_rows, text

from coop.demo.seed import (
    FISHWICK_COORDINATOR,
    FISHWICK_MEMBERS,
    FISHWICK_TREASURER,
    MEMBER_PASSWORD,
)
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    AccountKind,
    Allocation,
    BillLine,
    BillLineKind,
    Coop,
    LedgerTransaction,
    OrderRequest,
    OutboxMessage,
    Round,
    RoundCost,
    RoundItem,
    TransactionKind,
)
from coop.models.types import utcnow
from coop.services.money.ledger import balances


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo", "--no-history"])
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
        result = runner.invoke(args=["seed-demo", "--no-history"])

    assert result.exit_code == 0, result.output
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO ORDER_REQUESTS")]
    assert len(inserts) == 3  # one per round
    assert count_rows(OrderRequest) > 50


def test_the_round_of_three_weeks_ago_was_received_one_short_and_settled(seeded):
    round_ = fishwick_round(RoundState.SETTLED)
    items = db.session.scalars(
        select(RoundItem).where(RoundItem.round_id == round_.id, RoundItem.cases_ordered > 0)
    ).all()

    assert timedelta(days=20) < utcnow() - round_.closes_at < timedelta(days=22)
    assert round_.closed_at < round_.received_at < round_.settled_at < utcnow() - timedelta(days=14)
    short = [item for item in items if item.units_received < item.units_ordered]
    assert [item.units_ordered - item.units_received for item in short] == [1]
    (delivery,) = db.session.scalars(select(RoundCost).where(RoundCost.round_id == round_.id))
    assert delivery.supplier_id is not None and delivery.amount_pence > 0
    billed = db.session.scalars(
        select(BillLine.membership_id).where(BillLine.round_id == round_.id).distinct()
    ).all()
    assert len(billed) >= 6
    assert count_rows(
        BillLine, BillLine.round_id == round_.id, BillLine.kind == BillLineKind.COST
    ) == len(billed)
    bills_sent = db.session.scalars(
        select(OutboxMessage.recipient).where(
            OutboxMessage.subject.contains(f"your bill for {round_.title}")
        )
    ).all()
    assert len(bills_sent) == len(billed)


def test_a_household_statement_shows_its_bill_and_its_payment(app, seeded, auth, client):
    round_ = fishwick_round(RoundState.SETTLED)
    auth.login(FISHWICK_MEMBERS[0][0], MEMBER_PASSWORD)

    statement = text(client.get(url(app, "members.statement")))
    bill = text(client.get(url(app, "members.bill", round_id=round_.id)))

    assert f"Your bill for {round_.title}" in statement
    assert "Cash from Amina Patel (paid at the hall)" in statement
    assert "Delivery from Northern Wholefoods Wholesale" in bill


def test_the_demo_bills_show_an_item_the_supplier_sent_instead(app, seeded, auth, client):
    round_ = fishwick_round(RoundState.SETTLED)
    (sent,) = db.session.scalars(
        select(RoundItem).where(RoundItem.round_id == round_.id, RoundItem.substitute != "")
    ).all()
    household = db.session.scalars(
        select(BillLine.membership_id).where(BillLine.round_item_id == sent.id)
    ).first()
    auth.login(FISHWICK_TREASURER.email, FISHWICK_TREASURER.password)

    bill = text(
        client.get(url(app, "admin.household_bill", round_id=round_.id, membership_id=household))
    )

    assert f"Sent instead: {sent.substitute}" in bill
    assert f"(you ordered {sent.name}, {sent.unit_label})" in bill


def test_the_demo_ledger_balances_and_shows_cash_and_bank_payments(app, seeded, auth, client):
    fishwick = db.session.scalars(select(Coop).where(Coop.slug == "fishwick-food")).one()
    accounts = balances(coop=fishwick)
    by_kind = {account.kind: account.balance_pence for account in accounts}
    auth.login(FISHWICK_TREASURER.email, FISHWICK_TREASURER.password)

    page = text(client.get(url(app, "admin.balances")))

    assert sum(account.balance_pence for account in accounts) == 0
    assert by_kind[AccountKind.CASH] < 0 and by_kind[AccountKind.BANK] < 0  # money held
    households = [a.balance_pence for a in accounts if a.kind is AccountKind.HOUSEHOLD]
    assert min(households) < 0 < max(households) and 0 in households  # owing, in credit, paid
    kinds = db.session.scalars(
        select(LedgerTransaction.kind).where(LedgerTransaction.coop_id == fishwick.id)
    ).all()
    assert sorted(kinds) == sorted([TransactionKind.SETTLEMENT] + [TransactionKind.PAYMENT] * 3)
    assert "Northern Wholefoods Wholesale" in page and "Dev Sharma" in page
