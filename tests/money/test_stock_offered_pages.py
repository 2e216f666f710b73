"""The pages a round with an item from the co-op's stock goes through, from items to the bill."""

from __future__ import annotations

from support import layout_problems, text

from coop.extensions import db
from coop.models import RoundItem
from coop.services.rounds.closing import close_round
from coop.services.rounds.receiving import Arrived, receive_round
from money.test_stock_offered import later_round, offer, offered_item, order, stock_of_oats
from money.treasury_support import treasurer

ADMIN = "/coops/fishwick/admin"


def test_a_round_s_pages_show_stock_as_from_the_co_op_and_no_supplier_orders_it(
    rounds, client, auth
):
    tess = treasurer(rounds)
    source = stock_of_oats(rounds)
    december, rice = later_round(rounds)
    offer(rounds, tess, source, december, 3)
    buyer = rounds.households[1]
    order(december, offered_item(december), buyer, 2)
    rounds.ask(december, rice, rounds.households[2], 2)
    auth.login_as(rounds.coordinator)

    items = client.get(f"{ADMIN}/rounds/{december.id}/items")
    assert items.status_code == 200
    assert "The co-op's stock" in text(items) and "Porridge oats" in text(items)
    assert client.get(f"{ADMIN}/rounds/{december.id}").status_code == 200

    close_round(round_id=december.id, by=None)
    db.session.commit()

    sheet = client.get(f"{ADMIN}/rounds/{december.id}/suppliers/{rounds.supplier.id}/sheet")
    assert sheet.status_code == 200
    assert "Rice" in text(sheet) and "Porridge oats" not in text(sheet)
    receive = text(client.get(f"{ADMIN}/rounds/{december.id}/receive"))
    assert "Rice" in receive and "Porridge oats" not in receive  # nothing to receive: it is here
    for page in ("allocations", "packing", "packing/products", "pickup"):
        response = client.get(f"{ADMIN}/rounds/{december.id}/{page}")
        assert response.status_code == 200, page
        if page != "pickup":
            assert "Porridge oats" in text(response), page

    rice_item = rounds.item(december, rice)
    receive_round(
        round_id=december.id,
        by=rounds.coordinator,
        lines=[Arrived(item_id=rice_item.id, amount=rice_item.units_ordered or 0)],
    )
    db.session.commit()
    assert db.session.get(RoundItem, offered_item(december).id).units_received is None
    auth.logout()
    auth.login_as(tess)
    preview = client.get(f"{ADMIN}/rounds/{december.id}/settle")
    assert preview.status_code == 200
    assert "plus the co-op's own stock sold £4.40" in text(preview)
    client.post(f"{ADMIN}/rounds/{december.id}/settle", data={}, follow_redirects=True)
    stock_page = client.get(f"{ADMIN}/money/stock")
    assert not layout_problems(stock_page.get_data(as_text=True))
    assert "December order, 3 offered" in text(stock_page)

    auth.logout()
    auth.login_as(buyer.user)
    bill = text(client.get(f"/coops/fishwick/rounds/{december.id}/bill"))
    assert "Porridge oats" in bill and "The co-op's stock" in bill and "£4.40" in bill
