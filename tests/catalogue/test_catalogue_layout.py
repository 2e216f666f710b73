"""Every catalogue page follows the shared layout, and its navigation marks where you are."""

from __future__ import annotations

import re

from support import layout_problems

from coop.domain.catalogue import Tag

SUPPLIERS = "/coops/fishwick/admin/suppliers"


def test_catalogue_pages_follow_the_layout(coordinator, two_coops, catalogue):
    own = catalogue.supplier(two_coops.coop, name="Northern Wholefoods", order_days=3)
    product = catalogue.product(own, category="Tins", tag_bits=Tag.VEGAN.bit)
    catalogue.many(own, 120)
    shared = catalogue.supplier(two_coops.other_coop, name="Ribble Valley Growers")
    leeks = catalogue.product(shared)
    catalogue.subscribe(two_coops.coop, shared)
    gets = [
        SUPPLIERS,
        f"{SUPPLIERS}/new",
        f"{SUPPLIERS}/{own.id}/",
        f"{SUPPLIERS}/{own.id}/edit",
        f"{SUPPLIERS}/{own.id}/products?q=bulk&page=2",
        f"{SUPPLIERS}/{own.id}/products/new",
        f"{SUPPLIERS}/{own.id}/products/{product.id}/",
        f"{SUPPLIERS}/{own.id}/products/{product.id}/edit",
        f"{SUPPLIERS}/{own.id}/prices",
        f"{SUPPLIERS}/{shared.id}/",
        f"{SUPPLIERS}/{shared.id}/products",
        f"{SUPPLIERS}/{shared.id}/products/{leeks.id}/",
        f"{SUPPLIERS}/{shared.id}/edit",  # the refusal page
        "/coops/fishwick/admin/catalogue?q=zzz",
        "/coops/fishwick/admin/catalogue/markup",
    ]
    posts = [
        (f"{SUPPLIERS}/new", {"name": ""}),
        (f"{SUPPLIERS}/{own.id}/products/new", {"case_price_pence": "abc"}),
        (f"{SUPPLIERS}/{own.id}/prices", {"percent": "5"}),
        (f"{SUPPLIERS}/{own.id}/prices", {"percent": "-100"}),
        ("/coops/fishwick/admin/catalogue/markup", {"markup": "200"}),
    ]

    problems = [
        f"GET {path}: {problem}"
        for path in gets
        for problem in layout_problems(coordinator.get(path).get_data(as_text=True))
    ] + [
        f"POST {path}: {problem}"
        for path, data in posts
        for problem in layout_problems(coordinator.post(path, data=data).get_data(as_text=True))
    ]

    assert not problems, "\n".join(problems)


def test_the_catalogue_navigation_marks_the_current_page(two_coops, coordinator):
    html = coordinator.get(f"/coops/{two_coops.coop.slug}/admin/suppliers").get_data(as_text=True)

    nav = re.search(r'<nav aria-label="Catalogue".*?</nav>', html, re.S).group(0)
    assert re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', nav) == ["Suppliers"]
