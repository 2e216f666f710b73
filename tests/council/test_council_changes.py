"""Councils that change: a successor takes over the co-ops that move to it, and their history."""

from __future__ import annotations

from datetime import date

import pytest
from money.treasury_support import received_round
from support import refusal_message, text

from coop.extensions import db
from coop.models import Council, SupportKind, SupportRecord
from coop.services.money.costs import subsidy_records
from coop.services.people.coops import link_coop_to_council
from coop.services.people.councils import council_scope, set_successor
from council.support_world import linked_council, officer_of, record_form

VESTING_DAY = date(2028, 4, 1)


@pytest.fixture
def preston(rounds):
    return linked_council(rounds)


@pytest.fixture
def unitary(factory):
    return factory.council(name="Central Lancashire Council", valid_from=VESTING_DAY)


def test_a_successor_ends_the_council_it_replaces_the_day_before(preston, unitary):
    set_successor(council=preston, successor=unitary)
    db.session.commit()

    assert preston.successor_id == unitary.id
    assert preston.valid_to == date(2028, 3, 31)
    assert council_scope(council=unitary) == {unitary.id, preston.id}
    assert council_scope(council=preston) == {preston.id}


def test_a_council_cannot_be_its_own_or_its_successors_successor(preston, unitary, factory):
    assert refusal_message(lambda: set_successor(council=preston, successor=preston)) == (
        "A council cannot replace itself."
    )
    set_successor(council=preston, successor=unitary)
    db.session.commit()
    later = factory.council(name="Later", valid_from=date(2030, 1, 1))
    set_successor(council=unitary, successor=later)
    db.session.commit()

    circular = refusal_message(lambda: set_successor(council=later, successor=preston))

    assert "a council cannot be replaced by one it replaced" in circular
    older = factory.council(name="Older", valid_from=date(2019, 4, 1))
    assert "must come into being after" in refusal_message(
        lambda: set_successor(council=factory.council(valid_from=date(2020, 1, 1)), successor=older)
    )


def test_the_successors_officer_sees_the_moved_co_ops_history_and_its_old_records(
    rounds, client, auth, preston, unitary
):
    old_officer = officer_of(rounds, preston, name="Pat Preston")
    auth.login_as(old_officer)
    client.post(
        f"/councils/{preston.id}/support/new",
        data=record_form(coop=rounds.coop.id, programme="Shared Prosperity 2027"),
    )
    auth.logout()
    set_successor(council=preston, successor=unitary)
    link_coop_to_council(coop=rounds.coop, council=unitary, starts_on=VESTING_DAY)
    db.session.commit()
    record = db.session.scalars(db.select(SupportRecord)).one()

    auth.login_as(officer_of(rounds, unitary, name="Una Unitary"))
    dashboard = text(client.get(f"/councils/{unitary.id}/"))
    listing = text(client.get(f"/councils/{unitary.id}/support/"))
    opened = client.get(f"/councils/{unitary.id}/support/{record.id}")

    assert "Replaces</dt><dd>Preston City Council" in dashboard
    assert "Fishwick Food" in dashboard
    assert "Preston City Council from 1 Jan 2024 to 31 Mar 2028" in dashboard
    assert "Central Lancashire Council from 1 Apr 2028" in dashboard
    assert "Shared Prosperity 2027" in listing and "(Preston City Council)" in listing
    assert opened.status_code == 200
    assert "Pat Preston" in text(opened)  # who made the record, in its history


def test_the_replaced_councils_officer_does_not_see_the_successors_records(
    rounds, client, auth, preston, unitary
):
    set_successor(council=preston, successor=unitary)
    link_coop_to_council(coop=rounds.coop, council=unitary, starts_on=VESTING_DAY)
    db.session.commit()
    auth.login_as(officer_of(rounds, unitary))
    client.post(
        f"/councils/{unitary.id}/support/new",
        data=record_form(coop=rounds.coop.id, programme="Unitary grant"),
    )
    auth.logout()

    auth.login_as(officer_of(rounds, preston, name="Pat Preston"))

    assert "Unitary grant" not in text(client.get(f"/councils/{preston.id}/support/"))


def test_a_co_op_that_moved_keeps_the_subsidy_its_old_council_awarded(rounds, preston, factory):
    unitary = factory.council(name="Central Lancashire Council", valid_from=date.today())
    set_successor(council=preston, successor=unitary)
    db.session.add(
        SupportRecord(
            council_id=preston.id,
            coop_id=rounds.coop.id,
            programme="Delivery subsidy",
            kind=SupportKind.SUBSIDY,
            value_pence=5000,
            awarded_on=date(2025, 4, 1),
        )
    )
    link_coop_to_council(coop=rounds.coop, council=unitary, starts_on=date.today())
    db.session.commit()
    round_ = received_round(rounds, 6)

    assert [r.programme for r in subsidy_records(coop=rounds.coop, round_=round_)] == [
        "Delivery subsidy"
    ]


def test_the_create_council_command_records_the_councils_a_new_one_replaces(runner, preston):
    result = runner.invoke(
        args=[
            "create-council",
            "--name",
            "Central Lancashire Council",
            "--gss",
            "E06000999",
            "--valid-from",
            "2028-04-01",
            "--replaces",
            preston.gss_code,
        ]
    )

    assert result.exit_code == 0, result.output
    assert f"It replaces {preston.gss_code}." in result.output
    db.session.expire_all()
    successor = db.session.scalars(db.select(Council).filter_by(gss_code="E06000999")).one()
    assert db.session.get(Council, preston.id).successor_id == successor.id


def test_the_create_council_command_refuses_an_unknown_council_to_replace(runner):
    result = runner.invoke(
        args=[
            "create-council",
            "--name",
            "New",
            "--gss",
            "E06000998",
            "--valid-from",
            "2028-04-01",
            "--replaces",
            "E07000001",
        ]
    )

    assert result.exit_code != 0
    assert "There is no council with GSS code E07000001." in result.output
    assert db.session.scalars(db.select(Council).filter_by(gss_code="E06000998")).first() is None
