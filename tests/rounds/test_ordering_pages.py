"""The ordering pages: what a household sees and changes, with and without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urljoin

import pytest
from support import count_rows, field_error, layout_problems, text

from coop.domain.catalogue import Tag
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Allocation, Membership, OrderRequest, Round, RoundSupplier
from coop.models.types import utcnow
from coop.services.rounds.closing import close_round
from coop.services.rounds.lifecycle import cancel_round
from rounds.ordering_support import indicator, item_card, item_url, order_url, place, queue

JSON = {"Accept": "application/json"}


@pytest.fixture
def member(rounds, auth):
    """The first household, logged in."""
    household = rounds.households[0]
    auth.login_as(household.user)
    return household


def test_a_member_sees_the_items_by_category_with_prices_and_the_deadline(rounds, client, member):
    oats = rounds.product(name="Porridge oats", category="Cereals", tag_bits=Tag.VEGAN.bit)
    rice = rounds.product(name="Brown rice", category="Grains", case_price_pence=1800)
    round_ = rounds.round(oats, rice, title="December order")

    response = client.get(order_url(round_))

    assert response.status_code == 200
    page = text(response)
    assert "<h1>December order</h1>" in page
    assert "Order by " in page
    assert page.index(">Cereals</h2>") < page.index("Porridge oats") < page.index(">Grains</h2>")
    oats_card = item_card(page, rounds.item(round_, oats).id)
    assert "£2.00</strong> per 500 g bag" in oats_card
    assert "case of 6" in oats_card
    assert "Vegan" in oats_card
    assert "No orders yet; a case holds 6." in oats_card
    assert "£3.00</strong> per 500 g bag" in item_card(page, rounds.item(round_, rice).id)
    assert "Available funds" in page
    assert "Orders are paid at settlement" in page
    assert not layout_problems(response.get_data(as_text=True))


def test_the_case_indicator_moves_as_other_households_order(rounds, client, member):
    oats = rounds.product(case_size=6)
    round_ = rounds.round(oats)
    item_id = rounds.item(round_, oats).id
    b, c = rounds.households[1:3]
    place(rounds, round_, oats, b, 4)

    page = text(client.get(order_url(round_)))
    assert indicator(page, item_id) == "4 of 6 in this case; 2 more needed"
    assert b.user.name not in page

    place(rounds, round_, oats, c, 2)

    assert indicator(text(client.get(order_url(round_))), item_id) == "Case full"


def test_a_member_of_another_coop_cannot_see_the_round(rounds, client, auth, factory):
    oats = rounds.product()
    round_ = rounds.round(oats)
    other = factory.coop(slug="ribbleton")
    auth.login_as(factory.member(other))

    assert client.get(f"/coops/ribbleton/rounds/{round_.id}").status_code == 404
    assert client.get(order_url(round_)).status_code == 403
    response = client.post(
        f"/coops/ribbleton/rounds/{round_.id}/items/{rounds.item(round_, oats).id}",
        data={"quantity": "2"},
    )
    assert response.status_code == 404
    assert count_rows(OrderRequest) == 0


def test_a_draft_round_is_not_found(rounds, client, member):
    oats = rounds.product()
    round_ = rounds.round(oats, state=RoundState.DRAFT)

    assert client.get(order_url(round_)).status_code == 404
    assert client.get(order_url(round_, "my-order")).status_code == 404
    assert client.get(order_url(round_, "cases.json")).status_code == 404
    response = client.post(item_url(rounds, round_, oats), data={"quantity": "1"})
    assert response.status_code == 404
    assert count_rows(OrderRequest) == 0


def test_a_cancelled_round_says_why(rounds, client, member):
    round_ = rounds.round(rounds.product())
    cancel_round(round_id=round_.id, reason="The van broke down", by=rounds.coordinator)
    db.session.commit()

    page = text(client.get(order_url(round_)))

    assert "This round was cancelled: The van broke down" in page


def test_saving_without_javascript_goes_back_to_the_item_keeping_the_filters(
    rounds, client, member
):
    oats = rounds.product(name="Porridge oats", category="Cereals", unit_label="500 g bag")
    round_ = rounds.round(oats)
    item_id = rounds.item(round_, oats).id

    response = client.post(
        item_url(rounds, round_, oats),
        data={"quantity": "4", "tolerance": "2", "q": "oats", "category": "Cereals"},
    )

    assert response.status_code == 302
    assert response.location == (f"{order_url(round_)}?q=oats&category=Cereals#item-{item_id}")
    page = text(client.get(response.location))
    card = item_card(page, item_id)
    # The page opens at the item, so the item itself says what was saved.
    assert "Saved: 4 of Porridge oats (500 g bag), and up to 2 more to help fill a case." in card
    assert "Saved: 4" not in text(client.get(response.location))  # said once
    assert 'id="quantity-' + str(item_id) + '" name="quantity" value="4"' in card
    assert 'name="tolerance" value="2"' in card
    assert "Yours: <span data-line>£8.00</span>" in card
    assert '<span id="order-total">£8.00</span>' in page
    assert '<span id="available-funds">-£8.00</span>' in page
    assert queue(rounds, round_, oats) == [(member.id, 4, 2)]


def test_taking_out_an_item_the_filter_then_hides_says_so_at_the_top(rounds, client, member):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    place(rounds, round_, oats, member, 2)

    response = client.post(
        item_url(rounds, round_, oats), data={"quantity": "0", "mine": "y"}, follow_redirects=True
    )

    page = text(response)
    assert 'class="flash flash-success"' in page
    assert "Porridge oats is no longer in your order." in page


@pytest.mark.parametrize("typed", ["abc", "-1", "2.5"])
def test_a_bad_number_shows_next_to_its_field_and_is_kept(rounds, client, member, typed):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    item_id = rounds.item(round_, oats).id

    response = client.post(item_url(rounds, round_, oats), data={"quantity": typed, "q": "oat"})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, f"quantity-{item_id}") == "Enter a whole number from 0 to 10000."
    assert f'name="quantity" value="{typed}"' in item_card(text(response), item_id)
    assert "There is a problem" in html
    assert f'<a href="#quantity-{item_id}">Porridge oats, how many</a>' in html
    # The filters stay on the page the error is shown on.
    assert 'id="q" name="q" type="search" value="oat"' in html
    assert not layout_problems(html)
    assert count_rows(OrderRequest) == 0


def _forms(html: str) -> list[dict[str, str | None]]:
    """Return the attributes of every <form> on a page, in order."""
    return [
        dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', tag))
        for tag in re.findall(r"<form\b([^>]*)>", html)
    ]


def test_searching_after_a_refused_entry_without_javascript_searches(rounds, client, member):
    oats = rounds.product(name="Porridge oats", category="Cereals")
    rice = rounds.product(name="Brown rice", category="Grains")
    round_ = rounds.round(oats, rice)
    refused_at = item_url(rounds, round_, oats)
    refused = client.post(refused_at, data={"quantity": "lots"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)

    forms = _forms(html)
    search = next(form for form in forms if form.get("role") == "search")
    # Submitted as a browser would: to its action, resolved against the address shown.
    action = urljoin(f"http://localhost{refused_at}", search.get("action") or "")
    assert (search.get("method") or "get").lower() == "get"
    response = client.get(action, query_string={"q": "rice"})

    assert response.status_code == 200
    page = text(response)
    assert "1 of 2 items match." in page
    assert "Brown rice" in page
    assert "Porridge oats" not in page
    # Every form on the page says where it goes, so none sends to the item's address by default.
    assert all(form.get("action") for form in forms)


def test_more_than_the_limit_is_refused_next_to_the_field(rounds, client, member):
    oats = rounds.product()
    round_ = rounds.round(oats, max_per_household=5)
    item_id = rounds.item(round_, oats).id
    place(rounds, round_, oats, member, 1)

    response = client.post(item_url(rounds, round_, oats), data={"quantity": "3", "tolerance": "3"})

    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), f"tolerance-{item_id}") == (
        "At most 5 per household for this item. That counts the extra units too."
    )
    assert 'name="tolerance" value="3"' in item_card(text(response), item_id)
    assert queue(rounds, round_, oats) == [(member.id, 1, 0)]


def test_after_the_deadline_a_change_is_refused_with_a_message(rounds, client, member):
    oats = rounds.product()
    round_ = rounds.round(oats)
    place(rounds, round_, oats, member, 2)
    db.session.get(Round, round_.id).closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = client.post(
        item_url(rounds, round_, oats), data={"quantity": "5"}, follow_redirects=True
    )

    page = text(response)
    assert "The deadline for this round passed at " in page
    assert "your order can no longer change." in page
    assert 'name="quantity"' not in page  # no forms once the deadline has passed
    assert queue(rounds, round_, oats) == [(member.id, 2, 0)]


def test_javascript_gets_the_new_indicator_line_and_totals(rounds, client, member):
    oats = rounds.product(case_size=6, case_price_pence=1200)
    round_ = rounds.round(oats)
    place(rounds, round_, oats, rounds.households[1], 4)

    response = client.post(
        item_url(rounds, round_, oats), data={"quantity": "2", "tolerance": "1"}, headers=JSON
    )

    assert response.status_code == 200
    answer = response.get_json()
    assert answer["indicator"] == "Case full"
    assert answer["quantity"] == 2 and answer["tolerance"] == 1
    assert (answer["line_pence"], answer["line"]) == (400, "£4.00")
    assert (answer["total_pence"], answer["total"]) == (400, "£4.00")
    assert (answer["available_pence"], answer["available"]) == (-400, "-£4.00")
    assert answer["message"].startswith("Saved: 2 of ")


def test_javascript_gets_errors_by_field(rounds, client, member):
    oats = rounds.product()
    round_ = rounds.round(oats, max_per_household=3)

    bad = client.post(item_url(rounds, round_, oats), data={"quantity": "lots"}, headers=JSON)
    too_many = client.post(item_url(rounds, round_, oats), data={"quantity": "4"}, headers=JSON)

    assert bad.status_code == 400
    assert bad.get_json() == {"errors": {"quantity": "Enter a whole number from 0 to 10000."}}
    assert too_many.status_code == 400
    assert too_many.get_json() == {"errors": {"quantity": "At most 3 per household for this item."}}
    assert count_rows(OrderRequest) == 0


def test_javascript_gets_a_conflict_once_the_round_has_closed(rounds, client, member):
    oats = rounds.product()
    round_ = rounds.round(oats)
    close_round(round_id=round_.id, by=None)
    db.session.commit()

    response = client.post(item_url(rounds, round_, oats), data={"quantity": "1"}, headers=JSON)

    assert response.status_code == 409
    assert response.get_json() == {
        "errors": {"item": "This round has closed; your order can no longer change."}
    }


def test_an_item_of_another_round_of_the_coop_is_refused_clearly(rounds, client, member):
    oats, rice = rounds.product(), rounds.product()
    first, second = rounds.round(oats), rounds.round(rice)
    url = order_url(first, "items", str(rounds.item(second, rice).id))

    response = client.post(url, data={"quantity": "1"}, headers=JSON)

    assert response.status_code == 409
    assert response.get_json() == {"errors": {"item": "That item is not in this round."}}
    assert count_rows(OrderRequest) == 0


def test_the_case_indicators_come_as_json(rounds, client, member):
    oats, rice = rounds.product(case_size=6), rounds.product(case_size=4)
    round_ = rounds.round(oats, rice)
    place(rounds, round_, oats, rounds.households[1], 7)

    answer = client.get(order_url(round_, "cases.json")).get_json()

    assert answer["open"] is True
    assert {item["id"]: item["indicator"] for item in answer["items"]} == {
        rounds.item(round_, oats).id: "1 full, then 1 of 6 in this case; 5 more needed",
        rounds.item(round_, rice).id: "No orders yet; a case holds 4.",
    }


def test_filters_narrow_the_items(rounds, client, member):
    oats = rounds.product(name="Porridge oats", category="Cereals", tag_bits=Tag.VEGAN.bit)
    flakes = rounds.product(
        name="Corn flakes", category="Cereals", tag_bits=Tag.VEGAN.bit | Tag.GLUTEN_FREE.bit
    )
    rice = rounds.product(name="Brown rice", category="Grains", tag_bits=Tag.GLUTEN_FREE.bit)
    round_ = rounds.round(oats, flakes, rice)
    place(rounds, round_, rice, member, 1)

    def names(**args) -> list[str]:
        page = text(client.get(order_url(round_), query_string=args))
        return [name for name in ("Porridge oats", "Corn flakes", "Brown rice") if name in page]

    assert names() == ["Porridge oats", "Corn flakes", "Brown rice"]
    assert names(q="OATS") == ["Porridge oats"]
    assert names(category="Grains") == ["Brown rice"]
    assert names(tag=["vegan", "gluten-free"]) == ["Corn flakes"]
    assert names(mine="y") == ["Brown rice"]
    assert "No item matches." in text(client.get(order_url(round_), query_string={"q": "tea"}))


def test_a_dropped_suppliers_items_show_as_not_available(rounds, client, member):
    oats = rounds.product(name="Porridge oats")
    round_ = rounds.round(oats)
    place(rounds, round_, oats, member, 2)
    for round_supplier in db.session.scalars(db.select(RoundSupplier)):
        round_supplier.dropped_at = utcnow()
    db.session.commit()

    card = item_card(text(client.get(order_url(round_))), rounds.item(round_, oats).id)

    assert "Not available in this round." in card
    assert "The 2 you asked for will not be ordered." in card
    assert 'name="quantity"' not in card


def test_the_printable_order_lists_what_was_asked_for(rounds, client, member):
    oats = rounds.product(name="Porridge oats")
    rice = rounds.product(name="Brown rice")
    round_ = rounds.round(oats, rice, title="December order")
    place(rounds, round_, oats, member, 3, 2)

    response = client.get(order_url(round_, "my-order"))

    page = text(response)
    assert "<h1>Your order: December order</h1>" in page
    assert member.user.name in page
    assert "Porridge oats" in page and "Brown rice" not in page
    assert '<td data-label="How many">3</td>' in page
    assert '<td data-label="Extra to fill a case">2</td>' in page
    assert "£6.00" in page
    assert "css/ordering.css" in page
    stylesheet = client.get("/static/css/coop.css")
    assert "@media print" in stylesheet.get_data(as_text=True)
    stylesheet.close()
    assert not layout_problems(response.get_data(as_text=True))


def test_after_closing_the_page_shows_what_the_household_will_receive(rounds, client, member):
    oats = rounds.product(name="Porridge oats", case_size=6)
    rice = rounds.product(name="Brown rice", case_size=6)
    round_ = rounds.round(oats, rice)
    place(rounds, round_, oats, member, 4)
    place(rounds, round_, oats, rounds.households[1], 4)
    place(rounds, round_, rice, member, 1)
    close_round(round_id=round_.id, by=None)
    db.session.commit()

    response = client.get(order_url(round_))

    page = text(response)
    assert "What you will receive" in page
    assert 'name="quantity"' not in page
    oats_row = page[page.index("Porridge oats") : page.index("</tr>", page.index("Porridge oats"))]
    assert '<td data-label="Asked for">4</td>' in oats_row
    assert "<strong>4</strong>" in oats_row
    rice_row = page[page.index("Brown rice") : page.index("</tr>", page.index("Brown rice"))]
    assert "<strong>0</strong>" in rice_row
    assert "(the case did not fill)" in rice_row
    assert "£8.00" in page
    assert not layout_problems(response.get_data(as_text=True))
    printable = text(client.get(order_url(round_, "my-order")))
    assert "What you will receive" in printable


def test_after_receiving_the_page_shows_what_changed(rounds, client, member):
    oats = rounds.product(name="Porridge oats", case_size=6)
    round_ = rounds.round(oats)
    place(rounds, round_, oats, member, 6)
    close_round(round_id=round_.id, by=None)
    # Receiving belongs to its own service; here the outcome is written directly.
    allocation = db.session.scalars(db.select(Allocation)).one()
    allocation.computed_units = 5
    item = rounds.item(round_, oats)
    item.units_received = 5
    item.substitute = "Jumbo oats"
    db.session.get(Round, round_.id).state = RoundState.RECEIVED
    db.session.commit()

    page = text(client.get(order_url(round_)))

    assert "What you receive" in page
    assert "<strong>5</strong>" in page
    assert "(was 6 at closing)" in page
    assert "Substituted: Jumbo oats" in page


def test_the_rounds_list_puts_open_rounds_first_then_recent_ones(rounds, client, member):
    oats = rounds.product()
    past = rounds.round(oats, title="November order")
    place(rounds, past, oats, member, 6)
    close_round(round_id=past.id, by=None)
    db.session.commit()
    current = rounds.round(oats, title="December order")
    rounds.round(oats, title="Not yet", state=RoundState.DRAFT)

    response = client.get(f"/coops/{rounds.coop.slug}/rounds")

    page = text(response)
    assert page.index("December order") < page.index("November order")
    assert "Not yet" not in page
    assert f'href="{order_url(current)}">Order<' in page
    assert f'href="{order_url(past)}">Your order<' in page
    assert not layout_problems(response.get_data(as_text=True))


def test_the_coop_home_page_links_to_the_open_round_and_its_deadline(rounds, client, member):
    round_ = rounds.round(rounds.product(), title="December order")

    page = text(client.get(f"/coops/{rounds.coop.slug}/"))

    assert f'<a href="{order_url(round_)}">December order</a>' in page
    assert "order by " in page
    assert f"/coops/{rounds.coop.slug}/rounds" in page


def test_coordinators_order_like_any_household(rounds, client, auth):
    oats = rounds.product()
    round_ = rounds.round(oats)
    auth.login_as(rounds.coordinator)
    coordinator = db.session.scalar(
        db.select(Membership.id).where(Membership.user_id == rounds.coordinator.id)
    )

    response = client.post(item_url(rounds, round_, oats), data={"quantity": "2"})

    assert response.status_code == 302
    assert queue(rounds, round_, oats) == [(coordinator, 2, 0)]
