"""A line is its units times the price each shown, on every page, email and export.

The item here costs £14.39 a case of 25, no VAT, no markup: 57.56p a unit
exactly, shown as £0.58. Nine of them are £5.22 everywhere, as a member
checking with a calculator expects.
"""

from __future__ import annotations

import csv
import io

import pytest
from rounds.ordering_support import item_card, order_url
from support import text

from coop.domain.money import parse_pence
from coop.extensions import db
from coop.services.rounds.closing import close_round
from money.statement_support import page_text, settle
from money.treasury_support import treasurer


@pytest.fixture
def rice(rounds):  # type: ignore[no-untyped-def]
    return rounds.product(name="Basmati rice", case_size=25, case_price_pence=1439)


@pytest.fixture
def ordered(rounds, rice):  # type: ignore[no-untyped-def]
    """An open round in which the first household asks for 9 units and the second for 16."""
    round_ = rounds.round(rice, title="June order")
    a, b = rounds.households[:2]
    rounds.ask(round_, rice, a, 9)
    rounds.ask(round_, rice, b, 16)
    return round_


def test_the_ordering_page_shows_nine_at_the_price_each_as_nine_times_it(
    rounds, rice, ordered, client, auth
):
    auth.login_as(rounds.households[0].user)

    page = text(client.get(order_url(ordered)))
    card = item_card(page, rounds.item(ordered, rice).id)

    assert "£0.58</strong> per 500 g bag" in card
    assert "Yours: <span data-line>£5.22</span>" in card
    assert '<span id="order-total">£5.22</span>' in page
    my_order = page_text(client.get(order_url(ordered, "my-order")))
    assert "9 None £0.58 £5.22" in my_order
    assert "Total, before shared costs £5.22" in my_order


def test_the_closing_email_says_nine_at_the_price_each_without_about(rounds, ordered, mailbox):
    close_round(round_id=ordered.id, by=None)
    db.session.commit()

    body = mailbox.body(mailbox.to(rounds.households[0].user.email)[0])

    assert "Basmati rice: 9 x 500 g bag at £0.58 = £5.22" in body
    assert "£5.22 in all, before shared costs" in body
    assert "about" not in body.lower()


def test_the_bill_charges_nine_at_the_price_each(rounds, ordered, client, auth):
    settle(ordered)
    auth.login_as(rounds.households[0].user)

    words = page_text(client.get(f"/coops/fishwick/rounds/{ordered.id}/bill"))

    assert "Basmati rice (500 g bag) from Northern Wholefoods 9 £0.58" in words
    assert "£5.22 Goods" in words  # the line's amount, then the goods total below it
    assert "Goods £5.22" in words


def test_the_co_op_fund_takes_what_the_rounded_prices_add_to_the_case_price(
    rounds, ordered, client, auth
):
    settle(ordered)
    auth.login_as(treasurer(rounds))

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/coops/fishwick/admin/rounds/{ordered.id}/bills.csv")
                .get_data()
                .decode("utf-8-sig")
            )
        )
    )

    # 25 units at 58p are £14.50: the case cost £14.39, and the fund keeps the 11p.
    assert [row["Amount"] for row in rows] == ["5.22", "9.28"]
    assert sum(parse_pence(row["Markup"], allow_negative=True) for row in rows) == 11


def test_every_goods_line_of_the_bills_csv_is_its_units_times_its_price_each(rounds, client, auth):
    rounds.coop.markup_bp = 250
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_size=3, case_price_pence=1001, vat_bp=2000)
    soap = rounds.product(name="Soap", case_size=4, case_price_pence=999, vat_bp=500)
    round_ = rounds.round(oats, soap)
    a, b, c = rounds.households[:3]
    for household in (a, b, c):
        rounds.ask(round_, oats, household, 1)
    rounds.ask(round_, soap, a, 3)
    rounds.ask(round_, soap, c, 1)
    settle(round_)
    auth.login_as(treasurer(rounds))

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/coops/fishwick/admin/rounds/{round_.id}/bills.csv")
                .get_data()
                .decode("utf-8-sig")
            )
        )
    )

    goods = [row for row in rows if row["Kind"] == "goods"]
    assert len(goods) == 5
    for row in goods:
        assert parse_pence(row["Amount"]) == int(row["Units"]) * parse_pence(row["Price each"])
        parts = [row[part] for part in ("Net", "VAT", "Markup", "Deposit")]
        assert sum(parse_pence(part, allow_negative=True) for part in parts) == parse_pence(
            row["Amount"]
        )
    # Oats: £10.01 + 20% VAT + 2.5% markup, a third each: 410.41p, so £4.10 each.
    assert {row["Price each"] for row in goods if row["Description"].startswith("Porridge")} == {
        "4.10"
    }
