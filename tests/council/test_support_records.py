"""Keeping support records: who may, what a record holds, its history, and its refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from money.treasury_support import received_round
from support import PASSWORD, count_rows, refusal_message

from coop.extensions import db
from coop.models import (
    RoundSubsidy,
    SupportKind,
    SupportRecord,
    SupportRecordChange,
    SupportStatus,
)
from coop.services.money.costs import apply_subsidy
from coop.services.money.settlement import settle_round
from coop.services.people.councils import remove_officer
from coop.services.people.my_data import erase_person
from coop.services.support.records import (
    SupportDetails,
    close_support_record,
    create_support_record,
    decide_support_record,
    propose_support_record,
    record_history,
    record_monitoring,
    update_support_record,
)
from council.support_world import TODAY, linked_council, officer_of


def details(**values) -> SupportDetails:
    base = {
        "programme": "UKSPF",
        "kind": SupportKind.GRANT,
        "value_pence": 60_000,
        "awarded_on": date(2026, 4, 1),
    }
    return SupportDetails(**{**base, **values})


@pytest.fixture
def council(rounds):
    return linked_council(rounds)


@pytest.fixture
def officer(rounds, council):
    return officer_of(rounds, council)


def create(rounds, council, officer, **values) -> SupportRecord:
    record = create_support_record(
        council=council, coop=rounds.coop, details=details(**values), by=officer
    )
    db.session.commit()
    return record


def test_a_record_holds_every_field_of_a_support_record(rounds, council, officer):
    record = create(
        rounds,
        council,
        officer,
        intermediary="Preston Co-operative Development Network",
        kind=SupportKind.STAFF_TIME,
        value_basis="£25 an hour x 12 hours",
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        spend_by=date(2027, 3, 31),
        conditions="Report numbers of households quarterly.",
        restricted_fund=True,
        underspend_returnable=True,
        acknowledgement_required=True,
        monitoring_months=3,
        notes="Officer: community development team.",
    )

    db.session.expire_all()
    assert record.status is SupportStatus.ACTIVE
    assert record.intermediary == "Preston Co-operative Development Network"
    assert record.value_basis == "£25 an hour x 12 hours"
    assert (record.restricted_fund, record.underspend_returnable) == (True, True)
    assert record.acknowledgement_required
    # With a schedule and no date, the first return falls due one interval into the period.
    assert record.monitoring_next_due == date(2026, 7, 1)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"period_start": date(2026, 5, 1), "period_end": date(2026, 4, 30)},
            "period_end",
            "The period cannot end before it starts.",
        ),
        ({"value_pence": -1}, "value", "The value cannot be below £0.00."),
        ({"value_pence": 100_000_001}, "value", "Enter an amount of at most £1,000,000."),
        ({"kind": SupportKind.PREMISES}, "value_basis", None),
        ({"spend_by": date(2026, 3, 31)}, "spend_by", None),
        ({"programme": "a\x00b"}, "programme", "Remove the control characters."),
        ({"monitoring_months": 5}, "monitoring_months", None),
    ],
)
def test_a_bad_record_is_refused_and_nothing_is_written(
    rounds, council, officer, values, field, message
):
    refused = refusal_message(
        lambda: create_support_record(
            council=council, coop=rounds.coop, details=details(**values), by=officer
        ),
        field=field,
    )

    if message:
        assert refused == message
    assert count_rows(SupportRecord) == 0
    assert count_rows(SupportRecordChange) == 0


def test_a_record_for_a_co_op_never_linked_to_the_council_is_refused(
    rounds, council, officer, factory
):
    elsewhere = factory.coop(name="Lancaster Larder")

    refused = refusal_message(
        lambda: create_support_record(
            council=council, coop=elsewhere, details=details(), by=officer
        ),
        field="coop",
    )

    assert refused.startswith("Lancaster Larder is not one of Preston City Council's co-ops")
    assert count_rows(SupportRecord) == 0


def test_every_change_is_in_the_history_with_who_and_what(rounds, council, officer):
    record = create(rounds, council, officer)

    update_support_record(
        record=record, details=details(value_pence=65_000, programme="UKSPF 2026"), by=officer
    )
    db.session.commit()

    history = [
        (entry.who, entry.change.field, entry.change.old_value, entry.change.new_value)
        for entry in record_history(record=record)
    ]
    assert history == [
        ("Olu Officer", "status", "", "active"),
        ("Olu Officer", "programme", "UKSPF", "UKSPF 2026"),
        ("Olu Officer", "value_pence", "60000", "65000"),
    ]


def test_an_officer_who_has_left_the_council_is_still_named_in_the_history(
    rounds, council, officer
):
    record = create(rounds, council, officer)
    remove_officer(council=council, user_id=officer.id)
    proposal = propose_support_record(coop=rounds.coop, details=details(), by=rounds.coordinator)
    db.session.commit()

    assert [entry.who for entry in record_history(record=record)] == ["Olu Officer"]
    assert [entry.who for entry in record_history(record=proposal)] == [
        "A coordinator of Fishwick Food"
    ]
    erase_person(user=officer, password=PASSWORD)
    db.session.commit()
    assert [entry.who for entry in record_history(record=record)] == ["A former officer"]


def test_a_proposal_is_confirmed_with_a_note_and_comes_into_force(rounds, council, officer):
    record = propose_support_record(
        coop=rounds.coop,
        details=details(kind=SupportKind.PREMISES, value_basis="£20 x 10 hours", value_pence=200),
        by=rounds.coordinator,
    )
    db.session.commit()
    assert (
        record.status is SupportStatus.PROPOSED and record.proposed_by_id == rounds.coordinator.id
    )

    decide_support_record(record=record, confirm=True, note="Agreed.", by=officer)
    db.session.commit()

    assert record.status is SupportStatus.ACTIVE
    assert record.decided_by_id == officer.id and record.decision_note == "Agreed."
    again = refusal_message(
        lambda: decide_support_record(record=record, confirm=False, note="No.", by=officer)
    )
    assert again == "The record is active, not waiting for a decision."


def test_a_co_op_without_a_council_has_no_one_to_propose_to(factory):
    coop = factory.coop(name="Loose Ends")
    coordinator = factory.user()

    refused = refusal_message(
        lambda: propose_support_record(coop=coop, details=details(), by=coordinator)
    )

    assert "does not belong to a council yet" in refused


def test_a_closed_record_no_longer_changes(rounds, council, officer):
    record = create(rounds, council, officer)
    close_support_record(record=record, note="", by=officer)
    db.session.commit()

    refused = refusal_message(
        lambda: update_support_record(record=record, details=details(), by=officer)
    )

    assert refused == "The record is closed: it can no longer change."


def test_a_subsidy_cannot_be_valued_below_what_rounds_have_used(rounds, council, officer):
    record = create(rounds, council, officer, kind=SupportKind.SUBSIDY, value_pence=1000)
    round_ = settled_round_with(rounds, record)
    assert round_ is not None

    refused = refusal_message(
        lambda: update_support_record(
            record=record, details=details(kind=SupportKind.SUBSIDY, value_pence=100), by=officer
        ),
        field="value",
    )

    assert refused.startswith("Settled rounds have already used £1.20 of this subsidy")


def settled_round_with(rounds, record):
    round_ = received_round(rounds, 6)
    apply_subsidy(
        round_=round_,
        coop=rounds.coop,
        support_record_id=record.id,
        cost_id=None,
        percent_bp=1000,
        cap_pence=None,
    )
    settle_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    assert count_rows(RoundSubsidy) == 1
    return round_


def test_a_monitoring_return_moves_the_next_one_on_by_the_schedule(rounds, council, officer):
    record = create(
        rounds, council, officer, monitoring_months=3, monitoring_next_due=TODAY + timedelta(days=3)
    )

    record_monitoring(record=record, by=officer)
    db.session.commit()

    assert record.monitoring_next_due > TODAY + timedelta(days=80)
    assert record_history(record=record)[-1].change.field == "monitoring_next_due"
