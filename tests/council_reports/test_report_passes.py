"""The report reads its order lines twice, into temporary tables, and no figure changes for it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from coop.domain.household import Fact
from coop.extensions import db
from coop.models import Round
from coop.services.council_reports import consistency as cx
from coop.services.council_reports import households as hq
from coop.services.council_reports import queries as q
from coop.services.council_reports.period import quarter_period
from coop.services.council_reports.report import (
    council_report,
    report_queries,
    run_report_queries,
    usable_imd,
)
from coop.services.council_reports.scope import report_scope
from council_reports.world import build_world, give_facts, load_places, settled_round

Q1 = quarter_period(year=2026, quarter=1)


@pytest.fixture
def world(factory):
    return build_world(factory)


def _deadline_only(round_: Round, day: date) -> None:
    """Give *round_* no pickup time, so that it counts on its deadline, *day*."""
    deadline = datetime(day.year, day.month, day.day, 22, tzinfo=UTC)  # 23:00 in the UK
    db.session.execute(
        update(Round)
        .where(Round.id == round_.id)
        .values(pickup_at=None, opens_at=deadline - timedelta(days=7), closes_at=deadline)
    )
    db.session.commit()


def _standalone(scope, imd) -> dict:
    """Each table's query deriving its rows from the order lines itself, as outside a report."""
    return {
        "households": q.households_query(scope),
        "coop_months": cx.coop_months_query(scope, q.orders_query(scope).subquery("orders")),
        "reference": q.reference_query(scope),
        "people": hq.people_query(scope),
        "retention": q.retention_query(scope),
        "reference_sources": q.reference_sources_query(scope),
        "household_types": hq.household_type_query(scope),
        "deprived": hq.deprived_query(scope, imd),
        "deciles": hq.decile_query(scope, imd),
        "wards": hq.ward_query(scope, imd),
    }


def test_tables_read_from_the_temporary_tables_what_they_would_from_the_lines(world):
    load_places({"PR1 1AA": ("E05000001", "E01000001", "E07000123", 1)})
    homes = world.big.households
    give_facts(homes, Fact.POSTCODE, ["PR1 1AA"] * len(homes))
    give_facts(homes[:6], Fact.HOUSEHOLD_SIZE, [2] * 6)
    # Counted on its deadline, the last day of the quarter; the same the day after is not.
    _deadline_only(
        settled_round(world.big, world.product, homes[:4], date(2026, 3, 1)), date(2026, 3, 31)
    )
    _deadline_only(
        settled_round(world.big, world.product, homes[4:], date(2026, 3, 1)), date(2026, 4, 1)
    )
    scope = report_scope(council=world.council, period=Q1)
    imd = usable_imd()
    assert imd is not None
    shared = run_report_queries(report_queries(scope, imd))
    for name, query in _standalone(scope, imd).items():
        assert shared[name] == list(db.session.execute(query).all()), name
    # March: the round counted on its deadline, the other one not.
    assert (world.big.coop.id, "2026-03", 4, 4) in [tuple(row) for row in shared["coop_months"]]


def test_a_round_without_a_pickup_counts_on_its_deadline_day(world):
    homes = world.big.households
    _deadline_only(
        settled_round(world.big, world.product, homes, date(2026, 3, 1)), date(2026, 3, 31)
    )
    report = council_report(council=world.council, period=Q1)
    months = dict(
        zip(report.tables["trend"].row_labels, report.tables["trend"].safe.rows, strict=True)
    )
    assert months["2026-03"][0].households == 12


def test_a_report_leaves_no_temporary_table_behind(world):
    first = council_report(council=world.council, period=Q1)
    again = council_report(council=world.council, period=Q1)  # in the same transaction
    assert again.headline == first.headline
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(text(f"SELECT count(*) FROM {q.ORDERS.name}"))
