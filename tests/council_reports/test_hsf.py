"""The Household Support Fund MI tables: figures from real settlement, suppressed, as .xlsx."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from money.statement_support import settle
from openpyxl import load_workbook

from coop.domain.household import Fact
from coop.domain.support import is_household_support_fund_programme
from coop.domain.suppression import Reason, Suppressed
from coop.extensions import db
from coop.models import AccountKind, Membership, RoundSubsidy, SupportKind, SupportRecord
from coop.services.council_reports.hsf import (
    GRANTS,
    HOUSEHOLDS,
    NOT_RECORDED,
    SPEND,
    SPEND_CATEGORIES,
    VOLUMES,
    hsf_queries,
    hsf_record_ids,
    hsf_return,
    is_household_support_fund,
)
from coop.services.council_reports.hsf_workbook import hsf_workbook
from coop.services.council_reports.period import quarter_period
from coop.services.council_reports.scope import report_scope
from coop.services.support.usage import record_usage
from council_reports.world import (
    build_round_world_in,
    build_world,
    give_facts,
    ledger_sum,
    name_distinctively,
    on_day,
)

Q1 = quarter_period(year=2026, quarter=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(factory):
    return build_world(factory)


def subsidy(world, coop, programme: str, pence: int = 100_000) -> SupportRecord:
    record = SupportRecord(
        council_id=world.council.id,
        coop_id=coop.id,
        programme=programme,
        kind=SupportKind.SUBSIDY,
        value_pence=pence,
        awarded_on=date(2025, 12, 1),
    )
    db.session.add(record)
    db.session.commit()
    return record


def subsidised_round(
    rw, product, households: list[Membership], record: SupportRecord, percent: int, day: date
):
    """Settle a round where each household takes one 250p unit, *percent* off paid by *record*."""
    round_ = rw.round(product)
    for household in households:
        rw.ask(round_, product, household, 1)
    db.session.add(
        RoundSubsidy(round_id=round_.id, support_record_id=record.id, percent_bp=percent * 100)
    )
    db.session.commit()
    settle(round_)
    on_day(round_, day)
    return round_


def values(hsf, key: str) -> list:
    return [line.values[0] for line in hsf.lines(hsf.table(key))]


@pytest.mark.parametrize(
    ("programme", "fund"),
    [
        ("Household Support Fund round 6", True),
        ("household support fund", True),
        ("HSF 6", True),
        ("HSF7", True),
        ("Winter HSF top-up", True),
        ("UKSPF", False),
        ("HSFX pilot", False),
        ("Community Wealth Building", False),
    ],
)
def test_the_fund_is_recognised_by_its_programme_name(programme, fund):
    assert is_household_support_fund_programme(programme) is fund
    assert is_household_support_fund(SupportRecord(programme=programme)) is fund


def larder(factory, world, households: int):
    """A third co-op of the council, big enough for every household group to pass k=10."""
    coop = factory.coop(name="Big Larder", slug="larder", council=world.council, household_cap=60)
    rw = build_round_world_in(factory, coop, households)
    product = rw.product(case_size=1, case_price_pence=250)
    return rw, product


def test_spend_volumes_and_households_are_the_funds_subsidies_on_bills_in_the_period(
    factory, world
):
    rw, product = larder(factory, world, 46)
    homes = rw.households
    fund = subsidy(world, rw.coop, "Household Support Fund round 6")
    other = subsidy(world, rw.coop, "UKSPF")
    # Children: 0-11 (0-1 under 5 only; 10-11 also of pension age and disabled: counted once,
    # with children). Pension age: 12-23 (20-23 also disabled). Disabled only: 24-34.
    # Other: 35-45 (35-39 said they have no children and are not of pension age; 40-45 said
    # nothing). Every group passes k=10.
    give_facts(homes[2:12], Fact.CHILDREN_UNDER_18, [1] * 10)
    give_facts(homes[0:2], Fact.CHILDREN_UNDER_5, [1, 2])
    give_facts(homes[10:24], Fact.PENSION_AGE, [1] * 14)
    give_facts([*homes[10:12], *homes[20:35]], Fact.DISABILITY, [1] * 17)
    give_facts(homes[35:40], Fact.CHILDREN_UNDER_18, [0] * 5)
    give_facts(homes[35:40], Fact.PENSION_AGE, [0] * 5)
    february = subsidised_round(rw, product, homes, fund, 10, date(2026, 2, 18))  # 46 x 25p
    march = subsidised_round(rw, product, homes[:30], fund, 20, date(2026, 3, 4))  # 30 x 50p
    subsidised_round(rw, product, homes, other, 50, date(2026, 3, 11))  # not the fund's
    subsidised_round(rw, product, homes, fund, 10, date(2026, 4, 15))  # after Q1

    hsf = hsf_return(council=world.council, period=Q1)

    assert hsf.period == Q1 and hsf.council.id == world.council.id
    assert "1 April 2025 to 31 March 2026" in hsf.fund_period
    assert [t.key for t in hsf.tables] == [SPEND, VOLUMES, HOUSEHOLDS, GRANTS]
    spend = values(hsf, SPEND)
    assert spend[0] == 46 * 25 + 30 * 50 and spend[-1] == spend[0]
    assert spend[1:-1] == [None] * (len(SPEND_CATEGORIES) - 1)  # not recorded by coop
    # Spend is the ledger's: the fund's council-support postings for rounds in the period.
    used = {use.round_id: use.used_pence for use in record_usage(record=fund).rounds}
    assert spend[0] == used[february.id] + used[march.id] and len(used) == 3
    postings = ledger_sum(AccountKind.COUNCIL_SUPPORT, [rw.coop.id], Q1.start, Q1.after_end)
    assert -postings == spend[0] + 46 * 125  # the UKSPF round's 50% is the rest
    assert values(hsf, VOLUMES)[0] == 46 + 30
    assert values(hsf, HOUSEHOLDS) == [12, 12, 11, 11, 46]


def test_the_return_is_council_level_across_its_coops(world):
    fund_big = subsidy(world, world.big.coop, "HSF 6")
    fund_small = subsidy(world, world.small.coop, "HSF 6")
    homes = world.big.households[:8]
    subsidised_round(world.big, world.product, homes, fund_big, 10, date(2026, 1, 28))
    subsidised_round(
        world.small, world.small_product, world.small.households, fund_small, 10, date(2026, 2, 4)
    )
    hsf = hsf_return(council=world.council, period=Q1)
    # 8 + 3 households: 11 pass k=10 together, though the small co-op's 3 alone would not.
    assert values(hsf, HOUSEHOLDS)[-1] == 11
    assert values(hsf, SPEND)[0] == 11 * 25
    assert hsf.record_count == 2


def test_a_council_whose_fund_reached_three_households_shows_nothing_derived_from_them(world):
    fund = subsidy(world, world.small.coop, "Household Support Fund round 6")
    give_facts(world.small.households, Fact.DISABILITY, [1, 0, 0])
    subsidised_round(
        world.small, world.small_product, world.small.households, fund, 40, date(2026, 1, 21)
    )
    hsf = hsf_return(council=world.council, period=Q1)
    for key in (SPEND, VOLUMES):
        first, *_, total = values(hsf, key)
        assert first == total == Suppressed(Reason.SMALL, 10)
    households = values(hsf, HOUSEHOLDS)
    assert all(v == 0 or isinstance(v, Suppressed) for v in households)
    assert isinstance(households[-1], Suppressed)
    # The workbook carries the same: no 3, no 300p (3 x 100p) in pounds, only the markers.
    book = load_workbook(io.BytesIO(hsf_workbook(hsf)))
    numbers = [
        c.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float | Decimal) and not isinstance(c.value, bool)
    ]
    assert 3 not in numbers and Decimal("3.00") not in numbers and 3.0 not in numbers
    texts = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert "fewer than 10" in texts and NOT_RECORDED in texts


def test_a_council_threshold_above_ten_is_applied(world):
    world.council.suppression_threshold = 15
    db.session.commit()
    fund = subsidy(world, world.big.coop, "HSF 6")
    subsidised_round(world.big, world.product, world.big.households, fund, 10, date(2026, 2, 4))
    hsf = hsf_return(council=world.council, period=Q1)
    assert values(hsf, SPEND)[0] == Suppressed(Reason.SMALL, 15)
    assert values(hsf, HOUSEHOLDS)[-1] == Suppressed(Reason.SMALL, 15)


def test_the_funds_grants_are_listed_as_awarded_not_as_spend(world):
    db.session.add(
        SupportRecord(
            council_id=world.council.id,
            coop_id=world.big.coop.id,
            programme="Household Support Fund round 6",
            kind=SupportKind.GRANT,
            value_pence=250_000,
            awarded_on=date(2026, 2, 2),
        )
    )
    db.session.commit()
    hsf = hsf_return(council=world.council, period=Q1)
    assert values(hsf, GRANTS)[0] == 250_000
    assert values(hsf, SPEND)[0] == 0


def test_hsf_queries_never_select_a_name_email_postcode_or_order_line(world):
    subsidy(world, world.big.coop, "HSF 6")
    scope = report_scope(council=world.council, period=Q1)
    dialect = db.session.get_bind().dialect
    queries = hsf_queries(scope, hsf_record_ids(scope))
    assert set(queries) == {"spend", "volumes", "households", "grants"}
    for name, query in queries.items():
        sql = str(query.compile(dialect=dialect)).lower()
        assert "users" not in sql and "email" not in sql and "order_requests" not in sql, name
        for selected in re.findall(r"select(.*?)\bfrom\b", sql, flags=re.S):
            assert not re.search(r"\bpostcode\b", selected), name
            assert "bill_lines.id" not in selected and "postings.id" not in selected, name
            assert "description" not in selected and ".name" not in selected, name
        assert "group by" in sql or "count(" in sql or "sum(" in sql, name


# The download.


@pytest.fixture
def named(world):
    """Distinctive names, emails and postcodes, so any that leaked would be found."""
    name_distinctively(world)
    fund = subsidy(world, world.big.coop, "Household Support Fund round 6")
    subsidised_round(world.big, world.product, world.big.households, fund, 10, date(2026, 2, 4))
    return fund


def xlsx_url(world, record, start="2026-01-01", end="2026-03-31") -> str:
    return (
        f"/councils/{world.council.id}/support/{record.id}/returns/hsf.xlsx?from={start}&to={end}"
    )


def test_an_officer_downloads_the_return_in_the_templates_layout(
    client, auth, factory, world, named
):
    auth.login_as(factory.officer(world.council))
    response = client.get(xlsx_url(world, named))
    assert response.status_code == 200
    assert response.content_type == XLSX
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition
    assert "preston-city-council" in disposition and "2026-01-01-to-2026-03-31" in disposition
    data = response.get_data()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["2 - Spend", "3 - Volumes", "4 - Households helped", "Notes"]
    spend = book["2 - Spend"]
    cells = {c.value: c for row in spend.iter_rows() for c in row if c.value is not None}
    assert "Preston City Council" in cells and "1 January 2026 to 31 March 2026" in cells
    food = cells[SPEND_CATEGORIES[0]]
    amount = spend.cell(row=food.row, column=food.column + 1)
    assert amount.value == Decimal("3.00") and "£" in amount.number_format
    labels = [
        spend.cell(row=r, column=food.column).value
        for r in range(food.row, food.row + len(SPEND_CATEGORIES))
    ]
    assert labels == list(SPEND_CATEGORIES)
    helped = book["4 - Households helped"]
    found = {
        row[0].value: row[1].value for row in helped.iter_rows() if row[0].value and len(row) > 1
    }
    assert found["Households with children"] == 0 and found["Other households"] == 12
    assert found["Total"] == 12
    # No member's name, email or postcode anywhere in the file.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist()).lower()
    assert b"zyxname" not in everything and b"zyxmail" not in everything
    assert b"zq" not in everything.replace(b"xlsx", b"")


@pytest.mark.parametrize("who", ["other_officer", "coordinator", "member"])
def test_only_the_councils_officers_may_download_it(client, auth, factory, world, named, who):
    if who == "other_officer":
        user = factory.officer(factory.council(name="Lancaster", gss_code="E07000121"))
    elif who == "coordinator":
        user = world.big.coordinator
    else:
        user = world.big.households[0].user
    auth.login_as(user)
    response = client.get(xlsx_url(world, named))
    # Refused as the council's support pages refuse them.
    assert response.status_code == 403
    assert client.get(f"/councils/{world.council.id}/support/").status_code == 403
    assert response.content_type != XLSX


def test_a_record_outside_the_fund_or_the_council_is_not_found(client, auth, factory, world, named):
    auth.login_as(factory.officer(world.council))
    ukspf = subsidy(world, world.big.coop, "UKSPF")
    assert client.get(xlsx_url(world, ukspf)).status_code == 404
    elsewhere = factory.council(name="Lancaster", gss_code="E07000121")
    coop = factory.coop(name="Elsewhere", council=elsewhere)
    theirs = SupportRecord(
        council_id=elsewhere.id,
        coop_id=coop.id,
        programme="HSF 6",
        kind=SupportKind.SUBSIDY,
        value_pence=100,
        awarded_on=date(2026, 1, 1),
    )
    db.session.add(theirs)
    db.session.commit()
    assert client.get(xlsx_url(world, theirs)).status_code == 404


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2026-13-01", "2026-03-31", "is not a date"),
        ("", "2026-03-31", "YYYY-MM-DD"),
        ("2026-03-31", "2026-01-01", "before it starts"),
    ],
)
def test_bad_dates_are_refused_clearly(client, auth, factory, world, named, start, end, words):
    auth.login_as(factory.officer(world.council))
    response = client.get(xlsx_url(world, named, start, end))
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_missing_dates_are_refused(client, auth, factory, world, named):
    auth.login_as(factory.officer(world.council))
    response = client.get(f"/councils/{world.council.id}/support/{named.id}/returns/hsf.xlsx")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)


def test_the_partial_shows_each_table_accessibly_with_its_download(app, world, named):
    from flask import render_template

    hsf = hsf_return(council=world.council, period=Q1)
    with app.test_request_context():
        html = render_template("council/returns/_hsf.html", hsf=hsf, xlsx_url="/download/hsf.xlsx")
    assert "Household Support Fund management information" in html
    assert html.count("<caption") == len(hsf.tables)
    assert '<th scope="row">Food (excluding free school meals in the holidays)</th>' in html
    assert '<th scope="col"' in html
    assert NOT_RECORDED in html and "£3.00" in html
    assert 'href="/download/hsf.xlsx"' in html and "Download as .xlsx (DWP template layout)" in html
    assert "style=" not in html and "<script" not in html


def test_a_visitor_who_has_not_signed_in_gets_no_return(client, world, named):
    response = client.get(xlsx_url(world, named))
    assert response.status_code in (302, 401, 403)
    assert response.content_type != XLSX


def test_a_council_name_like_a_formula_is_written_as_text(world, named):
    world.council.name = '=HYPERLINK("http://example.org","x")'
    db.session.commit()
    data = hsf_workbook(hsf_return(council=world.council, period=Q1))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)
    book = load_workbook(io.BytesIO(data))
    texts = {c.value for row in book["2 - Spend"].iter_rows() for c in row}
    assert world.council.name in texts


def test_the_partial_prints_in_a_pdf(app, world, named):
    from flask import render_template
    from weasyprint import HTML

    hsf = hsf_return(council=world.council, period=Q1)
    with app.test_request_context():
        body = render_template("council/returns/_hsf.html", hsf=hsf, xlsx_url="/hsf.xlsx")
    pdf = HTML(string=f"<!doctype html><html><body>{body}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
