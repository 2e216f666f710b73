"""No combination of a council's reports gives back what one of them hides.

A council can ask for its whole report, one co-op's, or a pool's. Four
co-ops of 20, 15, 12 and 4 households order through a financial year (and
one of 20 has a month of 3); every report the council can ask for the year
and for a quarter is made (the whole council, each co-op, every pool of two
and three), and every figure any of them shows is written down as the sum
it is of co-op (and co-op-month) unknowns. The small co-op's households,
spend, reference value and subsidy, for the period and for each of its
months, must not be a combination of those sums: that is what subtracting
totals and shown parts across reports can do, and more.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from itertools import combinations

import pytest
from money.statement_support import settle
from rounds.builders import build_round_world
from support import text

from coop.domain.suppression import Reason, SafeCell, Suppressed
from coop.extensions import db
from coop.models import CoopCouncilLink, RoundSubsidy, SupportKind
from coop.services.council_reports.period import Period, financial_year, quarter_period
from coop.services.council_reports.report import council_report
from coop.services.council_reports.results import Report
from council_reports.world import award, build_round_world_in, on_day

YEAR = financial_year(starting=2025)
QUARTER = quarter_period(year=2025, quarter=4)
ACROSS = "suppressed so that a smaller co-op's figures cannot be worked out"

# Per co-op: (households, case price) and the households collecting in each month's round.
PLANS = {
    "Fishwick Food": (20, 250, {3: 10, 4: 20, 5: 18, 6: 15, 7: 20, 8: 3, 9: 16, 11: 20, 1: 19}),
    "Ribbleton Pantry": (15, 300, {3: 8, 4: 15, 6: 12, 8: 15, 10: 14, 12: 15, 2: 13}),
    "Callon Larder": (12, 275, {5: 12, 7: 10, 9: 12, 11: 11, 1: 12, 3: 12}),
    "Tiny Pantry": (4, 330, {3: 2, 5: 3, 11: 4, 2: 2}),
}
TINY = "Tiny Pantry"


def _day(month: int) -> date:
    # March's first round is March 2025, before the year; January to March after it are 2026.
    if month == 3:
        return date(2025, 3, 12)
    return date(2025 if month >= 4 else 2026, month, 12)


@pytest.fixture
def world(factory):
    council = factory.council(name="Preston City Council", gss_code="E07000123")
    coops = {}
    for n, (name, (size, price, months)) in enumerate(PLANS.items()):
        if n == 0:
            built = build_round_world(factory, households=size)
            built.coop.name = name
        else:
            built = build_round_world_in(factory, factory.coop(name=name, slug=f"c{n}"), size)
        db.session.add(
            CoopCouncilLink(coop=built.coop, council=council, starts_on=date(2024, 1, 1))
        )
        db.session.commit()
        product = built.product(case_size=1, case_price_pence=price, reference_price_pence=400)
        subsidy = award(council, built.coop, SupportKind.SUBSIDY, 50_000, date(2025, 1, 1))
        for month, households in months.items():
            round_ = built.round(product)
            for household in built.households[:households]:
                built.ask(round_, product, household, 1 + month % 2)
            db.session.add(
                RoundSubsidy(round_id=round_.id, support_record_id=subsidy.id, percent_bp=1000)
            )
            db.session.commit()
            settle(round_)
            on_day(round_, _day(month))
        # And a last round of the year in March 2026 for the big ones.
        if size >= 15:
            round_ = built.round(product)
            for household in built.households:
                built.ask(round_, product, household, 1)
            db.session.commit()
            settle(round_)
            on_day(round_, date(2026, 3, 20))
        coops[name] = built.coop.id
    return council, coops


class Knowns:
    """What the reports show, each as a vector over unknowns (rows of a linear system)."""

    def __init__(self) -> None:
        self.rows: list[dict[object, Fraction]] = []

    def add(self, value: object, terms: list[object]) -> None:
        if isinstance(value, Suppressed) or value is None or not terms:
            return
        self.rows.append({t: Fraction(1) for t in terms})

    def recovers(self, target: list[object]) -> bool:
        """Tell whether the sum of *target* is a combination of what is shown."""
        basis: list[tuple[object, dict[object, Fraction]]] = []

        def reduce(vector: dict[object, Fraction]) -> dict[object, Fraction]:
            vector = dict(vector)
            for pivot, row in basis:
                if vector.get(pivot):
                    factor = vector[pivot] / row[pivot]
                    for key, value in row.items():
                        vector[key] = vector.get(key, Fraction(0)) - factor * value
                    vector = {k: v for k, v in vector.items() if v}
            return vector

        for row in self.rows:
            reduced = reduce(row)
            if reduced:
                basis.append((next(iter(reduced)), reduced))
        return not reduce({t: Fraction(1) for t in target})


def _households(cell: SafeCell) -> object:
    return cell.households


def _collect(reports: list[tuple[list[int], Report]], period: Period, all_coops: list[int]):
    """Write every shown household count and money figure down as a sum of unknowns."""
    months = period.months
    people, money = Knowns(), {name: Knowns() for name in ("spend", "reference", "subsidy")}
    figure_at = {"spend": 0, "reference": 1, "subsidy": 5}
    trend_at = {"spend": 1, "reference": 2}

    def h(c: int, column: str) -> str:
        return f"h:{c}:{column}"

    for coops, report in reports:
        active = report.tables["active"].safe
        for r, c in enumerate(coops):
            for j, column in enumerate(("new", "repeat")):
                people.add(active.rows[r][j].households, [h(c, column)])
            people.add(active.row_totals[r].households, [h(c, "new"), h(c, "repeat")])
        for j, column in enumerate(("new", "repeat")):
            people.add(active.column_totals[j].households, [h(c, column) for c in coops])
        everyone = [h(c, column) for c in coops for column in ("new", "repeat")]
        people.add(active.total.households, everyone)
        # Month by month: household-months, and money (which adds up to the period's).
        trend = report.tables["trend"].safe
        for r, month in enumerate(months):
            people.add(trend.row_totals[r].households, [f"hm:{c}:{month}" for c in coops])
        people.add(trend.total.households, [f"hm:{c}:{m}" for c in coops for m in months])
        money_table = report.tables["money"].safe
        for name, knowns in money.items():
            at = figure_at[name]
            for r, c in enumerate(coops):
                knowns.add(money_table.rows[r][0].figures[at], [f"{c}:{m}" for m in months])
            knowns.add(money_table.total.figures[at], [f"{c}:{m}" for c in coops for m in months])
            if name in trend_at:
                for r, month in enumerate(months):
                    value = trend.row_totals[r].figures[trend_at[name]]
                    knowns.add(value, [f"{c}:{month}" for c in coops])
                    knowns.add(
                        trend.rows[r][0].figures[trend_at[name]], [f"{c}:{month}" for c in coops]
                    )
                value = trend.total.figures[trend_at[name]]
                knowns.add(value, [f"{c}:{m}" for c in coops for m in months])
    return people, money


def _reports(council, period: Period, coops: dict[str, int]) -> list[tuple[list[int], Report]]:
    ids = sorted(coops.values())
    chosen: list[list[int] | None] = [None, *([c] for c in ids)]
    chosen += [list(pool) for size in (2, 3) for pool in combinations(ids, size)]
    return [
        (
            ids if pick is None else pick,
            council_report(council=council, period=period, coop_ids=pick),
        )
        for pick in chosen
    ]


def _tiny_months(period: Period) -> list[str]:
    return [f"{_day(m):%Y-%m}" for m in PLANS[TINY][2] if f"{_day(m):%Y-%m}" in period.months]


@pytest.mark.parametrize("period", [YEAR, QUARTER], ids=["year", "quarter"])
def test_no_combination_of_the_councils_reports_gives_the_small_co_ops_figures(world, period):
    council, coops = world
    tiny = coops[TINY]
    reports = _reports(council, period, coops)
    people, money = _collect(reports, period, sorted(coops.values()))
    months = _tiny_months(period)
    assert months, "the small co-op orders in the period"
    assert not people.recovers([f"h:{tiny}:new", f"h:{tiny}:repeat"])
    for month in months:
        assert not people.recovers([f"hm:{tiny}:{month}"]), month
    for name, knowns in money.items():
        assert not knowns.recovers([f"{tiny}:{m}" for m in period.months]), name
        for month in months:
            assert not knowns.recovers([f"{tiny}:{month}"]), (name, month)
    # What is recoverable is what the whole council's report shows: its total, for one.
    assert people.recovers([f"h:{c}:{col}" for c in coops.values() for col in ("new", "repeat")])


@pytest.mark.parametrize("period", [YEAR, QUARTER], ids=["year", "quarter"])
def test_the_small_co_ops_figures_never_show_in_any_report(world, period):
    council, coops = world
    tiny = coops[TINY]
    for chosen, report in _reports(council, period, coops):
        if tiny not in chosen:
            continue
        row = chosen.index(tiny)
        for key in ("active", "money", "registered", "people", "volunteers"):
            safe = report.tables[key].safe
            for cell in (*safe.rows[row], safe.row_totals[row]):
                assert cell.households == 0 or isinstance(cell.households, Suppressed), key
                assert all(f == 0 or isinstance(f, Suppressed) for f in cell.figures), key


def test_the_co_op_hidden_beside_the_small_one_is_hidden_in_its_own_report(world):
    council, coops = world
    callon = coops["Callon Larder"]
    whole = council_report(council=council, period=YEAR)
    names = whole.coop_names
    money = whole.tables["money"].safe
    # The whole council's report hides the small co-op, and the next smallest beside it.
    assert money.rows[names.index(TINY)][0].hidden
    assert money.rows[names.index("Callon Larder")][0].hidden
    assert not money.total.hidden
    own = council_report(council=council, period=YEAR, coop_ids=[callon])
    for name in ("active", "member_spend_pence", "reference_pence", "subsidy_pence"):
        assert own.headline[name] == Suppressed(Reason.ACROSS, 10), name
    assert str(own.headline["member_spend_pence"]) == ACROSS
    for cell in own.tables["trend"].safe.rows:
        assert cell[0].households == 0 or isinstance(cell[0].households, Suppressed)
    # A co-op the whole council's report shows keeps its own figures.
    fishwick = council_report(council=council, period=YEAR, coop_ids=[coops["Fishwick Food"]])
    assert fishwick.headline["active"] == 20
    # A pool holding the small co-op but not the other hides its totals; one of both shows them.
    part = council_report(
        council=council, period=YEAR, coop_ids=[coops["Fishwick Food"], coops[TINY]]
    )
    assert isinstance(part.headline["member_spend_pence"], Suppressed)
    both = council_report(
        council=council, period=YEAR, coop_ids=[coops["Fishwick Food"], callon, coops[TINY]]
    )
    assert both.headline["active"] == 20 + 12 + 4


def test_a_month_of_the_whole_council_hides_what_the_single_reports_would_take_from_it(world):
    council, coops = world
    whole = council_report(council=council, period=YEAR)
    trend = dict(
        zip(whole.tables["trend"].row_labels, whole.tables["trend"].safe.rows, strict=True)
    )
    # August: Fishwick's 3 and Ribbleton's 15. Ribbleton's own report shows neither its August
    # nor would the council's August less it give Fishwick's 3.
    ribbleton = council_report(council=council, period=YEAR, coop_ids=[coops["Ribbleton Pantry"]])
    own = dict(
        zip(ribbleton.tables["trend"].row_labels, ribbleton.tables["trend"].safe.rows, strict=True)
    )
    assert isinstance(own["2025-08"][0].households, Suppressed)
    assert trend["2025-08"][0].households == 18 or isinstance(
        trend["2025-08"][0].households, Suppressed
    )
    # A month with no small co-op in it shows in both.
    assert trend["2025-04"][0].households == 35
    assert own["2025-04"][0].households == 15


def test_the_report_page_says_why_a_co_op_is_hidden(client, auth, factory, world):
    council, coops = world
    auth.login_as(factory.officer(council))
    response = client.get(
        f"/councils/{council.id}/reports",
        query_string={
            "kind": "custom",
            "from": "2025-04-01",
            "to": "2026-03-31",
            "coop": coops["Callon Larder"],
        },
    )
    assert response.status_code == 200
    assert ACROSS in text(response)
    db.session.rollback()


def test_breakdowns_are_the_whole_councils_so_two_pools_cannot_be_subtracted(world):
    council, coops = world
    whole = council_report(council=council, period=YEAR)
    assert "household_types" in whole.tables
    # Every co-op chosen by hand is the whole council's report, breakdowns and all.
    every = council_report(council=council, period=YEAR, coop_ids=list(coops.values()))
    assert every.tables["household_types"].safe == whole.tables["household_types"].safe
    # Two pools a co-op apart would give that co-op's breakdown by subtraction: none is offered.
    others = [coop_id for name, coop_id in coops.items() if name != TINY]
    for pool in (others, others[:2]):
        assert (
            "household_types"
            not in council_report(council=council, period=YEAR, coop_ids=pool).tables
        )
