"""A round counts on its pickup day (else its deadline's) in the UK, not on its UTC day.

Timestamps are stored in UTC; between 00:00 and 01:00 BST a UK day is still
the day before in UTC, so a pickup just after midnight on 1 April would
otherwise land in March and in the financial year before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from money.statement_support import settle
from rounds.builders import RoundWorld, build_round_world
from sqlalchemy import update

from coop.extensions import db
from coop.models import CoopCouncilLink, Membership, Round, RoundSubsidy, SupportKind
from coop.services.council_reports.hsf import SPEND, VOLUMES, hsf_return
from coop.services.council_reports.period import (
    financial_year,
    month_period,
    quarter_period,
)
from coop.services.council_reports.report import council_report
from coop.services.support.monitoring_returns import return_figures
from council_reports.world import award, joined_long_ago

PRICE, REFERENCE = 250, 400
# 00:30 BST on 1 April 2025, 00:30 GMT on 1 January 2026, 00:30 BST on 1 October 2025.
APRIL_FIRST = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
NEW_YEAR = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
OCTOBER_FIRST = datetime(2025, 9, 30, 23, 30, tzinfo=UTC)


class Place:
    """A council and its one co-op of 12 households, linked from 2024."""

    def __init__(self, factory) -> None:
        self.council = factory.council(name="Preston City Council", gss_code="E07000123")
        self.rw: RoundWorld = build_round_world(factory, households=12)
        self.link = CoopCouncilLink(
            coop=self.rw.coop, council=self.council, starts_on=date(2024, 1, 1)
        )
        db.session.add(self.link)
        db.session.commit()
        self.product = self.rw.product(
            case_size=1, case_price_pence=PRICE, reference_price_pence=REFERENCE
        )

    def round(
        self,
        households: int,
        *,
        pickup: datetime | None,
        deadline: datetime | None = None,
        subsidy=None,
    ) -> Round:
        """Settle a round where *households* take a unit each, picked up at *pickup*."""
        round_ = self.rw.round(self.product)
        for household in self.rw.households[:households]:
            self.rw.ask(round_, self.product, household, 1)
        if subsidy is not None:
            db.session.add(
                RoundSubsidy(round_id=round_.id, support_record_id=subsidy.id, percent_bp=1000)
            )
            db.session.commit()
        settle(round_)
        closes = deadline or (pickup or datetime.now(UTC)) - timedelta(days=2)
        db.session.execute(
            update(Round)
            .where(Round.id == round_.id)
            .values(pickup_at=pickup, opens_at=closes - timedelta(days=7), closes_at=closes)
        )
        db.session.commit()
        return round_


@pytest.fixture
def place(factory) -> Place:
    return Place(factory)


def month(report, label: str):
    """The trend's cell for *label* ("2025-04"): households, then its figures by name."""
    trend = report.tables["trend"]
    cell = trend.safe.rows[trend.row_labels.index(label)][0]
    return cell.households, dict(zip(trend.figures, cell.figures, strict=True))


def test_a_round_picked_up_at_half_past_midnight_bst_on_1_april_counts_in_april_and_the_new_year(
    place,
):
    place.round(12, pickup=APRIL_FIRST)

    year = council_report(council=place.council, period=financial_year(starting=2025))
    assert year.headline["active"] == 12 and year.headline["collections"] == 12
    assert year.headline["member_spend_pence"] == 12 * PRICE
    households, figures = month(year, "2025-04")
    assert households == 12 and figures["spend_pence"] == 12 * PRICE

    before = council_report(council=place.council, period=financial_year(starting=2024))
    assert before.headline["active"] == 0 and before.headline["member_spend_pence"] == 0
    assert month(before, "2025-03") == (0, dict.fromkeys(before.tables["trend"].figures, 0))

    april = council_report(council=place.council, period=month_period(year=2025, month=4))
    march = council_report(council=place.council, period=month_period(year=2025, month=3))
    assert april.headline["active"] == 12 and march.headline["active"] == 0


def test_a_round_picked_up_at_half_past_midnight_gmt_on_1_january_counts_in_january(place):
    place.round(12, pickup=NEW_YEAR)
    place.round(11, pickup=datetime(2025, 12, 31, 23, 30, tzinfo=UTC))  # 23:30 GMT, December

    winter = council_report(council=place.council, period=financial_year(starting=2025))
    assert month(winter, "2026-01")[0] == 12 and month(winter, "2025-12")[0] == 11
    q1 = council_report(council=place.council, period=quarter_period(year=2026, quarter=1))
    q4 = council_report(council=place.council, period=quarter_period(year=2025, quarter=4))
    assert q1.headline["collections"] == 12 and q4.headline["collections"] == 11


def test_a_round_without_a_pickup_counts_on_its_deadlines_day_in_the_uk(place):
    place.round(12, pickup=None, deadline=OCTOBER_FIRST)

    q4 = council_report(council=place.council, period=quarter_period(year=2025, quarter=4))
    q3 = council_report(council=place.council, period=quarter_period(year=2025, quarter=3))
    assert q4.headline["active"] == 12 and month(q4, "2025-10")[0] == 12
    assert q3.headline["active"] == 0 and month(q3, "2025-09")[0] == 0


def test_the_money_trend_and_households_by_month_agree_on_the_uk_day(place):
    place.round(12, pickup=datetime(2025, 5, 31, 23, 30, tzinfo=UTC))  # 00:30 BST, 1 June
    place.round(10, pickup=datetime(2025, 6, 30, 22, 30, tzinfo=UTC))  # 23:30 BST, 30 June
    place.round(12, pickup=datetime(2025, 8, 31, 23, 30, tzinfo=UTC))  # 00:30 BST, 1 September

    report = council_report(council=place.council, period=financial_year(starting=2025))
    june, figures = month(report, "2025-06")
    assert june == 12  # distinct households of both June rounds
    assert figures == {
        "collections": 22,
        "spend_pence": 22 * PRICE,
        "reference_pence": 22 * REFERENCE,
        "surplus_pence": 0,
    }
    assert month(report, "2025-05")[0] == 0 and month(report, "2025-07")[0] == 0
    assert month(report, "2025-09")[1]["spend_pence"] == 12 * PRICE
    # June's 12 households were active again three months on, in September.
    retention = report.tables["retention"]
    kept = retention.safe.rows[retention.row_labels.index("2025-06")]
    assert (kept[0].households, kept[1].households) == (12, 0)


def test_a_co_op_that_joined_on_1_april_counts_a_round_picked_up_just_after_midnight(place):
    place.link.starts_on = date(2025, 4, 1)
    db.session.commit()
    place.round(12, pickup=APRIL_FIRST)

    year = council_report(council=place.council, period=financial_year(starting=2025))
    assert year.headline["active"] == 12


def test_a_household_that_joined_just_after_midnight_bst_is_not_registered_the_day_before(
    place, factory
):
    joined_long_ago(*place.rw.households)
    late = factory.households(place.rw.coop, 1)
    db.session.execute(
        update(Membership)
        .where(Membership.id == late[0].id)
        .values(joined_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))  # 00:30 BST, 1 April
    )
    db.session.commit()
    year = council_report(council=place.council, period=financial_year(starting=2025))
    # The co-op's 12 households, not the one who joined on 1 April (nor the coordinator, later).
    assert year.tables["registered"].safe.total.households == 12


def fund(place) -> object:
    record = award(place.council, place.rw.coop, SupportKind.SUBSIDY, 100_000, date(2025, 1, 1))
    record.programme = "Household Support Fund 7"
    db.session.commit()
    return record


def test_the_household_support_fund_return_counts_a_round_on_its_uk_day(place):
    place.round(12, pickup=APRIL_FIRST, subsidy=fund(place))

    spring = hsf_return(council=place.council, period=quarter_period(year=2025, quarter=2))
    winter = hsf_return(council=place.council, period=quarter_period(year=2025, quarter=1))
    assert spring.lines(spring.table(SPEND))[0].values[0] == 12 * PRICE // 10
    assert spring.lines(spring.table(VOLUMES))[0].values[0] == 12
    assert winter.lines(winter.table(SPEND))[0].values[0] == 0
    assert winter.lines(winter.table(VOLUMES))[0].values[0] == 0


def test_the_monitoring_return_counts_a_round_on_its_uk_day(place):
    record = fund(place)
    place.round(12, pickup=APRIL_FIRST, subsidy=record)

    spring = return_figures(
        council=place.council, record=record, period=quarter_period(year=2025, quarter=2)
    )
    assert spring.award.used_in_period == 12 * PRICE // 10
    winter = return_figures(
        council=place.council, record=record, period=quarter_period(year=2025, quarter=1)
    )
    assert (winter.award.used_in_period, winter.award.used_to_end) == (0, 0)
    assert winter.award.left_at_end == 100_000
