"""Who the active households are: people reached, deprived areas, deciles, wards, types.

Aggregate queries over the consented household facts, in the same terms as
queries.py: a postcode is only ever joined to the postcode directory, never
selected, and disability is never broken down. Each reads the period's
fulfilled orders from *orders* (the report's `ORDERS`) when given.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.sql.expression import FromClause

from coop.domain.household import Fact
from coop.models import HouseholdFact, ImdDecile, ImdEdition, Postcode, PostcodeEdition
from coop.services.council_reports.queries import active_households
from coop.services.council_reports.scope import Scope


def people_query(scope: Scope, orders: FromClause | None = None) -> Select:
    """Per co-op: active households that gave their size, and the people in them."""
    active = active_households(scope, orders).subquery("active")
    return (
        select(
            active.c.coop_id,
            func.count(HouseholdFact.id).label("households"),
            func.coalesce(func.sum(HouseholdFact.number), 0).label("people"),
        )
        .join(
            HouseholdFact,
            and_(
                HouseholdFact.membership_id == active.c.membership_id,
                HouseholdFact.fact == Fact.HOUSEHOLD_SIZE,
            ),
        )
        .group_by(active.c.coop_id)
        .order_by(active.c.coop_id)
    )


def _placed(scope: Scope, imd: ImdEdition, orders: FromClause | None) -> tuple[Any, Any]:
    """Active households with a postcode mapped by the active directory, with ward and decile."""
    active = active_households(scope, orders).subquery("active")
    compact = func.replace(func.upper(HouseholdFact.postcode), " ", "")
    query = (
        select(active.c.coop_id, Postcode.ward, ImdDecile.decile)
        .select_from(active)
        .join(
            HouseholdFact,
            and_(
                HouseholdFact.membership_id == active.c.membership_id,
                HouseholdFact.fact == Fact.POSTCODE,
            ),
        )
        .join(Postcode, Postcode.postcode == compact)
        .join(
            PostcodeEdition,
            and_(PostcodeEdition.id == Postcode.edition_id, PostcodeEdition.active.is_(True)),
        )
        .join(ImdDecile, and_(ImdDecile.lsoa == Postcode.lsoa, ImdDecile.edition_id == imd.id))
        .where(PostcodeEdition.lsoa_vintage == imd.lsoa_vintage)
    )
    return active, query.subquery("placed")


def deprived_query(scope: Scope, imd: ImdEdition, orders: FromClause | None = None) -> Select:
    """Per co-op and deprived or not: active households with a mapped postcode."""
    _, placed = _placed(scope, imd, orders)
    deprived = case((placed.c.decile <= 2, 1), else_=0).label("deprived")
    return (
        select(placed.c.coop_id, deprived, func.count().label("households"))
        .group_by(placed.c.coop_id, deprived)
        .order_by(placed.c.coop_id, deprived)
    )


def decile_query(scope: Scope, imd: ImdEdition, orders: FromClause | None = None) -> Select:
    """Per IMD decile: active households with a mapped postcode (pools of co-ops only)."""
    _, placed = _placed(scope, imd, orders)
    return (
        select(placed.c.decile, func.count().label("households"))
        .group_by(placed.c.decile)
        .order_by(placed.c.decile)
    )


def ward_query(scope: Scope, imd: ImdEdition, orders: FromClause | None = None) -> Select:
    """Per ward code: active households with a mapped postcode (pools of co-ops only)."""
    _, placed = _placed(scope, imd, orders)
    return (
        select(placed.c.ward, func.count().label("households"))
        .group_by(placed.c.ward)
        .order_by(placed.c.ward)
    )


# A household's type, as a Household Support Fund return groups households.
WITH_CHILDREN, PENSION_AGE, OTHER = "with_children", "pension_age", "other"


def household_type_query(scope: Scope, orders: FromClause | None = None) -> Select:
    """Per household type: active households (pools of co-ops only).

    With children (under 5 or under 18), else with someone of pension age,
    else other or not said; disability is never broken down here.
    """
    active = active_households(scope, orders).subquery("active")
    children = and_(
        HouseholdFact.fact.in_([Fact.CHILDREN_UNDER_5, Fact.CHILDREN_UNDER_18]),
        HouseholdFact.number > 0,
    )
    pension = and_(HouseholdFact.fact == Fact.PENSION_AGE, HouseholdFact.number > 0)
    facts = (
        select(
            HouseholdFact.membership_id,
            func.max(case((children, 1), else_=0)).label("children"),
            func.max(case((pension, 1), else_=0)).label("pension"),
        )
        .group_by(HouseholdFact.membership_id)
        .subquery("facts")
    )
    kind = case(
        (facts.c.children == 1, WITH_CHILDREN), (facts.c.pension == 1, PENSION_AGE), else_=OTHER
    ).label("household_type")
    return (
        select(kind, func.count().label("households"))
        .select_from(active)
        .outerjoin(facts, facts.c.membership_id == active.c.membership_id)
        .group_by(kind)
        .order_by(kind)
    )
