"""A cardholder disputes a card payment: what the processor takes back, and gives back if won.

When a dispute opens (``charge.dispute.created``) the processor takes the
disputed amount out of the card money at once. The books follow it as a
refund would: minus on the household's account, plus on the card account
(kind ``refund``, so the annual account shows it with refunds to households),
its memo saying "Card payment disputed", so the household owes that amount
again (it has it back from its bank) and the statement says why. The
amount is held in ``CardPayment.disputed_pence``, so refunds and disputes
together never pass the payment and nothing disputed can be refunded too.
An inquiry (Stripe's ``warning_…`` states) takes no money and posts nothing.

When it closes (``charge.dispute.closed``): won, the money comes back and the
posting is reversed, once (a ``reversal`` of it, its id in the dispute's
unique ``reversal_id``); lost, nothing more moves. A closing seen before its
opening posts the opening first. The treasurers (or, with none, the
coordinators) are emailed each time; the household is not, since it raised
the dispute with its bank, and the treasurer knows best what to say.

Each dispute id is posted once (``CardDispute.dispute_id`` is unique, the
payment's row is locked first).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from coop.extensions import db
from coop.models import CardDispute, CardPayment, Coop, LedgerTransaction, TransactionKind
from coop.models.ledger import AccountKind
from coop.models.types import utcnow
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.money.credit import money_managers
from coop.services.money.ledger import (
    Entry,
    household_accounts,
    post_transaction,
    reversed_once,
    single_account,
)


class DisputeOutcome(StrEnum):
    """What a dispute event did."""

    POSTED = "posted"  # money taken back (opened) or given back (won)
    RECORDED = "recorded"  # an inquiry, or a dispute lost: nothing more moves
    ALREADY_DONE = "already_done"
    NOT_POSTED = "not_posted"  # the event disagrees with the payment


def _is_inquiry(status: str) -> bool:
    return status.startswith("warning_")


def _tell(coop: Coop, payment: CardPayment, dispute: CardDispute, template: str) -> None:
    for treasurer in money_managers(coop=coop):
        send_message(
            template,
            to=treasurer.email,
            treasurer=treasurer,
            coop=coop,
            payment=payment,
            dispute=dispute,
            household=payment.membership.user.name,
            link=links().card_payments(payment.membership),
        )


def _opened(coop: Coop, payment: CardPayment, data: Mapping[str, Any]) -> CardDispute | None:
    """Record a dispute and post what it took back; None when it would pass the payment."""
    amount = int(data.get("amount") or 0)
    status = str(data.get("status") or "needs_response")[:40]
    dispute = CardDispute(
        card_payment_id=payment.id,
        dispute_id=str(data["id"]),
        amount_pence=amount,
        reason=str(data.get("reason") or "")[:100],
        status=status,
    )
    if amount <= 0:
        return None
    if not _is_inquiry(status):
        taken = db.session.execute(
            update(CardPayment)
            .where(
                CardPayment.id == payment.id,
                CardPayment.ledger_transaction_id.is_not(None),
                CardPayment.refunded_pence + CardPayment.disputed_pence + amount
                <= CardPayment.amount_pence,
            )
            .values(disputed_pence=CardPayment.disputed_pence + amount, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(payment)
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        membership = payment.membership
        account = household_accounts(coop_id=coop.id, membership_ids=[membership.id])
        card = single_account(coop_id=coop.id, kind=AccountKind.CARD).id
        transaction = post_transaction(
            coop_id=coop.id,
            kind=TransactionKind.REFUND,
            memo=f"Card payment disputed: {membership.user.name}'s bank took it back"
            f" ({payment.payment_intent_id}, {dispute.dispute_id})",
            entries=[
                Entry(account[membership.id], -amount, "card payment disputed"),
                Entry(card, amount, "card dispute"),
            ],
            by=None,
        )
        dispute.transaction_id = transaction.id
    db.session.add(dispute)
    db.session.flush()
    return dispute


def record_dispute(
    *, coop: Coop, payment: CardPayment, data: Mapping[str, Any], closed: bool
) -> DisputeOutcome:
    """Act on a dispute event's object: post an opening, reverse a win, once (flushes)."""
    db.session.execute(select(CardPayment.id).where(CardPayment.id == payment.id).with_for_update())
    dispute = db.session.scalar(
        select(CardDispute).where(CardDispute.dispute_id == str(data["id"]))
    )
    outcome = DisputeOutcome.ALREADY_DONE
    if dispute is None:
        dispute = _opened(coop, payment, data)
        if dispute is None:
            current_app.logger.error(
                "dispute %s of %s not posted: no amount, or more than is left of the payment",
                data.get("id"),
                payment.payment_intent_id,
            )
            return DisputeOutcome.NOT_POSTED
        outcome = (
            DisputeOutcome.POSTED if dispute.transaction_id is not None else DisputeOutcome.RECORDED
        )
        if not closed:
            _tell(coop, payment, dispute, "payments/card_disputed.txt")
            return outcome
    if not closed or dispute.closed_at is not None:
        return outcome
    status = str(data.get("status") or "")[:40]
    dispute.status = status
    dispute.closed_at = utcnow()
    if status == "won" and dispute.transaction_id is not None:
        reversal_id = reversed_once(
            transaction=db.session.get_one(LedgerTransaction, dispute.transaction_id),
            reason=f"the co-op won the dispute ({dispute.dispute_id})",
        )
        dispute.reversal_id = reversal_id
        db.session.execute(
            update(CardPayment)
            .where(CardPayment.id == payment.id)
            .values(
                disputed_pence=CardPayment.disputed_pence - dispute.amount_pence,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        outcome = DisputeOutcome.POSTED
    elif outcome is DisputeOutcome.ALREADY_DONE:
        outcome = DisputeOutcome.RECORDED
    db.session.flush()
    db.session.refresh(payment)
    _tell(coop, payment, dispute, "payments/card_dispute_closed.txt")
    return outcome
