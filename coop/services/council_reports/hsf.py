"""The Household Support Fund management information a council sends DWP, from coop's records.

A council that pays Household Support Fund money through its co-ops (a
subsidy on the co-ops' rounds) fills DWP's management information (MI)
return each period. `hsf_return` gives the tables of that return coop can
fill, for the whole council (every co-op of the council, every one of its
Household Support Fund records) and a period, each through
`coop.domain.suppression.suppress` with the council's threshold, laid out
as the MI template for 1 April 2025 to 31 March 2026 (Household Support
Fund 7, the last fund period DWP published before the fund ended) lays
them out: its "2 - Spend", "3 - Volumes" and "4 - Households helped" tabs,
with their row labels in the template's order.

Decisions, where the template asks more than coop records:

- A record is the fund's when its programme names it (see
  `coop.domain.support.is_household_support_fund_programme`).
- *Spend* is what the fund's subsidy records paid towards the bills of rounds
  counted in the period, read from the ledger's council-support postings
  that name those records (settlement, corrections and reversals), so it
  reconciles with the ledger. A co-op's rounds are food, so it is all
  "Food (excluding free school meals in the holidays)"; coop has no record of
  the other categories, which read "not recorded by coop" rather than 0 (a 0
  would say the council spent nothing on energy, which coop cannot know).
- The fund's grants and micro-grants to co-ops are awards coop records, not
  spend on households it can show: they are not put in a spend category but
  listed in a table of their own beside the template's, by the value
  awarded in the period (in force or closed), as the council recorded them.
- *Volumes* counts awards: bills (one household, one round) the fund's
  subsidy reduced.
- *Households helped* counts distinct households whose bill the fund's
  subsidy reduced in the period. The template's total is the sum of its four
  groups, so each household is counted once: in the first of the template's
  groups it belongs to, in the template's order (with children, with
  pensioners, with a disabled person, other). Children are under 18 (the
  under-5 and under-18 facts households give; DWP's fund counts a young
  person under 19, which coop cannot see); pensioners are of State Pension
  age. A
  household that gave no consented fact putting it in a group counts as
  "Other households", since the template has no "not known" group (the notes
  say so). Disability is used here only, at council level, never per co-op.
- Every count of 1 to k-1 households is "fewer than k", and the spend and
  awards derived from those households are withheld with them.

No query selects a name, email, postcode or order line (`hsf_queries` are
compiled and checked by the tests); every figure is a GROUP BY in the
database, the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.sql.expression import ColumnElement

from coop.domain.household import Fact
from coop.domain.support import is_household_support_fund_programme
from coop.domain.suppression import Cell, Reason, SafeCell, Shown, suppress
from coop.extensions import db
from coop.models import (
    BillLine,
    BillLineKind,
    Council,
    HouseholdFact,
    LedgerTransaction,
    Posting,
    Round,
    RoundSubsidy,
    SupportKind,
    SupportRecord,
    SupportStatus,
    TransactionKind,
)
from coop.models.types import utcnow
from coop.services.council_reports.period import Period
from coop.services.council_reports.queries import counted_round
from coop.services.council_reports.results import Table
from coop.services.council_reports.scope import Scope, report_scope

__all__ = [
    "FUND_PERIOD",
    "GUIDANCE",
    "HOUSEHOLD_GROUPS",
    "NOT_RECORDED",
    "SPEND_CATEGORIES",
    "HsfLine",
    "HsfReturn",
    "hsf_queries",
    "hsf_return",
    "is_household_support_fund",
]

#: The fund period and the published template whose layout the return follows.
FUND_PERIOD = "1 April 2025 to 31 March 2026 (Household Support Fund 7)"
GUIDANCE = (
    "DWP, Household Support Fund management information template, "
    "1 April 2025 to 31 March 2026 (updated 19 March 2025), with the Household Support Fund "
    "guidance for county councils and unitary authorities in England for that period"
)

#: The template's spend categories, in its order; coop records only the first.
FOOD = "Food (excluding free school meals in the holidays)"
SPEND_CATEGORIES = (
    FOOD,
    "Food for free school meals in the holidays",
    "Energy and water",
    "Essentials linked to energy and water",
    "Wider essentials",
    "Housing costs",
    "Advice services",
    "Administration costs",
)

#: The template's household groups, in its order: a household counts in the first it fits.
WITH_CHILDREN, WITH_PENSIONERS, WITH_DISABLED, OTHER = "children", "pensioners", "disabled", "other"
HOUSEHOLD_GROUPS = {
    WITH_CHILDREN: "Households with children",
    WITH_PENSIONERS: "Households with pensioners",
    WITH_DISABLED: "Households with a disabled person",
    OTHER: "Other households",
}

#: What a cell coop has no record of reads as, in the page and the workbook.
NOT_RECORDED = "not recorded by coop"

SPEND, VOLUMES, HOUSEHOLDS, GRANTS = "hsf_spend", "hsf_volumes", "hsf_households", "hsf_grants"
GRANT_KINDS = (SupportKind.GRANT, SupportKind.MICRO_GRANT)

DEFINITIONS = {
    SPEND: "What the council's Household Support Fund subsidy records paid towards the bills of "
    "co-op rounds counted in the period (a round counts on its pickup day in the UK, else "
    "its deadline's), from the ledger's council-support postings that name those records. "
    "A co-op's rounds are food; coop has no record of the other categories.",
    VOLUMES: "Awards: household bills (one household, one round) that the fund's subsidy "
    "reduced in the period.",
    HOUSEHOLDS: "Distinct households whose bill the fund's subsidy reduced in the period, each "
    "counted once, in the first group it belongs to in this order: with children (under "
    "18), with pensioners (State Pension age), with a disabled person, other. A household "
    "that did not tell its co-op a fact, with consent, counts as other. Children are those "
    "under 18, as households tell their co-op; the fund also counts a young person of 18.",
    GRANTS: "Household Support Fund grants and micro-grants the council recorded as awarded "
    "to its co-ops in the period, in force or closed, as recorded. They are not in the "
    "template's spend: coop records the award, not what the co-op spent it on.",
}

#: A round's money: its settlement, corrections to its bills, and reversals of either.
ROUND_MONEY = (TransactionKind.SETTLEMENT, TransactionKind.ADJUSTMENT, TransactionKind.REVERSAL)


def is_household_support_fund(record: SupportRecord) -> bool:
    """Tell whether *record* is paid from the Household Support Fund (by its programme's name)."""
    return is_household_support_fund_programme(record.programme)


@dataclass(frozen=True)
class HsfLine:
    """One row of a return table as published: label, values and whether it is the total.

    A value is a number (pence for spend), a `Suppressed` marker, or None
    where coop has no record of it ("not recorded by coop").
    """

    label: str
    values: tuple[Shown | None, ...]
    total: bool = False


@dataclass(frozen=True)
class HsfReturn:
    """The council's Household Support Fund MI tables for a period, every one suppressed."""

    council: Council
    period: Period
    fund_period: str
    guidance: str
    tables: tuple[Table, ...]
    produced_at: datetime
    threshold: int
    # Per table key, the rows coop has no record of (shown as NOT_RECORDED, never 0).
    not_recorded: dict[str, frozenset[int]] = field(default_factory=dict)
    record_count: int = 0  # the council's Household Support Fund records counted

    @property
    def council_name(self) -> str:
        return self.council.name

    @property
    def gss_code(self) -> str:
        return self.council.gss_code

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def lines(self, table: Table) -> list[HsfLine]:
        """Return *table*'s rows and its total row, as the page and the workbook show them."""
        unrecorded = self.not_recorded.get(table.key, frozenset())
        safe = table.safe
        rows = [
            HsfLine(label, (None,) if r in unrecorded else _values(table, safe.rows[r][0]))
            for r, label in enumerate(table.row_labels)
        ]
        return [*rows, HsfLine("Total", _values(table, safe.column_totals[0]), total=True)]


def _values(table: Table, cell: SafeCell) -> tuple[Shown | None, ...]:
    """A one-column cell's published value: its figure when it has one, else its count."""
    if table.figures:
        return cell.figures[:1]
    return (cell.households,)


def hsf_record_ids(scope: Scope) -> list[int]:
    """Return the ids of the council's Household Support Fund records for the counted co-ops."""
    rows = db.session.execute(
        select(SupportRecord.id, SupportRecord.programme)
        .where(
            SupportRecord.council_id.in_(scope.council_ids),
            SupportRecord.coop_id.in_(scope.coop_ids),
        )
        .order_by(SupportRecord.id)
    ).all()
    return [int(r) for r, programme in rows if is_household_support_fund_programme(programme)]


def _awards(scope: Scope, record_ids: Sequence[int]) -> Select:
    """(household, round) of every bill the fund's subsidy reduced in the period."""
    return (
        select(BillLine.membership_id.label("membership_id"), BillLine.round_id.label("round_id"))
        .join(RoundSubsidy, RoundSubsidy.id == BillLine.round_subsidy_id)
        .join(Round, Round.id == BillLine.round_id)
        .where(
            BillLine.kind == BillLineKind.SUBSIDY,
            RoundSubsidy.support_record_id.in_(record_ids),
            counted_round(scope),
        )
        .group_by(BillLine.round_id, BillLine.membership_id)
        .having(func.sum(BillLine.amount_pence) < 0)
    )


def spend_query(scope: Scope, record_ids: Sequence[int]) -> Select:
    """Pence the fund's records paid towards counted rounds, from the ledger (one row)."""
    return (
        select(func.coalesce(-func.sum(Posting.amount_pence), 0).label("spend_pence"))
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .join(Round, Round.id == LedgerTransaction.round_id)
        .where(
            Posting.support_record_id.in_(record_ids),
            LedgerTransaction.kind.in_(ROUND_MONEY),
            counted_round(scope),
        )
    )


def volumes_query(scope: Scope, record_ids: Sequence[int]) -> Select:
    """Awards and the distinct households they went to (one row)."""
    awards = _awards(scope, record_ids).subquery("awards")
    return select(
        func.count().label("awards"),
        func.count(func.distinct(awards.c.membership_id)).label("households"),
    ).select_from(awards)


def households_query(scope: Scope, record_ids: Sequence[int]) -> Select:
    """Per household group (the template's, first that fits): households helped."""
    awards = _awards(scope, record_ids).subquery("awards")
    helped = select(awards.c.membership_id).distinct().subquery("helped")

    def has(*facts: Fact) -> ColumnElement[int]:
        yes = and_(HouseholdFact.fact.in_(facts), HouseholdFact.number > 0)
        return func.max(case((yes, 1), else_=0))

    facts = (
        select(
            HouseholdFact.membership_id,
            has(Fact.CHILDREN_UNDER_5, Fact.CHILDREN_UNDER_18).label("children"),
            has(Fact.PENSION_AGE).label("pensioners"),
            # Special-category: counted here across the whole council, never shown per co-op.
            has(Fact.DISABILITY).label("disabled"),
        )
        .where(HouseholdFact.membership_id.in_(select(helped.c.membership_id)))
        .group_by(HouseholdFact.membership_id)
        .subquery("facts")
    )
    group = case(
        (facts.c.children == 1, WITH_CHILDREN),
        (facts.c.pensioners == 1, WITH_PENSIONERS),
        (facts.c.disabled == 1, WITH_DISABLED),
        else_=OTHER,
    ).label("household_group")
    return (
        select(group, func.count().label("households"))
        .select_from(helped)
        .outerjoin(facts, facts.c.membership_id == helped.c.membership_id)
        .group_by(group)
        .order_by(group)
    )


def grants_query(scope: Scope, record_ids: Sequence[int]) -> Select:
    """Per kind: the value of the fund's grants and micro-grants awarded in the period."""
    return (
        select(
            SupportRecord.kind,
            func.coalesce(func.sum(SupportRecord.value_pence), 0).label("value_pence"),
        )
        .where(
            SupportRecord.id.in_(record_ids),
            SupportRecord.kind.in_(GRANT_KINDS),
            SupportRecord.status.in_([SupportStatus.ACTIVE, SupportStatus.CLOSED]),
            SupportRecord.awarded_on >= scope.period.start,
            SupportRecord.awarded_on <= scope.period.end,
        )
        .group_by(SupportRecord.kind)
        .order_by(SupportRecord.kind)
    )


def hsf_queries(scope: Scope, record_ids: Sequence[int]) -> dict[str, Select]:
    """Return every query the return runs, by name (the privacy test compiles each)."""
    return {
        "spend": spend_query(scope, record_ids),
        "volumes": volumes_query(scope, record_ids),
        "households": households_query(scope, record_ids),
        "grants": grants_query(scope, record_ids),
    }


def _table(
    key: str,
    title: str,
    rows: Sequence[str],
    column: str,
    figures: Sequence[str],
    grid: list[list[Cell]],
    threshold: int,
    hide_total: bool = False,
) -> Table:
    return Table(
        key,
        title,
        DEFINITIONS[key],
        tuple(rows),
        (column,),
        tuple(figures),
        suppress(
            grid,
            threshold=threshold,
            hide_total=hide_total,
            because=Reason.SECONDARY,
            columns=1,
            figures=len(figures),
        ),
    )


def hsf_return(*, council: Council, period: Period) -> HsfReturn:
    """Return the council's Household Support Fund MI tables for *period*, suppressed.

    Reads only; council-level: every co-op of the council and every one of its fund records.
    """
    scope = report_scope(council=council, period=period)
    record_ids = hsf_record_ids(scope)
    run = {name: db.session.execute(q).all() for name, q in hsf_queries(scope, record_ids).items()}
    k = council.suppression_threshold

    groups = {str(g): int(n) for g, n in run["households"]}
    households = _table(
        HOUSEHOLDS,
        "4 - Households helped",
        list(HOUSEHOLD_GROUPS.values()),
        "Number of households helped",
        [],
        [[Cell(groups.get(g, 0))] for g in HOUSEHOLD_GROUPS],
        k,
    )
    helped_hidden = households.safe.total.hidden

    awards, helped = (int(v or 0) for v in run["volumes"][0])
    spend = int(run["spend"][0][0] or 0)
    unrecorded = frozenset(range(1, len(SPEND_CATEGORIES)))

    def by_category(value: int) -> list[list[Cell]]:
        # The households behind the food figure are those helped: hidden with them.
        return [[Cell(helped, (value,))], *([Cell(None, (0,))] for _ in unrecorded)]

    spend_table = _table(
        SPEND,
        "2 - Spend",
        SPEND_CATEGORIES,
        "Amount spent",
        ["spend_pence"],
        by_category(spend),
        k,
        hide_total=helped_hidden,
    )
    volumes_table = _table(
        VOLUMES,
        "3 - Volumes",
        SPEND_CATEGORIES,
        "Number of awards",
        ["awards"],
        by_category(awards),
        k,
        hide_total=helped_hidden,
    )
    grants = {SupportKind(kind): int(v) for kind, v in run["grants"]}
    grants_table = _table(
        GRANTS,
        "Household Support Fund grants to co-ops (recorded by the council, not a template tab)",
        [kind.label for kind in GRANT_KINDS],
        "Value awarded",
        ["value_pence"],
        [[Cell(None, (grants.get(kind, 0),))] for kind in GRANT_KINDS],
        k,
    )
    return HsfReturn(
        council=council,
        period=period,
        fund_period=FUND_PERIOD,
        guidance=GUIDANCE,
        tables=(spend_table, volumes_table, households, grants_table),
        produced_at=utcnow(),
        threshold=households.safe.threshold,
        not_recorded={SPEND: unrecorded, VOLUMES: unrecorded},
        record_count=len(record_ids),
    )
