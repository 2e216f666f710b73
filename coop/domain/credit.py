"""Credit control: the most a household may owe before it may not order more.

Pure: plain values in, plain values out. README "Money" and "Order rounds"
describe it for users.

What a household **owes**, for credit control, is minus its available funds:
its ledger balance less what its orders in open rounds (firm units, at member
prices) and its shares of closed-but-unsettled rounds will be charged. So an
order being placed counts: a household may not place an order that takes what
it owes past the co-op's limit, and a household already past it may not ask
for anything more until it pays. A limit of £0 means "pay before you order":
a household in credit may order up to its credit.

The rule applies to asking for **more**: more units of an item, or more
extra units to help fill a case (those are not charged unless a case fills,
so they do not add to what is owed, but a household past the limit may not
raise them either). Asking for less, or taking an item out, is always
allowed, so a household past the limit can bring its order down.

Two ways a co-op can hold the line (`Coop.credit_limit_needs_approval`):

- **refuse**: the order change is refused, saying what the household owes,
  the limit, and how much to pay to order again;
- **approval**: the household may ask the treasurer to approve its order in
  that round; until the treasurer approves, the change is refused the same
  way (nothing is ordered on credit nobody agreed to); once approved, the
  limit does not apply to that household in that round.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop.domain.money import format_pence


def owed_pence(available_pence: int) -> int:
    """Return what a household owes for credit control: minus its available funds, or 0."""
    return max(0, -available_pence)


@dataclass(frozen=True)
class Standing:
    """Where a household stands against the co-op's credit limit.

    *limit_pence* None is no limit. *approved* says the treasurer approved the
    household's order in the round in hand, so the limit does not apply there.
    """

    limit_pence: int | None
    available_pence: int
    needs_approval: bool = False
    approved: bool = False
    requested: bool = False  # the household has asked for approval in this round

    @property
    def owed_pence(self) -> int:
        return owed_pence(self.available_pence)

    @property
    def limited(self) -> bool:
        """Tell whether a limit applies at all (there is one and it is not approved away)."""
        return self.limit_pence is not None and not self.approved

    @property
    def over_limit(self) -> bool:
        """Tell whether the household owes more than the limit now."""
        return self.limited and self.owed_pence > (self.limit_pence or 0)

    @property
    def to_pay_pence(self) -> int:
        """Return what the household must pay to be back within the limit (0 when it is)."""
        if not self.over_limit:
            return 0
        return self.owed_pence - (self.limit_pence or 0)

    @property
    def waiting(self) -> bool:
        """Tell whether the household asked for the treasurer's approval and waits for it."""
        return self.needs_approval and self.requested and not self.approved

    def refuses(self, *, more_pence: int, asks_more: bool) -> bool:
        """Tell whether an order change adding *more_pence* to what is owed is refused.

        *asks_more* says the change asks for more units or more extra units;
        a change that asks for less is never refused.
        """
        if not asks_more or not self.limited:
            return False
        return owed_pence(self.available_pence - more_pence) > (self.limit_pence or 0)

    def notice(self) -> str:
        """Return what the ordering page says at its top when the household is past the limit."""
        if not self.over_limit:
            return ""
        limit = format_pence(self.limit_pence or 0)
        text = (
            f"You owe {format_pence(self.owed_pence)}, counting your orders not yet paid for; "
            f"the co-op's limit is {limit}."
        )
        if self.needs_approval:
            if self.waiting:
                return text + (
                    " You have asked the treasurer to approve your order in this round; "
                    "until they do, you cannot add to it. Or pay "
                    f"{format_pence(self.to_pay_pence)} to order again."
                )
            return text + (
                " Adding to your order needs the treasurer's approval, or pay "
                f"{format_pence(self.to_pay_pence)} to order again."
            )
        return text + f" Pay {format_pence(self.to_pay_pence)} to order again."

    def refusal(self, *, more_pence: int) -> str:
        """Return why an order change adding *more_pence* is refused, for the item's field."""
        limit = format_pence(self.limit_pence or 0)
        after = owed_pence(self.available_pence - more_pence)
        to_pay = format_pence(after - (self.limit_pence or 0))
        if self.over_limit:
            start = (
                f"You owe {format_pence(self.owed_pence)}, more than the co-op's limit of {limit}."
            )
        else:
            start = (
                f"This would take what you owe to {format_pence(after)}, past the co-op's "
                f"limit of {limit}."
            )
        if self.waiting:
            return start + " You can add to your order once the treasurer approves it."
        if self.needs_approval:
            return start + (
                f" Ask the treasurer to approve your order, or pay {to_pay} to add this."
                " You can still take items out."
            )
        return start + f" Pay {to_pay} to add this, or order less. You can still take items out."
