"""The treasurer's pages: settling, corrections, balances, payments, the ledger and exports."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from support import CHROMIUM, PASSWORD, PHONE, count_rows, field_error, layout_problems, text

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import BillLine, LedgerTransaction, Posting, Round, RoundCost, RoundSubsidy
from coop.services.money.ledger import household_balance_pence
from money.support import transaction_sums
from money.treasury_support import (
    latest_transaction,
    received_round,
    settled_round,
    subsidy_record,
    treasurer,
)

BASE = "/coops/fishwick/admin"
SHOTS = os.environ.get("COOP_SCREENSHOTS")  # a folder to keep screenshots in, to look at


@pytest.fixture
def signed_in(rounds, auth):
    """Sign the co-op's treasurer in; return the user."""
    user = treasurer(rounds)
    auth.login_as(user)
    return user


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert not layout_problems(response.get_data(as_text=True))
    return text(response)


def words(page: str) -> str:
    """Return a page's text without its tags, spaces collapsed, as a person reads it."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def pay_in(client, household, amount: str, **extra: str):
    """Record a household's cash payment through the page."""
    data = {"household": str(household.id), "kind": "payment", "amount": amount, "method": "cash"}
    return client.post(f"{BASE}/money/payments/new", data={**data, **extra})


def csv_rows(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


# --- who may -------------------------------------------------------------------------------


def money_paths(rounds) -> list[tuple[str, str]]:
    round_ = settled_round(rounds, 6)
    transaction = latest_transaction()
    household = rounds.households[0].id
    cost = RoundCost(round_id=round_.id, name="Hall", amount_pence=100)
    db.session.add(cost)
    db.session.commit()
    r = f"{BASE}/rounds/{round_.id}"
    return [
        ("GET", f"{r}/settle"),
        ("POST", f"{r}/settle"),
        ("POST", f"{r}/costs"),
        ("POST", f"{r}/costs/{cost.id}/remove"),
        ("POST", f"{r}/subsidies"),
        ("POST", f"{r}/subsidies/remove"),
        ("GET", f"{r}/bills.csv"),
        ("GET", f"{r}/households/{household}/correct"),
        ("POST", f"{r}/households/{household}/correct"),
        ("GET", f"{BASE}/money"),
        ("GET", f"{BASE}/money/balances.csv"),
        ("GET", f"{BASE}/money/payments/new"),
        ("POST", f"{BASE}/money/payments/new"),
        ("GET", f"{BASE}/money/suppliers/pay"),
        ("POST", f"{BASE}/money/suppliers/pay"),
        ("GET", f"{BASE}/money/ledger"),
        ("GET", f"{BASE}/money/ledger.csv"),
        ("GET", f"{BASE}/money/ledger/{transaction.id}"),
        ("POST", f"{BASE}/money/ledger/{transaction.id}/reverse"),
    ]


def test_a_member_is_refused_every_money_page(rounds, client, auth):
    paths = money_paths(rounds)
    auth.login_as(rounds.households[0].user)
    postings = count_rows(Posting)

    for method, path in paths:
        response = client.open(
            path, method=method, data={"amount": "5", "household": "1", "reason": "x"}
        )
        assert response.status_code == 403, (method, path)

    assert count_rows(Posting) == postings


def test_a_treasurer_and_a_coordinator_reach_every_money_page(rounds, client, auth):
    paths = [path for method, path in money_paths(rounds) if method == "GET"]
    assert paths
    for user in (treasurer(rounds), rounds.coordinator):
        auth.login_as(user)
        for path in paths:
            assert client.get(path).status_code == 200, path
        auth.logout()


# --- settling ------------------------------------------------------------------------------


def test_the_settle_page_previews_bills_and_the_check(rounds, client, signed_in):
    round_ = received_round(rounds, 4, 2)

    page = page_of(client.get(f"{BASE}/rounds/{round_.id}/settle"))

    assert "What settling will do" in page
    assert "Household 1" in page and "£8.00" in page and "£4.00" in page
    assert "Charges + subsidy = suppliers + shared costs + fund result" in page
    assert "Adds up to the penny." in page
    assert count_rows(Posting) == 0


def test_adding_a_shared_cost_through_the_page(rounds, client, signed_in):
    round_ = received_round(rounds, 3, 3)

    response = client.post(
        f"{BASE}/rounds/{round_.id}/costs",
        data={"name": "Hall hire", "amount": "£6.01", "basis": "equal", "supplier": ""},
        follow_redirects=True,
    )

    page = page_of(response)
    assert "Hall hire is added to the round's shared costs." in page
    cost = db.session.scalars(db.select(RoundCost)).one()
    assert (cost.name, cost.amount_pence, cost.supplier_id) == ("Hall hire", 601, None)
    assert "£3.01" in page and "£3.00" in page  # each household's share in the preview


def test_a_suppliers_delivery_charge_is_one_click_away(rounds, client, signed_in):
    rounds.supplier.delivery_charge_pence = 750
    db.session.commit()
    round_ = received_round(rounds, 6)

    page = page_of(client.get(f"{BASE}/rounds/{round_.id}/settle"))
    assert "Add the delivery charge of Northern Wholefoods: £7.50" in page

    client.post(
        f"{BASE}/rounds/{round_.id}/costs",
        data={
            "name": "Delivery from Northern Wholefoods",
            "amount": "7.50",
            "basis": "equal",
            "supplier": str(rounds.supplier.id),
        },
    )
    cost = db.session.scalars(db.select(RoundCost)).one()
    assert (cost.amount_pence, cost.supplier_id) == (750, rounds.supplier.id)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.234", "Use at most two digits after the decimal point, such as 12.50."),
        ("abc", "Enter an amount in pounds and pence, such as 12.50."),
        ("-5", "The amount cannot be negative."),
        ("", "Enter an amount, such as 12.50."),
        ("0", "A shared cost must be more than £0.00."),
    ],
)
def test_a_bad_cost_amount_is_shown_at_the_field(rounds, client, signed_in, amount, message):
    round_ = received_round(rounds, 6)

    response = client.post(
        f"{BASE}/rounds/{round_.id}/costs",
        data={"name": "Hall", "amount": amount, "basis": "equal", "supplier": ""},
    )

    assert field_error(page_of(response), "amount") == message
    assert count_rows(RoundCost) == 0


def test_removing_a_cost_through_the_page(rounds, client, signed_in):
    round_ = received_round(rounds, 6)
    cost = RoundCost(round_id=round_.id, name="Hall", amount_pence=500)
    db.session.add(cost)
    db.session.commit()

    response = client.post(
        f"{BASE}/rounds/{round_.id}/costs/{cost.id}/remove", follow_redirects=True
    )

    assert "Hall is removed from the round's shared costs." in page_of(response)
    assert count_rows(RoundCost) == 0


def test_applying_a_subsidy_through_the_page(rounds, client, signed_in):
    record = subsidy_record(rounds)
    round_ = received_round(rounds, 6)

    page = page_of(client.get(f"{BASE}/rounds/{round_.id}/settle"))
    assert "Healthy Start top-up, Preston City Council" in page

    response = client.post(
        f"{BASE}/rounds/{round_.id}/subsidies",
        data={"record": str(record.id), "pays": "percent", "percent": "10", "cap": ""},
        follow_redirects=True,
    )

    page = page_of(response)
    assert "The subsidy is applied to the round." in page
    assert "10% off every household's goods" in page
    assert "£10.80" in page  # £12.00 less 10%
    subsidy = db.session.scalars(db.select(RoundSubsidy)).one()

    response = client.post(
        f"{BASE}/rounds/{round_.id}/subsidies/remove",
        data={"subsidy": str(subsidy.id)},
        follow_redirects=True,
    )
    assert "The subsidy is taken off the round." in page_of(response)
    assert count_rows(RoundSubsidy) == 0


def test_a_whole_round_cost_says_every_collecting_household_shares_it(rounds, client, signed_in):
    round_ = received_round(rounds, 6)

    page = page_of(client.get(f"{BASE}/rounds/{round_.id}/settle"))

    assert "The whole round: every collecting household shares it" in page
    assert "Northern Wholefoods: its buyers share it" in page
    assert "the co-op pays it" not in page


def test_a_percentage_subsidy_needs_its_percentage(rounds, client, signed_in):
    record = subsidy_record(rounds)
    round_ = received_round(rounds, 6)

    response = client.post(
        f"{BASE}/rounds/{round_.id}/subsidies",
        data={"record": str(record.id), "pays": "percent", "percent": "", "cap": "1.234"},
    )

    page = page_of(response)
    assert field_error(page, "percent") == "Enter the percentage, such as 10."
    assert field_error(page, "cap") == (
        "Use at most two digits after the decimal point, such as 12.50."
    )
    assert count_rows(RoundSubsidy) == 0


def test_settling_through_the_page_charges_and_tells_households(rounds, client, signed_in, mailbox):
    round_ = received_round(rounds, 4, 2)

    response = client.post(f"{BASE}/rounds/{round_.id}/settle", follow_redirects=True)

    page = page_of(response)
    assert "Weekly order is settled: 2 households were charged and told by email." in page
    assert "Households' bills" in page and "Correct" in page
    assert db.session.get(Round, round_.id).state is RoundState.SETTLED
    assert household_balance_pence(membership=rounds.households[0]) == -800
    message = mailbox.to(rounds.households[0].user.email)[-1]
    assert message["Subject"] == "Fishwick Food: your bill for Weekly order"
    assert "http://localhost/coops/fishwick/statement" in mailbox.body(message)
    assert transaction_sums() == [0]


def test_a_settled_rounds_page_leads_to_each_households_bill(rounds, client, signed_in):
    round_ = settled_round(rounds, 4, 2)
    household = rounds.households[0]

    page = page_of(client.get(f"{BASE}/rounds/{round_.id}/settle"))

    assert f'href="{BASE}/rounds/{round_.id}/households/{household.id}/bill"' in page
    assert f'href="{BASE}/rounds/{round_.id}/bills"' in page
    assert "Goods, costs and subsidy of every bill" in page


def test_the_settle_button_says_settling_cannot_be_undone(rounds, client, signed_in):
    round_ = received_round(rounds, 6)

    page = page_of(client.get(f"{BASE}/rounds/{round_.id}/settle"))

    assert "Settling cannot be undone" in page


def test_settling_an_unreceived_round_is_refused_and_posts_nothing(rounds, client, signed_in):
    round_ = rounds.round(rounds.product())

    response = client.post(f"{BASE}/rounds/{round_.id}/settle", follow_redirects=True)

    page = page_of(response)
    assert "Only a received round can be settled; this one is open." in page
    assert count_rows(Posting) == 0


def test_settling_twice_is_refused(rounds, client, signed_in):
    round_ = settled_round(rounds, 6)

    response = client.post(f"{BASE}/rounds/{round_.id}/settle", follow_redirects=True)

    assert "The round is already settled." in page_of(response)
    assert count_rows(LedgerTransaction) == 1


def test_another_co_ops_round_is_not_found(rounds, client, signed_in, factory):
    other = factory.coop(name="Ribbleton Food")
    theirs = Round(
        coop=other,
        title="Theirs",
        opens_at=rounds.clock,
        closes_at=rounds.clock.replace(year=rounds.clock.year + 1),
    )
    db.session.add(theirs)
    db.session.commit()

    assert client.get(f"{BASE}/rounds/{theirs.id}/settle").status_code == 404
    assert client.post(f"{BASE}/rounds/{theirs.id}/settle").status_code == 404


# --- corrections -------------------------------------------------------------------------


def test_correcting_a_bill_through_the_page(rounds, client, signed_in, mailbox):
    round_ = settled_round(rounds, 4, 2)
    household = rounds.households[0]
    path = f"{BASE}/rounds/{round_.id}/households/{household.id}/correct"
    assert "The bill comes to £8.00." in page_of(client.get(path))

    response = client.post(
        path,
        data={
            "item": str(round_.items[0].id),
            "direction": "credit",
            "amount": "2.00",
            "carrier": "supplier",
            "reason": "One bag was missing",
        },
        follow_redirects=True,
    )

    page = page_of(response)
    assert "Household 1's bill is corrected and they have been told." in page
    assert household_balance_pence(membership=household) == -600
    body = mailbox.body(mailbox.to(household.user.email)[-1])
    assert "We have taken £2.00 off your bill" in body
    assert f"http://localhost/coops/fishwick/rounds/{round_.id}/bill" in body
    assert transaction_sums() == [0, 0]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("2.005", "Use at most two digits after the decimal point, such as 12.50."),
        ("two", "Enter an amount in pounds and pence, such as 12.50."),
        ("-2", "The amount cannot be negative."),
    ],
)
def test_a_bad_correction_amount_is_shown_at_the_field(rounds, client, signed_in, amount, message):
    round_ = settled_round(rounds, 6)
    path = f"{BASE}/rounds/{round_.id}/households/{rounds.households[0].id}/correct"

    response = client.post(
        path,
        data={
            "item": "",
            "direction": "charge",
            "amount": amount,
            "carrier": "fund",
            "reason": "x",
        },
    )

    assert field_error(page_of(response), "amount") == message
    assert count_rows(BillLine, BillLine.kind == "correction") == 0
    assert count_rows(LedgerTransaction) == 1


def test_a_household_of_another_co_op_cannot_be_corrected(rounds, client, signed_in, factory):
    round_ = settled_round(rounds, 6)
    stranger = factory.membership(coop=factory.coop(name="Ribbleton Food"))

    response = client.get(f"{BASE}/rounds/{round_.id}/households/{stranger.id}/correct")

    assert response.status_code == 404


# --- balances and payments ----------------------------------------------------------------


def test_balances_show_who_owes_most_first(rounds, client, signed_in):
    settled_round(rounds, 2, 4)

    page = page_of(client.get(f"{BASE}/money"))

    assert page.index("Household 2") < page.index("Household 1") < page.index("Household 3")
    assert "owes £8.00" in page and "owes £4.00" in page
    assert "the co-op owes £12.00" in page
    assert "Every balance added together: £0.00: the ledger balances." in page


def test_balances_link_to_rounds_waiting_to_be_settled_and_recent_bills(rounds, client, signed_in):
    settled = settled_round(rounds, 6)
    waiting = received_round(rounds, 6)

    page = page_of(client.get(f"{BASE}/money"))

    assert f'href="{BASE}/rounds/{waiting.id}/settle">Settle Weekly order</a>' in page
    assert f'href="{BASE}/rounds/{settled.id}/settle">Bills for Weekly order</a>' in page


def test_the_balances_page_runs_a_fixed_number_of_queries(
    rounds, client, signed_in, count_queries, factory
):
    settled_round(rounds, 2, 4)
    with count_queries() as few:
        client.get(f"{BASE}/money")

    for _ in range(10):
        factory.membership(coop=rounds.coop)
    settled_round(rounds, 3, 1, 1, 1)
    with count_queries() as many:
        page_of(client.get(f"{BASE}/money"))

    assert len(many) == len(few)


def test_recording_a_cash_payment_through_the_page(rounds, client, signed_in):
    settled_round(rounds, 6)
    household = rounds.households[0]
    form = page_of(client.get(f"{BASE}/money/payments/new?household={household.id}"))
    assert f'<option selected value="{household.id}">Household 1</option>' in form

    response = client.post(
        f"{BASE}/money/payments/new",
        data={
            "household": str(household.id),
            "kind": "payment",
            "amount": "£12.00",
            "method": "cash",
            "note": "",
        },
        follow_redirects=True,
    )

    page = page_of(response)
    assert "Recorded: Cash from Household 1." in page
    assert household_balance_pence(membership=household) == 0
    assert "holds £12.00" in page


def test_a_refund_through_the_page(rounds, client, signed_in):
    household = rounds.households[1]
    data = {"household": str(household.id), "amount": "10", "method": "bank", "note": ""}
    client.post(f"{BASE}/money/payments/new", data={**data, "kind": "payment"})

    client.post(f"{BASE}/money/payments/new", data={**data, "amount": "4", "kind": "refund"})

    assert household_balance_pence(membership=household) == 600


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.234", "Use at most two digits after the decimal point, such as 12.50."),
        ("12a", "Enter an amount in pounds and pence, such as 12.50."),
        ("-3", "The amount cannot be negative."),
        ("0", "Enter an amount of more than £0.00."),
    ],
)
def test_a_bad_payment_amount_is_shown_at_the_field(rounds, client, signed_in, amount, message):
    response = client.post(
        f"{BASE}/money/payments/new",
        data={
            "household": str(rounds.households[0].id),
            "kind": "payment",
            "amount": amount,
            "method": "cash",
        },
    )

    page = page_of(response)
    assert field_error(page, "amount") == message
    assert f'value="{amount}"' in page  # what was typed is kept
    assert count_rows(Posting) == 0


def test_a_forged_household_of_another_co_op_gets_a_clear_error(rounds, client, signed_in, factory):
    stranger = factory.membership(coop=factory.coop(name="Ribbleton Food"))

    response = client.post(
        f"{BASE}/money/payments/new",
        data={"household": str(stranger.id), "kind": "payment", "amount": "5", "method": "cash"},
    )

    assert field_error(page_of(response), "household") == (
        "Choose one of Fishwick Food's households."
    )
    assert count_rows(Posting) == 0


def test_paying_a_supplier_through_the_page(rounds, client, signed_in):
    settled_round(rounds, 6)
    client.post(  # the household's payment puts in the bank what the supplier is paid
        f"{BASE}/money/payments/new",
        data={
            "household": str(rounds.households[0].id),
            "kind": "payment",
            "amount": "12",
            "method": "bank",
        },
    )

    response = client.post(
        f"{BASE}/money/suppliers/pay",
        data={
            "supplier": str(rounds.supplier.id),
            "amount": "12",
            "method": "bank",
            "note": "INV-1",
        },
        follow_redirects=True,
    )

    page = page_of(response)
    assert "Recorded: Paid Northern Wholefoods by bank transfer (INV-1)." in page
    assert "paid up" in page


def test_a_bad_supplier_payment_is_refused_at_the_field(rounds, client, signed_in):
    response = client.post(
        f"{BASE}/money/suppliers/pay",
        data={"supplier": "999999", "amount": "1.001", "method": "cash"},
    )

    page = page_of(response)
    assert field_error(page, "amount") == (
        "Use at most two digits after the decimal point, such as 12.50."
    )
    assert count_rows(Posting) == 0


# --- the ledger and reversals --------------------------------------------------------------


def test_the_ledger_shows_each_transaction_with_who_when_why(rounds, client, signed_in):
    settled_round(rounds, 6)
    pay_in(client, rounds.households[0], "12")

    page = words(page_of(client.get(f"{BASE}/money/ledger")))

    assert page.index("Payment: Cash from Household 1") < page.index("Round settled")
    assert "Tess Urer" in page and "Cora Ord" in page
    assert "Household 1 (household) £12.00 payment Cash -£12.00 cash" in page


def test_the_ledger_is_paginated_by_fifty(rounds, client, signed_in):
    household = rounds.households[0]
    for n in range(51):
        pay_in(client, household, str(n + 1))

    first = page_of(client.get(f"{BASE}/money/ledger"))
    second = page_of(client.get(f"{BASE}/money/ledger?page=2"))

    assert "Transactions 1 to 50 of 51" in first
    assert "Transactions 51 to 51 of 51" in second
    assert "£1.00" in second and "£51.00" in first


def test_reversing_through_the_page_and_twice(rounds, client, signed_in):
    pay_in(client, rounds.households[0], "5")
    payment = latest_transaction()
    path = f"{BASE}/money/ledger/{payment.id}/reverse"

    response = client.post(path, data={"reason": "Entered twice"}, follow_redirects=True)

    page = page_of(response)
    assert f"Transaction {payment.id} is reversed by transaction {payment.id + 1}." in page
    assert f"Reversal of {payment.id}: Entered twice" in page
    assert household_balance_pence(membership=rounds.households[0]) == 0
    postings = count_rows(Posting)

    again = page_of(client.post(path, data={"reason": "Again"}))

    assert f"Transaction {payment.id} has already been reversed" in again
    assert count_rows(Posting) == postings


def test_the_ledger_links_a_reversed_transaction_to_its_reversal(rounds, client, signed_in):
    pay_in(client, rounds.households[0], "5.00")
    payment = latest_transaction()
    client.post(f"{BASE}/money/ledger/{payment.id}/reverse", data={"reason": "Entered twice"})
    reversal = latest_transaction()

    page = page_of(client.get(f"{BASE}/money/ledger"))

    assert (
        f'Reversed by <a href="{BASE}/money/ledger/{reversal.id}">transaction {reversal.id}</a>'
        in page
    )
    assert "puts transaction" in page_of(client.get(f"{BASE}/money/ledger/{reversal.id}"))


def test_a_reversal_without_a_reason_is_refused_at_the_field(rounds, client, signed_in):
    pay_in(client, rounds.households[0], "5")
    payment = latest_transaction()

    response = client.post(f"{BASE}/money/ledger/{payment.id}/reverse", data={"reason": " "})

    assert field_error(page_of(response), "reason") == "Say why the transaction is reversed."
    assert count_rows(LedgerTransaction) == 1


# --- CSV exports -------------------------------------------------------------------------


def test_the_ledger_csv_has_one_row_per_posting(rounds, client, signed_in):
    settled_round(rounds, 4, 2)

    rows = csv_rows(client.get(f"{BASE}/money/ledger.csv"))

    assert rows[0] == ["Date", "Transaction", "Kind", "Memo", "Account", "Amount", "By"]
    amounts = {row[4]: row[5] for row in rows[1:]}
    assert amounts["Household 1"] == "-8.00"
    assert amounts["Northern Wholefoods"] == "12.00"
    assert {row[6] for row in rows[1:]} == {"Cora Ord"}


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(rounds, client, signed_in, factory):
    sneaky = factory.membership(coop=rounds.coop, user=factory.user(name="=HYPERLINK(1)"))
    pay_in(client, sneaky, "5")

    ledger = csv_rows(client.get(f"{BASE}/money/ledger.csv"))
    balances = csv_rows(client.get(f"{BASE}/money/balances.csv"))

    assert "'=HYPERLINK(1)" in [row[4] for row in ledger]
    assert ["Household", "'=HYPERLINK(1)", "5.00"] in balances


def test_a_rounds_bills_csv_lists_every_line(rounds, client, signed_in):
    round_ = settled_round(rounds, 4, 2)

    rows = csv_rows(client.get(f"{BASE}/rounds/{round_.id}/bills.csv"))

    assert rows[0] == [
        "Household",
        "Kind",
        "Description",
        "Supplier",
        "Sent instead",
        "Units",
        "Price each",
        "Net",
        "VAT",
        "Markup",
        "Deposit",
        "Amount",
        "How it is shared",
    ]
    assert rows[1:] == [
        [
            "Household 1",
            "goods",
            "Porridge oats (500 g bag)",
            "Northern Wholefoods",
            "",
            "4",
            "2.00",
            "8.00",
            "0.00",
            "0.00",
            "0.00",
            "8.00",
            "",
        ],
        [
            "Household 2",
            "goods",
            "Porridge oats (500 g bag)",
            "Northern Wholefoods",
            "",
            "2",
            "2.00",
            "4.00",
            "0.00",
            "0.00",
            "0.00",
            "4.00",
            "",
        ],
    ]


# --- in a real browser at a phone's width -------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_money_pages_fit_a_phone(rounds, page, factory):
    rounds.supplier.delivery_charge_pence = 850
    db.session.commit()
    settled = settled_round(rounds, 4, 2)
    round_ = received_round(rounds, 3, 3)
    db.session.add(RoundCost(round_id=round_.id, name="Hall hire", amount_pence=1000))
    db.session.commit()
    user = treasurer(rounds)
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)

    for path in (
        f"{BASE}/rounds/{round_.id}/settle",
        f"{BASE}/money",
        f"{BASE}/money/ledger",
        f"{BASE}/money/payments/new",
        f"{BASE}/money/ledger/1",
        f"{BASE}/rounds/{settled.id}/settle",
        f"{BASE}/rounds/{settled.id}/households/{rounds.households[0].id}/correct",
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{path.strip('/').replace('/', '_')}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"


def test_the_management_pages_link_to_money_for_a_treasurer(rounds, client, signed_in):
    page = page_of(client.get(f"{BASE}/"))

    assert f'<a href="{BASE}/money">Money</a>' in page
