"""The report pages: who may read them, the period form, and CSV and PDF with the same figures."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader
from support import field_error, layout_problems, text

from coop.domain.money import format_pence, plain_pounds
from coop.domain.roles import Role
from coop.extensions import db
from coop.models import FundDirection, HeldIn
from coop.services.money.accounts_report import assets_and_liabilities, receipts_and_payments
from coop.services.money.fund import record_fund_entry
from coop.services.money.fund_categories import add_category
from coop.services.money.period_reports import monthly_income_and_spending, round_results
from money.books_year import year_of_books

BASE = "/coops/fishwick/admin/money/reports"
PAGES = ["monthly", "rounds", "annual"]
TABLES = ["monthly", "rounds", "receipts-and-payments", "assets-and-liabilities"]


def csv_rows(response) -> list[list[str]]:
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def pdf_text(response) -> str:
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def books(rounds, client, auth):
    written = year_of_books(rounds)
    auth.login_as(written.treasurer)
    return written


def test_the_annual_account_page_shows_the_year_and_that_it_balances(books, rounds, client):
    response = client.get(f"{BASE}/annual")
    page = text(response)
    account = receipts_and_payments(coop=rounds.coop, period=books.period)

    assert response.status_code == 200
    assert not layout_problems(response.get_data(as_text=True))
    assert "Receipts and payments account" in page and "1 April" in page
    assert "Statement of assets and liabilities" in page
    for line in account.receipts + account.payments:
        assert f"{line.label}" in page and format_pence(line.pence) in page
    assert "they agree to the penny (difference £0.00)" in page
    assert "not a receipt" in page  # the opening balances are said to be opening cash and bank
    assert "Card payments not yet paid out" in page
    written_off = page[page.index('id="written-off"') :]
    assert "Households' debts written off" in written_off and "£1.50" in written_off


def test_the_money_pages_link_to_the_reports(books, client):
    page = text(client.get("/coops/fishwick/admin/money"))
    assert f'href="{BASE}/annual"' in page


@pytest.mark.parametrize("report", PAGES)
def test_each_report_page_offers_its_csv_and_pdf_for_its_period(books, client, report):
    start, end = books.period.start, books.period.end
    response = client.get(f"{BASE}/{report}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert not layout_problems(page)
    assert f"{BASE}/{report}.pdf?start={start}&amp;end={end}" in page
    assert ".csv?start=" in page
    assert "@page" not in page  # the print rules live in the stylesheet
    assert "css/books.css" in page


def test_the_receipts_and_payments_csv_and_pdf_carry_the_pages_figures(books, rounds, client):
    account = receipts_and_payments(coop=rounds.coop, period=books.period)
    rows = csv_rows(client.get(f"{BASE}/receipts-and-payments.csv"))
    pdf = pdf_text(client.get(f"{BASE}/annual.pdf"))

    assert account.previous is not None
    assert rows[0] == ["Section", "Line", account.period.short_label, account.previous.short_label]
    by_line = {(row[0], row[1]): row[2:] for row in rows[1:]}
    for line in account.receipts:
        assert by_line[("Receipts", line.label)] == [
            plain_pounds(line.pence),
            plain_pounds(line.previous_pence),
        ]
        assert format_pence(line.pence) in pdf
    for line in account.payments:
        assert by_line[("Payments", line.label)][0] == plain_pounds(line.pence)
        assert format_pence(line.pence) in pdf
    assert by_line[("Receipts", "Total receipts")][0] == plain_pounds(account.receipts_pence)
    assert by_line[("Check", "Closing less (opening + receipts - payments)")] == ["0.00", "0.00"]
    assert format_pence(account.closing_pence) in pdf
    assert "difference £0.00" in pdf


def test_the_assets_csv_and_pdf_carry_the_statement(books, rounds, client):
    statement = assets_and_liabilities(coop=rounds.coop, as_of=books.period.end)
    rows = csv_rows(client.get(f"{BASE}/assets-and-liabilities.csv"))
    pdf = pdf_text(client.get(f"{BASE}/annual.pdf"))

    by_item = {row[1]: row[2] for row in rows[1:]}
    assert by_item["Households that owe"] == plain_pounds(statement.households_owing_pence)
    assert by_item["Suppliers not yet paid"] == plain_pounds(statement.suppliers_unpaid_pence)
    assert by_item["The co-op's stock at cost"] == plain_pounds(statement.stock_at_cost_pence)
    assert by_item["Assets less liabilities"] == plain_pounds(statement.net_pence)
    for pence in (statement.assets_pence, statement.liabilities_pence, statement.net_pence):
        assert format_pence(pence) in pdf
    assert by_item["Households' debts"] == "1.50"  # written off in the year
    assert "Households' debts written off £1.50" in pdf


def test_the_monthly_and_round_csvs_and_pdfs_carry_their_tables(books, rounds, client):
    table = monthly_income_and_spending(coop=rounds.coop, period=books.period)
    results = round_results(coop=rounds.coop, period=books.period)

    monthly = csv_rows(client.get(f"{BASE}/monthly.csv"))
    hall = next(row for row in monthly if row[1] == "Hall hire")
    assert hall[2:] == ["45.00"] * 12 + ["540.00"]
    net = next(row for row in monthly if row[0] == "Net")
    assert net[-1] == plain_pounds(table.income_pence - table.spending_pence)
    monthly_pdf = pdf_text(client.get(f"{BASE}/monthly.pdf"))
    assert "Hall hire" in monthly_pdf and format_pence(table.spending_pence) in monthly_pdf

    by_round = {row[0]: row for row in csv_rows(client.get(f"{BASE}/rounds.csv"))[1:]}
    rounds_pdf = pdf_text(client.get(f"{BASE}/rounds.pdf"))
    for result in results:
        assert by_round[result.title][-1] == plain_pounds(result.total_pence)
        assert result.title in rounds_pdf
    assert by_round["Total"][-1] == plain_pounds(sum(r.total_pence for r in results))


def test_a_chosen_period_is_the_one_shown_and_downloaded(books, rounds, client):
    start, end = books.period.start, books.period.start.replace(month=6, day=30)
    page = text(client.get(f"{BASE}/monthly?start={start}&end={end}"))
    rows = csv_rows(client.get(f"{BASE}/monthly.csv?start={start}&end={end}"))

    assert "1 April" in page and "30 June" in page
    assert rows[0][2:] == [f"{m:%b %Y}" for m in (start, start.replace(month=5), end)] + ["Total"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("start=2026-01-01&end=2025-01-01", "end", "must end after"),
        ("start=2019-01-01&end=2025-01-01", "end", "at most 5 years"),
        ("start=2025-04-01&end=2999-01-01", "end", "future"),
        ("start=abc&end=2026-03-31", "start", "like 2026-12-03"),
        ("start=2025-04-01&end=", "end", "last day"),
    ],
)
def test_a_bad_period_is_refused_at_its_field_and_nothing_is_shown(
    books, client, query, field, words
):
    response = client.get(f"{BASE}/annual?{query}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert words in (field_error(page, field) or "")
    assert "Receipts and payments account" not in page
    assert client.get(f"{BASE}/receipts-and-payments.csv?{query}").status_code == 302
    assert client.get(f"{BASE}/annual.pdf?{query}").status_code == 302


def test_a_category_named_like_a_formula_is_text_in_the_csv(rounds, client, auth):
    year = year_of_books(rounds)
    odd = add_category(coop=rounds.coop, name="=HYPERLINK(1)", direction=FundDirection.INCOME)
    record_fund_entry(
        coop=rounds.coop,
        direction=FundDirection.INCOME,
        category_id=odd.id,
        amount_pence=300,
        method=HeldIn.CASH,
        occurred_on=year.period.end,
        reference="",
        by=year.treasurer,
    )
    db.session.commit()
    auth.login_as(year.treasurer)

    rows = csv_rows(client.get(f"{BASE}/monthly.csv"))

    assert any(row[1] == "'=HYPERLINK(1)" for row in rows)


# --- who may -------------------------------------------------------------------------------


def paths() -> list[str]:
    return (
        [f"{BASE}/{p}" for p in PAGES]
        + [f"{BASE}/{p}.pdf" for p in PAGES]
        + [f"{BASE}/{t}.csv" for t in TABLES]
    )


def test_a_member_and_another_coops_treasurer_are_refused(rounds, factory, client, auth):
    other = factory.coop(name="Ribbleton Pantry", slug="ribbleton")
    outsider = factory.member(other, Role.TREASURER, user=factory.user(name="Other Treasurer"))
    for user in (rounds.households[0].user, outsider):
        auth.login_as(user)
        for path in paths():
            assert client.get(path).status_code == 403, (user.name, path)
        auth.logout()


def test_signed_out_visitors_are_sent_to_sign_in(rounds, client):
    for path in paths():
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_coordinator_reads_the_reports_as_the_money_pages(rounds, client, auth):
    auth.login_as(rounds.coordinator)
    for path in paths():
        assert client.get(path).status_code == 200, path
