"""Searching, filtering, sorting and paging a co-op's catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import contains_eager

from coop.domain.catalogue import Tag, member_price_pence
from coop.extensions import db
from coop.models import Coop, Product, Supplier
from coop.services.catalogue.products import visible_to

PER_PAGE = 50


class Sort(StrEnum):
    """Orders the catalogue list offers."""

    NAME = "name"
    CODE = "code"
    PRICE = "price"
    CATEGORY = "category"

    @property
    def label(self) -> str:
        return {
            Sort.NAME: "Name",
            Sort.CODE: "Code",
            Sort.PRICE: "Case price",
            Sort.CATEGORY: "Category",
        }[self]


# The id last makes every order total, so pages never repeat or skip a product.
_ORDER = {
    Sort.NAME: (Product.name, Product.id),
    Sort.CODE: (Product.code, Product.id),
    Sort.PRICE: (Product.case_price_pence, Product.id),
    Sort.CATEGORY: (Product.category, Product.name, Product.id),
}


@dataclass(frozen=True)
class CatalogueQuery:
    """What a coordinator asked the catalogue list for."""

    search: str = ""
    category: str = ""
    tag: Tag | None = None
    available_only: bool = False
    sort: Sort = Sort.NAME
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class CatalogueRow:
    """A product as the list shows it, with the member price of one unit."""

    product: Product
    member_unit_price_pence: int


@dataclass(frozen=True)
class CataloguePage:
    """One page of the catalogue list."""

    rows: list[CatalogueRow]
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


def _catalogue_scope(coop: Coop, supplier: Supplier | None) -> ColumnElement[bool]:
    if supplier is not None:
        return Product.supplier_id == supplier.id
    return Product.supplier_id.in_(select(Supplier.id).where(visible_to(coop)))


def _contains(column: Any, term: str) -> ColumnElement[bool]:
    # SQLite's LIKE already ignores case (ASCII, as its lower() does), and
    # lower() on every row would double the cost of a search there; on
    # PostgreSQL lower() with LIKE costs half of what ILIKE does.
    if db.session.get_bind().dialect.name == "sqlite":
        return column.contains(term, autoescape=True)
    return func.lower(column).contains(term.lower(), autoescape=True)


def _filters(query: CatalogueQuery) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    term = query.search.strip()
    if term:
        filters.append(
            or_(
                *(
                    _contains(column, term)
                    for column in (Product.name, Product.code, Product.manufacturer)
                )
            )
        )
    if query.category:
        filters.append(Product.category == query.category)
    if query.tag is not None:
        filters.append(Product.tag_bits.op("&")(query.tag.bit) != 0)
    if query.available_only:
        filters.append(Product.available.is_(True))
    return filters


def catalogue_categories(*, coop: Coop, supplier: Supplier | None = None) -> list[str]:
    """Return the categories in use in *coop*'s catalogue (or one supplier's), sorted."""
    return list(
        db.session.scalars(
            select(Product.category)
            .where(_catalogue_scope(coop, supplier), Product.category != "")
            .distinct()
            .order_by(Product.category)
        )
    )


def catalogue_page(
    *, coop: Coop, query: CatalogueQuery, supplier: Supplier | None = None
) -> CataloguePage:
    """Return a page of *coop*'s catalogue (or one supplier's), priced with *coop*'s markup.

    Two queries whatever the page: the count, and the page's rows with their
    suppliers.
    """
    where = [_catalogue_scope(coop, supplier), *_filters(query)]
    total = db.session.scalar(select(func.count()).select_from(Product).where(*where)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, query.page), pages)
    order = [column.desc() if query.descending else column for column in _ORDER[query.sort]]
    # Sorting and skipping narrow rows (ids) before loading the page's 50 full
    # rows keeps deep pages about twice as cheap.
    page_ids = (
        select(Product.id)
        .where(*where)
        .order_by(*order)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    products = db.session.scalars(
        select(Product)
        .join(Product.supplier)
        .options(contains_eager(Product.supplier))
        .where(Product.id.in_(page_ids))
        .order_by(*order)
    ).all()
    rows = [
        CatalogueRow(product, member_price_pence(product, markup_bp=coop.markup_bp))
        for product in products
    ]
    return CataloguePage(rows, total, page, pages)
