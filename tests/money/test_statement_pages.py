"""The statement and bill pages households and treasurers read, and who may read them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from support import CHROMIUM, PASSWORD, PHONE, text

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import (
    LedgerTransaction,
    RoundItem,
    SplitBasis,
    Supplier,
    SupplierKind,
    TransactionKind,
)
from coop.services.money.ledger import household_balance_pence, reverse_transaction
from coop.services.money.treasury import Carrier, correct_bill
from money.statement_support import (
    add_cost,
    add_subsidy,
    amount_by_id,
    amounts,
    page_text,
    pay,
    settle,
)

STATEMENT = "/coops/fishwick/statement"


def bill_url(round_) -> str:  # type: ignore[no-untyped-def]
    return f"/coops/fishwick/rounds/{round_.id}/bill"


def admin_bill_url(round_, household) -> str:  # type: ignore[no-untyped-def]
    return f"/coops/fishwick/admin/rounds/{round_.id}/households/{household.id}/bill"


@pytest.fixture
def busy_round(rounds, factory):  # type: ignore[no-untyped-def]
    """A settled round with VAT, markup, a deposit, three kinds of shared cost and two subsidies."""
    rounds.coop.markup_bp = 250
    db.session.commit()
    oats = rounds.product(
        name="Porridge oats", case_size=3, case_price_pence=1001, vat_bp=2000, deposit_pence=10
    )
    soap = rounds.product(name="Soap", case_size=4, case_price_pence=999, vat_bp=500)
    round_ = rounds.round(oats, soap, title="March order")
    a, b, c = rounds.households[:3]
    for household in (a, b, c):
        rounds.ask(round_, oats, household, 1)
    rounds.ask(round_, soap, a, 3)
    rounds.ask(round_, soap, c, 1)
    delivery = add_cost(round_, "Delivery", 701, SplitBasis.BY_VALUE, supplier=rounds.supplier)
    add_cost(round_, "Hall hire", 1000, SplitBasis.EQUAL)
    add_cost(round_, "Bags", 99, SplitBasis.BY_UNITS)
    add_subsidy(round_, factory, cost=delivery, cap_pence=500)
    add_subsidy(round_, factory, percent_bp=1000, cap_pence=300)
    return settle(round_, by=rounds.coordinator)


def test_a_bill_explains_every_penny_the_ledger_charged(rounds, busy_round, client, auth):
    for household in rounds.households[:3]:
        auth.login_as(household.user)
        page = text(client.get(bill_url(busy_round)))
        auth.logout()

        lines = (
            amounts(page, "goods-amount")
            + amounts(page, "cost-amount")
            + amounts(page, "subsidy-amount")
        )
        total = amount_by_id(page, "bill-total")
        assert sum(lines) == total == -household_balance_pence(membership=household)
        assert sum(amounts(page, "summary-amount")) == total
        assert "add up to it to the penny" in page


def test_a_correction_and_a_reversal_are_lines_of_the_bill_and_of_the_statement(
    rounds, busy_round, client, auth
):
    a = rounds.households[0]
    soap = db.session.scalars(select(RoundItem).filter_by(round_id=busy_round.id, name="Soap"))
    correct_bill(
        round_=busy_round,
        membership=a,
        round_item_id=soap.one().id,
        amount_pence=-269,
        carrier=Carrier.SUPPLIER,
        reason="one bar missing",
        by=rounds.coordinator,
    )
    db.session.commit()
    correction = db.session.scalars(
        select(LedgerTransaction).where(LedgerTransaction.kind == TransactionKind.ADJUSTMENT)
    ).one()
    reverse_transaction(transaction=correction, reason="the bar was found", by=rounds.coordinator)
    db.session.commit()
    auth.login_as(a.user)

    page = text(client.get(bill_url(busy_round)))
    words = page_text(client.get(bill_url(busy_round)))

    assert amounts(page, "adjustment-amount") == [-269, 269]
    assert "Correction: Soap (500 g bag): one bar missing" in words
    lines = sum(
        sum(amounts(page, kind))
        for kind in ("goods-amount", "cost-amount", "subsidy-amount", "adjustment-amount")
    )
    assert lines == amount_by_id(page, "bill-total") == -household_balance_pence(membership=a)
    statement = page_text(client.get(STATEMENT))
    assert "Reversal: March order" in statement and "Correction: March order" in statement


def test_a_bill_shows_vat_markup_deposit_shared_costs_and_the_subsidy(
    rounds, busy_round, client, auth
):
    auth.login_as(rounds.households[0].user)

    words = page_text(client.get(bill_url(busy_round)))

    assert "Your bill for March order" in words
    assert "Porridge oats (500 g bag)" in words and "(20%)" in words and "(5%)" in words
    assert "the co-op's 2.5% markup" in words
    assert (
        "£7.01 in all, shared by the value of each household's goods between the 3 households "
        "that bought from Northern Wholefoods" in words
    )
    assert "£10.00 in all, shared equally between the 3 households collecting" in words
    assert "by the number of units each household received" in words
    assert "Healthy Start Preston (Preston City Council)" in words
    assert "Your share of “Delivery”" in words and "up to £5.00 for the whole round" in words
    assert "10% off every household's goods" in words
    assert "use your browser's Print command" in words


def test_the_bill_and_statement_pages_print_without_the_menus(rounds, busy_round, client, auth):
    auth.login_as(rounds.households[0].user)

    for url in (bill_url(busy_round), STATEMENT):
        assert "css/statements.css" in text(client.get(url))
    stylesheet = Path(__file__).parents[2] / "static" / "css" / "coop.css"
    print_rules = stylesheet.read_text().split("@media print", 1)[1]
    assert ".site-header" in print_rules and ".no-print" in print_rules


def test_the_statement_runs_the_balance_and_links_each_bill(rounds, client, auth):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    a, b = rounds.households[:2]
    round_ = rounds.round(oats, title="March order")
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 1)
    settle(round_)
    auth.login_as(a.user)

    assert "You owe: £5.00" in page_text(client.get(STATEMENT))
    pay(a, 2000, memo="Cash at the hall")
    response = client.get(STATEMENT)
    page, words = text(response), page_text(response)

    assert "In credit: £15.00" in words
    # Newest first, each row's amount then the balance it left: £15.00 in credit, £5.00 owed.
    assert amounts(page, "money") == [2000, 1500, -500, 500]
    assert "+£20.00 £15.00 in credit" in words and "-£5.00 £5.00 owed" in words
    assert "Cash at the hall" in words
    assert f'href="{bill_url(round_)}"' in page
    assert "Available: £15.00" in words


def test_available_funds_count_open_orders(rounds, client, auth):
    oats = rounds.product(case_size=6, case_price_pence=1200)
    a = rounds.households[0]
    pay(a, 1000)
    open_ = rounds.round(oats, title="Still open")
    rounds.ask(open_, oats, a, 2)
    auth.login_as(a.user)

    words = page_text(client.get(STATEMENT))

    assert "Still open" in words and "In credit: £10.00" in words
    assert "Available: £6.00" in words


def test_available_funds_below_zero_say_what_will_be_owed(rounds, client, auth):
    oats = rounds.product(case_size=6, case_price_pence=1200)
    a = rounds.households[0]
    open_ = rounds.round(oats, title="Still open")
    rounds.ask(open_, oats, a, 3)
    auth.login_as(a.user)

    words = page_text(client.get(STATEMENT))

    assert "Available: -£6.00" in words
    assert "once these rounds are settled you will owe about £6.00" in words


def test_available_funds_below_zero_from_orders_alone_are_explained_and_not_shown_as_a_debt(
    rounds, client, auth
):
    oats = rounds.product(case_size=6, case_price_pence=1200)
    a = rounds.households[0]
    open_ = rounds.round(oats, title="Still open")
    rounds.ask(open_, oats, a, 3)
    auth.login_as(a.user)

    response = client.get(STATEMENT)
    words = page_text(response)

    assert "Nothing owed: £0.00" in words
    assert '<p class="balance" id="available">' in response.get_data(as_text=True)
    assert (
        "Available: -£6.00 (your orders come to more than your credit: nothing is owed yet, "
        "and you will be billed when the round is settled)"
    ) in words


def test_a_settled_rounds_page_leaves_the_amounts_to_the_bill(rounds, busy_round, client, auth):
    auth.login_as(rounds.households[0].user)

    words = page_text(client.get(f"/coops/fishwick/rounds/{busy_round.id}"))

    # The bill is the one place for a settled round's amounts, with its shared costs and subsidies.
    assert "Your bill for this round" in words and "What you paid, line by line" in words
    assert "Price each" not in words and "Total, before shared costs" not in words


def test_a_suppliers_name_is_not_repeated_after_a_cost_named_for_it(rounds, client, auth):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 2)
    add_cost(
        round_, "Delivery from Northern Wholefoods", 300, SplitBasis.EQUAL, supplier=rounds.supplier
    )
    settle(round_)
    auth.login_as(rounds.households[0].user)

    words = page_text(client.get(bill_url(round_)))

    assert "Delivery from Northern Wholefoods £3.00 in all" in words


def test_the_statement_shows_the_saving_and_keeps_surplus_food_apart(rounds, client, auth):
    surplus = Supplier(coop=rounds.coop, name="FareShare Lancashire", kind=SupplierKind.SURPLUS)
    db.session.add(surplus)
    db.session.commit()
    rice = rounds.product(case_size=2, case_price_pence=300, reference_price_pence=250)
    beans = rounds.product(case_size=2, case_price_pence=200)
    bread = rounds.product(
        case_size=2, case_price_pence=0, reference_price_pence=120, supplier=surplus
    )
    round_ = rounds.round(rice, beans, bread)
    a = rounds.households[0]
    for product in (rice, beans, bread):
        rounds.ask(round_, product, a, 2)
    settle(round_)
    auth.login_as(a.user)

    response = client.get(STATEMENT)
    page, words = text(response), page_text(response)

    assert amount_by_id(page, "reference-total") == 500
    assert amount_by_id(page, "paid-total") == 300
    assert "You saved £2.00 (40%)." in words
    assert "1 item has no reference price and is left out." in words
    assert "2 units of surplus food (1 item)" in words and "worth £2.40" in words


def test_a_fixed_contribution_bill_lists_goods_as_received_and_charges_the_agreed_amount(
    rounds, client, auth
):
    rounds.coop.contribution_pence = 1000
    db.session.commit()
    oats = rounds.product(case_size=2, case_price_pence=1500)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 1)
    rounds.ask(round_, oats, b, 1)
    settle(round_)
    auth.login_as(a.user)

    response = client.get(bill_url(round_))
    page, words = text(response), page_text(response)

    assert "What you received" in words and "valued at the co-op's prices but not charged" in words
    assert amount_by_id(page, "goods-total") == 750
    assert amount_by_id(page, "contribution") == amount_by_id(page, "bill-total") == 1000


def test_a_household_cannot_see_a_bill_it_does_not_have(rounds, client, auth):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 2)
    auth.login_as(b.user)

    assert client.get(bill_url(round_)).status_code == 404  # not settled yet
    settle(round_)
    assert client.get(bill_url(round_)).status_code == 404  # b received nothing
    assert client.get("/coops/fishwick/rounds/999999/bill").status_code == 404
    assert client.get(admin_bill_url(round_, a)).status_code == 403


def test_a_member_of_another_coop_sees_neither_statement_nor_bill(rounds, factory, client, auth):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 2)
    settle(round_)
    outsider = factory.member(factory.coop(name="Ribbleton Pantry"), Role.COORDINATOR)
    auth.login_as(outsider)

    for url in (
        STATEMENT,
        bill_url(round_),
        admin_bill_url(round_, rounds.households[0]),
        f"/coops/fishwick/admin/rounds/{round_.id}/bills",
    ):
        assert client.get(url).status_code == 403, url


def test_a_treasurer_sees_every_household_total_and_any_households_bill(
    rounds, busy_round, factory, client, auth
):
    treasurer = factory.member(rounds.coop, Role.TREASURER)
    auth.login_as(treasurer)

    response = client.get(f"/coops/fishwick/admin/rounds/{busy_round.id}/bills")
    page, words = text(response), page_text(response)

    assert response.status_code == 200
    assert "3 households, by name" in words
    charged = [-household_balance_pence(membership=h) for h in rounds.households[:3]]
    assert amount_by_id(page, "round-total") == sum(charged)
    a = rounds.households[0]
    assert f'href="{admin_bill_url(busy_round, a)}"' in page

    assert f'href="/coops/fishwick/admin/rounds/{busy_round.id}/bills.csv"' in page
    bill = client.get(admin_bill_url(busy_round, a))
    assert bill.status_code == 200
    assert f'href="/coops/fishwick/admin/rounds/{busy_round.id}/households/{a.id}/correct"' in (
        text(bill)
    )
    assert "Bill for Household 1" in page_text(bill)
    assert amount_by_id(text(bill), "bill-total") == charged[0]


def test_bills_of_an_unsettled_round_or_another_coops_household_are_not_found(
    rounds, factory, client, auth
):
    oats = rounds.product(case_size=2, case_price_pence=1000)
    round_ = rounds.round(oats)
    rounds.ask(round_, oats, rounds.households[0], 2)
    auth.login_as(rounds.coordinator)

    assert client.get(f"/coops/fishwick/admin/rounds/{round_.id}/bills").status_code == 404
    settle(round_)
    stranger = factory.membership(coop=factory.coop(name="Ribbleton Pantry"))
    assert client.get(admin_bill_url(round_, stranger)).status_code == 404
    assert client.get(admin_bill_url(round_, rounds.households[1])).status_code == 404
    assert client.get(admin_bill_url(round_, rounds.households[0])).status_code == 200


def login_in_browser(page, user) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_bill_and_statement_fit_a_phone_and_print_without_the_menus(rounds, busy_round, page):
    pay(rounds.households[0], 2500)
    login_in_browser(page, rounds.households[0].user)

    for url in (bill_url(busy_round), STATEMENT):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} is {width}px wide on a {PHONE['width']}px screen"
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        assert page.get_by_role("heading", level=1).is_visible()
        page.emulate_media(media="screen")


A4_PORTRAIT = 718  # CSS pixels across A4 paper (210 mm) inside Chromium's default print margins


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_a_printed_bill_fits_across_a4_paper(rounds, busy_round, page):
    login_in_browser(page, rounds.households[0].user)
    page.set_viewport_size({"width": A4_PORTRAIT, "height": 1000})
    page.emulate_media(media="print")

    page.goto(bill_url(busy_round))

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= A4_PORTRAIT, f"the printed bill is {width}px wide on {A4_PORTRAIT}px of paper"
