"""``flask --app coop seed-demo`` also loads demo catalogues, one shared between the co-ops."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support import count_rows, text

from coop.demo.catalogue import LINES, wholesale_rows
from coop.demo.seed import FISHWICK_TREASURER, RIBBLETON_COORDINATOR
from coop.domain.catalogue import VAT_RATES_BP, Tag
from coop.extensions import db
from coop.models import CatalogueSubscription, Coop, Product, ShareScope, Supplier, SupplierKind
from coop.services.catalogue.products import is_owner, suppliers_for


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo", "--no-history"])
    assert result.exit_code == 0, result.output
    return result


def _coop(slug: str) -> Coop:
    return db.session.scalar(select(Coop).where(Coop.slug == slug))


def _supplier(kind: SupplierKind) -> Supplier:
    return db.session.scalar(select(Supplier).where(Supplier.kind == kind))


def _product_count(supplier: Supplier) -> int:
    return count_rows(Product, Product.supplier_id == supplier.id)


def test_fishwick_keeps_a_wholesaler_a_local_grower_and_a_surplus_supplier(seeded):
    fishwick = _coop("fishwick-food")
    suppliers = {s.kind: s for s in suppliers_for(coop=fishwick)}

    assert set(suppliers) == {SupplierKind.WHOLESALER, SupplierKind.PRODUCER, SupplierKind.SURPLUS}
    assert all(is_owner(coop=fishwick, supplier=s) for s in suppliers.values())
    assert 250 <= _product_count(suppliers[SupplierKind.WHOLESALER]) <= 500
    assert _product_count(suppliers[SupplierKind.PRODUCER]) >= 15
    assert _product_count(suppliers[SupplierKind.SURPLUS]) >= 8
    assert suppliers[SupplierKind.PRODUCER].is_local
    assert all("demo" in s.notes.lower() for s in suppliers.values())


def test_the_wholesale_staples_have_plausible_prices_vat_and_reference_prices(seeded):
    wholesaler = _supplier(SupplierKind.WHOLESALER)
    products = db.session.scalars(select(Product).where(Product.supplier_id == wholesaler.id)).all()
    by_name = {p.name: p for p in products}

    for staple in (
        "basmati rice",
        "spaghetti",
        "chopped tomatoes",
        "red split lentils",
        "sunflower oil",
        "tea bags",
        "nappies",
        "washing-up liquid",
        "toilet roll",
    ):
        assert any(staple in name for name in by_name), staple
    assert all(p.vat_bp in VAT_RATES_BP and p.case_price_pence > 0 for p in products)
    assert all(p.reference_price_pence and p.reference_price_date for p in products)
    assert all(p.reference_price_source.startswith("Tesco.com") for p in products)
    assert {p.reference_price_date.isoformat() for p in products} == {"2026-11-02"}
    assert {p.vat_bp for p in products if p.category == "Pulses"} == {0}
    assert {p.vat_bp for p in products if p.category in ("Baby", "Household")} == {2000}
    assert all(p.category and p.code.startswith("NW-") for p in products)
    assert any(p.tag_bits & Tag.FAIRTRADE.bit for p in products)
    # Buying by the case undercuts the shop: the case costs less than its units in the shop.
    for p in products:
        shop_ex_vat = p.reference_price_pence * p.case_size * 10_000 // (10_000 + p.vat_bp)
        assert p.case_price_pence < shop_ex_vat, p.name


def test_surplus_food_costs_nothing(seeded):
    surplus = _supplier(SupplierKind.SURPLUS)

    prices = db.session.scalars(
        select(Product.case_price_pence).where(Product.supplier_id == surplus.id)
    ).all()

    assert prices and set(prices) == {0}


def test_the_growers_vegetables_are_tagged_local(seeded):
    grower = _supplier(SupplierKind.PRODUCER)

    tags = db.session.scalars(select(Product.tag_bits).where(Product.supplier_id == grower.id))

    assert all(bits & Tag.LOCAL.bit for bits in tags)


def test_ribbleton_subscribes_to_the_wholesaler_fishwick_shares_with_the_council(seeded):
    wholesaler = _supplier(SupplierKind.WHOLESALER)
    ribbleton = _coop("ribbleton-pantry")

    assert wholesaler.share_scope is ShareScope.COUNCIL
    assert db.session.scalars(select(CatalogueSubscription.coop_id)).all() == [ribbleton.id]
    assert [s.name for s in suppliers_for(coop=ribbleton)] == [wholesaler.name]
    assert not is_owner(coop=ribbleton, supplier=wholesaler)


def test_ribbleton_reads_the_shared_wholesaler_but_cannot_change_it(seeded, app, auth, client):
    wholesaler = _supplier(SupplierKind.WHOLESALER)
    base = f"/coops/ribbleton-pantry/admin/suppliers/{wholesaler.id}"
    auth.login(RIBBLETON_COORDINATOR.email, RIBBLETON_COORDINATOR.password)

    page = client.get(f"{base}/")
    edit = client.get(f"{base}/edit")
    sharing = client.get(f"{base}/sharing")

    assert page.status_code == 200
    assert "Northern Wholefoods Wholesale" in text(page)
    assert "kept by Fishwick Food Co-op" in text(page)
    assert edit.status_code == 403 and sharing.status_code == 403


def test_the_fishwick_treasurer_sees_the_wholesaler_is_shared(seeded, auth, client):
    wholesaler = _supplier(SupplierKind.WHOLESALER)
    auth.login(FISHWICK_TREASURER.email, FISHWICK_TREASURER.password)

    page = text(client.get(f"/coops/fishwick-food/admin/suppliers/{wholesaler.id}/sharing"))

    assert "Shared with the co-ops of our council" in page
    assert "<li>Ribbleton Pantry</li>" in page


def test_the_generated_codes_are_unique_and_every_line_has_products():
    rows = list(wholesale_rows())

    assert len({row["code"] for row in rows}) == len(rows)
    assert {row["code"].split("-")[1] for row in rows} == {line.code for line in LINES}


def test_loading_the_catalogues_inserts_products_in_bulk(runner, count_queries):
    with count_queries() as statements:
        result = runner.invoke(args=["seed-demo", "--no-history"])

    assert result.exit_code == 0, result.output
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO PRODUCTS")]
    assert len(inserts) == 3  # one per supplier
    assert db.session.scalar(select(func.count()).select_from(Product)) > 300
