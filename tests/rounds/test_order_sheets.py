"""Supplier order sheets: projected then final, totals and VAT, CSV, print, and sending."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from support import layout_problems, text

from coop.domain.roles import Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import RoundSupplier, Supplier
from coop.services.rounds.closing import close_round
from coop.services.rounds.order_sheets import order_sheets
from rounds.admin_support import sheet_url


@pytest.fixture
def coordinator(client, auth, rounds):
    """The client, signed in as the co-op's coordinator."""
    auth.login_as(rounds.coordinator)
    return client


def close(round_):
    close_round(round_id=round_.id, by=None)
    db.session.commit()
    return round_


def sent_record(round_) -> RoundSupplier:
    db.session.expire_all()
    return db.session.scalar(select(RoundSupplier).where(RoundSupplier.round_id == round_.id))


@pytest.fixture
def ordered(rounds):
    """An open round: 14 bags of oats asked for (case of 6, £12.00, no VAT) and 5 tins of
    tea (case of 4, £10.00, 20% VAT), with a £40.00 minimum order."""
    rounds.supplier.min_order_pence = 4000
    db.session.commit()
    oats = rounds.product(code="OAT-1", name="Porridge oats", case_size=6, case_price_pence=1200)
    tea = rounds.product(
        code="TEA-9", name="Tea", case_size=4, case_price_pence=1000, vat_bp=2000, unit_label="tin"
    )
    unwanted = rounds.product(code="NOPE", name="Nobody wants this")
    round_ = rounds.round(oats, tea, unwanted, fill_percent=100)
    a, b = rounds.households[:2]
    rounds.ask(round_, oats, a, 10)
    rounds.ask(round_, oats, b, 2, 2)  # the remainder of 0 after 12: two full cases
    rounds.ask(round_, oats, b, 2)  # 14 firm: 2 cases, 2 left over that cannot fill a case
    rounds.ask(round_, tea, a, 3, 1)
    rounds.ask(round_, tea, b, 2)
    return round_


def test_before_closing_the_sheet_is_a_projection_of_current_orders(coordinator, rounds, ordered):
    page = text(coordinator.get(sheet_url(ordered, rounds.supplier.id)))

    assert "<h1>Projected order for Northern Wholefoods</h1>" in page
    assert "Projected:" in page
    assert "OAT-1" in page and "TEA-9" in page
    assert "Nobody wants this" not in page  # no case of it, so not on the order
    # Oats: 14 firm, 2 tolerance -> 2 full cases, a remainder of 2 + 2 < 6. Tea: 5 + 1 -> 1 full,
    # a remainder of 1 + 1 < 4. So 2 x £12.00 + 1 x £10.00 = £34.00, VAT 20% of £10.00.
    assert "£34.00" in page and "£2.00" in page and "£36.00" in page
    assert "£6.00 short of the minimum order of £40.00 for Northern Wholefoods" in page
    assert "Church hall, Fishwick Parade" in page
    assert sheet_url(ordered, rounds.supplier.id, "send") not in page


def test_after_closing_the_sheet_shows_the_cases_ordered(coordinator, rounds, ordered):
    close(ordered)

    page = text(coordinator.get(sheet_url(ordered, rounds.supplier.id)))

    assert "<h1>Order for Northern Wholefoods</h1>" in page
    assert "Projected" not in page
    assert "3 cases of 2 products" in page
    assert sheet_url(ordered, rounds.supplier.id, "send") in page


def test_vat_is_worked_out_once_per_rate(rounds):
    rounds.supplier.min_order_pence = 0
    db.session.commit()
    # 3 lines of 20% VAT on £0.07: 1.4p each, so 3p if rounded per line; 4.2p on the £0.21.
    products = [rounds.product(case_size=1, case_price_pence=7, vat_bp=2000) for _ in range(3)]
    round_ = rounds.round(*products)
    for product in products:
        rounds.ask(round_, product, rounds.households[0], 1)

    (sheet,) = order_sheets(round_=round_)

    assert (sheet.total_ex_vat_pence, sheet.vat_pence, sheet.total_inc_vat_pence) == (21, 4, 25)


def test_the_csv_has_the_sheets_lines_and_defuses_formulas(coordinator, rounds):
    rounds.supplier.name = "Northern Wholefoods & Sons"
    db.session.commit()
    sly = rounds.product(
        code="=1+1", name='@SUM(A1:A9) "big"', unit_label="-1 kg", case_size=2, case_price_pence=950
    )
    round_ = rounds.round(sly, title="Week of 14 July")
    rounds.ask(round_, sly, rounds.households[0], 4)
    close(round_)

    response = coordinator.get(sheet_url(round_, rounds.supplier.id, "sheet.csv"))

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="northern-wholefoods-sons-order-week-of-14-july-{round_.id}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        [
            "Code",
            "Product",
            "Unit",
            "Case size",
            "Cases",
            "Case price ex VAT",
            "VAT rate %",
            "Line total ex VAT",
        ],
        ["'=1+1", '\'@SUM(A1:A9) "big"', "'-1 kg", "2", "2", "9.50", "0", "19.00"],
    ]


def test_the_sheet_prints_without_the_sites_menus(coordinator, rounds, ordered, app):
    page = coordinator.get(sheet_url(ordered, rounds.supplier.id)).get_data(as_text=True)

    assert '<link rel="stylesheet" href="/static/css/rounds.css">' in page
    stylesheet = (app.static_folder + "/css/coop.css").replace("//", "/")
    with open(stylesheet, encoding="utf-8") as css:
        rules = css.read().split("@media print", 1)[1]
    for hidden in (".site-header", ".site-footer", ".actions", "form", ".no-print"):
        assert hidden in rules.split("display: none", 1)[0]
    assert 'class="no-print"' in page
    assert not layout_problems(page)


def test_sending_emails_the_supplier_the_sheet_and_records_it(
    coordinator, rounds, ordered, mailbox
):
    close(ordered)

    page = text(
        coordinator.post(sheet_url(ordered, rounds.supplier.id, "send"), follow_redirects=True)
    )

    assert "The order is emailed to Northern Wholefoods at orders@northern.example" in page
    assert "Last emailed to orders@northern.example on" in page and "by Cora Ord" in page
    (message,) = mailbox.to("orders@northern.example")
    assert message["Subject"] == "Order from Fishwick Food: Weekly order"
    body = mailbox.body(message)
    assert "- 2 x Porridge oats (OAT-1), case of 6 x 500 g bag, at £12.00 = £24.00" in body
    assert "Total inc VAT: £36.00" in body
    assert "Questions to Cora Ord" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"northern-wholefoods-order-weekly-order-{ordered.id}.csv"
    assert attachment.get_content_type() == "text/csv"
    content = attachment.get_content()
    content = content.decode() if isinstance(content, bytes) else content
    assert content.splitlines()[1:] == [
        "OAT-1,Porridge oats,500 g bag,6,2,12.00,0,24.00",
        "TEA-9,Tea,tin,4,1,10.00,20,10.00",
    ]
    record = sent_record(ordered)
    assert (record.order_sent_to, record.order_sent_by_id) == (
        "orders@northern.example",
        rounds.coordinator.id,
    )
    assert record.order_sent_at is not None

    again = text(
        coordinator.post(sheet_url(ordered, rounds.supplier.id, "send"), follow_redirects=True)
    )
    assert "The order is emailed" in again
    assert len(mailbox.to("orders@northern.example")) == 2


def test_sending_is_refused_for_a_supplier_without_email(coordinator, rounds, ordered, mailbox):
    rounds.supplier.email = ""
    db.session.commit()
    close(ordered)
    mailbox.messages.clear()  # the households' closing messages

    page = text(
        coordinator.post(sheet_url(ordered, rounds.supplier.id, "send"), follow_redirects=True)
    )

    assert "Northern Wholefoods has no email address." in page
    assert "print this page or download the CSV" in page
    assert mailbox.messages == []
    assert sent_record(ordered).order_sent_at is None


def test_sending_is_refused_before_the_round_closes(coordinator, rounds, ordered, mailbox):
    page = text(
        coordinator.post(sheet_url(ordered, rounds.supplier.id, "send"), follow_redirects=True)
    )

    assert "Order sheets are sent once the round is closed; this round is open." in page
    assert mailbox.messages == []
    assert sent_record(ordered).order_sent_at is None


def test_a_supplier_whose_order_was_sent_cannot_be_dropped(coordinator, rounds, ordered, mailbox):
    close(ordered)
    coordinator.post(sheet_url(ordered, rounds.supplier.id, "send"))

    page = text(
        coordinator.post(sheet_url(ordered, rounds.supplier.id, "drop"), follow_redirects=True)
    )

    assert "Northern Wholefoods' order was sent on" in page
    assert "it can no longer be dropped" in page
    assert sent_record(ordered).dropped_at is None


def test_a_supplier_not_in_the_round_has_no_sheet(coordinator, rounds, ordered):
    elsewhere = Supplier(coop=rounds.coop, name="Not offered")
    db.session.add(elsewhere)
    db.session.commit()

    for tail in ("sheet", "sheet.csv"):
        assert coordinator.get(sheet_url(ordered, elsewhere.id, tail)).status_code == 404
    assert coordinator.post(sheet_url(ordered, elsewhere.id, "send")).status_code == 404


def test_a_treasurer_reads_and_downloads_sheets_but_cannot_send(
    client, auth, rounds, ordered, factory, mailbox
):
    close(ordered)
    auth.login_as(factory.member(rounds.coop, Role.TREASURER))

    page = text(client.get(sheet_url(ordered, rounds.supplier.id)))

    assert "Order for Northern Wholefoods" in page
    assert sheet_url(ordered, rounds.supplier.id, "send") not in page
    assert client.get(sheet_url(ordered, rounds.supplier.id, "sheet.csv")).status_code == 200
    assert client.post(sheet_url(ordered, rounds.supplier.id, "send")).status_code == 403
    assert mailbox.to("orders@northern.example") == []


def test_a_member_cannot_see_an_order_sheet(client, auth, rounds, ordered):
    auth.login_as(rounds.households[0].user)

    assert client.get(sheet_url(ordered, rounds.supplier.id)).status_code == 403
    assert client.get(sheet_url(ordered, rounds.supplier.id, "sheet.csv")).status_code == 403


def test_the_sheets_of_a_round_cost_the_same_queries_however_many_items(rounds, count_queries):
    growers = Supplier(coop=rounds.coop, name="Ribble Valley Growers")
    db.session.add(growers)
    db.session.commit()

    def queries(round_) -> int:
        db.session.expire_all()
        with count_queries() as statements:
            sheets = order_sheets(round_=round_)
            assert sum(len(sheet.items) for sheet in sheets) > 0
        return len(statements)

    small = rounds.round(rounds.product())
    products = [rounds.product() for _ in range(5)] + [
        rounds.product(supplier=growers) for _ in range(5)
    ]
    big = rounds.round(*products)
    for product in products:
        for household in rounds.households:
            rounds.ask(big, product, household, 2)

    assert queries(big) == queries(small) <= 3


def test_a_cancelled_rounds_sheet_says_nothing_is_ordered(coordinator, rounds, ordered):
    ordered.state = RoundState.CANCELLED
    db.session.commit()

    page = text(coordinator.get(sheet_url(ordered, rounds.supplier.id)))

    assert "The round is cancelled, so nothing is ordered." in page
    assert "Nothing is ordered from Northern Wholefoods." in page
    assert "OAT-1" not in page
