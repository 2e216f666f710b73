"""A council report: every table of METRICS.md, computed in the database and suppressed.

`council_report` runs one aggregate query per table (queries.py), puts each
result through `coop.domain.suppression.suppress` and returns only what
survives, beside its definition. Pages, exports and the API read this and
nothing else, so no figure reaches them unsuppressed.

The order lines are read twice: into the period's fulfilled orders and into
its rounds' goods by item, each written once as a temporary table of the
request's own connection (`scratch_tables`) and dropped when the report is
made, so a city's year costs two passes over its lines rather than one per
table. Nothing else is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import DBAPIError

from coop.domain.suppression import Cell, Hidden, Reason, suppress
from coop.extensions import db
from coop.models import Coop, Council, ImdEdition, PostcodeEdition, SupportKind
from coop.models.types import utcnow
from coop.services.council_reports import consistency as cx
from coop.services.council_reports import households as hq
from coop.services.council_reports import queries as q
from coop.services.council_reports.definitions import DEFINITIONS, REFERENCE_METHOD
from coop.services.council_reports.headline import headline_figures
from coop.services.council_reports.period import Period
from coop.services.council_reports.results import (
    ReferenceSource,
    Report,
    Table,
    VolunteerRate,
)
from coop.services.council_reports.scope import Scope, report_scope
from coop.services.council_reports.sql import CreateScratch, DropScratch
from coop.services.places.lookup import active_imd_edition, active_postcode_edition

# People reached is shown only when this share of active households gave their size.
PEOPLE_COVERAGE = (80, 100)


def _by_coop(rows: Iterable[Sequence[object]], width: int) -> dict[int, tuple[int, ...]]:
    found: dict[int, tuple[int, ...]] = {}
    for row in rows:
        found[int(str(row[0]))] = tuple(int(str(v or 0)) for v in row[1 : 1 + width])
    return found


def _by_coop_and_month(
    rows: Iterable[Sequence[object]], width: int
) -> tuple[dict[int, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Sum rows of (co-op, month, figures...) by co-op and by month."""
    by_coop: dict[int, tuple[int, ...]] = {}
    by_month: dict[str, tuple[int, ...]] = {}
    zero = (0,) * width
    for row in rows:
        coop, month = int(str(row[0])), str(row[1])
        figures = [int(str(v or 0)) for v in row[2 : 2 + width]]
        by_coop[coop] = tuple(map(sum, zip(by_coop.get(coop, zero), figures, strict=True)))
        by_month[month] = tuple(map(sum, zip(by_month.get(month, zero), figures, strict=True)))
    return by_coop, by_month


def _table(
    key: str,
    title: str,
    rows: Iterable[str],
    columns: Iterable[str],
    figures: Iterable[str],
    grid: Sequence[Sequence[Cell]],
    scope: Scope,
    hide_rows: Sequence[int] = (),
    hide_total: bool = False,
    because: Reason = Reason.SECONDARY,
    elsewhere: Hidden | None = None,
) -> Table:
    """Suppress *grid*, hiding also the row totals and total another table hid of the same.

    *elsewhere* is what the council's other reports hide of it (consistency.py).
    """
    columns, figures = tuple(columns), tuple(figures)
    return Table(
        key,
        title,
        DEFINITIONS.get(key, ""),
        tuple(rows),
        columns,
        figures,
        suppress(
            grid,
            threshold=scope.threshold,
            hide_row_totals=hide_rows,
            hide_total=hide_total,
            because=because,
            columns=len(columns),
            figures=len(figures),
            elsewhere=elsewhere,
        ),
    )


# The queries whose rows are written to a temporary table first, and the table of each.
SCRATCH = {"orders": q.ORDERS, "items": q.ITEMS}


def report_queries(scope: Scope, imd: ImdEdition | None) -> dict[str, Select]:
    """Return every query the report runs, by name (the privacy test compiles each).

    The first ("orders", "items") fill the temporary tables of `SCRATCH`,
    which the rest read: run them through `scratch_tables`.
    """
    orders, items = q.ORDERS, q.ITEMS
    queries: dict[str, Select] = {
        "orders": q.orders_query(scope),
        "items": q.items_query(scope),
        "households": q.households_query(scope, orders),
        "reference": q.reference_query(scope, items),
        "ledger": q.ledger_query(scope),
        "registered": q.registered_query(scope),
        "people": hq.people_query(scope, orders),
        "retention": q.retention_query(scope, orders),
        "volunteers": q.volunteer_query(scope),
        "coops_active": q.coops_active_query(scope),
        "support": q.support_query(scope),
        "reference_sources": q.reference_sources_query(scope, items),
        "household_types": hq.household_type_query(scope, orders),
        "coop_months": cx.coop_months_query(scope, orders),
    }
    if imd is not None:
        queries["deprived"] = hq.deprived_query(scope, imd, orders)
        queries["deciles"] = hq.decile_query(scope, imd, orders)
        queries["wards"] = hq.ward_query(scope, imd, orders)
    return queries


@contextmanager
def scratch_tables(queries: dict[str, Select]) -> Iterator[None]:
    """Write the rows of each `SCRATCH` query to its temporary table, for the block inside.

    Each table is created from its query in one statement and dropped after
    the block. When a statement fails on PostgreSQL its transaction is
    aborted and rolling it back drops the tables, so they are not dropped here.
    """
    session = db.session
    made = []
    try:
        for name, table in SCRATCH.items():
            session.execute(CreateScratch(table, queries[name]))
            made.append(table)
        yield
    except DBAPIError:
        if session.get_bind().dialect.name != "postgresql":
            _drop(made)
        raise
    except BaseException:
        _drop(made)
        raise
    else:
        _drop(made)


def _drop(tables: Iterable[Any]) -> None:
    for table in tables:
        db.session.execute(DropScratch(table))


def run_report_queries(queries: dict[str, Select]) -> dict[str, list[Any]]:
    """Run the report's queries, by name, their temporary tables made first."""
    with scratch_tables(queries):
        return {
            name: list(db.session.execute(query).all())
            for name, query in queries.items()
            if name not in SCRATCH
        }


def _editions() -> tuple[ImdEdition | None, PostcodeEdition | None]:
    """Return the usable IMD edition (or None) and the active postcode directory."""
    imd, directory = active_imd_edition(), active_postcode_edition()
    if imd is None or directory is None or imd.lsoa_vintage != directory.lsoa_vintage:
        return None, directory
    return imd, directory


def usable_imd() -> ImdEdition | None:
    """Return the IMD edition whose LSOAs are the postcode directory's, or None."""
    return _editions()[0]


def council_report(
    *,
    council: Council,
    period: Period,
    coop_ids: Iterable[int] | None = None,
    volunteer_rate: VolunteerRate | None = None,
) -> Report:
    """Return the council's report for *period*, every table suppressed (reads only).

    One co-op's or a pool's report hides, besides its own small cells, what
    the whole council's report of the period hides (consistency.py), so that
    no report can be subtracted from another; the council-wide pattern is
    worked out for it from the council's per-co-op tables.
    """
    scope = report_scope(council=council, period=period, coop_ids=coop_ids)
    rate = volunteer_rate or VolunteerRate()
    imd, directory = _editions()
    run = run_report_queries(report_queries(scope, imd))
    across = None
    if scope.chosen:
        whole = report_scope(council=council, period=period)
        found = cx.run_pattern_queries(cx.pattern_queries(whole, imd))
        across = _tables(whole, found, imd, None)[1]
    tables, _ = _tables(scope, run, imd, across)
    labels = tables["active"].row_labels
    support = {SupportKind(k): int(v) for k, v in run["support"]}

    headline, derived = headline_figures(tables, support, rate, run["coops_active"][0][0])
    return Report(
        council_name=council.name,
        gss_code=council.gss_code,
        period=period,
        coop_names=tuple(labels),
        threshold=tables["active"].safe.threshold,
        produced_at=utcnow(),
        reference_method=REFERENCE_METHOD,
        imd_edition=imd.name if imd is not None else None,
        postcode_directory=directory.name if directory is not None else None,
        volunteer_rate=rate,
        tables=tables,
        headline=headline,
        derived=derived,
        reference_sources=tuple(
            ReferenceSource(source or "", earliest, latest, int(items))
            for source, earliest, latest, items in run["reference_sources"]
        ),
    )


def _tables(
    scope: Scope, run: dict[str, Any], imd: ImdEdition | None, across: cx.Pattern | None
) -> tuple[dict[str, Table], cx.Pattern]:
    """Build every table of *scope*'s report from its queries' rows, with the council's pattern.

    *across* is what the whole council's report of the period hides; without
    it this is the whole council's report, whose pattern is worked out here
    and returned.
    """
    period = scope.period
    names = dict(
        db.session.execute(select(Coop.id, Coop.name).where(Coop.id.in_(scope.coop_ids))).all()
    )
    coops = list(scope.coop_ids)
    labels = [names[c] for c in coops]
    tables: dict[str, Table] = {}

    chosen = across

    def elsewhere(key: str, width: int) -> Hidden | None:
        # The whole council's own tables are the pattern: only its months need more (below).
        return chosen.per_coop(key, coops, width) if chosen is not None else None

    # Households: new and repeat per co-op, each with its collections.
    hh: dict[tuple[int, int], tuple[int, int]] = {
        (int(c), int(r)): (int(h), int(n)) for c, r, h, n in run["households"]
    }
    active_by_coop = {c: sum(hh.get((c, r), (0, 0))[0] for r in (0, 1)) for c in coops}
    reference, monthly_reference = _by_coop_and_month(run["reference"], 2)
    ledger, monthly_ledger = _by_coop_and_month(run["ledger"], 4)
    # A co-op whose money is hidden is hidden in every table: until its households are too.
    hide: list[int] = []
    while True:
        tables["active"] = _table(
            "active",
            "Active households, new and repeat",
            labels,
            ["New", "Repeat"],
            ["collections"],
            [[Cell(*_pair(hh.get((c, r)))) for r in (0, 1)] for c in coops],
            scope,
            hide_rows=hide,
            elsewhere=elsewhere("active", 2),
        )
        active = tables["active"].safe
        tables["money"] = _table(
            "member_spend",
            "Spend, reference value and local spend",
            labels,
            ["All"],
            [
                "spend_pence",
                "reference_pence",
                "surplus_pence",
                "supplier_pence",
                "local_pence",
                "subsidy_pence",
            ],
            [[Cell(active_by_coop[c], _money(ledger.get(c), reference.get(c)))] for c in coops],
            scope,
            # The same households as the active table's rows: hidden alike, or one betrays
            # the other.
            hide_rows=[r for r, total in enumerate(active.row_totals) if total.hidden],
            hide_total=active.total.hidden,
            elsewhere=elsewhere("money", 1),
        )
        money = tables["money"].safe.row_totals
        pairs = zip(active.row_totals, money, strict=True)
        hide = [r for r, (a, m) in enumerate(pairs) if a.hidden or m.hidden]
        if all(active.row_totals[r].hidden for r in hide):
            break
    months = period.months
    grid = None
    if across is None:
        hidden = [coops[r] for r in hide]
        grids = [
            cx.month_grid(
                run["coop_months"],
                coops,
                months,
                threshold=scope.threshold,
                hidden_coops=hidden,
                hide_total=active.total.hidden,
                every_month=every_month,
            )
            for every_month in (True, False)
        ]
        # The other reports follow the grid where those co-ops' months are hidden too;
        # the whole council's own months only need their period's totals kept hidden.
        grid = grids[0]
        across = cx.Pattern(
            tuple(coops), frozenset(hidden), months=grids[1], month_labels=tuple(months)
        )

    registered = _by_coop(run["registered"], 1)
    tables["registered"] = _table(
        "registered",
        "Registered households",
        labels,
        ["Households"],
        [],
        [[Cell(registered.get(c, (0,))[0])] for c in coops],
        scope,
        elsewhere=elsewhere("registered", 1),
    )

    people = _by_coop(run["people"], 2)
    gave = {c: people.get(c, (0, 0))[0] for c in coops}
    tables["people"] = _table(
        "people_reached",
        "People reached",
        labels,
        ["Households that gave their size"],
        ["people"],
        [[Cell(gave[c], people.get(c, (0, 0))[1:])] for c in coops],
        scope,
        # Shown only where enough of the active households gave their size.
        hide_rows=[r for r, c in enumerate(coops) if not _covered(gave[c], active_by_coop[c])],
        hide_total=not _covered(sum(gave.values()), sum(active_by_coop.values())),
        because=Reason.INCOMPLETE,
        elsewhere=elsewhere("people", 1),
    )

    volunteers = _by_coop(run["volunteers"], 2)
    tables["volunteers"] = _table(
        "volunteer_hours",
        "Volunteer time",
        labels,
        ["Volunteering households"],
        ["minutes"],
        [[Cell(volunteers.get(c, (0, 0))[0], volunteers.get(c, (0, 0))[1:])] for c in coops],
        scope,
        elsewhere=elsewhere("volunteers", 1),
    )

    # Per month, from the co-ops' months: a household is a membership, of one co-op.
    monthly: dict[str, tuple[int, int]] = {}
    for _, m, h, n in run["coop_months"]:
        households, collections = monthly.get(str(m), (0, 0))
        monthly[str(m)] = (households + int(h), collections + int(n))
    monthly_spend = {m: figures[0] for m, figures in monthly_ledger.items()}
    # A month is hidden where the co-ops the council's grid hides in it could be worked out.
    by_month = across.by_month(coops, months)
    tables["trend"] = _table(
        "active",
        "By month",
        months,
        ["Active households"],
        ["collections", "spend_pence", "reference_pence", "surplus_pence"],
        [
            [
                Cell(
                    monthly.get(m, (0, 0))[0],
                    (
                        monthly.get(m, (0, 0))[1],
                        monthly_spend.get(m, 0),
                        *monthly_reference.get(m, (0, 0)),
                    ),
                )
            ]
            for m in months
        ],
        scope,
        # Its total counts household-months; the households behind it are the active table's.
        hide_total=active.total.hidden,
        elsewhere=by_month,
    )

    kept: dict[tuple[str, int], int] = {(m, int(r)): int(h) for m, r, h in run["retention"]}
    followed = [m for m in months if _plus_three(m) in months]
    tables["retention"] = _table(
        "retention",
        "Retention at 3 months",
        followed,
        ["Still active 3 months on", "Not"],
        [],
        [[Cell(kept.get((m, 1), 0)), Cell(kept.get((m, 0), 0))] for m in followed],
        scope,
        elsewhere=across.retention(coops, followed, [months[r] for r in by_month.row_totals]),
    )

    support = {SupportKind(k): int(v) for k, v in run["support"]}
    kinds = [kind for kind in SupportKind if kind in support]
    tables["support"] = _table(
        "support_value",
        "Support by kind",
        [k.label for k in kinds],
        ["Value"],
        ["value_pence"],
        [[Cell(None, (support[k],))] for k in kinds],
        scope,
    )

    if imd is not None:
        placed: dict[tuple[int, int], int] = {
            (int(c), int(d)): int(h) for c, d, h in run["deprived"]
        }
        tables["deprived"] = _table(
            "deprived_reach",
            f"Reach in deprived areas ({imd.name})",
            labels,
            ["IMD deciles 1-2", "Deciles 3-10"],
            [],
            [[Cell(placed.get((c, 1), 0)), Cell(placed.get((c, 0), 0))] for c in coops],
            scope,
            elsewhere=elsewhere("deprived", 2),
        )
    _breakdowns(tables, run, scope, imd, across.pooled(coops))
    pattern = cx.pattern_of(coops, tables, grid, months) if grid is not None else across
    return tables, pattern


def _money(ledger: tuple[int, ...] | None, reference: tuple[int, ...] | None) -> tuple[int, ...]:
    """Order a co-op's money as the table names it: spend, reference, surplus, suppliers..."""
    spend, supplier, local, subsidy = ledger or (0, 0, 0, 0)
    return (spend, *(reference or (0, 0)), supplier, local, subsidy)


def _covered(gave: int, active: int) -> bool:
    """Tell whether enough of *active* households gave their size for people reached to show."""
    return active > 0 and gave * PEOPLE_COVERAGE[1] >= active * PEOPLE_COVERAGE[0]


def _pair(found: tuple[int, int] | None) -> tuple[int, tuple[int]]:
    households, collections = found or (0, 0)
    return households, (collections,)


def _plus_three(month: str) -> str:
    year, number = int(month[:4]), int(month[5:]) + 3
    if number > 12:
        year, number = year + 1, number - 12
    return f"{year:04d}-{number:02d}"


HOUSEHOLD_TYPES = {
    hq.WITH_CHILDREN: "With children",
    hq.PENSION_AGE: "With someone of pension age",
    hq.OTHER: "Other, or not said",
}


def _breakdowns(
    tables: dict[str, Table],
    run: dict[str, Any],
    scope: Scope,
    imd: ImdEdition | None,
    pooled: bool,
) -> None:
    """Offer breakdowns by place and household type only over a pool, where every cell passes.

    The pool is the whole council's: two chosen pools a co-op apart would give
    that co-op's breakdown by subtraction. Not where the pool's total
    households may not show (*pooled*, consistency.py).
    """
    if scope.chosen or not scope.is_pool or not pooled:
        return
    types = {str(kind): int(n) for kind, n in run["household_types"]}
    breakdowns = [
        (
            "household_types",
            "Households by type",
            [(HOUSEHOLD_TYPES[k], types.get(k, 0)) for k in HOUSEHOLD_TYPES],
        ),
    ]
    if imd is not None:
        breakdowns += [
            ("deciles", f"Households by IMD decile ({imd.name})", run["deciles"]),
            ("wards", "Households by ward", run["wards"]),
        ]
    for key, title, rows in breakdowns:
        table = _table(
            "active" if key == "household_types" else "deprived_reach",
            title,
            [str(r[0]) for r in rows],
            ["Households"],
            [],
            [[Cell(int(r[1]))] for r in rows],
            scope,
        )
        # Deciles 1 and 2 add up to the deprived column: shown only if that hides nothing.
        linked = tables["deprived"].safe.any_hidden if key == "deciles" else False
        if rows and not table.safe.any_hidden and not linked:
            tables[key] = table
