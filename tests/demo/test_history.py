"""``flask --app coop seed-demo``: the demo council's year of history, as its officer reads it."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from support import count_rows

from coop.demo.seed import OFFICER
from coop.domain.household import Fact
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Coop,
    Council,
    HouseholdFact,
    Membership,
    OutboxMessage,
    Posting,
    Round,
    RoundSubsidy,
    SupportRecord,
    VolunteerEntry,
)


@pytest.fixture
def history(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "The year of history has" in result.output
    return result


def past_year(client, council: Council, table: str) -> list[list[str]]:
    """The rows of one report table for the past twelve months, as its CSV gives them."""
    today = date.today()
    response = client.get(
        f"/councils/{council.id}/reports.csv?table={table}&kind=custom"
        f"&from={today - timedelta(days=365)}&to={today}"
    )
    assert response.status_code == 200, table
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_officer_reads_a_year_of_real_figures(history, auth, client):
    council = db.session.scalars(select(Council)).one()
    auth.login(OFFICER.email, OFFICER.password)
    today = date.today()

    page = client.get(
        f"/councils/{council.id}/reports?kind=custom&from={today - timedelta(days=365)}&to={today}"
    ).get_data(as_text=True)
    assert page.count("<svg") >= 4 and "Avenham Community Larder" in page

    months = [row for row in past_year(client, council, "trend")[1:] if row[0] != "Total"]
    shown = [row for row in months if row[1].isdigit()]
    assert len(months) >= 12
    # At most the part-months at the ends are withheld, and one more to protect them.
    assert len(shown) >= len(months) - 3 and len(shown) >= 10
    assert all(int(row[1]) >= 20 for row in shown[1:-1])

    headline = {row[0]: row[1] for row in past_year(client, council, "headline")[1:]}
    assert float(headline["Member savings"]) > 0
    assert float(headline["Surplus-food value (not in the savings)"]) > 0
    assert headline["Local spend share"].endswith("%")
    assert 0 < float(headline["Local spend share"].rstrip("%")) < 100
    assert float(headline["Council subsidy applied to rounds"]) > 0
    assert float(headline["Volunteer hours"]) > 0
    assert int(headline["Repeat households"]) > int(headline["New households"]) > 0
    assert headline["People reached"].isdigit()
    assert headline["Reach in deprived areas"].endswith("%")

    support = {row[0]: float(row[1]) for row in past_year(client, council, "support")[1:]}
    for kind in ("Grant", "Micro grant", "Premises", "Staff time", "Training", "Subsidy"):
        assert support[kind] > 0, kind

    volunteers = past_year(client, council, "volunteers")
    assert [row[0] for row in volunteers[1:]] == [
        "Fishwick Food Co-op",
        "Ribbleton Pantry",
        "Avenham Community Larder",
        "Total",
    ]
    assert all(float(row[2]) > 0 for row in volunteers[1:])

    # The pooled breakdowns are offered, every cell shown.
    for table in ("deciles", "wards"):
        rows = past_year(client, council, table)[1:]
        assert len(rows) >= 3 and all(row[1].isdigit() for row in rows), table


def test_the_history_is_three_co_ops_of_real_rounds_and_balanced_books(history):
    council = db.session.scalars(select(Council)).one()
    coops = db.session.scalars(select(Coop).order_by(Coop.name)).all()
    assert [coop.name for coop in coops] == [
        "Avenham Community Larder",
        "Fishwick Food Co-op",
        "Ribbleton Pantry",
    ]
    for coop in coops:
        assert [link.council for link in coop.council_links] == [council]
        active = count_rows(
            Membership,
            Membership.coop_id == coop.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
        assert 18 <= active <= 25, coop.name
        left = Membership.coop_id == coop.id, Membership.status == MembershipStatus.LEFT
        assert count_rows(Membership, *left), f"nobody left {coop.name}"

    # Every posting belongs to a transaction whose postings sum to zero.
    unbalanced = db.session.scalars(
        select(Posting.transaction_id)
        .group_by(Posting.transaction_id)
        .having(func.sum(Posting.amount_pence) != 0)
    ).all()
    assert unbalanced == []
    assert count_rows(Round, Round.state == RoundState.SETTLED) > 90

    hsf = db.session.scalars(
        select(SupportRecord).where(SupportRecord.programme == "Household Support Fund round 6")
    ).one()
    assert hsf.monitoring_next_due is not None
    assert count_rows(RoundSubsidy, RoundSubsidy.support_record_id == hsf.id) > 5
    assert count_rows(VolunteerEntry) > 300

    # Most households, not all, told their co-op their postcode.
    households = count_rows(Membership, Membership.status == MembershipStatus.ACTIVE)
    postcodes = count_rows(HouseholdFact, HouseholdFact.fact == Fact.POSTCODE)
    assert households * 0.7 < postcodes < households

    # The history's emails would have gone long ago: none waits about its rounds.
    assert not count_rows(OutboxMessage, OutboxMessage.subject.contains("Fortnightly order"))
