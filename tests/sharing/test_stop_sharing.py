"""Stopping a share: each subscriber keeps its own copy of the catalogue and is told."""

from __future__ import annotations

from sqlalchemy import select
from support import count_rows, text

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CatalogueSubscription, OutboxMessage, Product, ShareScope, Supplier
from coop.services.catalogue.products import suppliers_for
from coop.services.catalogue.sharing import set_share_scope, stop_sharing
from sharing.support import add_supplier, share, sharing_url, subscribe


def _own_suppliers(coop) -> list[Supplier]:
    db.session.expire_all()
    query = select(Supplier).where(Supplier.coop_id == coop.id).order_by(Supplier.id)
    return list(db.session.scalars(query))


def _products(supplier: Supplier) -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(
                Product.code,
                Product.name,
                Product.category,
                Product.tag_bits,
                Product.unit_label,
                Product.case_size,
                Product.case_price_pence,
                Product.vat_bp,
                Product.reference_price_pence,
                Product.reference_price_source,
                Product.available,
            )
            .where(Product.supplier_id == supplier.id)
            .order_by(Product.code)
        )
    ]


def test_stopping_sharing_gives_each_subscriber_its_own_copy_and_emails_it(
    world, auth, client, mailbox
):
    share(world.supplier, ShareScope.PLATFORM)
    subscribe(world.neighbour, world.supplier)
    subscribe(world.outsider, world.supplier)
    auth.login_as(world.publisher_coordinator)

    response = client.post(
        sharing_url(world.publisher, world.supplier), data={"scope": "private", "confirm": "yes"}
    )

    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "now keep their own copy: Lancaster Larder, Ribbleton Pantry" in page
    assert world.reload(world.supplier).share_scope is ShareScope.PRIVATE
    assert count_rows(CatalogueSubscription) == 0
    for coop in (world.neighbour, world.outsider):
        [copy] = _own_suppliers(coop)
        assert copy.name == "Northern Wholefoods"
        assert copy.email == "orders@northern.example.org"
        assert (copy.min_order_pence, copy.delivery_charge_pence) == (25_000, 1_500)
        assert copy.share_scope is ShareScope.PRIVATE and copy.active
        assert (
            "Copied from the catalogue of Northern Wholefoods that Fishwick Food Co-op shared"
            in copy.notes
        )
        assert _products(copy) == _products(world.supplier)
        assert suppliers_for(coop=coop) == [copy]
    [message] = mailbox.to("rosa@ribbleton.example.org")
    assert message["Subject"] == "Fishwick Food Co-op stopped sharing Northern Wholefoods"
    body = mailbox.body(message)
    assert "Ribbleton Pantry now has its own copy" in body
    [copy] = _own_suppliers(world.neighbour)
    assert f"/coops/ribbleton/admin/suppliers/{copy.id}/" in body
    assert len(mailbox.to(world.outsider_coordinator.email)) == 1
    # Treasurers and members are not told; coordinators keep the catalogue.
    assert not mailbox.to(world.neighbour_treasurer.email)


def test_after_stopping_the_publishers_changes_no_longer_reach_the_copy(world, auth, client):
    share(world.supplier, ShareScope.COUNCIL)
    subscribe(world.neighbour, world.supplier)
    world.rice.case_price_pence = 2_200  # before: reaches the subscriber at once
    db.session.commit()
    auth.login_as(world.publisher_coordinator)
    client.post(
        sharing_url(world.publisher, world.supplier), data={"scope": "private", "confirm": "yes"}
    )

    world.rice = db.session.get(Product, world.rice.id)
    world.rice.case_price_pence = 9_900
    world.rice.name = "Renamed rice"
    db.session.commit()

    [copy] = _own_suppliers(world.neighbour)
    copied_rice = db.session.scalar(
        select(Product).where(Product.supplier_id == copy.id, Product.code == "RICE-1")
    )
    assert (copied_rice.name, copied_rice.case_price_pence) == ("Basmati rice", 2_200)
    auth.logout()
    auth.login_as(world.neighbour_coordinator)
    page = text(client.get(f"/coops/ribbleton/admin/suppliers/{copy.id}/products"))
    assert "Basmati rice" in page and "Renamed rice" not in page


def test_a_copy_is_the_subscribers_to_change(world, auth, client):
    share(world.supplier, ShareScope.COUNCIL)
    subscribe(world.neighbour, world.supplier)
    stop_sharing(supplier=world.supplier)
    db.session.commit()
    [copy] = _own_suppliers(world.neighbour)
    auth.login_as(world.neighbour_coordinator)

    assert client.get(sharing_url(world.neighbour, copy)).status_code == 200
    assert client.get(f"/coops/ribbleton/admin/suppliers/{copy.id}/edit").status_code == 200


def test_a_subscriber_with_a_supplier_of_that_name_gets_the_copy_under_a_new_name(world):
    add_supplier(world.neighbour, "Northern Wholefoods")
    add_supplier(world.neighbour, "Northern Wholefoods (copy)")
    share(world.supplier, ShareScope.COUNCIL)
    subscribe(world.neighbour, world.supplier)

    stop_sharing(supplier=world.supplier)
    db.session.commit()

    names = [supplier.name for supplier in _own_suppliers(world.neighbour)]
    assert names == [
        "Northern Wholefoods",
        "Northern Wholefoods (copy)",
        "Northern Wholefoods (copy 2)",
    ]


def test_narrowing_a_share_to_the_council_hands_copies_only_to_coops_outside_it(world, mailbox):
    share(world.supplier, ShareScope.PLATFORM)
    subscribe(world.neighbour, world.supplier)
    subscribe(world.outsider, world.supplier)

    change = set_share_scope(supplier=world.supplier, scope=ShareScope.COUNCIL)
    db.session.commit()

    assert [coop.name for coop in change.copied_for] == ["Lancaster Larder"]
    subscribers = db.session.scalars(select(CatalogueSubscription.coop_id)).all()
    assert subscribers == [world.neighbour.id]
    assert len(_own_suppliers(world.outsider)) == 1
    assert _own_suppliers(world.neighbour) == []
    assert len(mailbox.to(world.outsider_coordinator.email)) == 1
    assert not mailbox.to("rosa@ribbleton.example.org")


def test_deactivating_a_shared_supplier_ends_the_share_the_same_way(world, factory):
    share(world.supplier, ShareScope.COUNCIL)
    subscribe(world.neighbour, world.supplier)
    second = factory.member(world.neighbour, Role.COORDINATOR)

    world.supplier.active = False
    copied_for = stop_sharing(supplier=world.supplier)
    db.session.commit()

    assert [coop.name for coop in copied_for] == ["Ribbleton Pantry"]
    [copy] = _own_suppliers(world.neighbour)
    assert copy.active
    # Without MAIL_SERVER the messages wait in the outbox, one per coordinator.
    recipients = sorted(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == sorted(["rosa@ribbleton.example.org", second.email])


def test_stopping_a_share_nobody_subscribes_to_copies_nothing(world, mailbox):
    share(world.supplier, ShareScope.COUNCIL)

    assert stop_sharing(supplier=world.supplier) == []
    db.session.commit()

    assert count_rows(Supplier) == 1
    assert mailbox.messages == []


def test_copying_a_large_catalogue_takes_one_insert(world, count_queries):
    db.session.execute(
        Product.__table__.insert(),
        [
            {
                "supplier_id": world.supplier.id,
                "code": f"B{i:04d}",
                "name": f"Item {i}",
                "case_price_pence": i,
                "case_size": 1,
                "vat_bp": 0,
                "tag_bits": 0,
                "unit_label": "each",
                "deposit_pence": 0,
                "available": True,
                "description": "",
                "category": "",
                "origin": "",
                "manufacturer": "",
                "reference_price_source": "",
            }
            for i in range(1_000)
        ],
    )
    share(world.supplier, ShareScope.COUNCIL)
    subscribe(world.neighbour, world.supplier)

    with count_queries() as statements:
        stop_sharing(supplier=world.supplier)
    db.session.commit()

    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO PRODUCTS")]
    assert len(inserts) == 1
    [copy] = _own_suppliers(world.neighbour)
    assert count_rows(Product, Product.supplier_id == copy.id) == 1_002
