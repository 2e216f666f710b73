"""Bills say what was sent instead, whose goods each line is, and how a shared cost was split."""

from __future__ import annotations

import csv
import io

import pytest
from rounds.receiving_support import close, receive

from coop.extensions import db
from coop.models import SplitBasis, Supplier
from coop.services.money.settlement import settle_round
from coop.services.rounds.receiving import Arrived
from money.statement_support import add_cost, page_text
from money.treasury_support import treasurer


@pytest.fixture
def two_suppliers(rounds):  # type: ignore[no-untyped-def]
    """A settled round from two suppliers; the wholesaler sent Jumbo oats for Porridge oats.

    Household 1 got 2 oats (£4.00) and 2 apples (£3.00), household 2 got 2 oats (£4.00).
    The wholesaler's delivery (£3.00) is shared by its two buyers; the hall (£12.00) by
    every household's goods, and household 1's share of it across both suppliers.
    """
    farm = Supplier(coop=rounds.coop, name="Hill Farm")
    db.session.add(farm)
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_size=2, case_price_pence=400)
    apples = rounds.product(name="Apples", case_size=2, case_price_pence=300, supplier=farm)
    round_ = rounds.round(oats, apples, title="July order")
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 2)
    rounds.ask(round_, apples, a, 2)
    rounds.ask(round_, oats, b, 2)
    close(round_)
    item = rounds.item(round_, oats)
    receive(rounds, round_, Arrived(item_id=item.id, amount=4, substitute="Jumbo oats"))
    add_cost(round_, "Delivery", 300, SplitBasis.BY_VALUE, supplier=rounds.supplier)
    add_cost(round_, "Hall hire", 1200, SplitBasis.BY_VALUE)
    settle_round(round_id=round_.id, by=rounds.coordinator)
    db.session.commit()
    return round_


def bills_csv(client, round_) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/coops/fishwick/admin/rounds/{round_.id}/bills.csv")
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_a_bill_line_sent_instead_says_what_was_sent_and_what_was_ordered(
    rounds, two_suppliers, client, auth
):
    auth.login_as(rounds.households[0].user)

    words = page_text(client.get(f"/coops/fishwick/rounds/{two_suppliers.id}/bill"))

    assert (
        "Sent instead: Jumbo oats (you ordered Porridge oats, 500 g bag) from Northern Wholefoods"
        in words
    )
    assert "Apples (500 g bag) from Hill Farm" in words
    assert "Sent instead: Apples" not in words


def test_the_treasurers_copy_of_the_bill_says_what_was_sent_instead(
    rounds, two_suppliers, client, auth
):
    auth.login_as(treasurer(rounds))
    household = rounds.households[1]

    words = page_text(
        client.get(
            f"/coops/fishwick/admin/rounds/{two_suppliers.id}/households/{household.id}/bill"
        )
    )

    assert "Sent instead: Jumbo oats (you ordered Porridge oats, 500 g bag)" in words


def test_the_bills_csv_names_each_lines_supplier_and_what_was_sent_instead(
    rounds, two_suppliers, client, auth
):
    auth.login_as(treasurer(rounds))

    rows = bills_csv(client, two_suppliers)

    assert list(rows[0]) == [
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
    goods = [
        (row["Household"], row["Description"], row["Supplier"], row["Sent instead"], row["Amount"])
        for row in rows
        if row["Kind"] == "goods"
    ]
    assert goods == [
        ("Household 1", "Porridge oats (500 g bag)", "Northern Wholefoods", "Jumbo oats", "4.00"),
        ("Household 1", "Apples (500 g bag)", "Hill Farm", "", "3.00"),
        ("Household 2", "Porridge oats (500 g bag)", "Northern Wholefoods", "Jumbo oats", "4.00"),
    ]


def test_the_bills_csv_explains_how_each_shared_cost_was_split(rounds, two_suppliers, client, auth):
    auth.login_as(treasurer(rounds))

    costs = [
        (
            row["Household"],
            row["Description"],
            row["Supplier"],
            row["Amount"],
            row["How it is shared"],
        )
        for row in bills_csv(client, two_suppliers)
        if row["Kind"] == "cost"
    ]

    delivery = (
        "£3.00 in all, shared by the value of each household's goods between the "
        "2 households that bought from Northern Wholefoods."
    )
    hall = (
        "£12.00 in all, shared by the value of each household's goods between the "
        "2 households collecting."
    )
    # Household 1's £7.64 of the hall: its £4.00 of oats and £3.00 of apples, so 4:3.
    across = (
        " This household's share is split across its 2 suppliers by the value of its goods"
        " from each."
    )
    assert costs == [
        ("Household 1", "Delivery", "Northern Wholefoods", "1.50", delivery),
        ("Household 1", "Hall hire", "Northern Wholefoods", "4.37", hall + across),
        ("Household 1", "Hall hire", "Hill Farm", "3.27", hall + across),
        ("Household 2", "Delivery", "Northern Wholefoods", "1.50", delivery),
        ("Household 2", "Hall hire", "Northern Wholefoods", "4.36", hall),
    ]
