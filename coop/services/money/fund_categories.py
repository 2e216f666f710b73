"""The categories the fund's income and spending are grouped under.

Every co-op starts with `BUILT_IN_CATEGORIES`, made the first time they are
needed; each has a stable key code finds it by (`category_by_key`). A co-op
adds its own (no key) and archives any: an archived category is no longer
offered, and the entries that used it keep it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coop.extensions import db
from coop.models import Coop, FundCategory, FundDirection
from coop.models.books import CATEGORY_NAME_MAX_LENGTH
from coop.services.errors import ServiceError

#: The short list every co-op starts with: (key, direction, name). Code finds them by key.
BUILT_IN_CATEGORIES: tuple[tuple[str, FundDirection, str], ...] = (
    ("membership_fees", FundDirection.INCOME, "Membership fees"),
    ("donations", FundDirection.INCOME, "Donations"),
    ("grants_received", FundDirection.INCOME, "Grants received"),
    ("stock_sales", FundDirection.INCOME, "Sales of the co-op's stock"),
    ("other_income", FundDirection.INCOME, "Other income"),
    ("hall_hire", FundDirection.EXPENSE, "Hall hire"),
    ("bags_and_packaging", FundDirection.EXPENSE, "Bags and packaging"),
    ("equipment", FundDirection.EXPENSE, "Equipment"),
    ("bank_charges", FundDirection.EXPENSE, "Bank charges"),
    ("card_fees", FundDirection.EXPENSE, "Card payment fees"),
    ("other_spending", FundDirection.EXPENSE, "Other spending"),
)


def ensure_built_in_categories(*, coop_id: int) -> None:
    """Create the built-in categories the co-op does not have yet (flushes)."""
    have = set(db.session.scalars(select(FundCategory.key).where(FundCategory.coop_id == coop_id)))
    missing = [row for row in BUILT_IN_CATEGORIES if row[0] not in have]
    if not missing:
        return
    try:
        with db.session.begin_nested():
            db.session.add_all(
                FundCategory(coop_id=coop_id, key=key, direction=direction, name=name)
                for key, direction, name in missing
            )
    except IntegrityError:
        # Another request made them first, or the co-op already named one of its own so.
        for key, direction, name in missing:
            try:
                with db.session.begin_nested():
                    db.session.add(
                        FundCategory(coop_id=coop_id, key=key, direction=direction, name=name)
                    )
            except IntegrityError:
                pass


def category_by_key(*, coop_id: int, key: str) -> FundCategory | None:
    """Return the co-op's built-in category *key* ("card_fees", "bank_charges"...)."""
    ensure_built_in_categories(coop_id=coop_id)
    return db.session.scalar(
        select(FundCategory).where(FundCategory.coop_id == coop_id, FundCategory.key == key)
    )


def fund_categories(
    *, coop: Coop, direction: FundDirection | None = None, include_archived: bool = False
) -> list[FundCategory]:
    """Return the co-op's categories by direction and name, creating the built-in list first."""
    ensure_built_in_categories(coop_id=coop.id)
    query = select(FundCategory).where(FundCategory.coop_id == coop.id)
    if direction is not None:
        query = query.where(FundCategory.direction == direction)
    if not include_archived:
        query = query.where(FundCategory.archived.is_(False))
    return list(
        db.session.scalars(
            query.order_by(FundCategory.direction, func.lower(FundCategory.name), FundCategory.id)
        )
    )


def add_category(*, coop: Coop, name: str, direction: FundDirection) -> FundCategory:
    """Add a category of the co-op's own (flushes); refuse a blank or repeated name."""
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Name the category, such as Training.", field="name")
    if len(name) > CATEGORY_NAME_MAX_LENGTH:
        raise ServiceError(f"Use at most {CATEGORY_NAME_MAX_LENGTH} characters.", field="name")
    direction = FundDirection(direction)
    existing = db.session.scalar(
        select(FundCategory).where(
            FundCategory.coop_id == coop.id,
            FundCategory.direction == direction,
            func.lower(FundCategory.name) == name.lower(),
        )
    )
    if existing is not None:
        extra = " (archived: bring it back instead)" if existing.archived else ""
        raise ServiceError(
            f"There is already a category called {existing.name}{extra}.", field="name"
        )
    category = FundCategory(coop_id=coop.id, name=name, direction=direction)
    try:
        with db.session.begin_nested():
            db.session.add(category)
    except IntegrityError:
        raise ServiceError(f"There is already a category called {name}.", field="name") from None
    return category


def category_for(*, coop: Coop, category_id: int) -> FundCategory | None:
    """Return the co-op's category *category_id*, or None (reads only)."""
    return db.session.scalar(
        select(FundCategory).where(FundCategory.id == category_id, FundCategory.coop_id == coop.id)
    )


def set_category_archived(*, coop: Coop, category_id: int, archived: bool) -> FundCategory:
    """Archive a category (no longer offered; its entries keep it) or bring it back (flushes)."""
    category = category_for(coop=coop, category_id=category_id)
    if category is None:
        raise ServiceError("That category is not one of the co-op's.")
    category.archived = archived
    db.session.flush()
    return category
