"""Stripe payouts in the books: card money paid out to the co-op's bank, once.

A payout is money Stripe sends from the card processor's balance to the
bank. It stays the co-op's money, so a paid payout (``payout.paid``) is
posted as one `transfer` (as cash paid into the bank is, neither receipt nor
payment), with the ledger's signs: plus on the card account (the processor
holds that much less for the co-op) and minus on the bank (the bank holds
that much more). A payout that fails after it was paid comes back to the
processor's balance, so its transfer is reversed. Each happens once: the
payout's row names the transfer (``transaction_id``) and the reversal
(``reversal_id``), both unique, and the caller holds the row's lock.

A payout is posted only when it is one co-op's money (`payout_owner`, the
rule the card reconciliation page shows payouts by): a connected co-op's own
account, or the deployment's own account while only one co-op takes payments
there. Otherwise, or when it is not in pounds, it is logged and not posted.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from coop.extensions import db
from coop.models import Coop, LedgerTransaction, StripePayout, TransactionKind
from coop.models.ledger import AccountKind
from coop.services.money.ledger import Entry, post_transaction, reversed_once, single_account


def payout_owner(*, stripe_account: str | None) -> Coop | None:
    """Return the one co-op whose money a payout from *stripe_account* is, or None.

    None for the deployment's own account (*stripe_account* None) means the
    co-op with no connected account, when it is the only one; a connected
    account is its co-op's.
    """
    if stripe_account is not None:
        return db.session.scalar(select(Coop).where(Coop.stripe_account_id == stripe_account))
    found = db.session.scalars(select(Coop).where(Coop.stripe_account_id.is_(None)).limit(2))
    coops = list(found)
    return coops[0] if len(coops) == 1 else None


def _arrival(payout: StripePayout) -> str:
    return f"{payout.arrival_on.day} {payout.arrival_on:%b %Y}"


def _post(payout: StripePayout) -> bool:
    coop = payout_owner(stripe_account=payout.stripe_account)
    if coop is None or payout.currency != "gbp" or payout.amount_pence <= 0:
        why = "it is not one co-op's money" if coop is None else "it is no amount in pounds"
        current_app.logger.warning(
            "payout %s (account %s) not posted: %s",
            payout.payout_id,
            payout.stripe_account or "the site's own",
            why,
        )
        return False
    card = single_account(coop_id=coop.id, kind=AccountKind.CARD).id
    bank = single_account(coop_id=coop.id, kind=AccountKind.BANK).id
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.TRANSFER,
        memo=f"Card payments paid out to the bank: Stripe payout {payout.payout_id},"
        f" arriving {_arrival(payout)}",
        entries=[
            Entry(card, payout.amount_pence, "paid out to the bank"),
            Entry(bank, -payout.amount_pence, "Stripe payout"),
        ],
        by=None,
    )
    payout.transaction_id = transaction.id
    return True


def _reverse(payout: StripePayout) -> bool:
    assert payout.transaction_id is not None
    why = f": {payout.failure_message}" if payout.failure_message else ""
    reversal_id = reversed_once(
        transaction=db.session.get_one(LedgerTransaction, payout.transaction_id),
        reason=f"Stripe payout {payout.payout_id} failed{why}",
    )
    payout.reversal_id = reversal_id
    return True


def book_payout(*, payout: StripePayout) -> bool:
    """Post a paid payout card -> bank, or reverse it once it failed, once each (flushes).

    The caller holds *payout*'s row lock and has written the latest event's
    status to it. Says whether anything was posted.
    """
    if payout.status == "paid" and payout.transaction_id is None:
        done = _post(payout)
    elif payout.status == "failed" and payout.transaction_id is not None:
        done = payout.reversal_id is None and _reverse(payout)
    else:
        return False
    db.session.flush()
    return done
