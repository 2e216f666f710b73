"""A support record's monitoring return: pre-filled from the report, saved, printed and a PDF."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from money.statement_support import settle
from pypdf import PdfReader
from sqlalchemy import func, select
from support import field_error, text

from coop.extensions import db
from coop.models import (
    CoopCouncilLink,
    JobRun,
    JobRunStatus,
    MonitoringReturn,
    MonitoringReturnPdf,
    RoundSubsidy,
    SupportKind,
)
from coop.services.council_reports.period import quarter_period
from coop.services.council_reports.report import council_report
from coop.services.support.monitoring_returns import default_period
from coop.services.support.return_pdf import StaticOnlyFetcher
from council_reports.world import (
    award,
    build_round_world_in,
    build_world,
    name_distinctively,
    on_day,
    settled_round,
)

Q1 = {"from": "2026-01-01", "to": "2026-03-31"}
NARRATIVE = {
    "delivered": "Fortnightly rounds from the Moor Park hall",
    "outcomes": "Households told us they cut their food bills",
    "story": "A parent said the co-op made school holidays easier",
    "challenges": "Finding drivers in February",
    "next_plans": "A second pickup point in Ribbleton",
    "spend_notes": "Spent on the hall and a freezer; no underspend",
}


@pytest.fixture
def world(factory):
    world = build_world(factory)
    name_distinctively(world)
    # A co-op of 10 ordering in January beside the small co-op's 3: the council's report hides
    # it beside them, rather than the big co-op, whose return can then show its own figures.
    third = build_round_world_in(factory, factory.coop(name="Callon Larder", slug="callon"), 10)
    link = CoopCouncilLink(coop=third.coop, council=world.council, starts_on=date(2024, 1, 1))
    db.session.add(link)
    db.session.commit()
    product = third.product(case_size=1, case_price_pence=250, reference_price_pence=400)
    settled_round(third, product, third.households, date(2026, 1, 21))
    world.third = third  # type: ignore[attr-defined]
    return world


@pytest.fixture
def officer(factory, world):
    return factory.officer(world.council, factory.user(name="Olu Officer"))


def grant(world, coop, **fields):
    record = award(world.council, coop, SupportKind.GRANT, 500_000, date(2025, 12, 1))
    record.period_start, record.period_end = date(2026, 1, 1), date(2026, 12, 31)
    record.monitoring_months, record.monitoring_next_due = 3, date(2026, 4, 1)
    for name, value in fields.items():
        setattr(record, name, value)
    db.session.commit()
    return record


@pytest.fixture
def record(world):
    return grant(world, world.big.coop)


def page_url(world, record) -> str:
    return f"/councils/{world.council.id}/support/{record.id}/return"


def open_return(client, world, record, **args) -> str:
    response = client.get(page_url(world, record), query_string=args)
    assert response.status_code == 200
    return text(response)


def figure(page: str, label: str) -> str:
    found = re.search(rf'<th scope="row">{re.escape(label)}</th><td[^>]*>(.*?)</td>', page, re.S)
    assert found, label
    return found[1].strip()


def make_pdf(client, world, record, **args):
    response = client.post(f"{page_url(world, record)}/pdf", query_string=args or Q1)
    assert response.status_code == 302
    return response


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_support_record_page_links_to_its_monitoring_return(
    client, auth, officer, world, record
):
    auth.login_as(officer)
    page = text(client.get(f"/councils/{world.council.id}/support/{record.id}"))
    assert f'href="/councils/{world.council.id}/support/{record.id}/return"' in page


def test_the_default_period_is_the_months_before_the_next_return_falls_due(world, record):
    period = default_period(record=record, today=date(2026, 3, 15))
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 3, 31))
    record.monitoring_months = record.monitoring_next_due = None
    period = default_period(record=record, today=date(2026, 3, 15))
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 12, 31))
    record.period_start = record.period_end = None
    period = default_period(record=record, today=date(2026, 5, 15))
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 3, 31))


def test_an_officer_opens_a_return_prefilled_with_the_reports_figures(
    client, auth, officer, world, record
):
    auth.login_as(officer)
    page = open_return(client, world, record)  # the default period: Q1 2026
    assert "1 January 2026 to 31 March 2026" in page
    report = council_report(
        council=world.council,
        period=quarter_period(year=2026, quarter=1),
        coop_ids=[world.big.coop.id],
    )
    h = report.headline
    # The big co-op: 12 households in January, 11 in February; 10 of them ordered in December,
    # so the 2 new ones are withheld, and the 10 repeat ones with them (or 12 - 10 tells).
    assert (h["active"], h["collections"]) == (12, 23)
    assert figure(page, "Active households") == "12"
    assert figure(page, "New households") == "fewer than 10"
    assert figure(page, "Repeat households") == str(h["repeat"])
    assert figure(page, "Collections") == "23"
    assert figure(page, "Member savings") == "£34.50"  # 23 x (400p - 250p)
    assert figure(page, "Savings as a share of the reference value") == "37.5%"
    assert figure(page, "Volunteer hours") == "0"
    assert "distinct households with at least one fulfilled (settled, non-zero) order" in page
    assert "£5,000.00" in page  # the award
    assert "Tiny Pantry" not in page  # the other co-op is not in this return


def test_a_subsidys_spend_against_the_award_is_read_from_the_ledger(client, auth, officer, world):
    homes = world.big.households
    record = award(world.council, world.big.coop, SupportKind.SUBSIDY, 50_000, date(2026, 1, 1))
    round_ = world.big.round(world.product)
    for household in homes[:10]:
        world.big.ask(round_, world.product, household, 1)
    db.session.add(RoundSubsidy(round_id=round_.id, support_record_id=record.id, percent_bp=1000))
    db.session.commit()
    settle(round_)
    on_day(round_, date(2026, 3, 4))
    auth.login_as(officer)
    page = open_return(client, world, record, **Q1)
    # 10% off 10 units at 250p.
    assert figure_dd(page, "Used by rounds in 1 January 2026 to 31 March 2026") == "£2.50"
    assert figure_dd(page, "Left on 31 March 2026") == "£497.50"
    later = open_return(client, world, record, **{"from": "2026-04-01", "to": "2026-06-30"})
    assert figure_dd(later, "Used by rounds in 1 April 2026 to 30 June 2026") == "£0.00"
    assert figure_dd(later, "Used by rounds to 30 June 2026") == "£2.50"


def figure_dd(page: str, label: str) -> str:
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", page, re.S)
    assert found, label
    return found[1].strip()


def test_the_narrative_saves_and_shows_again(client, auth, officer, world, record):
    auth.login_as(officer)
    response = client.post(page_url(world, record), query_string=Q1, data=NARRATIVE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/support/{record.id}/return?from=2026-01-01&to=2026-03-31"
    )
    page = open_return(client, world, record, **Q1)
    for value in NARRATIVE.values():
        assert value in page
    assert "version 1" in page and "Olu Officer" in page
    saved = db.session.scalars(select(MonitoringReturn)).one()
    assert (saved.period_start, saved.period_end, saved.version) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        1,
    )
    client.post(page_url(world, record), query_string=Q1, data={**NARRATIVE, "story": "Changed"})
    db.session.expire_all()
    assert db.session.scalars(select(MonitoringReturn)).one().version == 2
    # Another period is another return, empty until written.
    other = open_return(client, world, record, **{"from": "2026-04-01", "to": "2026-06-30"})
    assert NARRATIVE["delivered"] not in other


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("story", "x" * 5001, "at most 5,000 characters"),
        ("outcomes", "bad \x00 byte", "control characters"),
    ],
)
def test_bad_narrative_is_refused_at_its_field_and_nothing_is_saved(
    client, auth, officer, world, record, field, value, words
):
    auth.login_as(officer)
    response = client.post(
        page_url(world, record), query_string=Q1, data={**NARRATIVE, field: value}
    )
    assert response.status_code == 200
    message = field_error(text(response), field)
    assert message and words in message
    assert count(MonitoringReturn) == 0


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to", "before it starts"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from", "is not a date"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to", "at most 5 years"),
        ({"from": "2023-01-01", "to": "2023-03-31"}, "from", "did not belong to"),
    ],
)
def test_a_bad_period_is_explained_at_its_field(
    client, auth, officer, world, record, args, field, words
):
    auth.login_as(officer)
    page = open_return(client, world, record, **args)
    message = field_error(page, field)
    assert message and words in message
    assert "Active households" not in page


def test_the_return_prints_on_a4_without_its_forms(client, auth, officer, world, record):
    auth.login_as(officer)
    page = open_return(client, world, record, **Q1)
    assert "css/print-return.css" in page
    with client.get("/static/css/print-return.css") as response:
        css = response.get_data(as_text=True)
    assert "size: A4" in css and "@media print" in css
    assert "<script" not in page.split('<main id="content"')[1]


def test_the_pdf_is_made_by_a_job_and_holds_the_figures_and_narrative(
    client, auth, officer, world, record
):
    auth.login_as(officer)
    client.post(page_url(world, record), query_string=Q1, data=NARRATIVE)
    response = make_pdf(client, world, record)
    run = db.session.scalars(select(JobRun)).one()
    assert response.headers["Location"].endswith(f"/jobs/{run.id}")
    assert run.status is JobRunStatus.DONE and run.done == run.total
    status = text(client.get(f"/jobs/{run.id}"))
    assert f"{run.total} of {run.total} steps" in status
    assert "Back to the monitoring return" in status
    link = re.search(r'href="([^"]+\.pdf)"', status)
    assert link, "the status page links to the PDF"
    download = client.get(link[1])
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "monitoring-return-" in disposition and "2026-01-01-to-2026-03-31.pdf" in disposition
    reader = PdfReader(io.BytesIO(download.data))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    words = " ".join(pdf_text(download.data).split())
    for value in NARRATIVE.values():
        assert value in words
    assert "Active households 12" in words
    assert "£34.50" in words and "37.5%" in words
    stored = db.session.scalars(select(MonitoringReturnPdf)).one()
    assert stored.version == 1
    # The return page offers the PDF made, and says when the narrative has changed since.
    assert link[1] in open_return(client, world, record, **Q1)
    client.post(page_url(world, record), query_string=Q1, data={**NARRATIVE, "story": "Later"})
    assert "the narrative has changed since" in open_return(client, world, record, **Q1)


def test_the_pdf_fetches_only_the_apps_static_files(app):
    fetcher = StaticOnlyFetcher(app.static_folder)
    assert b"size: A4" in fetcher.fetch("coop-static:/css/print-return.css").read()
    for url in [
        "http://127.0.0.1:9/x.css",
        "https://example.org/logo.png",
        "file:///etc/passwd",
        "coop-static:/../config.py",
        "coop-static://example.org/css/coop.css",
        "data:text/css,body{}",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_officers_of_another_council_coordinators_and_members_see_none_of_it(
    client, auth, factory, officer, world, record
):
    auth.login_as(officer)
    client.post(page_url(world, record), query_string=Q1, data=NARRATIVE)
    make_pdf(client, world, record)
    saved = db.session.scalars(select(MonitoringReturn)).one()
    download = f"{page_url(world, record)[: -len('/return')]}/returns/{saved.id}.pdf"
    assert client.get(download).status_code == 200
    run = db.session.scalars(select(JobRun)).one()
    auth.logout()
    other_council = factory.council(name="Chorley Council")
    other = factory.officer(other_council)
    for person, refused in [
        (other, 403),
        (world.big.coordinator, 403),
        (world.big.households[0].user, 403),
    ]:
        auth.login_as(person)
        assert client.get(page_url(world, record), query_string=Q1).status_code == refused
        saving = client.post(page_url(world, record), query_string=Q1, data={"story": "Hacked"})
        assert saving.status_code == refused
        assert client.post(f"{page_url(world, record)}/pdf", query_string=Q1).status_code == refused
        assert client.get(download).status_code == refused
        assert client.get(f"/jobs/{run.id}").status_code == 404
        auth.logout()
    # Through its own council's address, the other officer finds no such record.
    auth.login_as(other)
    elsewhere = f"/councils/{other_council.id}/support/{record.id}"
    assert client.get(f"{elsewhere}/return", query_string=Q1).status_code == 404
    assert client.post(f"{elsewhere}/return/pdf", query_string=Q1).status_code == 404
    assert client.get(f"{elsewhere}/returns/{saved.id}.pdf").status_code == 404
    db.session.expire_all()
    assert db.session.scalars(select(MonitoringReturn)).one().story == NARRATIVE["story"]
    assert count(JobRun) == 1


# What a figure about the small co-op may say: withheld, nothing, or a zero (describing nobody).
SMALL_VALUES = {
    "fewer than 10",
    "suppressed",
    "not enough households said",
    "\N{EN DASH}",
    "0",
    "£0.00",
    "not applicable (nothing to divide by)",
}


def test_a_coop_of_three_households_gives_no_figure_about_them_in_the_page_or_the_pdf(
    client, auth, officer, world
):
    record = grant(world, world.small.coop)
    subsidy = award(world.council, world.small.coop, SupportKind.SUBSIDY, 50_000, date(2026, 1, 1))
    round_ = world.small.round(world.small_product)
    for household in world.small.households:
        world.small.ask(round_, world.small_product, household, 1)
    db.session.add(RoundSubsidy(round_id=round_.id, support_record_id=subsidy.id, percent_bp=1000))
    db.session.commit()
    settle(round_)
    on_day(round_, date(2026, 2, 4))
    auth.login_as(officer)
    for each in (record, subsidy):
        page = open_return(client, world, each, **Q1)
        values = re.findall(r'<td data-label="Value">(.*?)</td>', page, re.S)
        assert values and set(values) <= SMALL_VALUES, values
        if each is subsidy:
            for label in [
                "Used by rounds in 1 January 2026 to 31 March 2026",
                "Used by rounds to 31 March 2026",
                "Left on 31 March 2026",
            ]:
                assert figure_dd(page, label) == "fewer than 10"
        make_pdf(client, world, each)
        saved = db.session.scalars(
            select(MonitoringReturn).where(MonitoringReturn.support_record_id == each.id)
        ).one()
        words = " ".join(
            pdf_text(
                client.get(
                    f"/councils/{world.council.id}/support/{each.id}/returns/{saved.id}.pdf"
                ).data
            ).split()
        )
        assert "fewer than 10" in words
        for found in (page, words):
            # No count, amount or percentage about them: 3 households, 6 units at 250p and 225p.
            assert not re.search(r"(?<![\d,.])(3|6)(?![\d,.%])\s*(household|collection)", found)
            for amount in ["£7.50", "£6.75", "£14.25", "£24.00", "£9.75", "£0.75", "£499.25"]:
                assert amount not in found
            assert not re.search(r"\d\.\d%", found)  # a share, as the return writes one
            assert "Zyxname" not in found and "zyxmail" not in found and "ZQ" not in found


def test_a_household_support_fund_return_carries_the_funds_tables_and_workbook(
    client, auth, officer, world, record
):
    fund = grant(world, world.big.coop, programme="Household Support Fund round 6")
    auth.login_as(officer)
    page = open_return(client, world, fund, **Q1)
    assert "Household Support Fund management information" in page
    workbook = f"/councils/{world.council.id}/support/{fund.id}/returns/hsf.xlsx"
    assert f'href="{workbook}?from=2026-01-01&to=2026-03-31"' in page
    make_pdf(client, world, fund)
    saved = db.session.scalars(
        select(MonitoringReturn).where(MonitoringReturn.support_record_id == fund.id)
    ).one()
    download = client.get(f"{workbook[: -len('hsf.xlsx')]}{saved.id}.pdf")
    assert "Household Support Fund management information" in pdf_text(download.data)
    # A return of another programme has no such part.
    assert "Household Support Fund" not in open_return(client, world, record, **Q1)


def test_a_successor_councils_officer_counts_the_coops_rounds_under_both_councils(
    client, auth, factory, officer, world, record
):
    successor = factory.council(name="Central Lancashire Council", gss_code="E06000999")
    world.council.successor_id, world.council.valid_to = successor.id, date(2026, 1, 31)
    link = db.session.scalars(
        select(CoopCouncilLink).where(CoopCouncilLink.coop_id == world.big.coop.id)
    ).one()
    link.ends_on = date(2026, 1, 31)
    db.session.add(
        CoopCouncilLink(coop=world.big.coop, council=successor, starts_on=date(2026, 2, 1))
    )
    db.session.commit()
    auth.login_as(factory.officer(successor))
    response = client.get(f"/councils/{successor.id}/support/{record.id}/return", query_string=Q1)
    # January's round under the old council and February's under the new one.
    assert figure(text(response), "Collections") == "23"
    auth.logout()
    auth.login_as(officer)
    # The old council counts the co-op only until it left: January's 12.
    assert figure(open_return(client, world, record, **Q1), "Collections") == "12"
