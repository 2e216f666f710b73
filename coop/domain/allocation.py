"""Case rounding and sharing out what was ordered (or what arrived) between households.

Pure and standard library only. The rules are DESIGN.md's:

- `cases_needed`: floor(Q / c) cases, plus one more when the remainder
  r = Q mod c is positive and r + T reaches the fill threshold
  ceil(c * fill_percent / 100). Tolerance alone never makes a case.
- `allocate` with ``first_come``: firm quantities in queue order, then
  tolerance in queue order, until the units run out.
- `allocate` with ``fair_share``: shares go by household, not by request,
  so that raising an order (a second request) never lowers a household's
  share. When firm demand exceeds the units, a household's weight is the sum
  of its firm units over all its requests, and it gets the floor or the
  ceiling of its exact share (largest remainder, ties to the household whose
  first request is earlier in the queue). Units beyond firm demand go to
  tolerance the same way, weighted by each household's total tolerance and
  never more than it. A household's units then fill its own requests,
  earliest first: firm units, then tolerance.

Queue order is by `Request.seq`, and for equal `seq` by position in the
list, never by anything a database returns. A household may appear in
several requests (each increase joins the back of the queue); its units are
summed. Units nobody takes are surplus: the co-op's stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coop.domain.money import split_pence

FIRST_COME = "first_come"
FAIR_SHARE = "fair_share"
POLICIES = (FIRST_COME, FAIR_SHARE)


@dataclass(frozen=True)
class Request:
    """One household's request for an item, as it stands in the queue."""

    household: int  # household (membership) id
    quantity: int  # firm units, >= 0
    tolerance: int = 0  # extra units accepted to fill a case, >= 0
    seq: int = 0  # queue position: lower is earlier; equal seq -> earlier in the list first


def _check_case(case_size: int, fill_percent: int) -> None:
    if case_size < 1:
        raise ValueError(f"A case holds at least one unit, not {case_size}.")
    if not 1 <= fill_percent <= 100:
        raise ValueError(f"The fill threshold is a percentage from 1 to 100, not {fill_percent}.")


def fill_threshold(case_size: int, fill_percent: int = 100) -> int:
    """Return how many units make a case worth ordering: ceil(c * fill_percent / 100)."""
    _check_case(case_size, fill_percent)
    return -(-case_size * fill_percent // 100)


def cases_needed(quantity: int, tolerance: int, case_size: int, fill_percent: int = 100) -> int:
    """Return how many cases to order for firm demand *quantity* and total *tolerance*."""
    if quantity < 0 or tolerance < 0:
        raise ValueError("Quantities and tolerances cannot be negative.")
    threshold = fill_threshold(case_size, fill_percent)
    full, remainder = divmod(quantity, case_size)
    if remainder > 0 and remainder + tolerance >= threshold:
        full += 1
    return full


def _queue(requests: Sequence[Request]) -> list[Request]:
    # sorted() is stable, so equal seq keeps the order of the list.
    return sorted(requests, key=lambda request: request.seq)


def _split(units: int, weights: list[int]) -> list[int]:
    # Largest remainder with ties to the earlier party: the same rule that
    # splits pence splits units.
    if not weights or sum(weights) == 0:
        return [0] * len(weights)
    return split_pence(units, weights)


def allocate(
    requests: Sequence[Request],
    case_size: int,
    *,
    policy: str = FIRST_COME,
    units: int | None = None,
    fill_percent: int = 100,
) -> dict[int, int]:
    """Return the units each household receives; every household appears, perhaps with 0.

    *units* is what there is to share: by default the cases `cases_needed`
    orders times *case_size*; after delivery, what arrived.
    """
    if policy not in POLICIES:
        raise ValueError(f"Unknown allocation policy {policy!r}; use first_come or fair_share.")
    _check_case(case_size, fill_percent)
    for request in requests:
        if request.quantity < 0 or request.tolerance < 0:
            raise ValueError("Quantities and tolerances cannot be negative.")
    firm = sum(request.quantity for request in requests)
    tolerance = sum(request.tolerance for request in requests)
    if units is None:
        units = cases_needed(firm, tolerance, case_size, fill_percent) * case_size
    elif units < 0:
        raise ValueError("The units to share cannot be negative.")

    queue = _queue(requests)
    given = _first_come(queue, units) if policy == FIRST_COME else _fair_share(queue, units, firm)

    result = {request.household: 0 for request in requests}
    for request, amount in zip(queue, given, strict=True):
        result[request.household] += amount
    return result


def _first_come(queue: list[Request], units: int) -> list[int]:
    left = units
    given = [0] * len(queue)
    for want in ("quantity", "tolerance"):
        for index, request in enumerate(queue):
            take = min(getattr(request, want), left)
            given[index] += take
            left -= take
    return given


def _fair_share(queue: list[Request], units: int, firm: int) -> list[int]:
    # Households in the order of their first request: the tie-break of `_split`.
    households = list(dict.fromkeys(request.household for request in queue))
    wanted = {household: [0, 0] for household in households}
    for request in queue:
        wanted[request.household][0] += request.quantity
        wanted[request.household][1] += request.tolerance
    quantities = [wanted[household][0] for household in households]
    tolerances = [wanted[household][1] for household in households]
    if firm >= units:
        firm_given, extra_given = _split(units, quantities), [0] * len(households)
    else:
        spare = units - firm
        # When spare < T each share is at most ceil(t * spare / T) <= t.
        firm_given = quantities
        extra_given = tolerances if spare >= sum(tolerances) else _split(spare, tolerances)
    left = {
        household: [firm_units, extra]
        for household, firm_units, extra in zip(households, firm_given, extra_given, strict=True)
    }
    # Back over the household's own requests, earliest first, so the rows add up.
    given = []
    for request in queue:
        mine = left[request.household]
        take_firm = min(request.quantity, mine[0])
        take_extra = min(request.tolerance, mine[1])
        mine[0] -= take_firm
        mine[1] -= take_extra
        given.append(take_firm + take_extra)
    return given


@dataclass(frozen=True)
class CaseProgress:
    """How far an item's orders have got towards whole cases, for the case indicator."""

    case_size: int
    full_cases: int  # cases filled by firm units
    in_case: int  # firm units in the case being filled
    cases: int  # cases that would be ordered if the round closed now
    extras_fill: bool = False  # the extras households offered would fill the case being filled

    @property
    def needed(self) -> int:
        """Firm units the case being filled still needs (0 when none is being filled)."""
        return self.case_size - self.in_case if self.in_case else 0

    @property
    def partial_will_fill(self) -> bool:
        """Tell whether the case being filled would be ordered anyway (tolerance or threshold)."""
        return self.in_case > 0 and self.cases > self.full_cases

    @property
    def message(self) -> str:
        """Say where the item stands, without saying who ordered."""
        if self.in_case == 0:
            if self.full_cases == 0:
                return f"No orders yet; a case holds {self.case_size}."
            return "Case full" if self.full_cases == 1 else f"{self.full_cases} cases full"
        text = f"{self.in_case} of {self.case_size} in this case; {self.needed} more needed"
        if self.full_cases:
            text = f"{self.full_cases} full, then " + text
        # Members never see the word "tolerance": the ordering page calls it "extra".
        if self.partial_will_fill and self.extras_fill:
            text += " (extras people offered fill it, so it will be ordered)"
        elif self.partial_will_fill:
            text += " (it will be ordered; the co-op takes what nobody does)"
        return text


def case_progress(
    quantity: int, tolerance: int, case_size: int, fill_percent: int = 100
) -> CaseProgress:
    """Return the case indicator for firm demand *quantity* and total *tolerance*."""
    cases = cases_needed(quantity, tolerance, case_size, fill_percent)
    full, in_case = divmod(quantity, case_size)
    return CaseProgress(
        case_size=case_size,
        full_cases=full,
        in_case=in_case,
        cases=cases,
        extras_fill=in_case > 0 and in_case + tolerance >= case_size,
    )
