"""Support records through the pages: officers keep them, coordinators propose, treasurers use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from money.treasury_support import received_round, treasurer
from support import count_rows, field_error, layout_problems, text

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import RoundCost, SplitBasis, SupportRecord, SupportRecordChange, SupportStatus
from coop.services.money.costs import add_round_cost
from council.support_world import (
    TODAY,
    council_support_pence,
    linked_council,
    officer_of,
    record_form,
)

BASE = "/coops/fishwick/admin"


@pytest.fixture
def council(rounds):
    return linked_council(rounds)


@pytest.fixture
def officer(rounds, council):
    return officer_of(rounds, council)


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


def test_a_delivery_subsidy_an_officer_records_is_used_at_settlement_as_the_ledger_shows(
    rounds, client, auth, council, officer
):
    auth.login_as(officer)
    response = client.post(
        f"/councils/{council.id}/support/new",
        data=record_form(
            coop=rounds.coop.id, programme="Delivery in Q1", kind="subsidy", value="30.00"
        ),
        follow_redirects=True,
    )
    assert "The support for Fishwick Food is recorded." in page_of(response)
    record = db.session.scalars(db.select(SupportRecord)).one()
    round_ = received_round(rounds, 6, 6)
    delivery = add_round_cost(
        round_=round_, name="Delivery", amount_pence=800, basis=SplitBasis.EQUAL, supplier_id=None
    )
    db.session.commit()
    auth.logout()

    auth.login_as(treasurer(rounds))
    settle_page = page_of(client.get(f"{BASE}/rounds/{round_.id}/settle"))
    assert "Delivery in Q1 (Preston City Council): £30.00 left of £30.00" in settle_page
    response = client.post(
        f"{BASE}/rounds/{round_.id}/subsidies",
        data={"record": str(record.id), "pays": f"cost-{delivery.id}", "percent": "", "cap": ""},
        follow_redirects=True,
    )
    assert "The subsidy is applied to the round." in page_of(response)
    response = client.post(f"{BASE}/rounds/{round_.id}/settle", follow_redirects=True)
    assert "is settled" in page_of(response)
    auth.logout()

    assert council_support_pence(round_.id) == -800  # the council owes the delivery
    auth.login_as(officer)
    page = page_of(client.get(f"/councils/{council.id}/support/{record.id}"))
    assert "£8.00 used of £30.00; £22.00 left." in page
    assert "Weekly order" in page


def test_a_coordinators_proposed_room_is_confirmed_and_its_monitoring_is_due_on_the_dashboard(
    rounds, client, auth, council, officer
):
    auth.login_as(rounds.coordinator)
    response = client.post(
        f"{BASE}/support/propose",
        data=record_form(
            programme="Community centre room",
            kind="premises",
            value="360.00",
            value_basis="£15 an hour x 24 hours",
            monitoring_months="3",
            monitoring_next_due=(TODAY + timedelta(days=10)).isoformat(),
        ),
        follow_redirects=True,
    )
    page = page_of(response)
    assert "The support is proposed; an officer of Preston City Council will confirm" in page
    assert "Proposed, waiting for an officer" in page
    record = db.session.scalars(db.select(SupportRecord)).one()
    auth.logout()

    auth.login_as(officer)
    dashboard = page_of(client.get(f"/councils/{council.id}/"))
    assert "Proposed by co-ops, waiting for a decision" in dashboard
    assert "Nothing is due on the council's support records" in dashboard  # not in force yet
    response = client.post(
        f"/councils/{council.id}/support/{record.id}/decide",
        data={"decision": "confirm", "note": "Agreed with the centre manager."},
        follow_redirects=True,
    )
    page = page_of(response)
    assert "The support is confirmed and in force." in page
    assert "£15 an hour x 24 hours" in page
    assert "A coordinator of Fishwick Food" in page and "Olu Officer" in page  # the history

    dashboard = page_of(client.get(f"/councils/{council.id}/"))
    assert "Monitoring return due" in dashboard
    assert "Community centre room" in dashboard
    assert "waiting for a decision" not in dashboard
    assert "Cora Ord" not in dashboard  # the coordinator is a member: councils see no names


def test_a_declined_proposal_needs_a_note_and_the_co_op_sees_it(
    rounds, client, auth, council, officer
):
    auth.login_as(rounds.coordinator)
    client.post(
        f"{BASE}/support/propose",
        data=record_form(kind="staff_time", value="100.00", value_basis="4 hours at £25"),
    )
    record = db.session.scalars(db.select(SupportRecord)).one()
    auth.logout()
    auth.login_as(officer)

    refused = client.post(
        f"/councils/{council.id}/support/{record.id}/decide",
        data={"decision": "decline", "note": ""},
        follow_redirects=True,
    )
    assert "Say why the proposal is declined." in page_of(refused)
    client.post(
        f"/councils/{council.id}/support/{record.id}/decide",
        data={"decision": "decline", "note": "The officer's hours are already counted."},
    )
    auth.logout()

    auth.login_as(rounds.coordinator)
    page = page_of(client.get(f"{BASE}/support"))
    assert "Declined" in page and "The officer's hours are already counted." in page


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"period_start": "2026-03-01", "period_end": "2026-02-01"},
            "period_end",
            "The period cannot end before it starts.",
        ),
        ({"value": "-5.00"}, "value", None),
        ({"kind": "premises", "value_basis": ""}, "value_basis", "Say how the value was estimated"),
        ({"awarded_on": ""}, "awarded_on", "Enter the day the support was awarded or agreed."),
        ({"monitoring_months": "7"}, "monitoring_months", "Choose how often monitoring is due."),
        ({"monitoring_months": "abc"}, "monitoring_months", "Choose how often monitoring is due."),
        ({"programme": "  "}, "programme", "Name the programme"),
        ({"awarded_on": "3rd of May"}, "awarded_on", "Enter the day, like 2026-12-03."),
        ({"spend_by": "31/12/2026"}, "spend_by", "Enter the day, like 2026-12-03."),
    ],
)
def test_a_bad_record_is_refused_at_its_field_and_nothing_is_written(
    rounds, client, auth, council, officer, values, field, message
):
    auth.login_as(officer)

    response = client.post(
        f"/councils/{council.id}/support/new", data=record_form(coop=rounds.coop.id, **values)
    )

    page = page_of(response)
    error = field_error(page, field)
    assert error, page
    if message:
        assert message in error
    assert count_rows(SupportRecord) == 0
    assert count_rows(SupportRecordChange) == 0


def test_an_officer_cannot_record_support_for_a_co_op_outside_their_councils(
    rounds, client, auth, council, officer, factory
):
    elsewhere = factory.coop(name="Lancaster Larder", council=factory.council(name="Lancaster"))
    auth.login_as(officer)

    response = client.post(
        f"/councils/{council.id}/support/new", data=record_form(coop=elsewhere.id)
    )

    assert "Lancaster Larder is not one of Preston City Council's co-ops" in page_of(response)
    assert count_rows(SupportRecord) == 0


@pytest.mark.parametrize("coop", ["abc", "999999", "-1"])
def test_a_co_op_that_is_not_one_on_the_list_is_refused_at_its_field(
    rounds, client, auth, council, officer, coop
):
    auth.login_as(officer)

    response = client.post(f"/councils/{council.id}/support/new", data=record_form(coop=coop))

    assert field_error(page_of(response), "coop") == "Choose one of the council's co-ops."
    assert count_rows(SupportRecord) == 0


def test_an_officer_of_another_council_cannot_see_or_change_a_record(
    rounds, client, auth, council, officer, factory
):
    auth.login_as(officer)
    client.post(f"/councils/{council.id}/support/new", data=record_form(coop=rounds.coop.id))
    record = db.session.scalars(db.select(SupportRecord)).one()
    auth.logout()
    other = factory.council(name="Chorley")
    auth.login_as(factory.officer(other))

    assert client.get(f"/councils/{council.id}/support/{record.id}").status_code == 403
    assert client.get(f"/councils/{other.id}/support/{record.id}").status_code == 404
    closing = client.post(f"/councils/{other.id}/support/{record.id}/close", data={"note": ""})
    assert closing.status_code == 404
    db.session.expire_all()
    assert db.session.get(SupportRecord, record.id).status is SupportStatus.ACTIVE


def test_a_member_who_is_not_a_coordinator_cannot_propose(rounds, client, auth):
    auth.login_as(rounds.households[0].user)

    assert client.get(f"{BASE}/support/propose").status_code == 403
    assert client.post(f"{BASE}/support/propose", data=record_form()).status_code == 403
    assert count_rows(SupportRecord) == 0


def test_editing_a_record_shows_who_changed_what_from_what_to_what(
    rounds, client, auth, council, officer
):
    auth.login_as(officer)
    client.post(f"/councils/{council.id}/support/new", data=record_form(coop=rounds.coop.id))
    record = db.session.scalars(db.select(SupportRecord)).one()

    form = page_of(client.get(f"/councils/{council.id}/support/{record.id}/edit"))
    assert 'value="Household Support Fund round 6"' in form
    response = client.post(
        f"/councils/{council.id}/support/{record.id}/edit",
        data=record_form(value="650.00", restricted_fund="y"),
        follow_redirects=True,
    )

    page = page_of(response)
    assert "The record is changed" in page
    changes = {
        (change.field, change.old_value, change.new_value)
        for change in db.session.scalars(db.select(SupportRecordChange))
    }
    assert ("value_pence", "60000", "65000") in changes
    assert ("restricted_fund", "no", "yes") in changes
    assert count_rows(RoundCost) == 0  # nothing else was touched


def test_closing_a_record_takes_it_off_the_due_list(rounds, client, auth, council, officer):
    auth.login_as(officer)
    client.post(
        f"/councils/{council.id}/support/new",
        data=record_form(coop=rounds.coop.id, spend_by=(TODAY + timedelta(days=5)).isoformat()),
    )
    record = db.session.scalars(db.select(SupportRecord)).one()
    assert "Money to be spent by" in page_of(client.get(f"/councils/{council.id}/"))

    response = client.post(
        f"/councils/{council.id}/support/{record.id}/close",
        data={"note": "Spent in full."},
        follow_redirects=True,
    )

    assert "The record is closed." in page_of(response)
    assert "Money to be spent by" not in page_of(client.get(f"/councils/{council.id}/"))


def test_an_acknowledgement_the_record_asks_for_is_due_until_the_officer_has_seen_it(
    rounds, client, auth, council, officer
):
    auth.login_as(officer)
    client.post(
        f"/councils/{council.id}/support/new",
        data=record_form(coop=rounds.coop.id, acknowledgement_required="y", period_end=""),
    )
    record = db.session.scalars(db.select(SupportRecord)).one()
    dashboard = page_of(client.get(f"/councils/{council.id}/"))
    assert "The co-op's acknowledgement of the support to be checked by" in dashboard

    response = client.post(
        f"/councils/{council.id}/support/{record.id}/acknowledged", follow_redirects=True
    )

    page = page_of(response)
    assert "The co-op's acknowledgement of the support is noted." in page
    assert "seen on" in page
    dashboard = page_of(client.get(f"/councils/{council.id}/"))
    assert "acknowledgement of the support to be checked" not in dashboard


def test_a_coordinator_opens_a_record_to_see_its_conditions_and_dates(
    rounds, client, auth, council, officer, factory
):
    auth.login_as(officer)
    client.post(
        f"/councils/{council.id}/support/new",
        data=record_form(
            coop=rounds.coop.id,
            conditions="Spend on fresh food only.",
            restricted_fund="y",
            acknowledgement_required="y",
            spend_by=(TODAY + timedelta(days=60)).isoformat(),
        ),
    )
    record = db.session.scalars(db.select(SupportRecord)).one()
    auth.logout()
    auth.login_as(rounds.coordinator)

    listing = page_of(client.get(f"{BASE}/support"))
    assert f'href="{BASE}/support/{record.id}"' in listing
    page = page_of(client.get(f"{BASE}/support/{record.id}"))
    assert "Spend on fresh food only." in page
    assert f"{TODAY + timedelta(days=60):%-d %B %Y}" in page
    assert "Acknowledgement required" in page and "not seen yet" in page

    elsewhere = factory.coop(name="Lancaster Larder", slug="lancaster")
    theirs = factory.member(elsewhere, Role.COORDINATOR)
    auth.logout()
    auth.login_as(theirs)
    assert client.get(f"/coops/lancaster/admin/support/{record.id}").status_code == 404
    auth.logout()
    auth.login_as(rounds.households[0].user)
    assert client.get(f"{BASE}/support/{record.id}").status_code == 403
