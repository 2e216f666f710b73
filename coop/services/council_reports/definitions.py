"""The definitions printed beside each figure: METRICS.md's table, word for word."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "registered": "memberships active on the last day of the period",
    "active": "distinct households with at least one fulfilled (settled, non-zero) order in "
    "the period; also per month",
    "new": "households whose first fulfilled order falls in the period",
    "repeat": "active households that also had a fulfilled order before the period",
    "retention": "of households active in month m, the share active in month m+3",
    "collections": "fulfilled household orders (one per household per round)",
    "people_reached": "sum of household sizes; shown only when at least 80% of active "
    "households gave one",
    "coops_active": "co-ops with at least one settled round in the period",
    "member_spend": "what households were charged for goods and shared costs (net of subsidy)",
    "reference_value": "sum over received lines of units x the item's reference supermarket "
    "unit price (dated, with its source)",
    "member_savings": "reference value minus member spend, in pounds and as a percentage of the "
    "reference value; surplus-food value (items from zero-price suppliers) is shown separately "
    "so it cannot silently inflate savings",
    "local_spend_share": "spend with suppliers flagged local (or whose postcode maps into the "
    "council's area) / all supplier spend, as in the CLES method behind Preston's Community "
    "Wealth Building figures",
    "volunteer_hours": "logged hours on co-op tasks; value = hours x a configurable rate whose "
    "source is printed with the report",
    "deprived_reach": "share of households with a mapped postcode whose LSOA is in IMD "
    "deciles 1-2, edition named",
    "support_value": "sum of support records in the period, by kind",
    "value_for_money": "member savings per pound of council support; cost of support per "
    "active household; leverage = (member contributions + other funding + in-kind value) / "
    "council grant",
}

REFERENCE_METHOD = (
    "Each received line's units times the reference supermarket unit price recorded on the "
    "item when its round opened (dated, with its source, in the co-op's catalogue); lines "
    "without a reference price add nothing to the reference value."
)
