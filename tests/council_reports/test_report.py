"""Council reports: each metric worked out by hand, money from the ledger, small numbers hidden."""

from __future__ import annotations

import re
from datetime import date

import pytest
from money.statement_support import settle

from coop.domain.household import Fact
from coop.domain.suppression import Reason, Suppressed
from coop.extensions import db
from coop.models import AccountKind, CoopCouncilLink, RoundSubsidy, SupportKind
from coop.services.council_reports.period import (
    custom_period,
    financial_year,
    month_period,
    parse_period,
    quarter_period,
)
from coop.services.council_reports.report import council_report, report_queries, usable_imd
from coop.services.council_reports.results import Ratio
from coop.services.council_reports.scope import report_scope
from coop.services.errors import ServiceError
from coop.services.money.treasury import Carrier, correct_bill
from coop.services.people.councils import set_successor
from council_reports.world import (
    award,
    build_world,
    give_facts,
    joined_long_ago,
    ledger_sum,
    load_places,
    log_minutes,
    on_day,
    settled_round,
)

Q1 = quarter_period(year=2026, quarter=1)


@pytest.fixture
def world(factory):
    return build_world(factory)


def test_periods_are_months_quarters_and_april_to_march_years():
    assert (month_period(year=2026, month=2).start, month_period(year=2026, month=2).end) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )
    assert (Q1.start, Q1.end) == (date(2026, 1, 1), date(2026, 3, 31))
    year = financial_year(starting=2025)
    assert (year.start, year.end, year.label) == (date(2025, 4, 1), date(2026, 3, 31), "2025/26")
    assert Q1.months == ["2026-01", "2026-02", "2026-03"]


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (date(2026, 3, 1), date(2026, 2, 1), "ends"),
        (date(2020, 1, 1), date(2025, 1, 1), "at most 5 years"),
    ],
)
def test_a_period_that_ends_first_or_runs_over_five_years_is_refused(start, end, words):
    with pytest.raises(ServiceError, match=words):
        custom_period(start=start, end=end)


def test_households_collections_and_money_add_up_by_hand(world):
    report = council_report(council=world.council, period=Q1)
    h = report.headline
    # 12 of the big co-op's households and the small co-op's 3 ordered in Q1.
    assert h["active"] == 15
    # 12 + 11 + 3 fulfilled orders; 250p each, 400p at the supermarket.
    assert h["collections"] == 26
    assert h["member_spend_pence"] == 26 * 250
    assert h["reference_pence"] == 26 * 400
    assert h["savings_pence"] == 26 * 150
    assert h["coops_active"] == 2
    # 10 had ordered in December: repeat 10, new 5 (2 + the small co-op's 3).
    assert h["new"] == Suppressed(h["new"].reason, 10)  # type: ignore[union-attr]
    assert isinstance(h["repeat"], Suppressed)
    assert report.threshold == 10
    assert report.period is Q1 and report.produced_at is not None
    assert "reference supermarket" in report.reference_method
    assert [(r.source, r.earliest, r.latest, r.items) for r in report.reference_sources] == [
        ("Tesco website", date(2025, 11, 3), date(2026, 1, 6), 2)
    ]
    assert report.definitions["active"].startswith("distinct households")


def test_money_figures_equal_the_ledger_postings(world):
    report = council_report(council=world.council, period=Q1)
    coops = [world.big.coop.id, world.small.coop.id]
    charged = -ledger_sum(AccountKind.HOUSEHOLD, coops, date(2026, 1, 1), date(2026, 4, 1))
    suppliers = ledger_sum(AccountKind.SUPPLIER, coops, date(2026, 1, 1), date(2026, 4, 1))
    assert report.headline["member_spend_pence"] == charged
    assert report.headline["supplier_pence"] == suppliers


def test_a_co_op_of_three_households_yields_nothing_derived_from_them(world):
    report = council_report(council=world.council, period=Q1, coop_ids=[world.small.coop.id])
    for name in ("active", "collections", "member_spend_pence", "reference_pence", "savings_pence"):
        assert isinstance(report.headline[name], Suppressed), name
    assert isinstance(report.derived["savings_share"], Suppressed)
    for table in report.tables.values():
        safe = table.safe
        for cell in [*(c for row in safe.rows for c in row), safe.total]:
            if cell.households is not None:
                assert cell.households == 0 or isinstance(cell.households, Suppressed)
    # In the whole council's report its row is hidden, and so is the one that would betray it.
    whole = council_report(council=world.council, period=Q1).tables["money"].safe
    small_row = whole.rows[list(whole.row_totals).index(whole.row_totals[1])]
    assert all(isinstance(f, Suppressed) for f in small_row[0].figures)
    assert all(isinstance(f, Suppressed) for f in whole.rows[0][0].figures)
    assert whole.total.households == 15


def test_the_trend_by_month_and_retention_count_households_per_month(world):
    report = council_report(council=world.council, period=financial_year(starting=2025))
    trend = report.tables["trend"]
    by_month = dict(zip(trend.row_labels, trend.safe.row_totals, strict=True))
    assert by_month["2025-12"].households == 10
    assert by_month["2026-01"].households == 15
    assert by_month["2026-02"].households == 11
    assert by_month["2025-12"].figures[1] == 10 * 250
    retention = report.tables["retention"]
    december = retention.row_labels.index("2025-12")
    # December's 10 did not order in March: none retained... by subtraction nothing shows.
    assert retention.safe.row_totals[december].households == 10


def test_a_co_op_outside_the_council_is_refused(world, factory):
    other = factory.coop(name="Elsewhere Co-op")
    with pytest.raises(ServiceError, match="Elsewhere Co-op did not belong"):
        council_report(council=world.council, period=Q1, coop_ids=[other.id])


def test_report_queries_never_select_a_name_email_postcode_or_order_line(world):
    load_places({"PR1 1AA": ("E05000001", "E01000001", "E07000123", 1)})
    scope = report_scope(council=world.council, period=Q1)
    dialect = db.session.get_bind().dialect
    queries = report_queries(scope, usable_imd())
    assert {"deprived", "deciles", "wards", "household_types", "ledger"} <= set(queries)
    for name, query in queries.items():
        sql = str(query.compile(dialect=dialect)).lower()
        assert "users" not in sql and "email" not in sql and "order_requests" not in sql, name
        for selected in re.findall(r"select(.*?)\bfrom\b", sql, flags=re.S):
            assert not re.search(r"\bpostcode\b", selected), name
            assert "bill_lines.id" not in selected and "postings.id" not in selected, name
            assert "description" not in selected and ".name" not in selected, name
        assert "group by" in sql or "count(" in sql, name


def test_registered_households_are_memberships_active_on_the_last_day(world):
    joined_long_ago(*world.big.households, *world.small.households)
    report = council_report(council=world.council, period=Q1)
    # 12 + 3 households; the coordinators joined this year, after the period.
    assert report.headline["registered"] == 15
    assert isinstance(report.tables["registered"].safe.rows[1][0].households, Suppressed)


def test_people_reached_needs_four_in_five_active_households_to_give_their_size(world):
    give_facts(world.big.households[:11], Fact.HOUSEHOLD_SIZE, [2] * 11)
    # 11 of 15 is under four in five: withheld; so is the small co-op's row, where none of the
    # 3 said, so the big co-op's 11 of 12 show without giving the total away.
    short = council_report(council=world.council, period=Q1)
    assert short.headline["people_reached"] == Suppressed(Reason.INCOMPLETE, 10)
    assert str(short.headline["people_reached"]) == "not enough households said"
    people = short.tables["people"].safe
    assert people.rows[0][0].figures[0] == 22
    assert people.rows[1][0].figures[0] == Suppressed(Reason.INCOMPLETE, 10)
    give_facts(world.big.households[11:], Fact.HOUSEHOLD_SIZE, [4])
    give_facts(world.small.households[:1], Fact.HOUSEHOLD_SIZE, [3])
    # 13 of the 15 active households gave a size: 11 x 2 + 4 + 3 people.
    assert council_report(council=world.council, period=Q1).headline["people_reached"] == 29


def test_people_reached_is_not_known_when_no_household_gave_its_size(world):
    report = council_report(council=world.council, period=Q1, coop_ids=[world.big.coop.id])
    assert report.headline["people_reached"] == Suppressed(Reason.INCOMPLETE, 10)
    row = report.tables["people"].safe.rows[0][0]
    assert row.figures[0] == Suppressed(Reason.INCOMPLETE, 10)


def test_volunteer_hours_are_valued_at_the_printed_rate(world):
    log_minutes(world.big, world.big.households[:10], 90, date(2026, 1, 14))
    log_minutes(world.big, world.big.households[:1], 60, date(2026, 4, 14))  # after Q1
    report = council_report(council=world.council, period=Q1)
    assert report.headline["volunteer_minutes"] == 900
    assert report.headline["volunteer_value_pence"] == 15 * 1221
    assert "National Living Wage" in report.volunteer_rate.source


def test_a_few_volunteers_log_time_that_is_not_shown(world):
    log_minutes(world.small, world.small.households, 120, date(2026, 2, 1))
    report = council_report(council=world.council, period=Q1)
    assert isinstance(report.headline["volunteer_minutes"], Suppressed)
    assert isinstance(report.headline["volunteer_value_pence"], Suppressed)


def test_support_by_kind_and_value_for_money(world):
    award(world.council, world.big.coop, SupportKind.GRANT, 100_000, date(2026, 1, 5))
    award(world.council, world.big.coop, SupportKind.PREMISES, 30_000, date(2026, 2, 5))
    award(world.council, world.big.coop, SupportKind.GRANT, 99_999, date(2025, 6, 5))  # before
    report = council_report(council=world.council, period=Q1)
    support = report.tables["support"]
    assert support.row_labels == ("Grant", "Premises")
    assert [row[0].figures[0] for row in support.safe.rows] == [100_000, 30_000]
    assert report.headline["support_pence"] == 130_000
    savings = 26 * 150
    assert report.derived["savings_per_support"] == Ratio(savings, 130_000)
    assert report.derived["support_per_active"] == Ratio(130_000, 15)
    assert report.derived["leverage"] == Ratio(26 * 250 + 30_000, 100_000)


def test_local_spend_share_counts_suppliers_flagged_local_or_placed_in_the_area(world):
    load_places({"PR1 1AA": ("E05012345", "E01000001", "E07000123", 5)})
    world.big.supplier.postcode = "PR1 1AA"
    db.session.commit()
    report = council_report(council=world.council, period=Q1)
    assert report.headline["supplier_pence"] == 26 * 250
    assert report.headline["local_pence"] == 23 * 250
    assert report.derived["local_share"] == Ratio(23 * 250, 26 * 250)
    world.small.supplier.is_local = True
    db.session.commit()
    assert council_report(council=world.council, period=Q1).headline["local_pence"] == 26 * 250


def _place_households(world) -> None:
    load_places(
        {
            "PR1 1AA": ("E05000001", "E01000001", "E07000123", 1),
            "PR2 2BB": ("E05000002", "E01000002", "E07000123", 7),
        }
    )
    give_facts(world.big.households, Fact.POSTCODE, ["PR1 1AA"] * 7 + ["pr2 2bb"] * 5)


def test_reach_in_deprived_areas_names_its_imd_edition(world):
    _place_households(world)
    world.council.suppression_threshold = 5
    db.session.commit()
    report = council_report(council=world.council, period=Q1)
    assert report.imd_edition == "English Indices of Deprivation 2025"
    assert report.headline["deprived"] == 7
    assert report.headline["mapped"] == 12
    assert report.derived["deprived_share"] == Ratio(7, 12)


def test_breakdowns_by_place_are_offered_only_over_a_pool_where_every_cell_passes(world):
    _place_households(world)
    world.council.suppression_threshold = 5
    db.session.commit()
    pool = council_report(council=world.council, period=Q1)
    deciles = pool.tables["deciles"]
    assert deciles.row_labels == ("1", "7")
    assert [row[0].households for row in deciles.safe.rows] == [7, 5]
    assert "wards" in pool.tables
    one = council_report(council=world.council, period=Q1, coop_ids=[world.big.coop.id])
    assert "deciles" not in one.tables and "wards" not in one.tables
    world.council.suppression_threshold = 6
    db.session.commit()
    assert "deciles" not in council_report(council=world.council, period=Q1).tables


def test_a_co_op_that_moved_to_a_successor_council_is_counted_by_its_links(world, factory):
    successor = factory.council(name="Central Lancashire", valid_from=date(2026, 1, 1))
    set_successor(council=world.council, successor=successor)
    for moved in (world.big.coop, world.small.coop):
        for link in moved.council_links:
            link.ends_on = date(2025, 12, 31)
        db.session.add(CoopCouncilLink(coop=moved, council=successor, starts_on=date(2026, 1, 1)))
    db.session.commit()
    year = financial_year(starting=2025)
    later = council_report(council=successor, period=year)
    # The successor sees the co-op's December round, from when it was its predecessor's.
    trend = dict(
        zip(later.tables["trend"].row_labels, later.tables["trend"].safe.row_totals, strict=True)
    )
    assert trend["2025-12"].households == 10
    earlier = council_report(council=world.council, period=year)
    by_month = dict(
        zip(
            earlier.tables["trend"].row_labels, earlier.tables["trend"].safe.row_totals, strict=True
        )
    )
    # The old council counts its co-ops only until they left: December's 10.
    assert (earlier.headline["active"], earlier.headline["collections"]) == (10, 10)
    assert by_month["2026-01"].households == 0
    assert [trend[m].households for m in ("2026-01", "2026-02")] == [15, 11]


def test_spend_is_net_of_subsidy_and_corrections_and_every_money_figure_is_the_ledgers(world):
    homes = world.big.households
    round_ = world.big.round(world.product)
    for household in homes[:10]:
        world.big.ask(round_, world.product, household, 1)
    record = award(world.council, world.big.coop, SupportKind.SUBSIDY, 50_000, date(2026, 1, 1))
    db.session.add(RoundSubsidy(round_id=round_.id, support_record_id=record.id, percent_bp=1000))
    db.session.commit()
    settle(round_)
    on_day(round_, date(2026, 3, 4))
    correct_bill(
        round_=round_,
        membership=homes[0],
        round_item_id=None,
        amount_pence=-100,
        carrier=Carrier.FUND,
        reason="Bruised apples",
        by=world.big.coordinator,
    )
    db.session.commit()
    report = council_report(council=world.council, period=Q1)
    h = report.headline
    # 26 units at 250p before; now 10 more at 250p less 10%, less a 100p credit.
    assert h["member_spend_pence"] == 26 * 250 + 10 * 225 - 100
    assert h["subsidy_pence"] == 10 * 25
    assert h["reference_pence"] == 36 * 400
    assert h["savings_pence"] == 36 * 400 - (26 * 250 + 10 * 225 - 100)
    coops, start, end = [world.big.coop.id, world.small.coop.id], date(2026, 1, 1), date(2026, 4, 1)
    assert h["member_spend_pence"] == -ledger_sum(AccountKind.HOUSEHOLD, coops, start, end)
    assert h["supplier_pence"] == ledger_sum(AccountKind.SUPPLIER, coops, start, end)
    assert h["subsidy_pence"] == -ledger_sum(AccountKind.COUNCIL_SUPPORT, coops, start, end)
    march = report.tables["trend"].safe.row_totals[2]
    assert march.figures[1] == 10 * 225 - 100


def test_retention_is_the_share_of_a_months_households_active_three_months_on(world):
    settled_round(world.big, world.product, world.big.households[:10], date(2026, 3, 18))
    report = council_report(council=world.council, period=financial_year(starting=2025))
    retention = report.tables["retention"]
    december = retention.row_labels.index("2025-12")
    kept, lost = retention.safe.rows[december]
    assert (kept.households, lost.households) == (10, 0)
    assert retention.safe.row_totals[december].households == 10


def test_a_co_op_of_a_replaced_council_that_went_elsewhere_stays_out(world, factory):
    successor = factory.council(name="Central Lancashire", valid_from=date(2026, 1, 1))
    elsewhere = factory.council(name="North Lancashire", valid_from=date(2026, 1, 1))
    set_successor(council=world.council, successor=successor)
    for moved, to in ((world.big.coop, successor), (world.small.coop, elsewhere)):
        for link in moved.council_links:
            link.ends_on = date(2025, 12, 31)
        db.session.add(CoopCouncilLink(coop=moved, council=to, starts_on=date(2026, 1, 1)))
    db.session.commit()
    report = council_report(council=successor, period=financial_year(starting=2025))
    assert report.coop_names == ("Fishwick Food",)
    with pytest.raises(ServiceError, match="Tiny Pantry did not belong"):
        council_report(council=successor, period=Q1, coop_ids=[world.small.coop.id])


def test_a_small_co_ops_months_add_up_to_nothing_shown(world):
    for day in (date(2025, 12, 10), date(2026, 2, 10), date(2026, 3, 10)):
        settled_round(world.small, world.small_product, world.small.households, day)
    report = council_report(
        council=world.council, period=financial_year(starting=2025), coop_ids=[world.small.coop.id]
    )
    trend = report.tables["trend"].safe
    # Three households in four months are twelve household-months: still three households.
    for cell in (*trend.row_totals, *trend.column_totals, trend.total):
        assert cell.households == 0 or isinstance(cell.households, Suppressed)
        assert all(f == 0 or isinstance(f, Suppressed) for f in cell.figures)


def test_a_report_costs_the_same_few_queries_however_many_rounds_there_are(world, count_queries):
    db.session.expire_all()
    with count_queries() as few:
        council_report(council=world.council, period=financial_year(starting=2025))
    for month in (1, 2, 3):
        settled_round(world.big, world.product, world.big.households, date(2026, month, 25))
    db.session.expire_all()
    with count_queries() as more:
        council_report(council=world.council, period=financial_year(starting=2025))
    assert len(more) == len(few) <= 24
    # Every query of the report aggregates; none reads bill lines or postings one by one.
    for statement in more:
        if "bill_lines" in statement or "postings" in statement:
            assert "GROUP BY" in statement or "count(" in statement.lower()


def test_households_by_type_are_offered_over_a_pool_only_when_no_type_is_small(world):
    world.council.suppression_threshold = 5
    db.session.commit()
    homes = world.big.households
    give_facts(homes[:6], Fact.CHILDREN_UNDER_18, [2] * 6)
    give_facts(homes[6:], Fact.PENSION_AGE, [1] * 6)
    # The small co-op's 3 households said nothing: "other" is 3, so no breakdown.
    assert "household_types" not in council_report(council=world.council, period=Q1).tables
    give_facts(world.small.households, Fact.CHILDREN_UNDER_5, [1] * 3)
    types = council_report(council=world.council, period=Q1).tables["household_types"]
    assert [row[0].households for row in types.safe.rows] == [9, 6, 0]
    one = council_report(council=world.council, period=Q1, coop_ids=[world.big.coop.id])
    assert "household_types" not in one.tables


def test_a_council_with_no_co_ops_gets_an_empty_report_not_an_error(factory):
    council = factory.council(name="New Unitary Council")
    report = council_report(council=council, period=Q1)
    assert report.coop_names == ()
    assert report.headline["active"] == 0 and report.headline["member_spend_pence"] == 0
    assert report.derived["savings_share"] is None


def test_deciles_are_not_offered_when_they_would_undo_the_deprived_reach_table(world):
    _place_households(world)
    give_facts(world.small.households, Fact.POSTCODE, ["PR1 1AA"] * 3)
    world.council.suppression_threshold = 5
    db.session.commit()
    report = council_report(council=world.council, period=Q1)
    # The small co-op's 3 deprived households are hidden, and so is a cell beside them...
    assert report.tables["deprived"].safe.any_hidden
    # ... while deciles 1 (10) and 7 (5) would each pass, and add up to what is hidden.
    assert "deciles" not in report.tables


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("2026-13-01", "2026-12-31", "from"), ("2026-01-01", "31/12/2026", "to"), ("", "", "from")],
)
def test_a_malformed_date_is_refused_at_its_field(start, end, field):
    with pytest.raises(ServiceError, match="YYYY-MM-DD") as refused:
        parse_period(start=start, end=end)
    assert refused.value.field == field


def test_a_period_typed_as_iso_dates_is_read():
    period = parse_period(start="2026-04-01", end=" 2027-03-31 ")
    assert (period.start, period.end) == (date(2026, 4, 1), date(2027, 3, 31))
