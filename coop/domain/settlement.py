"""Settling a round: what each household is charged, to the penny, and where every penny goes.

Pure and standard library only. The rules (DESIGN.md, "Money"):

- **Goods.** An item's price each is case price / case size, plus VAT, plus
  the co-op's markup, rounded half-up to the penny once
  (`member_unit_price_pence`); a household is charged its units x that price,
  so every line can be checked with a calculator. The net and VAT parts are
  what the units cost the co-op (net; net + VAT, each rounded once for the
  item and split between the households by units with `split_pence`); the
  markup part is the rest of the charge, so it holds the price each's
  rounding too (a penny or two below zero where there is no markup and the
  price rounded down). Deposits are whole pence per unit and pass through at
  cost.
- **Suppliers** are owed, per item, what arrived at case price / case size
  plus VAT, rounded once, plus deposits.
- **The co-op's own stock** (a line with no supplier) was bought, and its cost
  borne by the fund, in an earlier round: households are charged its price
  each (the co-op's price, markup already in it, so none is added) plus
  deposit, nobody is owed, and the whole charge is the fund's stock sold.
  Units nobody took went back to stock, so they cost nothing here.
- **Shared costs** are split by their basis (`equal` per collecting
  household, `by_value` of goods, `by_units`) among the households that
  received something, from the cost's supplier when it has one. Each
  household's share is attributed to suppliers in proportion to what it got
  from each. A cost nobody can carry (every item of its supplier dropped) is
  absorbed by the co-op fund.
- **Subsidies** pay (up to a cap) a named shared cost, shared in proportion
  to the households' shares of it, or a percentage off every household's
  goods, rounded once, capped, and shared by goods value. A subsidy drawn
  from a fund (a council's support record) never pays more than what is left
  of the fund, however many of the round's subsidies draw on it.
- **The co-op fund** takes what is left: markup earned (with the rounding of
  each price to the penny), plus stock sold, less the cost of
  surplus units nobody received, less absorbed costs. Then, to the penny,
  household charges + subsidy = supplier totals + shared costs + fund result;
  `Settlement.check` proves it for every settlement.

The fixed-contribution model (Preston's groups) charges every collecting
household the same agreed amount instead of its goods and shares, and the
fund takes the difference; the same identity holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from typing import NamedTuple

from coop.domain.catalogue import member_unit_price_pence
from coop.domain.money import round_half_up, split_pence

BASIS_POINTS = 10_000
EQUAL, BY_VALUE, BY_UNITS = "equal", "by_value", "by_units"
BASES = (EQUAL, BY_VALUE, BY_UNITS)


@dataclass(frozen=True)
class Line:
    """An item of the round as it arrived, and how many units each household received."""

    item: int
    supplier: int | None  # None: from the co-op's own stock
    case_price_pence: int  # as invoiced, ex VAT
    case_size: int
    vat_bp: int
    units_received: int
    shares: Mapping[int, int]  # household -> units received
    deposit_pence: int = 0  # per unit, no VAT, no markup

    def unit_cost(self) -> Fraction:
        """What the supplier charges for one unit, VAT included, exact."""
        net = Fraction(self.case_price_pence, self.case_size)
        return net * Fraction(BASIS_POINTS + self.vat_bp, BASIS_POINTS)


@dataclass(frozen=True)
class Cost:
    """A shared cost of the round: delivery, packaging, the venue or anything named."""

    key: int
    amount_pence: int
    basis: str = EQUAL
    supplier: int | None = None  # whose delivery it is; None for the whole round


@dataclass(frozen=True)
class Subsidy:
    """Council support applied to the round: a shared cost paid, or a share off goods."""

    key: int
    cost: int | None = None  # pays this cost (by key) ...
    percent_bp: int = 0  # ... or this much off every household's goods
    cap_pence: int | None = None
    fund: int | None = None  # the support record it draws on, whose budget caps it


class GoodsCharge(NamedTuple):
    """One line of a household's bill: an item it received.

    A tuple, not a dataclass: a big round has tens of thousands of them.
    """

    household: int
    item: int
    supplier: int | None  # None: from the co-op's own stock
    units: int
    net_pence: int
    vat_pence: int
    markup_pence: int
    deposit_pence: int

    @property
    def total_pence(self) -> int:
        return self.net_pence + self.vat_pence + self.markup_pence + self.deposit_pence


@dataclass(frozen=True)
class CostCharge:
    """A household's share of a shared cost, attributed to one supplier."""

    household: int
    cost: int
    supplier: int | None
    pence: int


@dataclass(frozen=True)
class SubsidyCredit:
    """What a subsidy takes off a household's bill."""

    household: int
    subsidy: int
    pence: int


@dataclass
class Settlement:
    """Every charge, credit and payable of a round, with the fund's result."""

    goods: list[GoodsCharge] = field(default_factory=list)
    costs: list[CostCharge] = field(default_factory=list)
    subsidies: list[SubsidyCredit] = field(default_factory=list)
    contributions: dict[int, int] = field(default_factory=dict)  # fixed-contribution charges
    supplier_totals: dict[int, int] = field(default_factory=dict)  # goods and deposits
    cost_totals: dict[int, int] = field(default_factory=dict)
    absorbed_costs_pence: int = 0
    markup_pence: int = 0  # goods charged above their cost to the co-op, rounding included
    surplus_cost_pence: int = 0  # what units nobody received cost the co-op
    stock_sold_pence: int = 0  # charged for the co-op's own stock: all the fund's
    # Worked out when first asked for: `settle` asks only once the settlement is complete.
    _totals: dict[int, int] | None = field(default=None, init=False, repr=False, compare=False)

    def household_totals(self) -> dict[int, int]:
        """Return what each household is charged, net of subsidy."""
        if self._totals is None:
            totals: dict[int, int] = defaultdict(int)
            if self.contributions:
                totals.update(self.contributions)
            else:
                for line in self.goods:
                    totals[line.household] += line.total_pence
                for cost in self.costs:
                    totals[cost.household] += cost.pence
            for credit in self.subsidies:
                totals[credit.household] -= credit.pence
            self._totals = dict(totals)
        return dict(self._totals)

    @property
    def subsidy_pence(self) -> int:
        return sum(credit.pence for credit in self.subsidies)

    @property
    def fund_result_pence(self) -> int:
        """The co-op fund's net result for the round: the balancing figure, explained."""
        charged = sum(self.household_totals().values()) + self.subsidy_pence
        return charged - sum(self.supplier_totals.values()) - sum(self.cost_totals.values())

    def check(self) -> None:
        """Raise `ValueError` unless the parts explain the fund's result to the penny."""
        if self.contributions:
            return  # the fund takes whatever the agreed amounts leave: nothing to explain
        explained = (
            self.markup_pence
            + self.stock_sold_pence
            - self.surplus_cost_pence
            - self.absorbed_costs_pence
        )
        if explained != self.fund_result_pence:
            raise ValueError(
                f"The settlement does not balance: the fund's result is "
                f"{self.fund_result_pence}p but markup and stock sold less surplus and "
                f"absorbed costs is {explained}p."
            )


def _check_inputs(lines: Sequence[Line], costs: Sequence[Cost], markup_bp: int) -> None:
    if markup_bp < 0:
        raise ValueError("The markup cannot be negative.")
    for line in lines:
        if line.case_size < 1 or line.case_price_pence < 0 or line.vat_bp < 0:
            raise ValueError(f"Item {line.item} has an impossible price or case size.")
        if line.units_received < 0 or line.deposit_pence < 0:
            raise ValueError(f"Item {line.item} cannot have negative units or deposit.")
        if any(units < 0 for units in line.shares.values()):
            raise ValueError(f"Item {line.item} gives a household negative units.")
        if sum(line.shares.values()) > line.units_received:
            raise ValueError(f"Item {line.item} gives out more units than arrived.")
    for cost in costs:
        if cost.amount_pence < 0:
            raise ValueError("A shared cost cannot be negative.")
        if cost.basis not in BASES:
            raise ValueError(f"Unknown split basis {cost.basis!r}.")


def _split_cumulative(totals: Sequence[int], weights: list[int]) -> list[list[int]]:
    """Split each running total by *weights*; return each component's parts as differences."""
    previous = [0] * len(weights)
    components = []
    for total in totals:
        parts = split_pence(total, weights)
        components.append([now - before for now, before in zip(parts, previous, strict=True)])
        previous = parts
    return components


def _stock(settlement: Settlement, line: Line) -> None:
    """Charge households for the co-op's own stock: all of it is the fund's, nobody is owed."""
    each = member_unit_price_pence(
        case_price_pence=line.case_price_pence, case_size=line.case_size, vat_bp=line.vat_bp
    )
    for household, count in line.shares.items():
        if count <= 0:
            continue
        charge = GoodsCharge(
            household, line.item, None, count, count * each, 0, 0, count * line.deposit_pence
        )
        settlement.goods.append(charge)
        settlement.stock_sold_pence += charge.total_pence


def _goods(settlement: Settlement, line: Line, markup_bp: int) -> None:
    if line.supplier is None:
        _stock(settlement, line)
        return
    households = [household for household, units in line.shares.items() if units > 0]
    units = [line.shares[household] for household in households]
    given = sum(units)
    # The co-op's cost, exact once per item; each household's part of it is a split.
    net_unit = Fraction(line.case_price_pence, line.case_size)
    with_vat = line.unit_cost()
    supplier_goods = round_half_up(line.units_received * with_vat)
    settlement.supplier_totals[line.supplier] = (
        settlement.supplier_totals.get(line.supplier, 0)
        + supplier_goods
        + line.units_received * line.deposit_pence
    )
    # What the units nobody received cost, and what the others were charged above cost.
    given_cost = round_half_up(given * with_vat)
    settlement.surplus_cost_pence += supplier_goods - given_cost
    settlement.surplus_cost_pence += (line.units_received - given) * line.deposit_pence
    if not households:
        return
    each = member_unit_price_pence(
        case_price_pence=line.case_price_pence,
        case_size=line.case_size,
        vat_bp=line.vat_bp,
        markup_bp=markup_bp,
    )
    settlement.markup_pence += given * each - given_cost
    net, vat = _split_cumulative([round_half_up(given * net_unit), given_cost], units)
    markup = [
        count * each - net_part - vat_part
        for count, net_part, vat_part in zip(units, net, vat, strict=True)
    ]
    item, supplier, deposit = line.item, line.supplier, line.deposit_pence
    settlement.goods.extend(
        map(
            GoodsCharge,
            households,
            repeat(item),
            repeat(supplier),
            units,
            net,
            vat,
            markup,
            [count * deposit for count in units],
        )
    )


def _weights(
    basis: str, households: list[int], value: Mapping[int, int], units: Mapping[int, int]
) -> list[int]:
    if basis == EQUAL:
        return [1] * len(households)
    chosen = value if basis == BY_VALUE else units
    weights = [chosen[household] for household in households]
    # Goods given free (surplus food at £0) still count: fall back to units, then equal.
    if sum(weights) == 0:
        weights = [units[household] for household in households]
    return weights if sum(weights) else [1] * len(households)


def _attribute(
    pence: int, by_supplier: Mapping[int | None, int], units: Mapping[int | None, int]
) -> list[tuple[int | None, int]]:
    """Split a household's share of a round-wide cost between the suppliers it bought from.

    The part that falls on the co-op's own stock is attributed to no supplier.
    """
    suppliers = sorted(by_supplier, key=lambda supplier: (supplier is None, supplier or 0))
    weights = [by_supplier[supplier] for supplier in suppliers]
    if sum(weights) == 0:
        weights = [units[supplier] for supplier in suppliers]
    return list(zip(suppliers, split_pence(pence, weights), strict=True))


def _costs(settlement: Settlement, costs: Sequence[Cost]) -> None:
    # What each household got from each supplier, in one pass over the goods lines.
    pairs: dict[tuple[int, int | None], list[int]] = {}
    for charge in settlement.goods:
        pair = pairs.get((charge.household, charge.supplier))
        if pair is None:
            pairs[charge.household, charge.supplier] = [charge.total_pence, charge.units]
        else:
            pair[0] += charge.total_pence
            pair[1] += charge.units
    value: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    units: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_supplier: dict[int, dict[int | None, int]] = defaultdict(dict)
    units_by_supplier: dict[int, dict[int | None, int]] = defaultdict(dict)
    for (household, supplier), (pence, count) in pairs.items():
        # Stock (no supplier) counts for round-wide costs only, never a supplier's own.
        for scope in (supplier, None) if supplier is not None else (None,):
            value[scope][household] += pence
            units[scope][household] += count
        by_supplier[household][supplier] = pence
        units_by_supplier[household][supplier] = count
    for cost in costs:
        settlement.cost_totals[cost.key] = cost.amount_pence
        households = sorted(units[cost.supplier])
        if not households:
            settlement.absorbed_costs_pence += cost.amount_pence
            continue
        weights = _weights(cost.basis, households, value[cost.supplier], units[cost.supplier])
        for household, share in zip(
            households, split_pence(cost.amount_pence, weights), strict=True
        ):
            if cost.supplier is not None:
                settlement.costs.append(CostCharge(household, cost.key, cost.supplier, share))
                continue
            for supplier, part in _attribute(
                share, by_supplier[household], units_by_supplier[household]
            ):
                settlement.costs.append(CostCharge(household, cost.key, supplier, part))


def _subsidies(
    settlement: Settlement, subsidies: Sequence[Subsidy], budgets: Mapping[int, int]
) -> None:
    left = dict(budgets)
    for subsidy in subsidies:
        if subsidy.cap_pence is not None and subsidy.cap_pence < 0:
            raise ValueError("A subsidy's cap cannot be negative.")
        if subsidy.cost is not None:
            shares: dict[int, int] = defaultdict(int)
            for charge in settlement.costs:
                if charge.cost == subsidy.cost:
                    shares[charge.household] += charge.pence
            amount = sum(shares.values())
        else:
            if not 0 <= subsidy.percent_bp <= BASIS_POINTS:
                raise ValueError("A subsidy takes off between 0% and 100% of goods.")
            shares = defaultdict(int)
            for line in settlement.goods:
                shares[line.household] += line.total_pence
            amount = round_half_up(
                Fraction(sum(shares.values()) * subsidy.percent_bp, BASIS_POINTS)
            )
        if subsidy.cap_pence is not None:
            amount = min(amount, subsidy.cap_pence)
        if subsidy.fund is not None:
            amount = min(amount, max(left.get(subsidy.fund, 0), 0))
        households = sorted(household for household, pence in shares.items() if pence > 0)
        if amount <= 0 or not households:
            continue
        if subsidy.fund is not None:
            left[subsidy.fund] -= amount
        parts = split_pence(amount, [shares[household] for household in households])
        settlement.subsidies.extend(
            SubsidyCredit(household, subsidy.key, part)
            for household, part in zip(households, parts, strict=True)
            if part
        )


def settle(
    lines: Sequence[Line],
    *,
    markup_bp: int = 0,
    costs: Sequence[Cost] = (),
    subsidies: Sequence[Subsidy] = (),
    contribution_pence: int | None = None,
    budgets: Mapping[int, int] | None = None,
) -> Settlement:
    """Work out every charge of a received round; raise `ValueError` on impossible input.

    With *contribution_pence* (the fixed-contribution model) each household
    that received anything is charged that amount instead of its goods and
    shares; the bill lines are still worked out, to show what it received.
    *budgets* holds what is left of each fund a subsidy draws on; a fund
    missing from it has nothing left.
    """
    _check_inputs(lines, costs, markup_bp)
    settlement = Settlement()
    for line in sorted(lines, key=lambda line: line.item):
        _goods(settlement, line, markup_bp)
    _costs(settlement, costs)
    if contribution_pence is not None:
        if contribution_pence < 0:
            raise ValueError("The agreed contribution cannot be negative.")
        households = {line.household for line in settlement.goods}
        settlement.contributions = dict.fromkeys(sorted(households), contribution_pence)
    _subsidies(settlement, subsidies, budgets or {})
    settlement.check()
    return settlement
