"""Stopping a share: each subscriber keeps its own copy of the catalogue and is told."""

from __future__ import annotations

from sqlalchemy import select
from support import count_rows, layout_problems, text

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
    four_coops, auth, client, mailbox
):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    subscribe(four_coops.outsider, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier),
        data={"scope": "private", "confirm": "yes"},
    )

    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "now keep their own copy: Lancaster Larder, Ribbleton Pantry" in page
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PRIVATE
    assert count_rows(CatalogueSubscription) == 0
    for coop in (four_coops.neighbour, four_coops.outsider):
        [copy] = _own_suppliers(coop)
        assert copy.name == "Northern Wholefoods"
        assert copy.email == "orders@northern.example.org"
        assert (copy.min_order_pence, copy.delivery_charge_pence) == (25_000, 1_500)
        assert copy.share_scope is ShareScope.PRIVATE and copy.active
        assert (
            "Copied from the catalogue of Northern Wholefoods that Fishwick Food Co-op shared"
            in copy.notes
        )
        assert _products(copy) == _products(four_coops.supplier)
        assert suppliers_for(coop=coop) == [copy]
    [message] = mailbox.to("rosa@ribbleton.example.org")
    assert message["Subject"] == "Fishwick Food Co-op stopped sharing Northern Wholefoods"
    body = mailbox.body(message)
    assert "Ribbleton Pantry now has its own copy" in body
    [copy] = _own_suppliers(four_coops.neighbour)
    assert f"/coops/ribbleton/admin/suppliers/{copy.id}/" in body
    assert len(mailbox.to(four_coops.outsider_coordinator.email)) == 1
    # Treasurers and members are not told; coordinators keep the catalogue.
    assert not mailbox.to(four_coops.neighbour_treasurer.email)


def test_after_stopping_the_publishers_changes_no_longer_reach_the_copy(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    four_coops.rice.case_price_pence = 2_200  # before: reaches the subscriber at once
    db.session.commit()
    auth.login_as(four_coops.publisher_coordinator)
    client.post(
        sharing_url(four_coops.publisher, four_coops.supplier),
        data={"scope": "private", "confirm": "yes"},
    )

    four_coops.rice = db.session.get(Product, four_coops.rice.id)
    four_coops.rice.case_price_pence = 9_900
    four_coops.rice.name = "Renamed rice"
    db.session.commit()

    [copy] = _own_suppliers(four_coops.neighbour)
    copied_rice = db.session.scalar(
        select(Product).where(Product.supplier_id == copy.id, Product.code == "RICE-1")
    )
    assert (copied_rice.name, copied_rice.case_price_pence) == ("Basmati rice", 2_200)
    auth.logout()
    auth.login_as(four_coops.neighbour_coordinator)
    page = text(client.get(f"/coops/ribbleton/admin/suppliers/{copy.id}/products"))
    assert "Basmati rice" in page and "Renamed rice" not in page


def test_a_copy_is_the_subscribers_to_change(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    stop_sharing(supplier=four_coops.supplier)
    db.session.commit()
    [copy] = _own_suppliers(four_coops.neighbour)
    auth.login_as(four_coops.neighbour_coordinator)

    assert client.get(sharing_url(four_coops.neighbour, copy)).status_code == 200
    assert client.get(f"/coops/ribbleton/admin/suppliers/{copy.id}/edit").status_code == 200


def test_a_subscriber_with_a_supplier_of_that_name_gets_the_copy_under_a_new_name(four_coops):
    add_supplier(four_coops.neighbour, "Northern Wholefoods")
    add_supplier(four_coops.neighbour, "Northern Wholefoods (copy)")
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)

    stop_sharing(supplier=four_coops.supplier)
    db.session.commit()

    names = [supplier.name for supplier in _own_suppliers(four_coops.neighbour)]
    assert names == [
        "Northern Wholefoods",
        "Northern Wholefoods (copy)",
        "Northern Wholefoods (copy 2)",
    ]


def test_narrowing_a_share_to_the_council_hands_copies_only_to_coops_outside_it(
    four_coops, mailbox
):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    subscribe(four_coops.outsider, four_coops.supplier)

    change = set_share_scope(supplier=four_coops.supplier, scope=ShareScope.COUNCIL)
    db.session.commit()

    assert [coop.name for coop in change.copied_for] == ["Lancaster Larder"]
    subscribers = db.session.scalars(select(CatalogueSubscription.coop_id)).all()
    assert subscribers == [four_coops.neighbour.id]
    assert len(_own_suppliers(four_coops.outsider)) == 1
    assert _own_suppliers(four_coops.neighbour) == []
    assert len(mailbox.to(four_coops.outsider_coordinator.email)) == 1
    assert not mailbox.to("rosa@ribbleton.example.org")


def test_deactivating_a_shared_supplier_ends_the_share_the_same_way(four_coops, factory):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    second = factory.member(four_coops.neighbour, Role.COORDINATOR)

    four_coops.supplier.active = False
    copied_for = stop_sharing(supplier=four_coops.supplier)
    db.session.commit()

    assert [coop.name for coop in copied_for] == ["Ribbleton Pantry"]
    [copy] = _own_suppliers(four_coops.neighbour)
    assert copy.active
    # Without MAIL_SERVER the messages wait in the outbox, one per coordinator.
    recipients = sorted(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == sorted(["rosa@ribbleton.example.org", second.email])


def test_stopping_a_share_nobody_subscribes_to_copies_nothing(four_coops, mailbox):
    share(four_coops.supplier, ShareScope.COUNCIL)

    assert stop_sharing(supplier=four_coops.supplier) == []
    db.session.commit()

    assert count_rows(Supplier) == 1
    assert mailbox.messages == []


def test_copying_a_large_catalogue_takes_one_insert(four_coops, count_queries):
    db.session.execute(
        Product.__table__.insert(),
        [
            {
                "supplier_id": four_coops.supplier.id,
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
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)

    with count_queries() as statements:
        stop_sharing(supplier=four_coops.supplier)
    db.session.commit()

    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO PRODUCTS")]
    assert len(inserts) == 1
    [copy] = _own_suppliers(four_coops.neighbour)
    assert count_rows(Product, Product.supplier_id == copy.id) == 1_002


def test_stopping_sharing_with_subscribers_asks_first_and_names_them(
    four_coops, auth, client, mailbox
):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    subscribe(four_coops.outsider, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "private"}
    )

    page = text(response)
    assert response.status_code == 200
    assert "Stop sharing Northern Wholefoods?" in page
    assert "<li>Lancaster Larder</li>" in page and "<li>Ribbleton Pantry</li>" in page
    assert "Each keeps its own copy" in page and "emailed" in page
    assert not layout_problems(response.get_data(as_text=True))
    # Nothing has happened yet.
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PLATFORM
    assert count_rows(CatalogueSubscription) == 2
    assert not mailbox.messages

    confirmed = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier),
        data={"scope": "private", "confirm": "yes"},
    )

    assert confirmed.status_code == 302
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PRIVATE
    assert count_rows(CatalogueSubscription) == 0


def test_narrowing_to_the_council_names_only_the_coops_that_lose_the_catalogue(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    subscribe(four_coops.outsider, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    page = text(
        client.post(
            sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "council"}
        )
    )

    assert "only with the co-ops of Preston City Council?" in page
    assert "<li>Lancaster Larder</li>" in page
    assert "Ribbleton Pantry" not in page
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.PLATFORM
    assert count_rows(CatalogueSubscription) == 2


def test_a_change_that_loses_nobody_needs_no_confirmation(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.PLATFORM)
    subscribe(four_coops.neighbour, four_coops.supplier)
    auth.login_as(four_coops.publisher_coordinator)

    response = client.post(
        sharing_url(four_coops.publisher, four_coops.supplier), data={"scope": "council"}
    )

    assert response.status_code == 302
    assert four_coops.reload(four_coops.supplier).share_scope is ShareScope.COUNCIL
    assert count_rows(CatalogueSubscription) == 1
