"""Officers' report pages: tables, charts and CSV for a period, with small numbers withheld."""

from __future__ import annotations

import csv
import io
import re

import pytest
from support import text

from coop.domain.roles import Role
from coop.extensions import db
from council_reports.world import build_world, name_distinctively

Q1 = {"kind": "quarter", "year": "2026", "quarter": "1"}
# What a cell about the small co-op may say: withheld, nothing, or a zero (which describes nobody).
MARKERS = {
    "fewer than 10",
    "suppressed",
    "not enough households said",
    "\N{EN DASH}",
    "",
    "0",
    "£0.00",
    "0.00",
}
# Headline figures about co-ops and the council's own awards, not households.
NOT_ABOUT_HOUSEHOLDS = {"Co-ops active", "Council support awarded"}
TABLES = ["active", "money", "registered", "people", "volunteers", "trend", "retention", "support"]


@pytest.fixture
def world(factory):
    world = build_world(factory)
    name_distinctively(world)
    return world


@pytest.fixture
def officer(factory, world):
    return factory.officer(world.council, factory.user(name="Olu Officer"))


def report_page(client, world, **args) -> str:
    response = client.get(f"/councils/{world.council.id}/reports", query_string={**Q1, **args})
    assert response.status_code == 200
    return text(response)


def csv_rows(client, world, table: str, **args) -> list[list[str]]:
    response = client.get(
        f"/councils/{world.council.id}/reports.csv", query_string={**Q1, "table": table, **args}
    )
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def row_cells(html: str, label: str) -> list[list[str]]:
    """Return the cells of every table row whose heading is *label*."""
    rows = re.findall(rf'<tr[^>]*><th scope="row">{re.escape(label)}</th>(.*?)</tr>', html, re.S)
    return [[c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def test_an_officer_sees_every_table_with_its_definition_period_and_method(
    client, auth, officer, world
):
    auth.login_as(officer)
    page = report_page(client, world)
    for title in [
        "Active households, new and repeat",
        "Spend, reference value and local spend",
        "By month",
        "Retention at 3 months",
    ]:
        assert title in page
    assert "distinct households with at least one fulfilled (settled, non-zero) order" in page
    assert "1 January 2026 to 31 March 2026" in page
    assert "reference supermarket unit price recorded on the item" in page
    assert "Produced" in page and "UTC" in page
    # January: 12 + 3 households; February 11 of the big co-op; money as pounds.
    assert row_cells(page, "2026-01")[-1][0] == "15"
    assert "£" in page


def test_charts_have_a_title_a_description_and_their_figures_beneath(client, auth, officer, world):
    auth.login_as(officer)
    page = report_page(client, world)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg
        labelled = re.search(r'aria-labelledby="(\S+) (\S+)"', svg)
        assert labelled
        assert f'<title id="{labelled[1]}">' in svg and f'<desc id="{labelled[2]}">' in svg
        assert "<script" not in svg and "style=" not in svg
    assert page.count('class="responsive chart-figures"') == 4
    assert "Active households by month" in page and "Local spend share" in page
    assert "<script" not in page.split('<main id="content"')[1]


def test_a_withheld_month_is_a_gap_and_the_description_says_so(client, auth, officer, world):
    auth.login_as(officer)
    page = report_page(client, world, coop=str(world.small.coop.id))
    active_chart = re.search(
        r'<figure class="report-chart" id="chart-active">.*?</figure>', page, re.S
    )[0]
    assert "2026-01: " not in active_chart  # January is withheld: no bar, not a zero bar
    assert "Active households, 2026-02: 0" in active_chart  # a true zero is drawn as one
    assert "withheld to protect privacy and are drawn as gaps" in active_chart


def test_an_officer_of_another_council_a_member_and_a_coordinator_are_refused(
    client, auth, factory, world
):
    other = factory.officer(factory.council(name="Chorley Council"))
    for person in [other, world.big.households[0].user, world.big.coordinator]:
        auth.login_as(person)
        assert (
            client.get(f"/councils/{world.council.id}/reports", query_string=Q1).status_code == 403
        )
        assert (
            client.get(
                f"/councils/{world.council.id}/reports.csv", query_string={**Q1, "table": "active"}
            ).status_code
            == 403
        )
        auth.logout()


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        ({"kind": "custom", "from": "2026-03-01", "to": "2026-02-01"}, "to", "before it starts"),
        ({"kind": "custom", "from": "2020-01-01", "to": "2026-01-01"}, "to", "at most 5 years"),
        ({"kind": "custom", "from": "2026-02-30", "to": "2026-03-01"}, "from", "is not a date"),
        ({"kind": "month", "month": "26-1"}, "month", "YYYY-MM"),
        ({"kind": "quarter", "year": "\N{FULLWIDTH DIGIT TWO}026"}, "year", "Give a year"),
        ({"kind": "nonsense"}, "kind", "Choose a month"),
        ({"coop": "999999"}, "coop", "one of the council's co-ops"),
        ({"coop": "x'--"}, "coop", "one of the council's co-ops"),
    ],
)
def test_bad_input_is_explained_at_its_field(client, auth, officer, world, args, field, words):
    auth.login_as(officer)
    page = report_page(client, world, **args)
    message = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert message and words in message[1]
    assert "<svg" not in page


def test_a_coop_of_another_council_is_refused_at_its_field(client, auth, officer, world, factory):
    stranger = factory.coop(name="Elsewhere Pantry", council=factory.council())
    auth.login_as(officer)
    page = report_page(client, world, coop=str(stranger.id))
    assert re.search(r'<p class="error" id="coop-error">', page)
    assert "Elsewhere Pantry" not in page


@pytest.mark.parametrize("table", TABLES)
def test_each_table_downloads_as_csv_with_the_pages_figures(client, auth, officer, world, table):
    auth.login_as(officer)
    rows = csv_rows(client, world, table)
    assert len(rows) >= 2 and rows[-1][0] == "Total"
    assert len({len(r) for r in rows}) == 1


def test_the_headline_figures_show_savings_as_a_share_and_download_as_csv(
    client, auth, officer, world
):
    auth.login_as(officer)
    page = report_page(client, world)
    # Q1: 12 + 11 units from the big co-op and 3 from the small one, 250p each against 400p.
    assert row_cells(page, "Active households")[0][0] == "15"
    assert row_cells(page, "Member spend")[0][0] == "£65.00"
    assert row_cells(page, "Member savings")[0][0] == "£39.00"
    assert row_cells(page, "Savings as a share of the reference value")[0][0] == "37.5%"
    rows = {r[0]: r[1:] for r in csv_rows(client, world, "headline")}
    assert rows["Member spend"][0] == "65.00"
    assert rows["Savings as a share of the reference value"][0] == "37.5%"
    assert "reference value minus member spend" in rows["Member savings"][1]


def test_the_trend_csv_has_money_in_pounds_and_counts_as_numbers(client, auth, officer, world):
    auth.login_as(officer)
    rows = csv_rows(client, world, "trend")
    assert rows[0][:3] == ["Month", "Households", "Collections"]
    january = next(r for r in rows if r[0] == "2026-01")
    assert january[1] == "15" and re.fullmatch(r"\d+\.\d\d", january[3])


def test_an_unknown_table_is_not_found(client, auth, officer, world):
    auth.login_as(officer)
    response = client.get(
        f"/councils/{world.council.id}/reports.csv", query_string={**Q1, "table": "names"}
    )
    assert response.status_code == 404


def test_a_coop_of_three_households_shows_nothing_derived_from_them_anywhere(
    client, auth, officer, world
):
    auth.login_as(officer)
    small = str(world.small.coop.id)
    outputs = [report_page(client, world), report_page(client, world, coop=small)]
    for table in [*TABLES, "headline"]:
        for args in ({}, {"coop": small}):
            outputs.append("\n".join(",".join(r) for r in csv_rows(client, world, table, **args)))
    everything = "\n".join(outputs)
    # The pooled page: every cell of the small co-op's rows is withheld.
    for cells in row_cells(outputs[0], "Tiny Pantry"):
        assert set(cells) <= MARKERS, cells
    # The small co-op alone: no figure at all about households (support is the council's own).
    alone = outputs[1].split('id="tables"')[1].split('id="table-support"')[0]
    for cells in re.findall(r'<tr[^>]*><th scope="row">[^<]*</th>(.*?)</tr>', alone, re.S):
        values = {c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)}
        assert values <= MARKERS, values
    for row in csv_rows(client, world, "headline", coop=small)[1:]:
        if row[0] not in NOT_ABOUT_HOUSEHOLDS:
            assert row[1] in MARKERS or row[1].startswith("not applicable"), row
    for table in ["active", "money", "trend", "people", "registered"]:
        for row in csv_rows(client, world, table, coop=small)[1:]:
            assert set(row[1:]) <= MARKERS, (table, row)
        for row in csv_rows(client, world, table):
            if row[0] == "Tiny Pantry":
                assert set(row[1:]) <= MARKERS, (table, row)
    # Its money: 3 x 250p spent, 3 x 400p reference, 450p saved.
    for amount in ["£7.50", "7.50", "£12.00", "£4.50", "4.50"]:
        assert amount not in outputs[1]
    assert not re.search("zyx", everything, re.I), "a member's name or email reached an output"
    assert not re.search(r"PR1 ?\d+ZQ", everything)
    assert "@example.org" not in everything.replace(officer.email, "")


def test_the_dashboard_links_to_the_reports(client, auth, officer, world):
    auth.login_as(officer)
    assert f'href="/councils/{world.council.id}/reports"' in text(
        client.get(f"/councils/{world.council.id}/")
    )


def test_a_coordinator_role_in_a_council_coop_is_not_an_officer(client, auth, factory, world):
    coordinator = factory.member(world.small.coop, Role.COORDINATOR)
    auth.login_as(coordinator)
    assert client.get(f"/councils/{world.council.id}/reports").status_code == 403


def test_a_five_year_report_draws_every_month_and_labels_a_legible_few(
    client, auth, officer, world
):
    auth.login_as(officer)
    page = report_page(client, world, kind="custom", **{"from": "2022-04-01", "to": "2027-03-31"})
    chart = re.search(r'<figure class="report-chart" id="chart-active">.*?</figure>', page, re.S)[0]
    svg = chart.split("</svg>")[0]
    assert len(re.findall(r'<text class="chart-label"', svg)) <= 12
    assert chart.count('<tr><th scope="row">') == 60  # every month in the figures beneath


def test_a_coop_name_a_spreadsheet_would_run_is_written_as_text(client, auth, officer, world):
    world.big.coop.name = "=HYPERLINK(1)"
    db.session.commit()
    auth.login_as(officer)
    labels = [row[0] for row in csv_rows(client, world, "active")]
    assert "'=HYPERLINK(1)" in labels


def test_the_report_page_keeps_the_content_security_policy(client, auth, officer, world):
    auth.login_as(officer)
    response = client.get(f"/councils/{world.council.id}/reports", query_string=Q1)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert " style=" not in text(response).split('<main id="content"')[1]
