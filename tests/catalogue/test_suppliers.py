"""Suppliers: the list, adding and changing them, and who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import count_rows, field_error, text

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CatalogueSubscription, ShareScope, Supplier, SupplierKind

SUPPLIERS = "/coops/fishwick/admin/suppliers"


def supplier_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Northern Wholefoods",
        "kind": "wholesaler",
        "email": "orders@northern.example.org",
        "phone": "01772 000000",
        "address": "Unit 4, Riverside Estate, Preston",
        "postcode": "pr2 2zz",
        "is_local": "y",
        "min_order_pence": "150",
        "delivery_charge_pence": "£12.50",
        "order_days": ["0", "3"],
        "lead_time_days": "2",
        "notes": "Ring before 10am.",
        "active": "y",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_the_list_shows_own_and_shared_suppliers_with_their_product_counts(
    coordinator, two_coops, catalogue
):
    own = catalogue.supplier(two_coops.coop, name="Northern Wholefoods", is_local=True)
    catalogue.product(own)
    catalogue.product(own, available=False)
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    catalogue.product(shared)
    catalogue.subscribe(two_coops.coop, shared)
    catalogue.supplier(two_coops.other_coop, name="Private Wholesale")

    page = text(coordinator.get(SUPPLIERS))

    assert "Northern Wholefoods" in page
    assert "(1 available)" in page
    assert "Shared by Ribbleton Pantry" in page
    assert "Private Wholesale" not in page
    assert "2 suppliers" in page


def test_the_supplier_list_costs_the_same_queries_however_many_suppliers(
    coordinator, two_coops, catalogue, count_queries
):
    def queries() -> int:
        coordinator.get(SUPPLIERS)
        with count_queries() as statements:
            assert coordinator.get(SUPPLIERS).status_code == 200
        return len(statements)

    catalogue.product(catalogue.supplier(two_coops.coop))
    few = queries()
    for _ in range(5):
        supplier = catalogue.supplier(two_coops.coop)
        catalogue.product(supplier)
        catalogue.subscribe(two_coops.coop, catalogue.supplier(two_coops.other_coop))
    assert queries() == few


def test_adding_a_supplier_keeps_every_field(coordinator, two_coops):
    response = coordinator.post(f"{SUPPLIERS}/new", data=supplier_form())

    supplier = db.session.scalar(db.select(Supplier))
    assert response.headers["Location"] == f"{SUPPLIERS}/{supplier.id}/"
    assert (
        supplier.coop_id,
        supplier.name,
        supplier.kind,
        supplier.email,
        supplier.postcode,
        supplier.is_local,
        supplier.min_order_pence,
        supplier.delivery_charge_pence,
        supplier.order_days,
        supplier.lead_time_days,
        supplier.notes,
        supplier.active,
    ) == (
        two_coops.coop.id,
        "Northern Wholefoods",
        SupplierKind.WHOLESALER,
        "orders@northern.example.org",
        "PR2 2ZZ",
        True,
        15000,
        1250,
        0b1001,  # Monday and Thursday
        2,
        "Ring before 10am.",
        True,
    )
    page = text(coordinator.get(response.headers["Location"]))
    assert "Northern Wholefoods is added to your suppliers." in page
    assert "£150.00" in page and "£12.50" in page
    assert "Monday, Thursday" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "Enter the supplier's name."),
        ("min_order_pence", "12.345", "Use at most two digits after the decimal point"),
        ("delivery_charge_pence", "-5", "The amount cannot be negative."),
        ("delivery_charge_pence", "five pounds", "Enter an amount in pounds and pence"),
        ("min_order_pence", "1000000.01", "Enter an amount of at most £1,000,000."),
        ("delivery_charge_pence", "99999999999", "Enter an amount of at most £1,000,000."),
        ("lead_time_days", "-1", "Enter a whole number from 0 to 90."),
        ("lead_time_days", "two", "Enter a whole number from 0 to 90."),
        ("email", "not an address", "Enter an email address"),
        ("postcode", "XYZ", "Enter a UK postcode, like PR1 5XX."),
        ("order_days", ["9"], "is not a valid choice"),
    ],
)
def test_bad_supplier_details_are_refused_at_their_field(coordinator, field, value, message):
    response = coordinator.post(f"{SUPPLIERS}/new", data=supplier_form(**{field: value}))

    assert response.status_code == 200
    assert message in (field_error(text(response), field) or "")
    assert count_rows(Supplier) == 0


def test_a_supplier_name_is_unique_in_the_coop_whatever_its_case(coordinator, two_coops, catalogue):
    catalogue.supplier(two_coops.coop, name="Northern Wholefoods")

    response = coordinator.post(f"{SUPPLIERS}/new", data=supplier_form(name="NORTHERN wholefoods"))

    assert field_error(text(response), "name") == (
        "Fishwick Food Co-op already has a supplier called NORTHERN wholefoods."
    )
    assert count_rows(Supplier) == 1


def test_another_coop_may_use_the_same_supplier_name(coordinator, two_coops, catalogue):
    catalogue.supplier(two_coops.other_coop, name="Northern Wholefoods")

    coordinator.post(f"{SUPPLIERS}/new", data=supplier_form())

    assert count_rows(Supplier, Supplier.coop_id == two_coops.coop.id) == 1


def test_the_edit_form_shows_the_supplier_as_it_is(coordinator, two_coops, catalogue):
    supplier = catalogue.supplier(
        two_coops.coop, name="Northern Wholefoods", min_order_pence=15000, order_days=0b0100010
    )

    page = text(coordinator.get(f"{SUPPLIERS}/{supplier.id}/edit"))

    assert 'value="Northern Wholefoods"' in page
    assert 'value="150.00"' in page
    assert 'checked id="order_days-1"' in page  # Tuesday
    assert 'checked id="order_days-5"' in page  # Saturday
    assert 'checked id="order_days-0"' not in page


def test_changing_a_supplier(coordinator, two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")

    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/edit",
        data=supplier_form(
            name="Northern Wholefoods Ltd",
            kind="surplus",
            is_local=None,
            active=None,
            order_days=None,
            min_order_pence="",
        ),
        follow_redirects=True,
    )

    assert "Northern Wholefoods Ltd is saved." in text(response)
    db.session.expire_all()
    assert (
        supplier.name,
        supplier.kind,
        supplier.is_local,
        supplier.active,
        supplier.order_days,
        supplier.min_order_pence,
    ) == ("Northern Wholefoods Ltd", SupplierKind.SURPLUS, False, False, 0, 0)


def test_renaming_a_supplier_to_a_name_in_use_is_refused(coordinator, two_coops, catalogue):
    catalogue.supplier(two_coops.coop, name="Ribble Valley Growers")
    supplier = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")

    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/edit", data=supplier_form(name="Ribble Valley Growers")
    )

    assert "already has a supplier called" in field_error(text(response), "name")
    db.session.expire_all()
    assert supplier.name == "Northern Wholefoods"


def test_a_treasurer_reads_suppliers_but_cannot_change_them(client, auth, two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")
    auth.login_as(two_coops.treasurer)

    assert "Northern Wholefoods" in text(client.get(SUPPLIERS))
    page = text(client.get(f"{SUPPLIERS}/{supplier.id}/"))
    assert "Change the supplier" not in page
    assert "Add a supplier" not in text(client.get(SUPPLIERS))
    assert client.get(f"{SUPPLIERS}/new").status_code == 403
    assert client.post(f"{SUPPLIERS}/new", data=supplier_form(name="Other")).status_code == 403
    response = client.post(f"{SUPPLIERS}/{supplier.id}/edit", data=supplier_form(name="Changed"))
    assert response.status_code == 403
    assert count_rows(Supplier, Supplier.name == "Northern Wholefoods") == 1


def test_members_do_not_see_the_suppliers(client, auth, two_coops):
    auth.login_as(two_coops.member)

    assert client.get(SUPPLIERS).status_code == 403


@pytest.mark.parametrize("path", ["/", "/edit", "/products", "/prices", "/products/new"])
def test_another_coops_supplier_is_not_found(coordinator, two_coops, catalogue, path):
    theirs = catalogue.supplier(two_coops.other_coop)

    assert coordinator.get(f"{SUPPLIERS}/{theirs.id}{path}").status_code == 404


def test_a_shared_supplier_is_read_only_and_says_who_keeps_it(coordinator, two_coops, catalogue):
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    catalogue.product(shared, name="Leeks")
    catalogue.subscribe(two_coops.coop, shared)

    page = text(coordinator.get(f"{SUPPLIERS}/{shared.id}/"))

    assert "This catalogue is kept by Ribbleton Pantry" in page
    assert "Leeks" in page
    assert "Change the supplier" not in page
    assert "Add a product" not in page
    for path in ("/edit", "/prices", "/products/new"):
        response = coordinator.get(f"{SUPPLIERS}/{shared.id}{path}")
        assert response.status_code == 403
        assert response.mimetype == "text/html", "the refusal must render as a page"
        assert "This catalogue is kept by Ribbleton Pantry; you cannot change it." in text(response)
    response = coordinator.post(f"{SUPPLIERS}/{shared.id}/edit", data=supplier_form())
    assert response.status_code == 403
    db.session.expire_all()
    assert shared.name == "Ribble Valley Growers"


def test_a_coordinator_of_the_keeper_can_change_a_shared_supplier(
    client, auth, two_coops, catalogue
):
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    catalogue.subscribe(two_coops.coop, shared)
    auth.login_as(two_coops.other_coordinator)

    response = client.post(
        f"/coops/ribbleton/admin/suppliers/{shared.id}/edit",
        data=supplier_form(name="Ribble Valley Growers Co-op"),
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert shared.name == "Ribble Valley Growers Co-op"


def test_the_supplier_page_links_to_its_full_catalogue(coordinator, two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")
    catalogue.many(supplier, 60)

    page = text(coordinator.get(f"{SUPPLIERS}/{supplier.id}/"))

    assert "Search, filter and sort all 60 products" in page
    assert "Products 1 to 50 of 60" in page


def test_a_coordinator_role_is_needed_to_add_suppliers(client, auth, two_coops, factory):
    coordinator = factory.member(two_coops.coop, Role.COORDINATOR)
    auth.login_as(coordinator)

    assert client.get(f"{SUPPLIERS}/new").status_code == 200


def test_deactivating_a_shared_supplier_hands_subscribers_their_own_copy(
    coordinator, two_coops, catalogue
):
    supplier = catalogue.supplier(
        two_coops.coop, name="Northern Wholefoods", share_scope=ShareScope.PLATFORM
    )
    catalogue.product(supplier, name="Porridge oats")
    catalogue.subscribe(two_coops.other_coop, supplier)

    coordinator.post(f"{SUPPLIERS}/{supplier.id}/edit", data=supplier_form(active=None))

    db.session.expire_all()
    assert supplier.share_scope is ShareScope.PRIVATE
    assert count_rows(CatalogueSubscription) == 0
    [copy] = db.session.scalars(select(Supplier).where(Supplier.coop_id == two_coops.other_coop.id))
    assert copy.name == "Northern Wholefoods" and copy.active


def test_the_supplier_page_offers_import_export_and_sharing_to_its_keeper(
    coordinator, two_coops, catalogue
):
    supplier = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")

    page = coordinator.get(f"{SUPPLIERS}/{supplier.id}/").get_data(as_text=True)

    for action in ("import", "export.csv", "sharing", "prices"):
        assert f"{SUPPLIERS}/{supplier.id}/{action}" in page
