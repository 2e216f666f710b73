"""Period reports of the co-op fund: income and spending by month, and each round's result.

Income and spending are the fund's own entries (`FundEntry`, not reversed),
in the month of the day the money moved. A round's result is what its
postings on the fund's account left there in the period: the settlement's
(markup with the prices' rounding, less surplus and costs nobody could
carry; with fixed contributions, what households paid beyond the round's
cost; plus what households paid towards the co-op's own round-wide costs)
and the corrections the fund carried, reversals netted. Postings are dated
by the reconciliation's one rule (`moved_up_to`). A round whose settlement
left the fund exactly nothing has no posting there and no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import aliased

from coop.extensions import db
from coop.models import (
    AccountKind,
    BillLine,
    BillLineKind,
    Coop,
    FundCategory,
    FundDirection,
    FundEntry,
    LedgerTransaction,
    Posting,
    Round,
    RoundCost,
    RoundItem,
    TransactionKind,
)
from coop.services.money.accounts_report import moved_in
from coop.services.money.fund import not_reversed
from coop.services.money.ledger import single_account
from coop.services.money.periods import Period
from coop.services.money.reconcile import with_money_days
from coop.services.times import display_zone


@dataclass(frozen=True)
class MonthRow:
    """One category's income or spending, month by month."""

    category: str
    direction: FundDirection
    by_month: tuple[int, ...]

    @property
    def total_pence(self) -> int:
        return sum(self.by_month)


@dataclass(frozen=True)
class MonthlyTable:
    """The fund's income and spending by category (rows) and month (columns)."""

    period: Period
    months: list[date]
    income: list[MonthRow]
    spending: list[MonthRow]

    def _totals(self, rows: list[MonthRow]) -> tuple[int, ...]:
        return tuple(sum(row.by_month[i] for row in rows) for i in range(len(self.months)))

    @property
    def income_by_month(self) -> tuple[int, ...]:
        return self._totals(self.income)

    @property
    def spending_by_month(self) -> tuple[int, ...]:
        return self._totals(self.spending)

    @property
    def net_by_month(self) -> tuple[int, ...]:
        pairs = zip(self.income_by_month, self.spending_by_month, strict=True)
        return tuple(income - spending for income, spending in pairs)

    @property
    def income_pence(self) -> int:
        return sum(self.income_by_month)

    @property
    def spending_pence(self) -> int:
        return sum(self.spending_by_month)


def monthly_income_and_spending(*, coop: Coop, period: Period) -> MonthlyTable:
    """Return the fund's entries in *period*, not reversed, summed by category and month."""
    year = extract("year", FundEntry.occurred_on)
    month = extract("month", FundEntry.occurred_on)
    rows = db.session.execute(
        select(
            FundCategory.id,
            FundCategory.name,
            FundEntry.direction,
            year,
            month,
            func.sum(FundEntry.amount_pence),
        )
        .join(FundCategory, FundCategory.id == FundEntry.category_id)
        .where(
            FundEntry.coop_id == coop.id,
            FundEntry.occurred_on >= period.start,
            FundEntry.occurred_on <= period.end,
            not_reversed(),
        )
        .group_by(FundCategory.id, FundCategory.name, FundEntry.direction, year, month)
    ).all()
    months = period.months
    column = {(m.year, m.month): i for i, m in enumerate(months)}
    found: dict[tuple[int, str, FundDirection], list[int]] = {}
    for category_id, name, direction, y, m, total in rows:
        cells = found.setdefault((category_id, name, FundDirection(direction)), [0] * len(months))
        cells[column[(int(y), int(m))]] += int(total)
    lines = sorted(
        (MonthRow(name, direction, tuple(cells)) for (_, name, direction), cells in found.items()),
        key=lambda row: row.category.lower(),
    )
    return MonthlyTable(
        period=period,
        months=months,
        income=[row for row in lines if row.direction is FundDirection.INCOME],
        spending=[row for row in lines if row.direction is FundDirection.EXPENSE],
    )


@dataclass(frozen=True)
class RoundResult:
    """What one round left the fund in the period, and what made it up."""

    round_id: int
    title: str
    settled_on: date | None
    markup_pence: int  # markup with the prices' rounding, on the settlement's bills
    coop_costs_pence: int  # households' shares of the co-op's own round-wide costs
    settlement_pence: int  # the settlement's posting on the fund
    corrections_pence: int  # corrections the fund carried, reversals netted
    # Charged for items offered from the co-op's own stock: all the fund's, no supplier's.
    stock_sold_pence: int = 0

    @property
    def other_pence(self) -> int:
        """Surplus and costs nobody carried (minus), or a fixed contribution's result."""
        return (
            self.settlement_pence
            - self.markup_pence
            - self.coop_costs_pence
            - self.stock_sold_pence
        )

    @property
    def total_pence(self) -> int:
        return self.settlement_pence + self.corrections_pence


def round_results(*, coop: Coop, period: Period) -> list[RoundResult]:
    """Return each round's postings on the fund in *period*, oldest settlement first."""
    fund = single_account(coop_id=coop.id, kind=AccountKind.FUND).id
    original = aliased(LedgerTransaction)
    settling = func.coalesce(original.kind, LedgerTransaction.kind) == TransactionKind.SETTLEMENT
    part = case((settling, "settlement"), else_="correction")
    rows = db.session.execute(
        with_money_days(
            select(LedgerTransaction.round_id, part, func.sum(Posting.amount_pence)).join(
                LedgerTransaction, LedgerTransaction.id == Posting.transaction_id
            )
        )
        .outerjoin(original, original.id == LedgerTransaction.reverses_id)
        .where(
            Posting.account_id == fund,
            LedgerTransaction.round_id.is_not(None),
            moved_in(period),
        )
        .group_by(LedgerTransaction.round_id, part)
    ).all()
    sums: dict[int, dict[str, int]] = {}
    for round_id, which, total in rows:
        sums.setdefault(round_id, {})[which] = int(total)
    if not sums:
        return []
    settled = [round_id for round_id, parts in sums.items() if "settlement" in parts]
    markup = dict(
        db.session.execute(
            select(BillLine.round_id, func.sum(BillLine.markup_pence))
            .join(LedgerTransaction, LedgerTransaction.id == BillLine.transaction_id)
            .where(
                BillLine.round_id.in_(settled),
                LedgerTransaction.kind == TransactionKind.SETTLEMENT,
            )
            .group_by(BillLine.round_id)
        ).all()
    )
    # Under fixed contributions goods lines charge nothing, so stock sold is in the result.
    stock = dict(
        db.session.execute(
            select(BillLine.round_id, func.sum(BillLine.amount_pence))
            .join(LedgerTransaction, LedgerTransaction.id == BillLine.transaction_id)
            .join(RoundItem, RoundItem.id == BillLine.round_item_id)
            .where(
                BillLine.round_id.in_(settled),
                BillLine.kind == BillLineKind.GOODS,
                LedgerTransaction.kind == TransactionKind.SETTLEMENT,
                RoundItem.stock_round_item_id.is_not(None),
            )
            .group_by(BillLine.round_id)
        ).all()
    )
    costs = dict(
        db.session.execute(
            select(RoundCost.round_id, func.sum(RoundCost.amount_pence))
            .where(RoundCost.round_id.in_(settled), RoundCost.supplier_id.is_(None))
            .group_by(RoundCost.round_id)
        ).all()
    )
    rounds = db.session.execute(
        select(Round.id, Round.title, Round.settled_at).where(Round.id.in_(list(sums)))
    ).all()
    results = [
        RoundResult(
            round_id=round_id,
            title=title,
            settled_on=_local_day(settled_at),
            markup_pence=int(markup.get(round_id) or 0),
            coop_costs_pence=int(costs.get(round_id) or 0),
            settlement_pence=sums[round_id].get("settlement", 0),
            corrections_pence=sums[round_id].get("correction", 0),
            stock_sold_pence=int(stock.get(round_id) or 0),
        )
        for round_id, title, settled_at in rounds
    ]
    return sorted(results, key=lambda r: (r.settled_on or date.max, r.round_id))


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(display_zone()).date() if moment is not None else None
