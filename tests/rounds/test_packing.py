"""Packing lists by household and by product, the pickup sheet, collections and the stock."""

from __future__ import annotations

import csv
import io

import pytest
from support import CHROMIUM, PHONE, count_rows, layout_problems, text

from coop.domain.packing import split_cases
from coop.domain.roles import Role
from coop.extensions import db
from coop.models import Collection
from coop.services.rounds.receiving import Arrived
from rounds.receiving_support import allocation_of, close, form_data, receive, words

ADMIN = "/coops/fishwick/admin"


@pytest.fixture
def packed(rounds):
    """A closed round: oats (case of 6) and rice (case of 4) shared between three households.

    Zara asks 4 oats and 2 rice, Adam 2 oats, Mia 3 rice (with 1 more accepted).
    """
    zara, adam, mia = rounds.households[:3]
    for household, name in ((zara, "Zara Quinn"), (adam, "Adam Ant"), (mia, "Mia Long")):
        household.user.name = name
    db.session.commit()
    oats = rounds.product(name="Porridge oats", case_size=6, case_price_pence=1200)
    rice = rounds.product(name="Brown rice", case_size=4, unit_label="1 kg", case_price_pence=800)
    round_ = rounds.round(oats, rice)
    rounds.ask(round_, oats, zara, 4)
    rounds.ask(round_, oats, adam, 2)
    rounds.ask(round_, rice, zara, 2)
    rounds.ask(round_, rice, mia, 1, 1)
    close(round_)
    return round_, oats, rice


def url(round_, path: str = "") -> str:
    return f"{ADMIN}/rounds/{round_.id}/{path}"


def csv_rows(response) -> list[list[str]]:
    content = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


# --- by household ----------------------------------------------------------------


def test_each_household_gets_a_section_in_alphabetical_order(rounds, packed, client, auth):
    round_, _, _ = packed
    auth.login_as(rounds.coordinator)

    response = client.get(url(round_, "packing"))

    page = words(response)
    assert response.status_code == 200
    assert page.index("Adam Ant") < page.index("Mia Long") < page.index("Zara Quinn")
    zara = page[page.index("Zara Quinn") :]
    assert "Brown rice 2 1 kg" in zara
    assert "Porridge oats 4 500 g bag" in zara
    assert "2 items, 6 units" in zara
    assert 'class="bag"' in text(response)
    assert "css/packing.css" in text(response)


def test_the_packing_list_follows_what_arrived(rounds, packed, client, auth):
    round_, oats, _ = packed
    receive(rounds, round_, Arrived(item_id=rounds.item(round_, oats).id, amount=3))
    auth.login_as(rounds.coordinator)

    page = words(client.get(url(round_, "packing")))

    # First come: Zara asked first, so the three units that came are hers.
    assert "Adam Ant" not in page
    assert "Porridge oats 3 500 g bag" in page


def test_the_packing_list_downloads_as_csv_with_formulas_made_harmless(
    rounds, packed, client, auth
):
    round_, _, _ = packed
    rounds.households[1].user.name = "=HYPERLINK(evil)"
    db.session.commit()
    auth.login_as(rounds.coordinator)

    response = client.get(url(round_, "packing.csv"))

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["household", "code", "item", "units", "unit", "sent instead"]
    assert ["'=HYPERLINK(evil)", "R0001", "Porridge oats", "2", "500 g bag", ""] in rows
    assert ["Zara Quinn", "R0002", "Brown rice", "2", "1 kg", ""] in rows
    assert len(rows) == 1 + 4


# --- by product --------------------------------------------------------------------


def test_cases_are_filled_share_by_share_with_the_rest_to_stock():
    cases = split_cases([("A", 4), ("B", 3), ("C", 2)], 6, 12)

    assert [(case.shares, case.stock) for case in cases] == [
        ([("A", 4), ("B", 2)], 0),
        ([("B", 1), ("C", 2)], 3),
    ]


def test_a_part_case_holds_what_is_left_of_a_short_delivery():
    cases = split_cases([("A", 6), ("B", 4)], 6, 10)

    assert [(case.size, case.shares) for case in cases] == [(6, [("A", 6)]), (4, [("B", 4)])]


def test_the_product_list_shows_each_households_units_and_the_stock(rounds, packed, client, auth):
    round_, _, _ = packed
    auth.login_as(rounds.coordinator)

    response = client.get(url(round_, "packing/products"))

    page = words(response)
    rice = page[page.index("Brown rice") : page.index("Porridge oats")]
    assert "4 × 1 kg to share (1 case of 4 ordered)" in rice  # noqa: RUF001
    assert "Mia Long 2" in rice and "Zara Quinn 2" in rice
    oats = page[page.index("Porridge oats") :]
    assert "Adam Ant 2" in oats and "Zara Quinn 4" in oats
    assert "Case 1: Adam Ant 2, Zara Quinn 4" in oats


def test_the_product_list_downloads_as_csv(rounds, packed, client, auth):
    round_, oats, _ = packed
    receive(
        rounds,
        round_,
        Arrived(item_id=rounds.item(round_, oats).id, amount=7, more_arrived=True),
    )
    auth.login_as(rounds.coordinator)

    rows = csv_rows(client.get(url(round_, "packing/products.csv")))

    assert rows[0] == ["code", "item", "unit", "case size", "units available", "household", "units"]
    assert ["R0001", "Porridge oats", "500 g bag", "6", "7", "Stock (the co-op's)", "1"] in rows
    assert ["R0002", "Brown rice", "1 kg", "4", "4", "Mia Long", "2"] in rows


# --- pickup ------------------------------------------------------------------------


def test_the_pickup_sheet_lists_households_with_something_to_collect(rounds, packed, client, auth):
    round_, _, _ = packed
    auth.login_as(rounds.coordinator)

    page = words(client.get(url(round_, "pickup")))

    assert "0 of 3 households have collected." in page
    assert "Adam Ant 1 2" in page
    assert "Zara Quinn 2 6" in page
    assert "Household 4" not in page


def test_a_collection_is_recorded_and_undone(rounds, packed, client, auth):
    round_, _, _ = packed
    adam = rounds.households[1]
    auth.login_as(rounds.coordinator)

    response = client.post(
        url(round_, f"pickup/{adam.id}"), data={"collected": "1"}, follow_redirects=True
    )

    assert "Adam Ant has collected." in text(response)
    assert "1 of 3 households have collected." in words(response)
    assert count_rows(Collection, Collection.membership_id == adam.id) == 1
    collection = db.session.scalars(db.select(Collection)).one()
    assert collection.recorded_by_id == rounds.coordinator.id

    client.post(url(round_, f"pickup/{adam.id}"), data={"collected": "1"})
    assert count_rows(Collection) == 1

    response = client.post(
        url(round_, f"pickup/{adam.id}"), data={"collected": "0"}, follow_redirects=True
    )

    assert "Adam Ant is marked as not collected yet." in text(response)
    assert count_rows(Collection) == 0


def test_the_pickup_sheet_downloads_as_csv(rounds, packed, client, auth):
    round_, _, _ = packed
    auth.login_as(rounds.coordinator)
    client.post(url(round_, f"pickup/{rounds.households[0].id}"), data={"collected": "1"})

    rows = csv_rows(client.get(url(round_, "pickup.csv")))

    assert rows[0] == ["household", "items", "units", "collected"]
    assert rows[1] == ["Adam Ant", "1", "2", ""]
    assert rows[3][:3] == ["Zara Quinn", "2", "6"] and rows[3][3] != ""


def test_a_household_with_nothing_to_collect_is_refused(rounds, packed, client, auth):
    round_, _, _ = packed
    auth.login_as(rounds.coordinator)

    response = client.post(
        url(round_, f"pickup/{rounds.households[3].id}"),
        data={"collected": "1"},
        follow_redirects=True,
    )

    assert "That household has nothing to collect in this round." in text(response)
    assert count_rows(Collection) == 0


def test_a_household_of_another_coop_is_not_found(rounds, packed, client, auth, factory):
    round_, _, _ = packed
    stranger = factory.membership(coop=factory.coop(slug="elsewhere"))
    auth.login_as(rounds.coordinator)

    response = client.post(url(round_, f"pickup/{stranger.id}"), data={"collected": "1"})

    assert response.status_code == 404
    assert count_rows(Collection) == 0


def test_a_treasurer_sees_the_lists_and_records_collections_but_does_not_receive(
    rounds, packed, client, auth, factory
):
    round_, _, _ = packed
    auth.login_as(factory.member(rounds.coop, Role.TREASURER))

    for path in ("packing", "packing.csv", "packing/products", "packing/products.csv", "pickup"):
        assert client.get(url(round_, path)).status_code == 200, path
    page = text(client.get(url(round_, "pickup")))
    assert "Record the delivery" not in page
    response = client.post(
        url(round_, f"pickup/{rounds.households[0].id}"), data={"collected": "1"}
    )
    assert response.status_code == 302
    assert count_rows(Collection) == 1
    assert client.get(url(round_, "receive")).status_code == 403


def test_a_member_may_not_see_packing_or_record_collections(rounds, packed, client, auth):
    round_, _, _ = packed
    auth.login_as(rounds.households[0].user)

    for path in ("packing", "packing.csv", "packing/products", "pickup", "pickup.csv"):
        assert client.get(url(round_, path)).status_code == 403, path
    response = client.post(
        url(round_, f"pickup/{rounds.households[0].id}"), data={"collected": "1"}
    )
    assert response.status_code == 403
    assert client.get(f"{ADMIN}/stock").status_code == 403
    assert count_rows(Collection) == 0


def test_an_open_round_has_nothing_to_pack_yet(rounds, client, auth):
    round_ = rounds.round(rounds.product())
    auth.login_as(rounds.coordinator)

    assert "Packing lists are ready once it has closed." in text(client.get(url(round_, "packing")))
    assert client.get(url(round_, "packing.csv")).status_code == 404


@pytest.mark.parametrize(
    "path", ["packing", "packing/products", "pickup", "packing.csv", "allocations"]
)
def test_the_lists_take_the_same_queries_for_many_households(
    rounds, client, auth, factory, count_queries, path
):
    def queries(households: int) -> int:
        oats = rounds.product(name="Porridge oats", case_size=2)
        round_ = rounds.round(oats)
        for household in factory.households(rounds.coop, households):
            rounds.ask(round_, oats, household, 2)
        close(round_)
        client.get(url(round_, path))  # warm up: the login, the co-op
        with count_queries() as statements:
            assert client.get(url(round_, path)).status_code == 200
        return len(statements)

    auth.login_as(rounds.coordinator)

    assert queries(2) == queries(12)


# --- stock -------------------------------------------------------------------------


def test_the_stock_lists_what_nobody_was_given_at_cost(rounds, packed, client, auth, factory):
    round_, oats, _ = packed
    receive(
        rounds,
        round_,
        Arrived(item_id=rounds.item(round_, oats).id, amount=9, more_arrived=True),
    )
    auth.login_as(factory.member(rounds.coop, Role.TREASURER))

    page = words(client.get(f"{ADMIN}/stock"))

    # 9 oats arrived for 6 asked (no tolerance): 3 are the co-op's, at £12.00 / 6 = £2.00.
    assert "Porridge oats R0001 3 × 500 g bag Weekly order" in page  # noqa: RUF001
    assert "£2.00 £6.00" in page
    assert "worth £6.00 at cost ex VAT" in page


def test_a_round_not_yet_received_adds_nothing_to_the_stock(rounds, client, auth):
    oats = rounds.product(name="Porridge oats", case_size=6)
    round_ = rounds.round(oats, fill_percent=50)
    rounds.ask(round_, oats, rounds.households[0], 4)
    close(round_)
    assert rounds.item(round_, oats).surplus_units == 2
    auth.login_as(rounds.coordinator)

    assert "No stock" in text(client.get(f"{ADMIN}/stock"))


# --- print --------------------------------------------------------------------------


PRINTED = """
() => ({
  header: getComputedStyle(document.querySelector(".site-header")).display,
  nav: getComputedStyle(document.querySelector("nav.stages")).display,
  breaks: Array.from(document.querySelectorAll(".bag"))
    .map((bag) => getComputedStyle(bag).breakBefore),
})
"""


def log_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda address: "/login" not in address)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_a_printed_packing_list_puts_each_household_on_its_own_page(rounds, packed, page):
    round_, _, _ = packed
    log_in(page, rounds.coordinator)

    page.goto(url(round_, "packing"))
    page.emulate_media(media="print")
    printed = page.evaluate(PRINTED)

    assert printed["header"] == "none" and printed["nav"] == "none"
    assert printed["breaks"] == ["auto", "page", "page"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_pages_fit_a_phone(rounds, packed, page):
    round_, _, _ = packed
    log_in(page, rounds.coordinator)
    wide = {}

    for path in ("receive", "allocations", "packing", "packing/products", "pickup"):
        page.goto(url(round_, path))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = width

    assert wide == {}


# --- layout ---------------------------------------------------------------------------


def test_every_page_of_receiving_and_packing_follows_the_layout(rounds, packed, client, auth):
    round_, oats, _ = packed
    oats_id = rounds.item(round_, oats).id
    allocation = allocation_of(rounds, round_, oats, rounds.households[0])
    auth.login_as(rounds.coordinator)
    paths = [
        "receive",
        "allocations",
        f"allocations/{allocation.id}",
        "packing",
        "packing/products",
        "pickup",
    ]
    pages = {path: client.get(url(round_, path)) for path in paths}
    pages["receive, refused"] = client.post(
        url(round_, "receive"), data=form_data(round_, **{str(oats_id): {"amount": "x"}})
    )
    pages["allocation, refused"] = client.post(
        url(round_, f"allocations/{allocation.id}"), data={"units": "9", "reason": ""}
    )
    client.post(url(round_, "receive"), data=form_data(round_))
    pages["receive, received"] = client.get(url(round_, "receive"))
    pages["stock"] = client.get(f"{ADMIN}/stock")

    problems = [
        f"{name}: {problem}"
        for name, response in pages.items()
        for problem in layout_problems(response.get_data(as_text=True))
    ]

    assert all(response.status_code == 200 for response in pages.values())
    assert not problems, "\n".join(problems)
