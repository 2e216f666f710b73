"""The headline figures of a council report, read from its suppressed tables' totals.

Nothing here sees an unsuppressed number: a figure is a total a table let
through, and a ratio is withheld whenever either side is.
"""

from __future__ import annotations

from coop.domain.suppression import Shown, Suppressed, share
from coop.models import SupportKind
from coop.models.support import IN_KIND
from coop.services.council_reports.results import Derived, Ratio, Table, VolunteerRate

GRANT_KINDS = frozenset({SupportKind.GRANT, SupportKind.MICRO_GRANT})


def _ratio(part: Shown | None, whole: Shown | None) -> Derived:
    result = share(part, whole)
    if result is None or isinstance(result, Suppressed):
        return result
    return Ratio(*result)


def headline_figures(
    tables: dict[str, Table],
    support: dict[SupportKind, int],
    rate: VolunteerRate,
    coops_active: int,
) -> tuple[dict[str, Shown | None], dict[str, Derived]]:
    """Return the report's headline figures and its ratios, from the suppressed tables."""
    active = tables["active"].safe
    money = tables["money"].safe.total
    trend_total = active.total  # distinct households: new and repeat add up
    spend, reference, surplus, supplier, local, subsidy = money.figures
    savings: Shown = (
        spend
        if isinstance(spend, Suppressed)
        else reference
        if isinstance(reference, Suppressed)
        else reference - spend
    )
    people_shown = tables["people"].safe.total.figures[0]
    volunteer = tables["volunteers"].safe.total
    minutes = volunteer.figures[0]
    value = minutes if isinstance(minutes, Suppressed) else minutes * rate.pence_per_hour // 60
    support_total = sum(support.values())
    grants = sum(v for k, v in support.items() if k in GRANT_KINDS)
    in_kind = sum(v for k, v in support.items() if k in IN_KIND)
    leverage_top: Shown = spend if isinstance(spend, Suppressed) else spend + in_kind
    headline = {
        "active": trend_total.households,
        "new": active.column_totals[0].households,
        "repeat": active.column_totals[1].households,
        "collections": trend_total.figures[0],
        "registered": tables["registered"].safe.total.households,
        "coops_active": coops_active,
        "member_spend_pence": spend,
        "reference_pence": reference,
        "surplus_pence": surplus,
        "savings_pence": savings,
        "supplier_pence": supplier,
        "local_pence": local,
        "subsidy_pence": subsidy,
        "people_reached": people_shown,
        "volunteer_minutes": minutes,
        "volunteer_value_pence": value,
        "support_pence": support_total,
    }
    derived = {
        "savings_share": _ratio(savings, reference),
        "local_share": _ratio(local, supplier),
        "savings_per_support": _ratio(savings, support_total),
        "support_per_active": _ratio(support_total, trend_total.households),
        "leverage": _ratio(leverage_top, grants),
    }
    if "deprived" in tables:
        deprived = tables["deprived"].safe
        headline["deprived"] = deprived.column_totals[0].households
        headline["mapped"] = deprived.total.households
        derived["deprived_share"] = _ratio(
            deprived.column_totals[0].households, deprived.total.households
        )
    return headline, derived
