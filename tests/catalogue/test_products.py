"""Products: adding and changing them, availability, and their price history."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from support import count_rows, field_error, layout_problems, text

from coop.domain.catalogue import Tag, tags_to_bits
from coop.domain.roles import Role
from coop.extensions import db
from coop.models import PriceChange, Product

SUPPLIERS = "/coops/fishwick/admin/suppliers"


@pytest.fixture
def supplier(two_coops, catalogue):
    return catalogue.supplier(two_coops.coop, name="Northern Wholefoods")


def product_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "RICE-5",
        "name": "Basmati rice",
        "description": "Long grain.",
        "category": "Dry goods",
        "tags": ["vegan", "gluten-free"],
        "unit_label": "1 kg bag",
        "case_size": "6",
        "case_price_pence": "12.00",
        "vat_bp": "0",
        "deposit_pence": "0.50",
        "origin": "India",
        "manufacturer": "Tilda",
        "reference_price_pence": "2.75",
        "reference_price_date": "2026-01-15",
        "reference_price_source": "Tesco.com",
        "available": "y",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def product_url(product: Product, rest: str = "") -> str:
    return f"{SUPPLIERS}/{product.supplier_id}/products/{product.id}/{rest}"


def test_adding_a_product_keeps_every_field(coordinator, supplier):
    response = coordinator.post(f"{SUPPLIERS}/{supplier.id}/products/new", data=product_form())

    product = db.session.scalar(db.select(Product))
    assert response.headers["Location"] == product_url(product)
    assert (
        product.supplier_id,
        product.code,
        product.name,
        product.description,
        product.category,
        product.tag_bits,
        product.unit_label,
        product.case_size,
        product.case_price_pence,
        product.vat_bp,
        product.deposit_pence,
        product.origin,
        product.manufacturer,
        product.reference_price_pence,
        product.reference_price_date,
        product.reference_price_source,
        product.available,
    ) == (
        supplier.id,
        "RICE-5",
        "Basmati rice",
        "Long grain.",
        "Dry goods",
        tags_to_bits([Tag.VEGAN, Tag.GLUTEN_FREE]),
        "1 kg bag",
        6,
        1200,
        0,
        50,
        "India",
        "Tilda",
        275,
        date(2026, 1, 15),
        "Tesco.com",
        True,
    )
    assert count_rows(PriceChange) == 0


def test_the_product_page_shows_the_member_price_with_vat_and_markup(
    coordinator, two_coops, catalogue, supplier
):
    two_coops.coop.markup_bp = 250
    db.session.commit()
    product = catalogue.product(
        supplier, name="Washing-up liquid", case_price_pence=1200, case_size=6, vat_bp=2000
    )

    page = text(coordinator.get(product_url(product)))

    # 1200 / 6 = 200p, plus 20% VAT = 240p, plus 2.5% = 246p.
    assert "£2.46" in page
    assert "£12.00 excluding VAT; VAT 20%" in page


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("Tesco.com", "£2.75 (Tesco.com, seen 2 November 2026)"),
        ("Tesco.com, 2026-11-02", "£2.75 (Tesco.com, 2026-11-02)"),
        ("Aldi, Preston, 2 November 2026", "£2.75 (Aldi, Preston, 2 November 2026)"),
        ("", "£2.75 (seen 2 November 2026)"),
    ],
    ids=["source", "source with its date", "source with the date in words", "no source"],
)
def test_the_supermarket_price_names_its_date_once(coordinator, catalogue, supplier, source, shown):
    product = catalogue.product(
        supplier,
        reference_price_pence=275,
        reference_price_date=date(2026, 11, 2),
        reference_price_source=source,
    )

    page = text(coordinator.get(product_url(product)))

    line = re.search(r"<dt>Supermarket price per unit</dt><dd>(.*?)</dd>", page, re.S)[1]
    assert " ".join(re.sub(r"<[^>]+>", "", line).split()) == shown


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "", "Enter the supplier's code."),
        ("name", "", "Enter the product's name."),
        ("unit_label", " ", "Say what one unit is, e.g. 500 g bag."),
        ("case_price_pence", "abc", "Enter an amount in pounds and pence, such as 12.50."),
        ("case_price_pence", "1.234", "Use at most two digits after the decimal point"),
        ("case_price_pence", "-1", "The amount cannot be negative."),
        ("case_price_pence", "", "Enter the price of a case, such as 12.50."),
        ("case_size", "0", "Enter a whole number from 1 to 100000."),
        ("case_size", "1.5", "Enter a whole number from 1 to 100000."),
        ("vat_bp", "700", "Not a valid choice."),
        ("deposit_pence", "-0.50", "The amount cannot be negative."),
        ("case_price_pence", "1000000.01", "Enter an amount of at most £1,000,000."),
        ("case_price_pence", "99999999999", "Enter an amount of at most £1,000,000."),
        ("deposit_pence", "1000000.01", "Enter an amount of at most £1,000,000."),
        ("reference_price_pence", "21474836.48", "Enter an amount of at most £1,000,000."),
        ("case_size", "2147483648", "Enter a whole number from 1 to 100000."),
        ("tags", ["halal", "spicy"], "'spicy' is not a valid choice"),
        ("reference_price_date", "", "Enter the date the reference price was seen."),
        ("reference_price_date", "yesterday", "Not a valid date value."),
        (
            "reference_price_date",
            (date.today() + timedelta(days=2)).isoformat(),
            "The date cannot be in the future.",
        ),
        ("reference_price_source", "", "Say where the reference price comes from"),
    ],
)
def test_bad_product_details_are_refused_at_their_field(
    coordinator, supplier, field, value, message
):
    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/products/new", data=product_form(**{field: value})
    )

    assert response.status_code == 200
    assert message in (field_error(text(response), field) or "")
    assert count_rows(Product) == 0


def test_a_reference_date_without_a_price_is_refused(coordinator, supplier):
    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/products/new", data=product_form(reference_price_pence="")
    )

    assert field_error(text(response), "reference_price_pence") == (
        "Enter the reference price, or clear its date and source."
    )
    assert count_rows(Product) == 0


def test_no_reference_price_at_all_is_fine(coordinator, supplier):
    coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/products/new",
        data=product_form(
            reference_price_pence="", reference_price_date="", reference_price_source=""
        ),
    )

    product = db.session.scalar(db.select(Product))
    assert (product.reference_price_pence, product.reference_price_date) == (None, None)


def test_a_code_is_unique_per_supplier(coordinator, two_coops, catalogue, supplier):
    catalogue.product(supplier, code="RICE-5", name="Brown rice")
    other = catalogue.supplier(two_coops.coop)
    catalogue.product(other, code="PASTA-1")

    response = coordinator.post(f"{SUPPLIERS}/{supplier.id}/products/new", data=product_form())
    assert field_error(text(response), "code") == (
        "Northern Wholefoods already has a product with code RICE-5 (Brown rice)."
    )
    assert count_rows(Product) == 2

    coordinator.post(f"{SUPPLIERS}/{supplier.id}/products/new", data=product_form(code="PASTA-1"))
    assert count_rows(Product) == 3


def test_a_code_differing_only_in_letter_case_is_the_same_code(coordinator, catalogue, supplier):
    catalogue.product(supplier, code="rice-5", name="Brown rice")

    response = coordinator.post(f"{SUPPLIERS}/{supplier.id}/products/new", data=product_form())

    assert field_error(text(response), "code") == (
        "Northern Wholefoods already has a product with code RICE-5 (Brown rice)."
    )
    assert count_rows(Product) == 1


def test_an_edit_may_change_only_the_letter_case_of_its_own_code(coordinator, catalogue, supplier):
    rice = catalogue.product(supplier, code="rice-5", name="Brown rice")

    response = coordinator.post(product_url(rice, "edit"), data=product_form(code="RICE-5"))

    assert response.status_code == 302
    db.session.expire_all()
    assert rice.code == "RICE-5"


def test_the_largest_amounts_are_accepted(coordinator, supplier):
    response = coordinator.post(
        f"{SUPPLIERS}/{supplier.id}/products/new",
        data=product_form(
            case_price_pence="1000000.00", deposit_pence="1000000", case_size="100000"
        ),
    )

    assert response.status_code == 302
    product = db.session.scalar(db.select(Product))
    assert (product.case_price_pence, product.deposit_pence, product.case_size) == (
        100_000_000,
        100_000_000,
        100_000,
    )


def test_the_edit_form_shows_the_product_as_it_is(coordinator, catalogue, supplier):
    product = catalogue.product(
        supplier, case_price_pence=1250, vat_bp=500, tag_bits=Tag.ORGANIC.bit
    )

    page = text(coordinator.get(product_url(product, "edit")))

    assert 'value="12.50"' in page
    assert '<option selected value="500">5%</option>' in page
    assert 'checked id="tags-5"' in page  # organic
    assert 'checked id="tags-0"' not in page


def test_changing_a_price_records_who_changed_it_and_from_what(
    coordinator, two_coops, catalogue, supplier
):
    product = catalogue.product(supplier, code="RICE-5", case_price_pence=1000, vat_bp=0)

    response = coordinator.post(
        product_url(product, "edit"),
        data=product_form(case_price_pence="12.40", vat_bp="500"),
        follow_redirects=True,
    )

    page = text(response)
    assert "Basmati rice is saved." in page
    assert "Cora Coordinator" in page
    assert "£10.00 → £12.40" in page
    assert "0% → 5%" in page
    change = db.session.scalar(db.select(PriceChange))
    assert (
        change.product_id,
        change.changed_by_id,
        change.old_case_price_pence,
        change.new_case_price_pence,
        change.old_vat_bp,
        change.new_vat_bp,
        change.reason,
    ) == (product.id, two_coops.coordinator.id, 1000, 1240, 0, 500, "edit")


def test_changing_other_fields_leaves_no_price_history(coordinator, catalogue, supplier):
    product = catalogue.product(supplier, code="RICE-5", case_price_pence=1200)

    coordinator.post(product_url(product, "edit"), data=product_form(name="White rice"))

    db.session.expire_all()
    assert product.name == "White rice"
    assert count_rows(PriceChange) == 0


def test_a_refused_edit_changes_nothing(coordinator, catalogue, supplier):
    catalogue.product(supplier, code="OATS-1")
    product = catalogue.product(supplier, code="RICE-5", case_price_pence=1200)

    response = coordinator.post(
        product_url(product, "edit"), data=product_form(code="OATS-1", case_price_pence="15.00")
    )

    assert "already has a product with code OATS-1" in field_error(text(response), "code")
    db.session.expire_all()
    assert (product.code, product.case_price_pence) == ("RICE-5", 1200)
    assert count_rows(PriceChange) == 0


def test_the_price_history_lists_changes_newest_first(
    client, auth, two_coops, factory, catalogue, supplier
):
    product = catalogue.product(supplier, code="RICE-5", case_price_pence=1000)
    auth.login_as(two_coops.coordinator)
    client.post(product_url(product, "edit"), data=product_form(case_price_pence="11.00"))
    second = factory.member(two_coops.coop, Role.COORDINATOR, user=factory.user(name="Col Second"))
    auth.logout()
    auth.login_as(second)
    client.post(product_url(product, "edit"), data=product_form(case_price_pence="11.50"))

    page = text(client.get(product_url(product)))

    assert page.index("£11.00 → £11.50") < page.index("£10.00 → £11.00")
    assert "Col Second" in page


def record_price_change(product, user, **values) -> None:
    values = {
        "old_case_price_pence": 2_199,
        "new_case_price_pence": 2_199,
        "old_vat_bp": 0,
        "new_vat_bp": 0,
        "reason": "edit",
        **values,
    }
    db.session.add(PriceChange(product_id=product.id, changed_by=user, **values))
    db.session.commit()


def test_a_vat_only_change_shows_the_vat_and_not_an_unchanged_price(
    two_coops, catalogue, coordinator
):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    soap = catalogue.product(supplier, name="Soap", case_price_pence=2_199, vat_bp=2000)
    record_price_change(soap, two_coops.coordinator, old_vat_bp=0, new_vat_bp=2000)

    response = coordinator.get(product_url(soap))

    page = text(response)
    assert "VAT 0% → 20%" in page
    assert "£21.99 → £21.99" not in page
    assert not layout_problems(response.get_data(as_text=True))


def test_a_price_and_vat_change_shows_both_and_a_price_change_only_the_price(
    two_coops, catalogue, coordinator
):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    soap = catalogue.product(supplier, name="Soap", case_price_pence=2_399, vat_bp=2000)
    record_price_change(
        soap, two_coops.coordinator, new_case_price_pence=2_299, old_vat_bp=0, new_vat_bp=2000
    )
    record_price_change(
        soap, two_coops.coordinator, old_case_price_pence=2_299, new_case_price_pence=2_399
    )

    page = text(coordinator.get(product_url(soap)))

    assert "£21.99 → £22.99; VAT 0% → 20%" in page
    cells = re.findall(r'data-label="Change">(.*?)</td>', page, re.S)
    assert [cell.strip() for cell in cells] == ["£22.99 → £23.99", "£21.99 → £22.99; VAT 0% → 20%"]


def test_the_price_history_table_has_a_caption(two_coops, catalogue, coordinator):
    supplier = catalogue.supplier(two_coops.coop, name="Greens")
    soap = catalogue.product(supplier, name="Soap")
    record_price_change(soap, two_coops.coordinator, new_case_price_pence=2_299)

    html = coordinator.get(product_url(soap)).get_data(as_text=True)

    assert "<caption>Changes to the case price and VAT rate of Soap, newest first</caption>" in html


def test_marking_a_product_unavailable_and_available_again(coordinator, catalogue, supplier):
    product = catalogue.product(supplier, name="Leeks")

    response = coordinator.post(
        product_url(product, "availability"), data={"available": "no"}, follow_redirects=True
    )
    assert "Leeks is now unavailable." in text(response)
    assert "Mark available" in text(response)
    db.session.expire_all()
    assert product.available is False

    coordinator.post(product_url(product, "availability"), data={"available": "yes"})
    db.session.expire_all()
    assert product.available is True


def test_a_treasurer_reads_products_but_cannot_change_them(client, auth, two_coops, catalogue):
    supplier = catalogue.supplier(two_coops.coop)
    product = catalogue.product(supplier, name="Leeks", case_price_pence=900)
    auth.login_as(two_coops.treasurer)

    page = text(client.get(product_url(product)))
    assert "Leeks" in page
    assert "Change the product" not in page and "Mark unavailable" not in page
    assert client.get(product_url(product, "edit")).status_code == 403
    assert client.post(product_url(product, "edit"), data=product_form()).status_code == 403
    response = client.post(product_url(product, "availability"), data={"available": "no"})
    assert response.status_code == 403
    new = client.post(f"{SUPPLIERS}/{supplier.id}/products/new", data=product_form())
    assert new.status_code == 403
    db.session.expire_all()
    assert (product.name, product.case_price_pence, product.available) == ("Leeks", 900, True)
    assert count_rows(Product) == 1


def test_a_product_is_found_only_under_its_own_supplier(
    coordinator, two_coops, catalogue, supplier
):
    elsewhere = catalogue.product(catalogue.supplier(two_coops.coop))

    for rest in ("", "edit"):
        path = f"{SUPPLIERS}/{supplier.id}/products/{elsewhere.id}/{rest}"
        assert coordinator.get(path).status_code == 404


def test_another_coops_product_is_not_found(coordinator, two_coops, catalogue):
    theirs = catalogue.product(catalogue.supplier(two_coops.other_coop))

    assert coordinator.get(product_url(theirs)).status_code == 404
    response = coordinator.post(product_url(theirs, "availability"), data={"available": "no"})
    assert response.status_code == 404
    db.session.expire_all()
    assert theirs.available is True


def test_a_shared_product_can_be_read_but_not_changed(coordinator, two_coops, catalogue):
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    product = catalogue.product(shared, name="Leeks")
    catalogue.subscribe(two_coops.coop, shared)

    page = text(coordinator.get(product_url(product)))
    assert "Leeks" in page
    assert "kept by Ribbleton Pantry" in page
    assert "Change the product" not in page
    assert coordinator.post(product_url(product, "edit"), data=product_form()).status_code == 403
    response = coordinator.post(product_url(product, "availability"), data={"available": "no"})
    assert response.status_code == 403
    db.session.expire_all()
    assert (product.name, product.available) == ("Leeks", True)
