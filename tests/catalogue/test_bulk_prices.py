"""Changing a supplier's case prices by a percentage: preview, confirm, history, refusals."""

from __future__ import annotations

import re

import pytest
from support import count_rows, field_error, text

from coop.domain.catalogue import MAX_PENCE
from coop.extensions import db
from coop.models import PriceChange, Product
from coop.services.catalogue.prices import PRICES_CHANGED, preview_bulk_price_change

SUPPLIERS = "/coops/fishwick/admin/suppliers"


@pytest.fixture
def supplier(two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop, name="Northern Wholefoods")
    for code, name, category, price, vat in [
        ("A", "Apples", "Fruit", 1000, 0),
        ("B", "Bananas", "Fruit", 1234, 0),
        ("C", "Cleaner", "Household", 150, 2000),
        ("D", "Dates", "Fruit", 1, 0),
        ("E", "Eggs", "Fresh", 0, 0),
    ]:
        catalogue.product(
            supplier, code=code, name=name, category=category, case_price_pence=price, vat_bp=vat
        )
    return supplier


def hidden_fields(html: str) -> dict[str, str]:
    """Return the hidden inputs of a form as it would post them."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden":
            fields[attributes["name"]] = attributes["value"]
    return fields


def confirm_form(client, supplier, **data: str) -> dict[str, str]:
    """Preview a change and return what its confirmation button posts."""
    preview = text(client.post(f"{SUPPLIERS}/{supplier.id}/prices", data=data))
    return hidden_fields(preview[preview.index('id="preview"') : preview.index("</section>")])


def change_prices(client, supplier, *, follow_redirects: bool = False, **data: str):
    """Preview a change and confirm it, as a coordinator would."""
    return client.post(
        f"{SUPPLIERS}/{supplier.id}/prices",
        data=confirm_form(client, supplier, **data),
        follow_redirects=follow_redirects,
    )


def prices() -> dict[str, int]:
    db.session.expire_all()
    return dict(db.session.execute(db.select(Product.code, Product.case_price_pence)).all())


def test_the_preview_shows_the_count_and_examples_and_changes_nothing(coordinator, supplier):
    response = coordinator.post(f"{SUPPLIERS}/{supplier.id}/prices", data={"percent": "3.5"})

    page = text(response)
    assert "3 case prices change by +3.5%" in page
    assert "2 stay the same" in page  # Dates at 1p and Eggs at 0p
    assert "£10.00" in page and "£10.35" in page
    assert "£12.34" in page and "£12.77" in page
    assert "Change 3 prices" in page
    assert prices() == {"A": 1000, "B": 1234, "C": 150, "D": 1, "E": 0}
    assert count_rows(PriceChange) == 0


def test_confirming_rounds_each_price_half_up_and_records_the_history(
    coordinator, two_coops, supplier
):
    response = change_prices(
        coordinator, supplier, percent="3.5", category="", follow_redirects=True
    )

    assert "3 case prices changed by +3.5%" in text(response)
    # 1000 -> 1035; 1234 -> 1277.19 -> 1277; 150 -> 155.25 -> 155; 1 -> 1.035 -> 1; 0 stays 0.
    assert prices() == {"A": 1035, "B": 1277, "C": 155, "D": 1, "E": 0}
    history = db.session.execute(
        db.select(
            Product.code,
            PriceChange.old_case_price_pence,
            PriceChange.new_case_price_pence,
            PriceChange.old_vat_bp,
            PriceChange.new_vat_bp,
            PriceChange.reason,
            PriceChange.changed_by_id,
        )
        .join(Product, Product.id == PriceChange.product_id)
        .order_by(Product.code)
    ).all()
    assert [tuple(row) for row in history] == [
        ("A", 1000, 1035, 0, 0, "bulk change +3.5%", two_coops.coordinator.id),
        ("B", 1234, 1277, 0, 0, "bulk change +3.5%", two_coops.coordinator.id),
        ("C", 150, 155, 2000, 2000, "bulk change +3.5%", two_coops.coordinator.id),
    ]


def test_the_history_of_a_product_shows_the_bulk_change(coordinator, supplier):
    change_prices(coordinator, supplier, percent="-10")
    apples = db.session.scalar(db.select(Product).where(Product.code == "A"))

    page = text(coordinator.get(f"{SUPPLIERS}/{supplier.id}/products/{apples.id}/"))

    assert "£10.00 → £9.00" in page
    assert "bulk change -10%" in page.lower()
    assert "Cora Coordinator" in page


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        ("-10", {"A": 900, "B": 1111, "C": 135, "D": 1, "E": 0}),  # 1110.6 -> 1111, 0.9 -> 1
        ("-99.99", {"A": 0, "B": 0, "C": 0, "D": 0, "E": 0}),  # 0.1234 -> 0
        ("50", {"A": 1500, "B": 1851, "C": 225, "D": 2, "E": 0}),  # 1.5 -> 2 (half up)
        ("0.05", {"A": 1001, "B": 1235, "C": 150, "D": 1, "E": 0}),  # 1000.5 -> 1001
    ],
)
def test_exact_pennies(coordinator, supplier, percent, expected):
    change_prices(coordinator, supplier, percent=percent)

    assert prices() == expected


def test_only_one_category(coordinator, supplier):
    response = change_prices(coordinator, supplier, percent="10", category="Fruit")

    assert response.status_code == 302
    assert prices() == {"A": 1100, "B": 1357, "C": 150, "D": 1, "E": 0}
    assert count_rows(PriceChange) == 2  # dates at 1p become 1.1p: still 1p, so no change


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("-100", "A price cannot go down by 100% or more; enter a change above -100%."),
        ("-150", "A price cannot go down by 100% or more; enter a change above -100%."),
        ("0", "Enter a change other than 0%."),
        ("1001", "Enter a change of at most 1000%."),
        ("3.555", "Enter a percentage with at most two decimals, such as 2.5."),
        ("ten", "Enter a percentage with at most two decimals, such as 2.5."),
        ("", "Enter a percentage, such as 3.5 or -10."),
    ],
)
def test_impossible_changes_are_refused_at_the_percentage(coordinator, supplier, percent, message):
    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/prices", data={"percent": percent, "confirm": "y"}
    )

    assert response.status_code == 200
    assert field_error(text(response), "percent") == message
    assert prices() == {"A": 1000, "B": 1234, "C": 150, "D": 1, "E": 0}
    assert count_rows(PriceChange) == 0


def test_a_category_that_is_not_offered_is_refused(coordinator, supplier):
    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/prices",
        data={"percent": "5", "category": "Toys", "confirm": "y"},
    )

    assert field_error(text(response), "category") == "Not a valid choice."
    assert count_rows(PriceChange) == 0


def test_a_supplier_without_products_has_nothing_to_change(coordinator, two_coops, catalogue):
    empty = catalogue.supplier(two_coops.coop, name="Empty Wholesale")

    response = coordinator.post(f"{SUPPLIERS}/{empty.id}/prices", data={"percent": "5"})

    assert "Empty Wholesale has no products yet." in text(response)


def test_a_bulk_change_costs_the_same_queries_for_ten_or_five_hundred_products(
    coordinator, two_coops, catalogue, count_queries
):
    def queries(size: int) -> int:
        supplier = catalogue.supplier(two_coops.coop)
        catalogue.many(supplier, size)
        path = f"{SUPPLIERS}/{supplier.id}/prices"
        coordinator.get(path)
        fingerprint = preview_bulk_price_change(
            coop=two_coops.coop, supplier=supplier, change_bp=500
        ).fingerprint
        db.session.rollback()
        data = {"percent": "5", "confirm": "y", "fingerprint": fingerprint}
        with count_queries() as statements:
            response = coordinator.post(path, data=data)
        assert response.status_code == 302
        assert count_rows(PriceChange, PriceChange.new_case_price_pence > 0) >= size
        return len(statements)

    assert queries(10) == queries(500)


def test_a_treasurer_cannot_change_prices(client, auth, two_coops, supplier):
    auth.login_as(two_coops.treasurer)

    response = client.post(
        f"{SUPPLIERS}/{supplier.id}/prices", data={"percent": "5", "confirm": "y"}
    )

    assert response.status_code == 403
    assert prices()["A"] == 1000


def test_a_subscriber_cannot_change_a_shared_catalogues_prices(coordinator, two_coops, catalogue):
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    leeks = catalogue.product(shared, case_price_pence=500)
    catalogue.subscribe(two_coops.coop, shared)

    response = coordinator.post(
        f"{SUPPLIERS}/{shared.id}/prices", data={"percent": "5", "confirm": "y"}
    )

    assert response.status_code == 403
    db.session.expire_all()
    assert leeks.case_price_pence == 500


def test_preview_then_confirm_works_with_csrf_protection_on(app, coordinator, supplier):
    app.config["WTF_CSRF_ENABLED"] = True
    path = f"{SUPPLIERS}/{supplier.id}/prices"
    form = text(coordinator.get(path))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)

    preview = text(coordinator.post(path, data={"csrf_token": token, "percent": "10"}))
    confirm_form = preview[preview.index('id="preview"') : preview.index("</section>")]
    response = coordinator.post(path, data=hidden_fields(confirm_form))

    assert response.status_code == 302
    assert prices()["A"] == 1100


def test_a_bulk_change_without_the_csrf_token_is_refused(app, coordinator, supplier):
    app.config["WTF_CSRF_ENABLED"] = True

    coordinator.post(f"{SUPPLIERS}/{supplier.id}/prices", data={"percent": "10", "confirm": "y"})

    assert prices()["A"] == 1000


def test_sending_the_confirmation_twice_changes_the_prices_once(coordinator, supplier):
    confirmation = confirm_form(coordinator, supplier, percent="1")
    path = f"{SUPPLIERS}/{supplier.id}/prices"

    first = coordinator.post(path, data=confirmation)
    second = coordinator.post(path, data=confirmation)

    assert first.status_code == 302
    assert second.status_code == 200
    assert PRICES_CHANGED in text(second)
    assert prices() == {"A": 1010, "B": 1246, "C": 152, "D": 1, "E": 0}
    assert count_rows(PriceChange) == 3


def test_a_price_changed_after_the_preview_refuses_the_change(coordinator, supplier):
    confirmation = confirm_form(coordinator, supplier, percent="10")
    apples = db.session.scalar(db.select(Product).where(Product.code == "A"))
    apples.case_price_pence = 2000
    db.session.commit()

    response = coordinator.post(f"{SUPPLIERS}/{supplier.id}/prices", data=confirmation)

    assert "The prices changed since you previewed this change; check it again." in text(response)
    assert prices() == {"A": 2000, "B": 1234, "C": 150, "D": 1, "E": 0}
    assert count_rows(PriceChange) == 0


def test_a_confirmation_without_a_preview_changes_nothing(coordinator, supplier):
    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/prices", data={"percent": "10", "confirm": "y"}
    )

    assert PRICES_CHANGED in text(response)
    assert prices() == {"A": 1000, "B": 1234, "C": 150, "D": 1, "E": 0}


def test_a_change_taking_a_price_above_the_limit_is_refused(coordinator, two_coops, catalogue):
    dear = catalogue.supplier(two_coops.coop, name="Dear Wholesale")
    catalogue.product(dear, code="X", name="Saffron", case_price_pence=MAX_PENCE - 100)

    response = coordinator.post(f"{SUPPLIERS}/{dear.id}/prices", data={"percent": "1"})

    assert field_error(text(response), "percent") == (
        "That would take Saffron above £1,000,000 a case; enter a smaller change."
    )


def test_a_supplier_whose_name_ends_in_s_is_not_written_growerss(coordinator, two_coops, catalogue):
    growers = catalogue.supplier(two_coops.coop, name="Goosnargh Lane Growers")

    page = text(coordinator.get(f"{SUPPLIERS}/{growers.id}/prices"))

    assert "Change Goosnargh Lane Growers' prices by a percentage" in page
    assert "Growers's" not in page
