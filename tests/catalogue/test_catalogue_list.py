"""The catalogue list: search, filters, sorting, pages, member prices, and its cost."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from support import text

from coop.domain.catalogue import Tag
from coop.extensions import db

CATALOGUE = "/coops/fishwick/admin/catalogue"


def names(response) -> list[str]:
    """Return the product names in the list, in order."""
    return re.findall(r'<td data-label="Name"><a href="[^"]+">([^<]+)</a>', text(response))


@pytest.fixture
def supplier(two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")
    for code, name, category, price, tags, maker, available in [
        ("RICE-5", "Basmati Rice", "Dry goods", 1200, Tag.VEGAN.bit, "Tilda", True),
        ("PAS-10", "Penne Pasta", "Dry goods", 800, Tag.VEGAN.bit, "Napolina", True),
        ("TOM-24", "Chopped Tomatoes", "Tins", 950, Tag.VEGAN.bit | Tag.ORGANIC.bit, "Mutti", True),
        ("SOAP-1", "Hand Soap", "Cleaning", 1500, 0, "Ecover", False),
        ("LEN-3", "Red Lentils 100%_pure", "Dry goods", 600, Tag.ORGANIC.bit, "Suma", True),
    ]:
        catalogue.product(
            supplier,
            code=code,
            name=name,
            category=category,
            case_price_pence=price,
            tag_bits=tags,
            manufacturer=maker,
            available=available,
        )
    return supplier


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=rice", ["Basmati Rice"]),
        ("q=RICE", ["Basmati Rice"]),
        ("q=pas-1", ["Penne Pasta"]),  # code
        ("q=mUtTi", ["Chopped Tomatoes"]),  # manufacturer
        ("q=100%25_", ["Red Lentils 100%_pure"]),  # % and _ are plain characters
        ("q=%25", ["Red Lentils 100%_pure"]),
        ("q=nothing+like+it", []),
        ("category=Dry+goods", ["Basmati Rice", "Penne Pasta", "Red Lentils 100%_pure"]),
        ("tag=organic", ["Chopped Tomatoes", "Red Lentils 100%_pure"]),
        (
            "available=y",
            ["Basmati Rice", "Chopped Tomatoes", "Penne Pasta", "Red Lentils 100%_pure"],
        ),
        ("q=a&category=Dry+goods&tag=vegan", ["Basmati Rice", "Penne Pasta"]),
    ],
)
def test_search_and_filters_give_the_matching_products(coordinator, supplier, query, expected):
    response = coordinator.get(f"{CATALOGUE}?{query}")

    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Basmati", "Chopped", "Hand", "Penne", "Red"]),
        ("sort=name&order=desc", ["Red", "Penne", "Hand", "Chopped", "Basmati"]),
        ("sort=code", ["Red", "Penne", "Basmati", "Hand", "Chopped"]),
        ("sort=price", ["Red", "Penne", "Chopped", "Basmati", "Hand"]),
        ("sort=price&order=desc", ["Hand", "Basmati", "Chopped", "Penne", "Red"]),
        ("sort=category", ["Hand", "Basmati", "Penne", "Red", "Chopped"]),
        ("sort=category&order=desc", ["Chopped", "Red", "Penne", "Basmati", "Hand"]),
    ],
)
def test_sorting(coordinator, supplier, query, expected):
    found = names(coordinator.get(f"{CATALOGUE}?{query}"))

    assert [name.split()[0] for name in found] == expected


def test_unknown_choices_in_the_address_are_ignored(coordinator, supplier):
    response = coordinator.get(f"{CATALOGUE}?sort=colour&order=up&tag=spicy&category=Toys&page=x")

    assert response.status_code == 200
    assert len(names(response)) == 5


def test_the_category_filter_offers_the_categories_in_use(coordinator, supplier):
    page = text(coordinator.get(f"{CATALOGUE}?category=Tins"))

    assert '<option value="Cleaning">Cleaning</option>' in page
    assert '<option selected value="Tins">Tins</option>' in page


def test_pages_of_fifty_with_links_that_keep_the_search(coordinator, two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop)
    catalogue.many(supplier, 130, lambda i: {"available": i % 10 != 0})

    first = coordinator.get(f"{CATALOGUE}?q=bulk&available=y&sort=code&slug=other")
    assert len(names(first)) == 50
    assert "Products 1 to 50 of 117" in text(first)

    links = re.findall(r'<a href="([^"]+)" rel="next">', text(first))
    assert len(links) == 1
    query = parse_qs(urlsplit(links[0]).query)
    assert query == {"q": ["bulk"], "available": ["y"], "sort": ["code"], "page": ["2"]}

    last = coordinator.get(f"{CATALOGUE}?q=bulk&available=y&sort=code&page=3")
    assert "Products 101 to 117 of 117" in text(last)
    assert names(last)[-1] == "Bulk product 00129"
    assert 'rel="next"' not in text(last)


def test_a_page_past_the_end_shows_the_last_page(coordinator, two_coops, catalogue):
    catalogue.many(catalogue.supplier(two_coops.coop), 60)

    response = coordinator.get(f"{CATALOGUE}?page=9")

    assert "Products 51 to 60 of 60" in text(response)


def test_the_coop_catalogue_holds_own_and_shared_suppliers_only(coordinator, two_coops, catalogue):
    own = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")
    catalogue.product(own, name="Oats")
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    catalogue.product(shared, name="Leeks")
    catalogue.subscribe(two_coops.coop, shared)
    catalogue.product(catalogue.supplier(two_coops.other_coop), name="Private Beans")

    response = coordinator.get(CATALOGUE)

    assert names(response) == ["Leeks", "Oats"]
    assert "Ribble Valley Growers" in text(response)


def test_a_supplier_catalogue_holds_only_that_supplier(coordinator, two_coops, catalogue):
    own = catalogue.supplier(two_coops.coop)
    catalogue.product(own, name="Oats")
    catalogue.product(catalogue.supplier(two_coops.coop), name="Leeks")

    assert names(coordinator.get(f"/coops/fishwick/admin/suppliers/{own.id}/products")) == ["Oats"]


def test_member_prices_carry_vat_and_the_viewing_coops_markup(client, auth, two_coops, catalogue):
    shared = catalogue.supplier(two_coops.other_coop)
    catalogue.product(shared, name="Soap", case_price_pence=1200, case_size=6, vat_bp=2000)
    catalogue.subscribe(two_coops.coop, shared)
    two_coops.coop.markup_bp = 250
    two_coops.other_coop.markup_bp = 1000
    db.session.commit()

    auth.login_as(two_coops.coordinator)
    ours = text(client.get(CATALOGUE))
    auth.logout()
    auth.login_as(two_coops.other_coordinator)
    theirs = text(client.get("/coops/ribbleton/admin/catalogue"))

    assert '<td data-label="Case price ex VAT">£12.00</td>' in ours
    # 200p a unit, plus 20% VAT: 240p; plus 2.5% = 246p here, plus 10% = 264p there.
    assert '<td data-label="Member price per unit">£2.46</td>' in ours
    assert '<td data-label="Member price per unit">£2.64</td>' in theirs


def test_product_links_name_the_unit_so_pack_sizes_differ(two_coops, catalogue, coordinator):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    catalogue.product(supplier, name="Barilla fusilli", unit_label="500 g bag")
    catalogue.product(supplier, name="Barilla fusilli", unit_label="3 kg bag")
    catalogue.product(supplier, name="Porridge oats", unit_label="1 kg bag")

    html = coordinator.get(f"/coops/{two_coops.coop.slug}/admin/catalogue").get_data(as_text=True)

    assert 'Barilla fusilli<span class="visually-hidden">, 500 g bag</span></a>' in html
    assert 'Barilla fusilli<span class="visually-hidden">, 3 kg bag</span></a>' in html
    assert ">Porridge oats</a>" in html


def test_a_treasurer_can_search_the_catalogue(client, auth, two_coops, supplier):
    auth.login_as(two_coops.treasurer)

    assert names(client.get(f"{CATALOGUE}?q=rice")) == ["Basmati Rice"]


def test_an_empty_search_says_so(coordinator, supplier):
    assert "No product matches your search." in text(coordinator.get(f"{CATALOGUE}?q=zzz"))


TEN_THOUSAND = 10_000


@pytest.fixture
def big_catalogue(two_coops, catalogue):
    """Two suppliers holding 10,000 products between them, one of them shared."""
    own = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    catalogue.subscribe(two_coops.coop, shared)

    def row(i: int) -> dict[str, object]:
        return {
            "name": f"{['Rice', 'Pasta', 'Beans', 'Oats'][i % 4]} {i:05d}",
            "category": ["Dry goods", "Tins", "Cleaning"][i % 3],
            "tag_bits": Tag.VEGAN.bit if i % 2 else 0,
            "manufacturer": "Suma" if i % 5 else "Essential",
            "available": i % 7 != 0,
        }

    catalogue.many(own, TEN_THOUSAND - 2_000, row)
    catalogue.many(shared, 2_000, row)
    return own


def test_the_list_costs_the_same_queries_whatever_the_page_shows(
    coordinator, big_catalogue, count_queries
):
    supplier_list = f"/coops/fishwick/admin/suppliers/{big_catalogue.id}/products"
    pages = {
        "first page": f"{CATALOGUE}?page=1",
        "deep page": f"{CATALOGUE}?page=150",
        "filtered page": f"{CATALOGUE}?q=rice&category=Tins&tag=vegan&available=y&sort=price",
        "a single product": f"{CATALOGUE}?q=Oats+07999",
        "nothing found": f"{CATALOGUE}?q=zzz",
        "supplier page": f"{supplier_list}?q=pasta&sort=category&order=desc&page=20",
        "supplier last page": f"{supplier_list}?page=160",
    }
    counts = {}
    shown = {}
    coordinator.get(CATALOGUE)  # the first request after the seeding reloads the login
    for label, path in pages.items():
        with count_queries() as statements:
            response = coordinator.get(path)
        assert response.status_code == 200
        counts[label] = len(statements)
        shown[label] = len(names(response))

    assert shown["first page"] == shown["deep page"] == 50
    assert shown["a single product"] == 1
    assert shown["nothing found"] == 0
    # The supplier's own list loads the supplier too: one query more, whatever the page.
    assert len({counts[label] for label in pages if "supplier" not in label}) == 1
    assert counts["supplier page"] == counts["supplier last page"] == counts["first page"] + 1
