"""A subsidy record's value is spent round by round at settlement, never beyond what is left."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta

import pytest
from council.support_world import council_support_pence
from sqlalchemy import event
from support import (
    WAIT_SECONDS,
    commits_held_until_someone_waits,
    count_rows,
    field_error,
    race,
    refusal_message,
    text,
)

from coop.extensions import db
from coop.models import (
    BillLine,
    BillLineKind,
    Posting,
    RoundSubsidy,
    SupportKind,
    SupportRecord,
    SupportStatus,
    User,
)
from coop.services.money.costs import apply_subsidy, preview_settlement, subsidy_records
from coop.services.money.settlement import settle_round
from coop.services.support.records import (
    SupportDetails,
    close_support_record,
    update_support_record,
)
from coop.services.support.usage import record_usage
from money.treasury_support import received_round, subsidy_record


def ten_percent_off(rounds, round_, record, cap_pence=None):
    subsidy = apply_subsidy(
        round_=round_,
        coop=rounds.coop,
        support_record_id=record.id,
        cost_id=None,
        percent_bp=1000,
        cap_pence=cap_pence,
    )
    db.session.commit()
    return subsidy


def settle(rounds, round_):
    settle_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()


@pytest.fixture
def record(rounds):
    record = subsidy_record(rounds, programme="10% off goods")
    record.value_pence = 300
    db.session.commit()
    return record


def test_a_subsidy_pays_round_by_round_until_its_value_is_used_and_no_further(rounds, record):
    first = received_round(rounds, 6, 6, 6, 6)  # £48.00 of goods: 10% is £4.80
    ten_percent_off(rounds, first, record, cap_pence=240)
    settle(rounds, first)
    second = received_round(rounds, 6, 6, 6, 6)
    ten_percent_off(rounds, second, record)

    assert preview_settlement(round_=second, coop=rounds.coop).subsidy_pence == 60  # what is left
    settle(rounds, second)

    usage = record_usage(record=record)
    assert [(use.round_id, use.used_pence, use.left_after_pence) for use in usage.rounds] == [
        (first.id, 240, 60),
        (second.id, 60, 0),
    ]
    assert usage.used_pence == 300 and usage.left_pence == 0
    # The ledger, the bills and the record say the same.
    assert council_support_pence() == -300
    subsidy_lines = db.session.scalars(
        db.select(BillLine.amount_pence).where(BillLine.kind == BillLineKind.SUBSIDY)
    ).all()
    assert sum(subsidy_lines) == -300
    postings = db.session.scalars(
        db.select(Posting).where(Posting.support_record_id == record.id)
    ).all()
    assert sorted(posting.amount_pence for posting in postings) == [-240, -60]


def test_a_subsidy_with_nothing_left_cannot_be_applied(rounds, record):
    first = received_round(rounds, 6, 6, 6, 6)
    ten_percent_off(rounds, first, record, cap_pence=300)
    settle(rounds, first)
    second = received_round(rounds, 6)

    refused = refusal_message(lambda: ten_percent_off(rounds, second, record), field="record")

    assert refused == "Nothing is left of 10% off goods: settled rounds have used all of it."
    assert count_rows(RoundSubsidy, RoundSubsidy.round_id == second.id) == 0


def test_a_cap_beyond_what_is_left_is_refused(rounds, record):
    round_ = received_round(rounds, 6)

    refused = refusal_message(
        lambda: ten_percent_off(rounds, round_, record, cap_pence=301), field="cap"
    )

    assert refused == "Only £3.00 is left of this subsidy; cap it at that or less."
    assert count_rows(RoundSubsidy) == 0


def test_two_subsidies_from_one_record_in_one_round_share_what_is_left(rounds, record):
    round_ = received_round(rounds, 6, 6, 6, 6)
    ten_percent_off(rounds, round_, record)
    ten_percent_off(rounds, round_, record)

    settle(rounds, round_)

    assert council_support_pence(round_.id) == -300
    assert record_usage(record=record).left_pence == 0


def test_a_record_closed_after_it_was_applied_pays_nothing_at_settlement(rounds, record):
    round_ = received_round(rounds, 6, 6)
    ten_percent_off(rounds, round_, record)
    close_support_record(record=record, note="Programme ended early.", by=rounds.coordinator)
    db.session.commit()

    settle(rounds, round_)

    assert record.status is SupportStatus.CLOSED
    assert council_support_pence(round_.id) == 0
    assert count_rows(BillLine, BillLine.kind == BillLineKind.SUBSIDY) == 0


def test_only_records_in_force_on_the_rounds_day_are_offered(rounds, record):
    round_ = received_round(rounds, 6)
    day = round_.pickup_at.date()
    record.period_start, record.period_end = date(2025, 1, 1), day - timedelta(days=1)
    db.session.commit()
    assert subsidy_records(coop=rounds.coop, round_=round_) == []

    record.period_end = day
    record.spend_by = day - timedelta(days=1)
    db.session.commit()
    assert subsidy_records(coop=rounds.coop, round_=round_) == []

    record.spend_by = None
    db.session.commit()
    assert subsidy_records(coop=rounds.coop, round_=round_) == [record]


@pytest.mark.committing
@pytest.mark.skipif(
    not os.environ.get("COOP_TEST_DATABASE_URL"),
    reason="row locks are PostgreSQL's (set COOP_TEST_DATABASE_URL to run this)",
)
def test_two_rounds_settling_at_once_never_spend_more_than_is_left(app, rounds, record):
    first, second = (received_round(rounds, 6, 6, 6, 6) for _ in range(2))
    for round_ in (first, second):
        ten_percent_off(rounds, round_, record)  # each alone would take £3.00, all of it

    def settling(round_id):
        return lambda: (
            settle_round(round_id=round_id, by=rounds.coordinator) and db.session.commit()
        )

    with commits_held_until_someone_waits() as overlap:
        outcomes = race(app, settling(first.id), settling(second.id))

    assert overlap.seen == [True]
    assert [outcome.error or outcome.refusal for outcome in outcomes] == [None, None]
    db.session.expire_all()
    assert council_support_pence() == -300
    assert sorted(use.used_pence for use in record_usage(record=record).rounds) == [300]


def test_the_settle_page_says_what_is_left_and_when_a_subsidy_no_longer_pays(
    rounds, record, client, auth
):
    round_ = received_round(rounds, 6, 6)
    ten_percent_off(rounds, round_, record)
    auth.login_as(rounds.coordinator)
    address = f"/coops/{rounds.coop.slug}/admin/rounds/{round_.id}/settle"

    assert "£3.00 is left of it; settling takes no more than that." in text(client.get(address))

    close_support_record(record=record, note="", by=rounds.coordinator)
    db.session.commit()
    page = text(client.get(address))
    assert "The subsidy is no longer in force for this round, so it pays nothing." in page


@pytest.mark.parametrize("percent", ["12.345", "ten"])
def test_a_percentage_that_cannot_be_is_refused_with_one_message(
    rounds, record, client, auth, percent
):
    round_ = received_round(rounds, 6, 6)
    auth.login_as(rounds.coordinator)

    response = client.post(
        f"/coops/{rounds.coop.slug}/admin/rounds/{round_.id}/subsidies",
        data={"record": str(record.id), "pays": "percent", "percent": percent, "cap": ""},
    )

    assert field_error(text(response), "percent") == (
        "Enter a percentage with at most two decimals, such as 2.5."
    )
    assert count_rows(RoundSubsidy) == 0


@pytest.mark.committing
@pytest.mark.skipif(
    not os.environ.get("COOP_TEST_DATABASE_URL"),
    reason="row locks are PostgreSQL's (set COOP_TEST_DATABASE_URL to run this)",
)
def test_an_officer_lowering_a_subsidy_while_a_round_settles_never_leaves_it_overspent(
    app, rounds, record
):
    round_ = received_round(rounds, 6, 6, 6, 6)
    ten_percent_off(rounds, round_, record)  # takes the whole £3.00
    officer = rounds.factory.officer(record.council)
    record_id = record.id
    locked = threading.Event()

    def note_the_lock(conn, cursor, statement, parameters, context, executemany):
        if "FOR UPDATE" in statement and "support_records" in statement:
            locked.set()

    def settling():
        settle_round(round_id=round_.id, by=rounds.coordinator)
        db.session.commit()

    def lowering():
        locked.wait(timeout=WAIT_SECONDS)  # the settlement has locked the record first
        update_support_record(
            record=db.session.get_one(SupportRecord, record_id),
            details=SupportDetails(
                programme="10% off goods",
                kind=SupportKind.SUBSIDY,
                value_pence=100,
                awarded_on=date(2025, 4, 1),
            ),
            by=db.session.get_one(User, officer.id),
        )
        db.session.commit()

    event.listen(db.engine, "before_cursor_execute", note_the_lock)
    try:
        with commits_held_until_someone_waits() as overlap:
            outcomes = race(app, settling, lowering)
    finally:
        event.remove(db.engine, "before_cursor_execute", note_the_lock)

    assert overlap.seen == [True]
    assert [outcome.error for outcome in outcomes] == [None, None]
    assert outcomes[1].refusal == (
        "Settled rounds have already used £3.00 of this subsidy; its value cannot be less."
    )
    db.session.expire_all()
    usage = record_usage(record=db.session.get_one(SupportRecord, record_id))
    assert (usage.value_pence, usage.used_pence) == (300, 300)
