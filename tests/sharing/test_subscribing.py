"""Subscribing to catalogues other co-ops share, and reading them read-only."""

from __future__ import annotations

import re

import pytest
from support import count_rows, layout_problems, text
from werkzeug.routing import Rule

from coop.extensions import db
from coop.models import (
    CatalogueImport,
    CatalogueSubscription,
    PriceChange,
    Product,
    ShareScope,
    Supplier,
)
from coop.services.catalogue.products import suppliers_for
from coop.services.catalogue.sharing import stop_sharing, subscribe_to_catalogue
from coop.services.errors import ServiceError
from sharing.support import add_product, add_supplier, admin_url, share, shared_url, subscribe


def _subscription_count(four_coops) -> int:
    return count_rows(
        CatalogueSubscription, CatalogueSubscription.supplier_id == four_coops.supplier.id
    )


def test_a_coop_of_the_same_council_sees_a_catalogue_shared_with_the_council(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_coordinator)

    page = text(client.get(shared_url(four_coops.neighbour)))

    assert "Northern Wholefoods" in page
    assert "Fishwick Food Co-op" in page
    assert '<td data-label="Products">2</td>' in page
    assert "Subscribe" in page


def test_subscribing_puts_the_supplier_in_the_subscribers_catalogue(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_coordinator)

    response = client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/subscribe"))

    assert response.status_code == 302
    assert _subscription_count(four_coops) == 1
    assert "Northern Wholefoods is now in your catalogue" in text(client.get(response.location))
    assert [s.name for s in suppliers_for(coop=four_coops.neighbour)] == ["Northern Wholefoods"]
    suppliers = text(client.get(admin_url(four_coops.neighbour, "/suppliers")))
    assert "Northern Wholefoods" in suppliers and "Shared by Fishwick Food Co-op" in suppliers
    products = text(
        client.get(admin_url(four_coops.neighbour, f"/suppliers/{four_coops.supplier.id}/"))
    )
    assert "Basmati rice" in products and "Bar soap" in products


def test_a_subscribed_catalogue_can_be_unsubscribed(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    auth.login_as(four_coops.neighbour_coordinator)

    response = client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/unsubscribe"))

    assert response.status_code == 302
    assert _subscription_count(four_coops) == 0
    assert "no longer in your catalogue" in text(client.get(response.location))
    supplier_page = client.get(
        admin_url(four_coops.neighbour, f"/suppliers/{four_coops.supplier.id}/")
    )
    assert supplier_page.status_code == 404


def test_unsubscribing_from_a_catalogue_not_subscribed_is_not_found(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_coordinator)

    response = client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/unsubscribe"))

    assert response.status_code == 404


def test_subscribing_twice_keeps_one_subscription(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    auth.login_as(four_coops.neighbour_coordinator)

    response = client.post(
        shared_url(four_coops.neighbour, four_coops.supplier, "/subscribe"), follow_redirects=True
    )

    assert "Ribbleton Pantry already subscribes to Northern Wholefoods." in text(response)
    assert _subscription_count(four_coops) == 1


def test_a_coop_of_another_council_cannot_see_or_subscribe_to_a_council_share(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.outsider_coordinator)

    listing = text(client.get(shared_url(four_coops.outsider)))
    preview = client.get(shared_url(four_coops.outsider, four_coops.supplier))
    subscribing = client.post(shared_url(four_coops.outsider, four_coops.supplier, "/subscribe"))
    supplier_page = client.get(
        admin_url(four_coops.outsider, f"/suppliers/{four_coops.supplier.id}/")
    )

    assert "Northern Wholefoods" not in listing
    assert "No other co-op shares a catalogue" in listing
    assert preview.status_code == subscribing.status_code == supplier_page.status_code == 404
    assert _subscription_count(four_coops) == 0


@pytest.mark.parametrize("scope", [ShareScope.PRIVATE, ShareScope.COUNCIL])
def test_a_private_or_council_share_stays_out_of_reach_of_a_coop_without_a_council(
    four_coops, auth, client, scope
):
    share(four_coops.supplier, scope)
    auth.login_as(four_coops.loner_coordinator)

    assert "Northern Wholefoods" not in text(client.get(shared_url(four_coops.loner)))
    assert (
        client.post(shared_url(four_coops.loner, four_coops.supplier, "/subscribe")).status_code
        == 404
    )
    assert _subscription_count(four_coops) == 0


def test_a_private_catalogue_is_not_offered_even_within_the_council(four_coops, auth, client):
    auth.login_as(four_coops.neighbour_coordinator)

    assert "Northern Wholefoods" not in text(client.get(shared_url(four_coops.neighbour)))
    assert client.get(shared_url(four_coops.neighbour, four_coops.supplier)).status_code == 404
    response = client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/subscribe"))
    assert response.status_code == 404
    assert _subscription_count(four_coops) == 0


def test_a_platform_share_is_offered_to_every_other_coop_but_not_to_its_publisher(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.PLATFORM)
    for coordinator, coop in [
        (four_coops.outsider_coordinator, four_coops.outsider),
        (four_coops.loner_coordinator, four_coops.loner),
    ]:
        auth.login_as(coordinator)
        assert "Northern Wholefoods" in text(client.get(shared_url(coop)))
        auth.logout()
    auth.login_as(four_coops.publisher_coordinator)
    assert "Northern Wholefoods" not in text(client.get(shared_url(four_coops.publisher)))
    own = client.post(shared_url(four_coops.publisher, four_coops.supplier, "/subscribe"))
    assert own.status_code == 404


def test_an_inactive_supplier_is_not_offered(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.PLATFORM)
    four_coops.supplier.active = False
    db.session.commit()
    auth.login_as(four_coops.neighbour_coordinator)

    page = text(client.get(shared_url(four_coops.neighbour)))

    assert "<h1>Catalogues other co-ops share</h1>" in page
    assert "Northern Wholefoods" not in page


def test_a_treasurer_sees_shared_catalogues_but_cannot_subscribe(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_treasurer)

    page = text(client.get(shared_url(four_coops.neighbour)))
    preview = text(client.get(shared_url(four_coops.neighbour, four_coops.supplier)))
    response = client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/subscribe"))

    assert "Northern Wholefoods" in page and "Not subscribed" in page
    assert ">Subscribe</button>" not in page and ">Subscribe</button>" not in preview
    assert response.status_code == 403
    assert _subscription_count(four_coops) == 0


def test_members_do_not_reach_shared_catalogues(four_coops, auth, client, factory):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(factory.member(four_coops.neighbour))

    assert client.get(shared_url(four_coops.neighbour)).status_code == 403
    assert (
        client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/subscribe")).status_code
        == 403
    )


def test_a_price_change_by_the_publisher_shows_at_once_in_the_subscribers_pages(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    auth.login_as(four_coops.neighbour_coordinator)
    products = admin_url(four_coops.neighbour, f"/suppliers/{four_coops.supplier.id}/products")
    # 2000p for 10 bags at 0% VAT is 200p a bag; Ribbleton adds its 10% markup.
    assert "£2.20" in text(client.get(products))

    four_coops.rice.case_price_pence = 2_500
    db.session.commit()

    assert "£2.75" in text(client.get(products))
    assert "£2.75" in text(client.get(shared_url(four_coops.neighbour, four_coops.supplier)))


def test_each_coop_applies_its_own_markup_to_a_shared_product(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)

    auth.login_as(four_coops.publisher_coordinator)
    own = text(
        client.get(admin_url(four_coops.publisher, f"/suppliers/{four_coops.supplier.id}/products"))
    )
    auth.logout()
    auth.login_as(four_coops.neighbour_coordinator)
    shared = text(
        client.get(admin_url(four_coops.neighbour, f"/suppliers/{four_coops.supplier.id}/products"))
    )

    # Basmati rice: 200p a bag. Fishwick has no markup, Ribbleton 10%.
    assert "£2.00" in own and "£2.20" not in own
    assert "£2.20" in shared and "£2.00" not in shared
    # Bar soap: 1200p for 12 at 20% VAT is 120p; with Ribbleton's markup 132p.
    assert "£1.20" in own and "£1.32" in shared


def _supplier_rules(app) -> list[Rule]:
    """Return the admin routes about one supplier's catalogue (not a round's order sheets)."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        and "supplier_id" in rule.arguments
        and "round_id" not in rule.arguments
        and "/shared-catalogues/" not in rule.rule
    ]


CHANGING = ("edit", "new", "import", "prices", "sharing", "feeds", "availability", "confirm")


def _refusals(app, client, coop, four_coops, *, may_read: tuple[str, ...] = ()) -> list[str]:
    """Request every supplier route of *coop* for the shared supplier; list any not refused.

    GET pages are tried only when they change things, unless named in *may_read*.
    """
    db.session.add(
        CatalogueImport(
            supplier=four_coops.supplier, content=b"code,name,case_price\n", catalogue_digest="x"
        )
    )
    db.session.commit()
    values = {
        "slug": coop.slug,
        "supplier_id": four_coops.supplier.id,
        "product_id": four_coops.rice.id,
        "import_id": db.session.scalar(db.select(CatalogueImport.id)),
        "feed_id": 1,
    }
    adapter = app.url_map.bind("localhost")
    problems = []
    tried = 0
    before = _catalogue_rows()
    for rule in _supplier_rules(app):
        path = adapter.build(
            rule.endpoint,
            {name: values[name] for name in rule.arguments - set(rule.defaults or ())},
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            changing = any(word in rule.rule for word in CHANGING)
            if method == "GET" and (not changing or rule.rule.endswith(may_read)):
                continue  # reading a shared catalogue is allowed
            tried += 1
            status = client.open(path, method=method, data={"name": "Changed", "scope": "private"})
            if status.status_code not in (403, 404, 405):
                problems.append(f"{method} {path}: {status.status_code}")
    assert _catalogue_rows() == before, "a refused request changed the catalogue"
    assert tried >= 4, "the sweep missed the sharing routes"
    return problems


def _catalogue_rows() -> list[tuple]:
    db.session.expire_all()
    suppliers = db.session.execute(
        db.select(Supplier.id, Supplier.name, Supplier.share_scope, Supplier.active)
    ).all()
    products = db.session.execute(
        db.select(Product.id, Product.name, Product.case_price_pence, Product.available)
    ).all()
    return sorted(map(tuple, suppliers)) + sorted(map(tuple, products))


def test_a_subscriber_cannot_change_a_shared_catalogue_on_any_route(four_coops, app, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    auth.login_as(four_coops.neighbour_coordinator)

    assert _refusals(app, client, four_coops.neighbour, four_coops) == []


def test_a_treasurer_of_the_publisher_cannot_change_its_catalogue_on_any_route(
    four_coops, app, auth, client
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.publisher_treasurer)

    # Treasurers read how a catalogue is shared, but change nothing.
    assert _refusals(app, client, four_coops.publisher, four_coops, may_read=("/sharing",)) == []


def test_a_subscribers_own_supplier_of_the_same_name_is_left_alone(four_coops, auth, client):
    own = add_supplier(four_coops.neighbour, "Northern Wholefoods")
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_coordinator)

    response = client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/subscribe"))

    # Subscribing would list two suppliers of that name, so it waits until the own one goes.
    assert "inactive (or rename it) first" in text(client.get(response.location))
    names = [(s.name, s.id) for s in suppliers_for(coop=four_coops.neighbour)]
    assert names == [("Northern Wholefoods", own.id)]


def test_the_shared_catalogue_list_takes_as_many_queries_for_six_catalogues_as_for_one(
    four_coops, auth, client, count_queries
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_coordinator)
    client.get(
        shared_url(four_coops.neighbour)
    )  # rows the setup's commits expired are loaded again
    with count_queries() as one:
        client.get(shared_url(four_coops.neighbour))
    for n in range(5):
        extra = add_supplier(four_coops.outsider, f"Extra {n}", share_scope=ShareScope.PLATFORM)
        add_product(extra, "X1", "Extra product")
    client.get(shared_url(four_coops.neighbour))

    with count_queries() as six:
        page = text(client.get(shared_url(four_coops.neighbour)))

    assert page.count('data-label="Kept by"') == 6
    assert len(six) == len(one)


def test_a_long_shared_catalogue_is_shown_a_page_at_a_time(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    for n in range(60):
        db.session.add(
            Product(
                supplier=four_coops.supplier,
                code=f"Z{n:02d}",
                name=f"Zest {n:02d}",
                case_price_pence=100,
            )
        )
    db.session.commit()
    auth.login_as(four_coops.neighbour_coordinator)

    first = text(client.get(shared_url(four_coops.neighbour, four_coops.supplier)))
    second = text(client.get(shared_url(four_coops.neighbour, four_coops.supplier) + "?page=2"))
    beyond = client.get(shared_url(four_coops.neighbour, four_coops.supplier) + "?page=3")

    assert "Page 1 of 2" in first and "Basmati rice" in first and "Zest 59" not in first
    assert "Page 2 of 2" in second and "Zest 59" in second
    assert beyond.status_code == 404


def _stop_and_share_again(four_coops) -> Supplier:
    """Share with the council, let the neighbour subscribe, stop, then share again."""
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    stop_sharing(supplier=four_coops.supplier)
    db.session.commit()
    share(four_coops.supplier, ShareScope.COUNCIL)
    return db.session.scalar(db.select(Supplier).where(Supplier.coop_id == four_coops.neighbour.id))


def test_subscribing_again_while_keeping_the_copy_is_refused(four_coops, auth, client):
    copy = _stop_and_share_again(four_coops)
    copy.name = "Northern (our copy)"  # renamed, but its notes still say where it came from
    db.session.commit()
    auth.login_as(four_coops.neighbour_coordinator)

    response = client.post(shared_url(four_coops.neighbour, four_coops.supplier, "/subscribe"))

    page = text(client.get(response.location))
    assert (
        "Ribbleton Pantry already keeps its own copy of Northern Wholefoods' catalogue, "
        '"Northern (our copy)", made when Fishwick Food Co-op stopped sharing it. '
        'Make "Northern (our copy)" inactive first, then subscribe.'
    ) in page.replace("&#34;", '"').replace("&#39;", "'")
    assert _subscription_count(four_coops) == 0
    assert [s.name for s in suppliers_for(coop=four_coops.neighbour)] == ["Northern (our copy)"]


def test_subscribing_is_refused_beside_an_active_supplier_of_the_same_name(four_coops):
    share(four_coops.supplier, ShareScope.COUNCIL)
    add_supplier(four_coops.neighbour, "NORTHERN WHOLEFOODS")

    with pytest.raises(ServiceError) as refused:
        subscribe_to_catalogue(coop=four_coops.neighbour, supplier=four_coops.supplier)

    assert refused.value.message == (
        'Ribbleton Pantry already has a supplier of its own called "NORTHERN WHOLEFOODS". '
        'Make "NORTHERN WHOLEFOODS" inactive (or rename it) first, then subscribe, so your '
        "catalogue does not list the supplier twice."
    )


def test_subscribing_again_once_the_copy_is_inactive_is_allowed(four_coops):
    copy = _stop_and_share_again(four_coops)
    copy.active = False
    db.session.commit()

    subscribe_to_catalogue(coop=four_coops.neighbour, supplier=four_coops.supplier)
    db.session.commit()

    assert _subscription_count(four_coops) == 1


def test_a_copy_of_another_of_the_publishers_catalogues_does_not_stand_in_the_way(four_coops):
    _stop_and_share_again(four_coops)
    other = add_supplier(four_coops.publisher, "Ribble Valley Growers")
    share(other, ShareScope.COUNCIL)

    subscribe_to_catalogue(coop=four_coops.neighbour, supplier=other)
    db.session.commit()

    assert count_rows(CatalogueSubscription, CatalogueSubscription.supplier_id == other.id) == 1


def product_url(coop, product) -> str:
    return f"/coops/{coop.slug}/admin/suppliers/{product.supplier_id}/products/{product.id}/"


def priced_by_the_publishers_coordinator(four_coops) -> None:
    four_coops.publisher_coordinator.name = "Catherine Pryce"
    db.session.add(
        PriceChange(
            product_id=four_coops.rice.id,
            changed_by=four_coops.publisher_coordinator,
            old_case_price_pence=1_800,
            new_case_price_pence=2_000,
            old_vat_bp=0,
            new_vat_bp=0,
            reason="edit",
        )
    )
    db.session.commit()


def test_a_subscriber_sees_the_keeping_coop_not_the_person_in_price_history(
    four_coops, auth, client
):
    share(four_coops.supplier, ShareScope.COUNCIL)
    subscribe(four_coops.neighbour, four_coops.supplier)
    priced_by_the_publishers_coordinator(four_coops)
    auth.login_as(four_coops.neighbour_coordinator)

    page = text(client.get(product_url(four_coops.neighbour, four_coops.rice)))

    assert "£18.00 → £20.00" in page
    assert "Catherine Pryce" not in page
    assert re.search(r'data-label="Who">\s*Fishwick Food Co-op\s*<', page)


def test_the_keeping_coop_still_sees_who_changed_the_price(four_coops, auth, client):
    priced_by_the_publishers_coordinator(four_coops)
    auth.login_as(four_coops.publisher_coordinator)

    page = text(client.get(product_url(four_coops.publisher, four_coops.rice)))

    assert "Catherine Pryce" in page


def test_subscribe_buttons_name_the_catalogue_and_tables_have_captions(four_coops, auth, client):
    share(four_coops.supplier, ShareScope.COUNCIL)
    auth.login_as(four_coops.neighbour_coordinator)

    listing = client.get(shared_url(four_coops.neighbour)).get_data(as_text=True)
    assert 'Subscribe<span class="visually-hidden"> to Northern Wholefoods</span>' in listing
    assert "<caption>Catalogues shared with Ribbleton Pantry</caption>" in listing

    subscribe(four_coops.neighbour, four_coops.supplier)
    one = client.get(shared_url(four_coops.neighbour, four_coops.supplier)).get_data(as_text=True)
    assert 'Unsubscribe<span class="visually-hidden"> from Northern Wholefoods</span>' in one
    assert "<caption>Products of Northern Wholefoods</caption>" in one
    assert not layout_problems(one)
