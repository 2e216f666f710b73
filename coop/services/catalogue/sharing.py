"""Sharing supplier catalogues between co-ops.

A co-op publishes one of its suppliers to the co-ops of its council or to
the whole platform; another co-op subscribes and reads the very same rows,
so the publisher's changes reach it at once. When the publisher stops
sharing (or narrows the share so a subscriber falls outside it), each
subscriber that loses it gets its own copy of the catalogue as it stands.
Other coop instances read a shared catalogue through
`coop.services.catalogue.feed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, delete, func, insert, literal, or_, select
from sqlalchemy.orm import selectinload

from coop.domain.catalogue import member_price_pence
from coop.domain.roles import MembershipStatus, Role
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import (
    CatalogueSubscription,
    Coop,
    CoopCouncilLink,
    Membership,
    Product,
    ShareScope,
    Supplier,
    User,
)
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.people.coops import current_council, link_in_force

NAME_LIMIT = 120

LinkBuilder = Callable[[Supplier], str]


# Who may subscribe


def _council_id(coop: Coop, day: date) -> int | None:
    council = current_council(coop=coop, on=day)
    return council.id if council is not None else None


def may_subscribe(*, coop: Coop, supplier: Supplier, on: date | None = None) -> bool:
    """Tell whether *supplier*'s catalogue is shared with *coop* (never its own)."""
    day = on or date.today()
    if supplier.coop_id == coop.id or not supplier.active:
        return False
    if supplier.share_scope is ShareScope.PLATFORM:
        return True
    if supplier.share_scope is ShareScope.COUNCIL:
        council_id = _council_id(supplier.coop, day)
        return council_id is not None and council_id == _council_id(coop, day)
    return False


def _shared_with(coop: Coop, day: date):
    """Return a condition on `Supplier`: its catalogue is shared with *coop*."""
    council_id = _council_id(coop, day)
    scopes = [Supplier.share_scope == ShareScope.PLATFORM]
    if council_id is not None:
        same_council = select(CoopCouncilLink.coop_id).where(
            CoopCouncilLink.council_id == council_id, link_in_force(day)
        )
        scopes.append(
            and_(Supplier.share_scope == ShareScope.COUNCIL, Supplier.coop_id.in_(same_council))
        )
    return and_(Supplier.coop_id != coop.id, Supplier.active.is_(True), or_(*scopes))


@dataclass(frozen=True)
class SharedCatalogue:
    """A catalogue another co-op shares with this one, as the list shows it."""

    supplier: Supplier
    publisher: Coop
    product_count: int
    subscribed: bool


def shared_catalogues(*, coop: Coop, on: date | None = None) -> list[SharedCatalogue]:
    """Return the catalogues *coop* may subscribe to, with publisher, product count and status."""
    day = on or date.today()
    # Counted per listed supplier, so the whole products table is never grouped.
    product_count = (
        select(func.count())
        .where(Product.supplier_id == Supplier.id)
        .correlate(Supplier)
        .scalar_subquery()
    )
    subscribed = select(CatalogueSubscription.supplier_id).where(
        CatalogueSubscription.coop_id == coop.id
    )
    rows = db.session.execute(
        select(Supplier, Coop, product_count, Supplier.id.in_(subscribed))
        .join(Coop, Coop.id == Supplier.coop_id)
        .where(_shared_with(coop, day))
        .order_by(Supplier.name, Coop.name, Supplier.id)
    ).all()
    return [
        SharedCatalogue(supplier=supplier, publisher=publisher, product_count=count, subscribed=sub)
        for supplier, publisher, count, sub in rows
    ]


def shared_catalogue_for(
    *, coop: Coop, supplier_id: int, on: date | None = None
) -> Supplier | None:
    """Return a catalogue shared with *coop* (not its own), or None."""
    return db.session.scalar(
        select(Supplier).where(Supplier.id == supplier_id, _shared_with(coop, on or date.today()))
    )


def subscription_for(*, coop: Coop, supplier_id: int) -> CatalogueSubscription | None:
    """Return *coop*'s subscription to a supplier's catalogue, or None."""
    return db.session.scalar(
        select(CatalogueSubscription).where(
            CatalogueSubscription.coop_id == coop.id,
            CatalogueSubscription.supplier_id == supplier_id,
        )
    )


def subscribers_of(*, supplier: Supplier) -> list[Coop]:
    """Return the co-ops subscribed to *supplier*'s catalogue, by name."""
    return list(
        db.session.scalars(
            select(Coop)
            .join(CatalogueSubscription, CatalogueSubscription.coop_id == Coop.id)
            .where(CatalogueSubscription.supplier_id == supplier.id)
            .order_by(Coop.name, Coop.id)
        )
    )


def preview_products(
    *, coop: Coop, supplier: Supplier, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[Product, int]], int]:
    """Return one page of *supplier*'s products with *coop*'s member unit price, and the total."""
    total = db.session.scalar(
        select(func.count()).select_from(Product).where(Product.supplier_id == supplier.id)
    )
    products = db.session.scalars(
        select(Product)
        .where(Product.supplier_id == supplier.id)
        .order_by(Product.name, Product.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    return [
        (product, member_price_pence(product, markup_bp=coop.markup_bp)) for product in products
    ], total or 0


# Subscribing


def copied_from(supplier: Supplier) -> str:
    """Return the words a copy of *supplier*'s catalogue carries in its notes, before the date."""
    return f"Copied from the catalogue of {supplier.name} that {supplier.coop.name} shared"


def _own_copy(coop: Coop, supplier: Supplier) -> tuple[Supplier, bool] | None:
    """Return an active supplier of *coop*'s own that stands for *supplier*, and whether a copy.

    A copy made when sharing stopped, or a supplier of the same name: with a
    subscription as well the catalogue would list the supplier twice.
    """
    same_name = func.lower(Supplier.name) == supplier.name.lower()
    copied = Supplier.notes.contains(copied_from(supplier), autoescape=True)
    found = db.session.execute(
        select(Supplier, copied)
        .where(Supplier.coop_id == coop.id, Supplier.active.is_(True), or_(same_name, copied))
        .order_by(copied.desc(), Supplier.id)
        .limit(1)
    ).first()
    return None if found is None else (found[0], bool(found[1]))


def subscribe_to_catalogue(*, coop: Coop, supplier: Supplier) -> CatalogueSubscription:
    """Add *supplier*'s shared catalogue to *coop*'s catalogue, read-only."""
    if not may_subscribe(coop=coop, supplier=supplier):
        raise ServiceError(f"The catalogue of {supplier.name} is not shared with {coop.name}.")
    if subscription_for(coop=coop, supplier_id=supplier.id) is not None:
        raise ServiceError(f"{coop.name} already subscribes to {supplier.name}.")
    own = _own_copy(coop, supplier)
    if own is not None:
        copy, is_copy = own
        if is_copy:
            raise ServiceError(
                f"{coop.name} already keeps its own copy of {possessive(supplier.name)} catalogue, "
                f'"{copy.name}", made when {supplier.coop.name} stopped sharing it. '
                f'Make "{copy.name}" inactive first, then subscribe.'
            )
        raise ServiceError(
            f'{coop.name} already has a supplier of its own called "{copy.name}". '
            f'Make "{copy.name}" inactive (or rename it) first, then subscribe, so your '
            "catalogue does not list the supplier twice."
        )
    subscription = CatalogueSubscription(coop=coop, supplier=supplier)
    db.session.add(subscription)
    db.session.flush()
    return subscription


def unsubscribe_from_catalogue(*, subscription: CatalogueSubscription) -> Supplier:
    """Remove a shared catalogue from the subscribing co-op's catalogue; return its supplier."""
    supplier = subscription.supplier
    db.session.delete(subscription)
    db.session.flush()
    return supplier


# Publishing and stopping


@dataclass(frozen=True)
class ScopeChange:
    """What changing a share did: the new scope and the co-ops given their own copy."""

    scope: ShareScope
    copied_for: list[Coop]


def set_share_scope(
    *,
    supplier: Supplier,
    scope: ShareScope,
    link_for: LinkBuilder | None = None,
    on: date | None = None,
) -> ScopeChange:
    """Set who may subscribe to *supplier*; subscribers left outside get their own copy."""
    day = on or date.today()
    if scope is not ShareScope.PRIVATE and not supplier.active:
        raise ServiceError(
            f"{supplier.name} is not active. Make it active before sharing its catalogue.",
            field="scope",
        )
    if scope is ShareScope.COUNCIL and current_council(coop=supplier.coop, on=day) is None:
        raise ServiceError(
            f"{supplier.coop.name} does not belong to a council, so there are no co-ops of "
            "its council to share with. Share with the whole platform instead.",
            field="scope",
        )
    supplier.share_scope = scope
    db.session.flush()
    leaving = [
        subscription
        for subscription in _subscriptions(supplier)
        if not may_subscribe(coop=subscription.coop, supplier=supplier, on=day)
    ]
    return ScopeChange(scope=scope, copied_for=_hand_over(supplier, leaving, link_for))


def stop_sharing(*, supplier: Supplier, link_for: LinkBuilder | None = None) -> list[Coop]:
    """Make *supplier* private, giving every subscriber its own copy; return those co-ops.

    Call it too when a shared supplier is deactivated: that ends the share the same way.
    """
    return set_share_scope(
        supplier=supplier, scope=ShareScope.PRIVATE, link_for=link_for
    ).copied_for


def _subscriptions(supplier: Supplier) -> list[CatalogueSubscription]:
    return list(
        db.session.scalars(
            select(CatalogueSubscription)
            .where(CatalogueSubscription.supplier_id == supplier.id)
            .options(selectinload(CatalogueSubscription.coop).selectinload(Coop.council_links))
            .order_by(CatalogueSubscription.id)
        )
    )


def _hand_over(
    supplier: Supplier,
    subscriptions: list[CatalogueSubscription],
    link_for: LinkBuilder | None,
) -> list[Coop]:
    """Give each subscription's co-op a copy of the catalogue, end it and tell its coordinators."""
    if not subscriptions:
        return []
    copies = [(sub.coop, copy_catalogue(supplier=supplier, coop=sub.coop)) for sub in subscriptions]
    db.session.execute(
        delete(CatalogueSubscription).where(
            CatalogueSubscription.id.in_([sub.id for sub in subscriptions])
        )
    )
    _tell_coordinators(supplier, copies, link_for)
    return [coop for coop, _ in copies]


def _free_name(coop: Coop, name: str) -> str:
    taken = set(db.session.scalars(select(Supplier.name).where(Supplier.coop_id == coop.id)))
    if name not in taken:
        return name
    for n in range(1, len(taken) + 2):
        suffix = " (copy)" if n == 1 else f" (copy {n})"
        candidate = name[: NAME_LIMIT - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: there is always a free name")


SUPPLIER_FIELDS = (
    "kind",
    "email",
    "phone",
    "address",
    "postcode",
    "is_local",
    "min_order_pence",
    "delivery_charge_pence",
    "order_days",
    "lead_time_days",
)


def copy_catalogue(*, supplier: Supplier, coop: Coop) -> Supplier:
    """Add to *coop* its own supplier with a copy of *supplier*'s products as they are now."""
    # `subscribe_to_catalogue` finds the copy by these words.
    note = f"{copied_from(supplier)}, on {date.today():%-d %B %Y}."
    copy = Supplier(
        coop=coop,
        name=_free_name(coop, supplier.name),
        notes=f"{supplier.notes.rstrip()}\n\n{note}" if supplier.notes.strip() else note,
        # Whether to go on buying from them is now the subscriber's own decision.
        active=True,
        share_scope=ShareScope.PRIVATE,
        **{name: getattr(supplier, name) for name in SUPPLIER_FIELDS},
    )
    db.session.add(copy)
    db.session.flush()
    products = Product.__table__
    columns = [column for column in products.columns if column.name not in ("id", "supplier_id")]
    # One INSERT ... SELECT, however big the catalogue.
    db.session.execute(
        insert(products).from_select(
            ["supplier_id", *(column.name for column in columns)],
            select(literal(copy.id, Integer), *columns).where(
                products.c.supplier_id == supplier.id
            ),
        )
    )
    return copy


def _tell_coordinators(
    supplier: Supplier, copies: list[tuple[Coop, Supplier]], link_for: LinkBuilder | None
) -> None:
    coop_ids = [coop.id for coop, _ in copies]
    coordinators = db.session.execute(
        select(Membership.coop_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.coop_id.in_(coop_ids),
            Membership.role == Role.COORDINATOR,
            Membership.status == MembershipStatus.ACTIVE,
        )
        .order_by(Membership.coop_id, User.email)
    ).all()
    for coop, copy in copies:
        link = link_for(copy) if link_for is not None else ""
        for coop_id, address in coordinators:
            if coop_id == coop.id:
                send_message(
                    "catalogue/sharing_stopped.txt",
                    to=address,
                    publisher=supplier.coop,
                    supplier=supplier,
                    coop=coop,
                    copy=copy,
                    link=link,
                )
