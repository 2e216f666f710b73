"""What the whole council's report hides, every report of the period hides: no differencing.

A council can ask for its whole report, one co-op's or a pool's. Each is
suppressed on its own, so without more the whole council's total less the
single reports of the co-ops it shows would give back a small co-op it hides.
METRICS.md's secondary suppression must hold across the reports, so for a
period the whole council's per-co-op pattern is authoritative (`Pattern`):

- The co-ops whose active households (or money) the whole council's report
  hides (small, or hidden beside a small one), *H*, are hidden in every
  table of every single-co-op and pooled report of the period, their own
  included (registered households, people reached, volunteer time and reach
  in deprived areas too), as `Reason.ACROSS`. The whole council's report
  shows what its own tables let through of those: each is its own pattern.
- Every cell the council-wide table of households, money, registered
  households, people reached, volunteer time or deprived reach hides is
  hidden in that table of every report: a co-op's new households are hidden
  in its own report where the whole council's report hid them.
- A total over a report's co-ops *P* (a column's, the table's, and so the
  headline figures) is shown only where the co-ops hidden beside it in the
  council-wide table are none of *P*, or all of them are in *P* and the
  whole council's report shows that total; else *P*'s total less its shown
  co-ops would give part of what the whole council's report hides.
- Months: the month-by-month figures are also a co-op-by-month grid,
  suppressed council-wide (`month_grid`: each co-op's households in each
  month, *H*'s rows hidden). A report's month is shown by the same rule over
  the co-ops that grid hides in that month, so neither the whole council's
  month less its shown co-ops' single reports, nor one pool's month less
  another's, gives a small co-op's month. Retention is hidden for the months
  the trend hides, and over *P* altogether where *P* holds part of *H*.
- Breakdowns by place and household type sum over *P*: offered only where
  *P*'s total households may show.

A household is a membership: one that belongs to two co-ops is two
memberships and counted once in each (as every table counts it), so a
pool's households are the sum of its co-ops' and a total less its parts is
exact.

The whole council's report works its pattern out from its own tables (and
one more aggregate, `coop_months_query`); a single-co-op or pooled report
has the council-wide tables computed once more (`pattern_queries`: the
whole council's fulfilled orders as a temporary table, and the per-co-op
household aggregates; no money, which the pattern does not depend on).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import FromClause

from coop.domain.suppression import Cell, Hidden, SafeTable, suppress
from coop.extensions import db
from coop.models import ImdEdition
from coop.services.council_reports import households as hq
from coop.services.council_reports import queries as q
from coop.services.council_reports.scope import Scope
from coop.services.council_reports.sql import CreateScratch, DropScratch

# The report's tables with a row per co-op, whose council-wide pattern every report follows.
PER_COOP = ("active", "money", "registered", "people", "volunteers", "deprived")


def coop_months_query(scope: Scope, orders: FromClause) -> Select:
    """Per co-op and month: households active and their collections.

    The month-by-month table co-op by co-op; its months are the sums of its
    co-ops' (a household is a membership, of one co-op).
    """
    return (
        select(
            orders.c.coop_id,
            orders.c.month,
            func.count(distinct(orders.c.membership_id)).label("households"),
            func.count().label("collections"),
        )
        .group_by(orders.c.coop_id, orders.c.month)
        .order_by(orders.c.coop_id, orders.c.month)
    )


def pattern_queries(scope: Scope, imd: ImdEdition | None) -> dict[str, Select]:
    """The queries the council-wide pattern needs, for the whole council's *scope*.

    "orders" fills the temporary table the others read (`run_pattern_queries`).
    """
    orders = q.ORDERS
    queries = {
        "orders": q.orders_query(scope),
        "households": q.households_query(scope, orders),
        "registered": q.registered_query(scope),
        "people": hq.people_query(scope, orders),
        "volunteers": q.volunteer_query(scope),
        "coop_months": coop_months_query(scope, orders),
    }
    if imd is not None:
        queries["deprived"] = hq.deprived_query(scope, imd, orders)
    return queries


@contextmanager
def _orders_table(query: Select) -> Iterator[None]:
    """Write the whole council's fulfilled orders to `queries.ORDERS` for the block inside.

    As the report's own temporary tables: on PostgreSQL a failed statement's
    rollback drops it, so it is dropped here only otherwise.
    """
    session = db.session
    session.execute(CreateScratch(q.ORDERS, query))
    try:
        yield
    except DBAPIError:
        if session.get_bind().dialect.name != "postgresql":
            session.execute(DropScratch(q.ORDERS))
        raise
    except BaseException:
        session.execute(DropScratch(q.ORDERS))
        raise
    else:
        session.execute(DropScratch(q.ORDERS))


def run_pattern_queries(queries: dict[str, Select]) -> dict[str, list[Any]]:
    """Run *queries* (`pattern_queries`); what the pattern does not need reads as no rows."""
    with _orders_table(queries["orders"]):
        found = {
            name: list(db.session.execute(query).all())
            for name, query in queries.items()
            if name != "orders"
        }
    rows: dict[str, list[Any]] = {name: [] for name in RUN_KEYS}
    rows["coops_active"] = [(0,)]
    return rows | found


# Every result a report's tables are built from (report.report_queries), for a pattern's run.
RUN_KEYS = (
    "households",
    "monthly",
    "reference",
    "ledger",
    "registered",
    "people",
    "retention",
    "volunteers",
    "support",
    "reference_sources",
    "household_types",
    "deprived",
    "deciles",
    "wards",
    "coop_months",
)


def month_grid(
    rows: Iterable[Sequence[object]],
    coops: Sequence[int],
    months: Sequence[str],
    *,
    threshold: int,
    hidden_coops: Iterable[int],
    hide_total: bool,
    every_month: bool = True,
) -> SafeTable:
    """Suppress the households of each co-op (columns) in each month (rows), council-wide.

    A month a row, so that a small co-op's month is first hidden beside
    another co-op's same month (the months are gone through before the co-ops).

    A co-op hidden for the period has its column total (its period's money,
    by month added up) hidden and, with *every_month*, every month of it (no
    report shows them, and a pool's month must not give one away); the total
    (household-months) is hidden where the period's households are. The
    whole council's own months need only the totals kept (*every_month*
    False): no single or pooled report shows more of a month than the grid
    with every month hidden lets through.
    """
    found = {(int(str(row[0])), str(row[1])): int(str(row[2])) for row in rows}
    hidden = set(hidden_coops)
    return suppress(
        [[Cell(found.get((c, m), 0)) for c in coops] for m in months],
        threshold=threshold,
        hide_total=hide_total,
        columns=len(coops),
        elsewhere=Hidden(
            cells=frozenset(
                (i, j)
                for j, c in enumerate(coops)
                if c in hidden and every_month
                for i in range(len(months))
            ),
            column_totals=frozenset(j for j, c in enumerate(coops) if c in hidden),
        ),
    )


def _may_show(pool: frozenset[int], beside: frozenset[int], hidden_whole: bool) -> bool:
    """Tell whether a total over *pool* may show, *beside* the co-ops hidden council-wide.

    Its total less its shown co-ops is the part of *beside* it holds: nothing,
    or all of them where the whole council's report shows that too.
    """
    return not (beside & pool) or (beside <= pool and not hidden_whole)


@dataclass(frozen=True)
class Pattern:
    """What the whole council's report of a period hides, by co-op: every report follows it."""

    coops: tuple[int, ...]  # the whole council's co-ops, the rows of its tables
    hidden_coops: frozenset[int]  # H: hidden in every table of every report
    tables: dict[str, SafeTable] = field(default_factory=dict)  # council-wide, by report key
    months: SafeTable | None = None  # months (rows) by co-op, council-wide
    month_labels: tuple[str, ...] = ()

    def _hidden(self, cells: Iterable[Any], *, with_coops: bool = True) -> frozenset[int]:
        """The co-ops of *cells* (one per co-op) hidden, with those hidden for the period."""
        return frozenset(
            c
            for c, cell in zip(self.coops, cells, strict=True)
            if cell.hidden or (with_coops and c in self.hidden_coops)
        )

    def per_coop(self, key: str, coops: Sequence[int], width: int) -> Hidden:
        """What a table of *key*, a row per co-op of *coops*, must hide as the council's does."""
        table = self.tables.get(key)
        pool = frozenset(coops)

        def hidden(cells: Sequence[Any] | None) -> frozenset[int]:
            if cells is None:
                return self.hidden_coops
            return self._hidden(cells)

        by_column = [hidden(table.column(j) if table else None) for j in range(width)]
        by_row = hidden(table.row_totals if table else None)
        return Hidden(
            cells=frozenset(
                (r, j) for r, c in enumerate(coops) for j in range(width) if c in by_column[j]
            ),
            row_totals=frozenset(r for r, c in enumerate(coops) if c in by_row),
            column_totals=frozenset(
                j
                for j in range(width)
                if not _may_show(
                    pool, by_column[j], table is not None and table.column_totals[j].hidden
                )
            ),
            total=not _may_show(pool, by_row, table is not None and table.total.hidden),
        )

    def pooled(self, coops: Sequence[int]) -> bool:
        """Tell whether figures summed over *coops* may show (breakdowns, retention)."""
        active = self.tables.get("active")
        return _may_show(frozenset(coops), self.hidden_coops, bool(active and active.total.hidden))

    def by_month(self, coops: Sequence[int], months: Sequence[str]) -> Hidden:
        """What a month-by-month table over *coops* (a row per month) must hide."""
        grid, pool = self.months, frozenset(coops)
        if grid is None:
            return Hidden()
        at = {m: j for j, m in enumerate(self.month_labels)}
        hide = frozenset(
            r
            for r, m in enumerate(months)
            if not _may_show(
                pool,
                self._hidden(grid.rows[at[m]], with_coops=False),
                grid.row_totals[at[m]].hidden,
            )
        )
        beside = self._hidden(grid.column_totals, with_coops=False)
        total = not _may_show(pool, beside, grid.total.hidden)
        return Hidden(cells=frozenset((r, 0) for r in hide), row_totals=hide, total=total)

    def retention(
        self, coops: Sequence[int], months: Sequence[str], hiding: Iterable[str]
    ) -> Hidden:
        """What retention over *coops* (a row per month) must hide: the trend's *hiding* months.

        Everything, where *coops* hold part of the co-ops hidden for the period.
        """
        hidden_months = {r for r, m in enumerate(months) if m in set(hiding)}
        if not self.pooled(coops):
            return Hidden(
                cells=frozenset((r, j) for r in range(len(months)) for j in (0, 1)),
                row_totals=frozenset(range(len(months))),
                column_totals=frozenset((0, 1)),
                total=True,
            )
        return Hidden(
            cells=frozenset((r, j) for r in hidden_months for j in (0, 1)),
            row_totals=frozenset(hidden_months),
        )


def pattern_of(
    coops: Sequence[int],
    tables: dict[str, Any],
    months: SafeTable | None,
    month_labels: Sequence[str],
) -> Pattern:
    """Return the pattern of the whole council's *tables* (report `Table`s, by key)."""
    money = tables["money"].safe
    active = tables["active"].safe
    hidden = frozenset(
        c
        for c, a, m in zip(coops, active.row_totals, money.row_totals, strict=True)
        if a.hidden or m.hidden
    )
    return Pattern(
        tuple(coops),
        hidden,
        {key: tables[key].safe for key in PER_COOP if key in tables},
        months,
        tuple(month_labels),
    )
