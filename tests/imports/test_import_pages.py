"""The import pages: upload, preview, confirm; the export download."""

from __future__ import annotations

import re
from datetime import date

import pytest
from support import count_rows, layout_problems, text

from coop.domain.money import plain_pounds
from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CatalogueImport, CatalogueSubscription, PriceChange, Product, Supplier
from imports.support import FOODSOFT_HEADER, OWN_HEADER, csv_lines, upload

FOODSOFT_FILE = "\ufeff" + csv_lines(
    FOODSOFT_HEADER,
    # As Foodsoft's own spec fixtures: the price and deposit per unit, the content the case.
    "Yes;RICE-5;Basmati rice;;1 kg bag;20 Piece;;;1;;0.92;;0;0;Aged;Rice and grains;India;Tilda",
    "No;TOM-400;Chopped tomatoes;;400 g tin;24 Piece;;;1;;0.45;;5;0.025;;Tins;Italy;Napolina",
    "Yes;WUL-1;Washing-up liquid;;1 l bottle;;;;1;;3.99;;20;;;Household;;",
)

BAD_FILE = csv_lines(
    OWN_HEADER,
    "A1,Rice,1 kg,5,9.45,0,Rice",
    "A2,,1 kg,5,9.45,0,Rice",
    "A3,Pasta,500 g,12,abc,0,Pasta",
    "A4,Lentils,2 kg,6,-1.00,0,Pulses",
    "A5,Oats,1 kg,0,11.00,0,Breakfast",
    "A6,Tea,box,6,19.20,7,Drinks",
    "A1,Rice again,1 kg,5,9.45,0,Rice",
)


def preview_url(response) -> str:
    assert response.status_code == 302, text(response)
    return response.headers["Location"]


def confirm(client, preview: str):
    return client.post(preview + "/confirm", follow_redirects=True)


@pytest.fixture
def coordinator(client, auth, shop):
    auth.login_as(shop.coordinator)
    return shop


def test_the_upload_page_explains_both_formats_and_links_the_example(client, coordinator):
    response = client.get(coordinator.url())

    page = text(response)
    assert response.status_code == 200
    assert "Import a catalogue for Greens Wholesale" in page
    assert "Foodsoft's article files" in page
    assert "avail.;Order number;Name;" in page
    assert "/static/examples/catalogue-example.csv" in page
    assert 'type="file"' in page
    assert "Mark products missing from the file as unavailable" in page
    assert not layout_problems(response.get_data(as_text=True))


def test_the_upload_page_loads_its_script_deferred_and_works_as_a_plain_form(client, coordinator):
    page = text(client.get(coordinator.url()))

    assert re.search(r'<script defer src="/static/js/import-progress\.js">', page)
    form = re.search(r"<form[^>]*data-import-progress[^>]*>", page).group(0)
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form
    assert "<progress" in page


def test_the_example_file_imports_cleanly(client, coordinator, app):
    example = app.static_folder + "/examples/catalogue-example.csv"
    with open(example, "rb") as handle:
        preview = preview_url(upload(client, coordinator, handle.read()))
    page = text(client.get(preview))
    assert "Rows with errors</dt><dd>0" in page

    confirm(client, preview)

    assert count_rows(Product, Product.supplier_id == coordinator.supplier.id) == 12


def test_a_foodsoft_file_creates_products_with_the_mapped_fields(client, coordinator):
    preview = preview_url(upload(client, coordinator, FOODSOFT_FILE.encode("utf-8")))
    page = text(client.get(preview))
    assert "Foodsoft article CSV" in page
    assert "New products</dt><dd>3" in page

    page = text(confirm(client, preview))

    assert "3 added, 0 changed" in page
    assert "was imported on" in page
    assert "See the products of Greens Wholesale" in page
    rice = coordinator.product("RICE-5")
    assert (rice.name, rice.unit_label, rice.case_size) == ("Basmati rice", "1 kg bag", 20)
    assert (rice.case_price_pence, rice.vat_bp, rice.deposit_pence) == (1840, 0, 0)
    assert (rice.description, rice.category, rice.origin, rice.manufacturer) == (
        "Aged",
        "Rice and grains",
        "India",
        "Tilda",
    )
    assert rice.available
    tomatoes = coordinator.product("TOM-400")
    assert (tomatoes.case_size, tomatoes.case_price_pence, tomatoes.vat_bp) == (24, 1080, 500)
    assert tomatoes.deposit_pence == 3  # 2.5p a tin, rounded half up
    assert not tomatoes.available
    liquid = coordinator.product("WUL-1")
    assert (liquid.case_size, liquid.case_price_pence, liquid.vat_bp) == (1, 399, 2000)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_file_in_the_coop_format_imports_with_either_delimiter(client, coordinator, delimiter):
    content = csv_lines(
        OWN_HEADER,
        "RIC-5,Basmati rice,1 kg bag,5,9.45,0,Rice",
        "TOM-400,Chopped tomatoes,400 g tin,24,£10.80,5,Tins",
    ).replace(",", delimiter)

    confirm(client, preview_url(upload(client, coordinator, content)))

    tomatoes = coordinator.product("TOM-400")
    assert (tomatoes.unit_label, tomatoes.case_size) == ("400 g tin", 24)
    assert (tomatoes.case_price_pence, tomatoes.vat_bp, tomatoes.category) == (1080, 500, "Tins")
    assert coordinator.product("RIC-5").case_price_pence == 945


def test_every_bad_row_is_listed_with_its_line_and_nothing_can_be_confirmed(client, coordinator):
    preview = preview_url(upload(client, coordinator, BAD_FILE))

    page = text(client.get(preview))
    rows = dict(
        re.findall(r'<td data-label="Line">(\d+)</td><td data-label="Problem">(.*?)</td>', page)
    )
    assert rows == {
        "3": "The name is missing.",
        "4": "The case price 'abc' is not a number.",
        "5": "The case price cannot be negative.",
        "6": "The case size must be at least 1.",
        "7": "The VAT rate '7' is not a UK rate (0, 5 or 20%).",
        "8": "The code 'A1' is already used on line 2.",
    }
    assert "6 rows have errors" in page
    assert "Confirm the import" not in page
    assert not layout_problems(client.get(preview).get_data(as_text=True))


def test_confirming_a_file_with_bad_rows_writes_nothing(client, coordinator):
    preview = preview_url(upload(client, coordinator, BAD_FILE))

    page = text(confirm(client, preview))

    assert "Some rows of the file have errors, so nothing was imported." in page
    assert count_rows(Product) == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, coordinator, app):
    app.config["CATALOGUE_IMPORT_MAX_BYTES"] = 1024
    content = csv_lines(OWN_HEADER, *(f"X{i},Thing {i},each,1,1.00,0,Misc" for i in range(100)))

    response = upload(client, coordinator, content)

    assert response.status_code == 200
    assert "The file is larger than 1 KB." in text(response)
    assert count_rows(CatalogueImport) == 0


def test_the_default_limit_is_five_megabytes(client, coordinator):
    big = OWN_HEADER + "\n" + "x" * (5 * 1024 * 1024)

    response = upload(client, coordinator, big)

    assert "The file is larger than 5 MB" in text(response)
    assert count_rows(CatalogueImport) == 0


def test_a_file_that_is_not_utf8_is_refused_next_to_the_field(client, coordinator):
    response = upload(client, coordinator, "code,name,case_price\nA,Café,1\n".encode("latin-1"))

    assert 'id="file-error">The file is not UTF-8 text.' in response.get_data(as_text=True)
    assert count_rows(CatalogueImport) == 0


def test_a_file_holding_a_nul_byte_is_refused_with_its_line_next_to_the_field(client, coordinator):
    """PostgreSQL cannot store a NUL; the file is refused before anything is kept."""
    prices = csv_lines(
        OWN_HEADER,
        "RIC-5,Basmati rice,1 kg bag,5,9.95,0,Rice",
        "TOM-400,Chop\x00ped,400 g tin,24,10.80,0,Tins",
    )

    response = upload(client, coordinator, prices)

    assert response.status_code == 200
    assert 'id="file-error">Line 3 of the file holds a control character' in text(response)
    assert count_rows(CatalogueImport) == 0
    assert count_rows(Product) == 0


def test_only_csv_text_or_spreadsheet_files_are_accepted(client, coordinator):
    response = upload(client, coordinator, "code,name,case_price\n", filename="prices.pdf")

    assert "Choose a CSV file or a spreadsheet" in text(response)
    assert count_rows(CatalogueImport) == 0


def test_a_changed_price_shows_old_and_new_and_is_recorded_on_confirm(client, coordinator):
    coordinator.add(
        code="RIC-5",
        name="Basmati rice",
        unit_label="1 kg bag",
        case_size=5,
        case_price_pence=945,
        category="Rice",
    )
    content = csv_lines(OWN_HEADER, "RIC-5,Basmati rice,1 kg bag,5,9.95,0,Rice")
    preview = preview_url(upload(client, coordinator, content))

    page = text(client.get(preview))
    assert "Case price: £9.45 → £9.95" in page
    assert "Changed products</dt><dd>1 (1 with a new price or VAT rate)" in page

    page = text(confirm(client, preview))

    assert "0 added, 1 changed (1 with a new price or VAT rate)" in page
    rice = coordinator.product("RIC-5")
    assert rice.case_price_pence == 995
    change = db.session.scalar(db.select(PriceChange))
    assert (change.old_case_price_pence, change.new_case_price_pence) == (945, 995)
    assert (change.reason, change.changed_by_id) == ("import", coordinator.coordinator.id)


def test_missing_products_are_listed_but_kept_unless_asked(client, coordinator):
    coordinator.add(code="OLD-1", name="Discontinued beans")
    content = csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins")
    preview = preview_url(upload(client, coordinator, content))

    page = text(client.get(preview))
    assert "Discontinued beans" in page
    assert "left as they are" in page
    confirm(client, preview)

    assert coordinator.product("OLD-1").available


def test_missing_products_are_marked_unavailable_when_asked(client, coordinator):
    coordinator.add(code="OLD-1", name="Discontinued beans")
    content = csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins")
    preview = preview_url(upload(client, coordinator, content, mark_missing_unavailable=True))
    assert "to be marked unavailable" in text(client.get(preview))

    page = text(confirm(client, preview))

    assert "1 marked unavailable" in page
    assert not coordinator.product("OLD-1").available
    assert coordinator.product("NEW-1").available


def test_export_then_reimport_changes_nothing(client, coordinator):
    coordinator.add(
        code="RIC-5",
        name="Basmati rice",
        case_price_pence=945,
        tag_bits=1 | 16,
        reference_price_pence=275,
        reference_price_source="Tesco.com",
        reference_price_date=date(2026, 3, 2),
    )
    coordinator.add(code="OLD-1", name="Old stock", available=False, deposit_pence=60)
    exported = client.get(coordinator.url("export.csv"))
    assert exported.headers["Content-Disposition"] == (
        'attachment; filename="greens-wholesale-catalogue.csv"'
    )
    assert exported.content_type == "text/csv; charset=utf-8"
    # A byte-order mark, so that spreadsheets read the file as UTF-8.
    assert exported.data.startswith("\ufeffcode,name,".encode())

    preview = preview_url(upload(client, coordinator, exported.data, mark_missing_unavailable=True))
    page = text(client.get(preview))

    assert "New products</dt><dd>0" in page
    assert "Changed products</dt><dd>0" in page
    assert "Unchanged</dt><dd>2" in page
    assert "importing it would change nothing" in page
    assert "Confirm the import" not in page


def test_a_subscriber_can_export_a_shared_catalogue(client, auth, factory, shop):
    other = factory.coop(name="Ribbleton Larder")
    db.session.add(CatalogueSubscription(coop=other, supplier=shop.supplier))
    db.session.commit()
    shop.add(code="RIC-5", name="Basmati rice")
    auth.login_as(factory.member(other, Role.COORDINATOR))

    response = client.get(f"/coops/{other.slug}/admin/suppliers/{shop.supplier.id}/export.csv")

    assert response.status_code == 200
    assert "RIC-5,Basmati rice" in response.get_data(as_text=True)


def test_confirming_twice_is_refused(client, coordinator):
    content = csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins")
    preview = preview_url(upload(client, coordinator, content))
    confirm(client, preview)

    page = text(confirm(client, preview))

    assert "This file has already been imported." in page
    assert count_rows(Product) == 1


def test_a_subscriber_cannot_import_into_a_shared_catalogue(client, auth, factory, shop):
    other = factory.coop(name="Ribbleton Larder")
    db.session.add(CatalogueSubscription(coop=other, supplier=shop.supplier))
    db.session.commit()
    auth.login_as(factory.member(other, Role.COORDINATOR))
    path = f"/coops/{other.slug}/admin/suppliers/{shop.supplier.id}/import"

    page = client.get(path)
    posted = client.post(path, data={}, content_type="multipart/form-data")

    assert page.status_code == 403
    assert "This catalogue is kept by Fishwick Food; you cannot change it." in text(page)
    assert posted.status_code == 403
    assert count_rows(CatalogueImport) == 0


def test_another_coops_supplier_and_upload_are_not_found(client, auth, factory, shop):
    content = csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins")
    auth.login_as(shop.coordinator)
    preview = preview_url(upload(client, shop, content))
    import_id = preview.rsplit("/", 1)[1]
    other = factory.coop()
    theirs = Supplier(coop=other, name="Their supplier")
    db.session.add(theirs)
    db.session.commit()
    auth.logout()
    auth.login_as(factory.member(other, Role.COORDINATOR))
    base = f"/coops/{other.slug}/admin/suppliers"

    assert client.get(f"{base}/{shop.supplier.id}/import").status_code == 404
    assert client.get(f"{base}/{shop.supplier.id}/export.csv").status_code == 404
    assert client.get(f"{base}/{theirs.id}/import/{import_id}").status_code == 404
    assert client.post(f"{base}/{theirs.id}/import/{import_id}/confirm").status_code == 404
    assert count_rows(Product) == 0


@pytest.mark.parametrize("role", [Role.TREASURER, Role.MEMBER])
def test_only_coordinators_import(client, auth, factory, shop, role):
    auth.login_as(factory.member(shop.coop, role))

    assert client.get(shop.url()).status_code == 403


def test_the_script_gets_the_preview_address_as_json(client, coordinator):
    content = csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins")

    response = upload(client, coordinator, content, headers={"Accept": "application/json"})

    assert response.status_code == 200
    location = response.get_json()["location"]
    assert re.fullmatch(
        rf"/coops/fishwick/admin/suppliers/{coordinator.supplier.id}/import/\d+", location
    )


def test_the_script_gets_form_errors_as_json(client, coordinator, app):
    app.config["CATALOGUE_IMPORT_MAX_BYTES"] = 10

    response = upload(client, coordinator, OWN_HEADER, headers={"Accept": "application/json"})

    assert response.status_code == 400
    assert response.get_json()["errors"][0].startswith("The file is larger than")


def test_the_upload_needs_the_pages_csrf_token(client, coordinator, app):
    app.config["WTF_CSRF_ENABLED"] = True
    content = csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins")
    page = client.get(coordinator.url()).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    without_token = upload(client, coordinator, content)
    with_token = upload(client, coordinator, content, extra={"csrf_token": token})

    assert without_token.status_code == 400
    assert with_token.status_code == 302
    assert count_rows(CatalogueImport) == 1


def test_long_lists_are_paginated(client, coordinator):
    content = csv_lines(OWN_HEADER, *(f"N{i:04d},Thing {i},each,1,1.00,0,Misc" for i in range(250)))
    preview = preview_url(upload(client, coordinator, content))

    first = text(client.get(preview))
    last = text(client.get(preview + "?additions_page=3"))

    assert "1\u2013100 of 250" in first and "N0000" in first and "N0100" not in first
    assert "201\u2013250 of 250" in last and "N0249" in last and "N0000" not in last
    assert not layout_problems(client.get(preview).get_data(as_text=True))


def test_a_preview_after_the_catalogue_changed_offers_no_confirm(client, coordinator):
    content = csv_lines(OWN_HEADER, "NEW-1,Fresh beans,each,1,1.00,0,Tins")
    preview = preview_url(upload(client, coordinator, content))
    coordinator.add(code="EDIT-1", name="Added by hand meanwhile")

    page = text(client.get(preview))
    assert "The catalogue changed since you previewed this file" in page
    assert "Confirm the import" not in page

    page = text(confirm(client, preview))
    assert "The catalogue changed since you previewed this file; upload it again" in page
    assert coordinator.product("NEW-1") is None


def test_a_finished_import_is_headed_as_finished_with_counts_separated(app, client, auth, shop):
    app.config["IMPORT_JOB_ROWS"] = 10_000  # imported at once, not as a job
    shop.add_many(1_200)
    auth.login_as(shop.coordinator)
    rows = [f"C{i:05d},Product {i},each,1,{plain_pounds(200 + i)},0," for i in range(1_200)]
    rows += [f"N{i:05d},New {i},each,1,1.00,0," for i in range(1_500)]
    preview = preview_url(upload(client, shop, csv_lines(OWN_HEADER, *rows)))

    before = text(client.get(preview))
    assert "<h1>Check the import for Greens Wholesale</h1>" in before
    assert "<dt>New products</dt><dd>1,500</dd>" in before
    assert "1,200 (1,200 with a new price or VAT rate)" in before

    after = client.post(preview + "/confirm", follow_redirects=True)

    page = text(after)
    assert "<h1>Import finished for Greens Wholesale</h1>" in page
    assert "Check the import" not in page
    assert "1,500 added, 1,200 changed (1,200 with a new price or VAT rate)" in page
    assert not layout_problems(after.get_data(as_text=True))


def test_the_import_pages_use_the_catalogue_navigation(client, auth, shop):
    auth.login_as(shop.coordinator)

    html = client.get(shop.url()).get_data(as_text=True)

    assert '<nav aria-label="Catalogue"' in html
    assert re.search(r'<nav aria-label="Catalogue".*?Shared catalogues', html, re.S)


def test_a_file_past_the_upload_limit_gets_the_too_large_page_unread(client, coordinator):
    huge = OWN_HEADER + "\n" + "x" * (7 * 1024 * 1024)

    response = upload(client, coordinator, huge)

    assert response.status_code == 413
    assert "A price list file can be up to 5 MB" in text(response)
    assert count_rows(CatalogueImport) == 0
