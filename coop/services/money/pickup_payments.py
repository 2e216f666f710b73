"""Money at the pickup sheet: what each household owes, and cash taken there.

**What a household owes at pickup** is what it owes by the ledger (minus its
balance) plus, for a round received but not settled yet, what settling
would charge it for this round (`costs.preview_settlement`: goods, its
shares of the shared costs, less subsidies), so the person at the table
knows what to ask for before the bills are written. Once the round is
settled its bill is in the balance; while it is only closed (nothing has
arrived) nothing of it is counted. Never less than nothing: a household in
credit owes nothing and its credit is shown.

**Cash taken at pickup** is the treasurer's household payment
(`treasury.record_payment`, method cash): one balanced transaction, the same
checks (an amount of more than £0.00; one above the co-op's large amount
typed twice) and the same permission (`can_manage_money`). The sheet's form
carries the id of the household account's latest posting when it was shown
(*seen*); a payment is recorded only if the account has not moved since,
under a lock of the account's row, so a double tap, a resent form or a
second volunteer recording the same payment posts once, and the refusal
says to look at what the household owes now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from coop.domain.rounds import RoundState
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import Account, AccountKind, Coop, LedgerTransaction, Posting, Round, User
from coop.services.errors import ServiceError
from coop.services.money.costs import preview_settlement
from coop.services.money.ledger import household_accounts
from coop.services.money.treasury import NOTE_MAX_LENGTH, Method, record_payment

#: The form field a moved account is refused at (the amount: it is what to look at again).
AMOUNT_FIELD = "amount"
MOVED = (
    "{whose} account has changed since this sheet was shown (a payment may already be "
    "recorded): check what it owes now, then record the cash again if it is still to record."
)


@dataclass(frozen=True)
class PickupMoney:
    """One household's money as the pickup sheet shows it."""

    membership_id: int
    balance_pence: int  # the ledger balance: positive in credit, negative it owes
    this_round_pence: int | None  # what settling this round would charge; None when settled
    seen: int  # the id of the account's latest posting (0: none yet), for the cash form

    @property
    def owes_pence(self) -> int:
        """What the household owes now, with this round if it is not settled yet; 0 if none."""
        return max(0, -(self.balance_pence - (self.this_round_pence or 0)))

    @property
    def credit_pence(self) -> int:
        """What the co-op holds for the household after this round, when it owes nothing."""
        return max(0, self.balance_pence - (self.this_round_pence or 0))


def _this_round(coop: Coop, round_: Round) -> dict[int, int] | None:
    if round_.state is not RoundState.RECEIVED:
        return None
    try:
        preview = preview_settlement(round_=round_, coop=coop)
    except ServiceError:  # a cost or subsidy settling would refuse: the balance alone, then
        return None
    return {share.membership_id: share.total_pence for share in preview.households}


def pickup_money(
    *, coop: Coop, round_: Round, membership_ids: Iterable[int]
) -> dict[int, PickupMoney]:
    """Return what each of the households owes at *round_*'s pickup (reads only, few queries)."""
    wanted = set(membership_ids)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(
            Account.membership_id,
            func.coalesce(func.sum(Posting.amount_pence), 0),
            func.coalesce(func.max(Posting.id), 0),
        )
        .outerjoin(Posting, Posting.account_id == Account.id)
        .where(
            Account.coop_id == coop.id,
            Account.kind == AccountKind.HOUSEHOLD,
            Account.membership_id.in_(wanted),
        )
        .group_by(Account.membership_id)
    ).all()
    found = {membership_id: (int(total), int(last)) for membership_id, total, last in rows}
    this_round = _this_round(coop, round_)
    return {
        membership_id: PickupMoney(
            membership_id=membership_id,
            balance_pence=found.get(membership_id, (0, 0))[0],
            this_round_pence=(this_round.get(membership_id, 0) if this_round is not None else None),
            seen=found.get(membership_id, (0, 0))[1],
        )
        for membership_id in wanted
    }


def _latest_posting(account_id: int) -> int:
    latest = db.session.scalar(select(func.max(Posting.id)).where(Posting.account_id == account_id))
    return int(latest or 0)


def record_pickup_cash(
    *,
    coop: Coop,
    round_: Round,
    membership_id: int,
    name: str,
    amount_pence: int | None,
    seen: int | None,
    by: User,
    confirmed: Mapping[str, int | None],
) -> LedgerTransaction:
    """Post cash a household paid at *round_*'s pickup, if its account is as shown (flushes).

    *seen* is the latest posting id the sheet showed; another since (or none
    given) is refused at the amount, with nothing written.
    """
    account_id = household_accounts(coop_id=coop.id, membership_ids=[membership_id])[membership_id]
    # Lock the account's row so two posts of one form wait for each other (PostgreSQL).
    db.session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    if seen is None or _latest_posting(account_id) != seen:
        raise ServiceError(MOVED.format(whose=possessive(name)), field=AMOUNT_FIELD)
    note = f"at pickup: {round_.title}"[:NOTE_MAX_LENGTH]
    return record_payment(
        coop=coop,
        membership_id=membership_id,
        amount_pence=amount_pence,
        method=Method.CASH,
        note=note,
        by=by,
        confirmed=confirmed,
    )
