"""Card payments: each attempt at the card processor, the webhook events seen, refunds.

A `CardPayment` is one PaymentIntent we created. Its ledger posting is made
once, by the webhook (the source of truth), and named by a unique
``ledger_transaction_id``. At most one payment of a bill is open at a time:
an open bill payment holds ``open_key`` (its membership and round), which is
unique, and the key is cleared when the payment finishes, so a double tap
or a reload cannot start a second charge for the same bill. A plain unique
column rather than a partial index, so SQLite and PostgreSQL enforce it alike.

A `StripeEvent` is each webhook event id handled, written in the same
transaction as its effect: a replay finds it and changes nothing.

A `CardDispute` is a cardholder's dispute of a payment: the amount the
processor took back is held in ``CardPayment.disputed_pence`` (refunds and
disputes together never pass the payment) and posted once; a dispute won
is reversed once. The processor's fee of a payment is posted once, as a fund
expense, named by the unique ``fee_transaction_id``.

A `CreditBackRequest` is a household asking for the credit on its account to
be paid back; while it waits it holds ``pending_key`` (its membership),
which is unique, so a household has one request waiting at a time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coop.extensions import Model
from coop.models.types import Pence, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from coop.models.memberships import Membership
    from coop.models.rounds import Round

#: Long enough for any Stripe id (they are well under 100 characters).
STRIPE_ID_LENGTH = 255
FAILURE_MESSAGE_LENGTH = 500


class CardPurpose(StrEnum):
    """What a card payment pays for."""

    TOP_UP = "top_up"  # credit on the household's balance
    BILL = "bill"  # what one round's bill leaves owing
    AUTO_PAY = "auto_pay"  # a settled bill charged off-session to a saved card

    @property
    def label(self) -> str:
        return {
            CardPurpose.TOP_UP: "Top-up",
            CardPurpose.BILL: "Bill",
            CardPurpose.AUTO_PAY: "Auto-pay",
        }[self]


class CardPaymentStatus(StrEnum):
    """Where a card payment stands, as the app last learnt it."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_open(self) -> bool:
        """Say whether the payment may still be paid (not succeeded, failed or canceled)."""
        return self in OPEN_STATUSES

    @property
    def label(self) -> str:
        return {
            CardPaymentStatus.REQUIRES_PAYMENT_METHOD: "Waiting for the card",
            CardPaymentStatus.REQUIRES_ACTION: "Waiting for the bank's check",
            CardPaymentStatus.PROCESSING: "Pending",
            CardPaymentStatus.SUCCEEDED: "Paid",
            CardPaymentStatus.FAILED: "Failed",
            CardPaymentStatus.CANCELED: "Cancelled",
        }[self]


OPEN_STATUSES = frozenset(
    {
        CardPaymentStatus.REQUIRES_PAYMENT_METHOD,
        CardPaymentStatus.REQUIRES_ACTION,
        CardPaymentStatus.PROCESSING,
    }
)


class CardPayment(Model):
    """One PaymentIntent created for a household, and what became of it."""

    __tablename__ = "card_payments"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("fee_pence IS NULL OR fee_pence >= 0", name="fee_not_negative"),
        CheckConstraint(
            "refunded_pence >= 0 AND refunded_pence <= amount_pence", name="refund_within_amount"
        ),
        CheckConstraint(
            "disputed_pence >= 0 AND refunded_pence + disputed_pence <= amount_pence",
            name="disputed_within_amount",
        ),
        CheckConstraint("(purpose = 'top_up') = (round_id IS NULL)", name="bill_names_round"),
        CheckConstraint(
            "open_key IS NULL OR purpose <> 'top_up'", name="only_bill_payments_hold_open_key"
        ),
        Index("ix_card_payments_coop_id_created_at", "coop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"))
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    purpose: Mapped[CardPurpose] = mapped_column(str_enum(CardPurpose, "card_purpose"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Pence)
    payment_intent_id: Mapped[str] = mapped_column(String(STRIPE_ID_LENGTH), unique=True)
    # The co-op's connected account the PaymentIntent lives on (Connect), if any.
    stripe_account: Mapped[str | None] = mapped_column(String(STRIPE_ID_LENGTH))
    status: Mapped[CardPaymentStatus] = mapped_column(
        str_enum(CardPaymentStatus, "card_payment_status"),
        default=CardPaymentStatus.REQUIRES_PAYMENT_METHOD,
    )
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    # "<membership id>:<round id>" while a bill payment is open; NULL otherwise.
    open_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    failure_message: Mapped[str | None] = mapped_column(String(FAILURE_MESSAGE_LENGTH))
    fee_pence: Mapped[int | None] = mapped_column(Pence)
    refunded_pence: Mapped[int] = mapped_column(Pence, default=0)
    # What open or lost disputes took back; a dispute won gives it back.
    disputed_pence: Mapped[int] = mapped_column(Pence, default=0, server_default="0")
    # The fund expense that posted the processor's fee, once.
    fee_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    membership: Mapped[Membership] = relationship()
    round_: Mapped[Round | None] = relationship()


class StripeEvent(Model):
    """A webhook event handled once: its id, and what handling it did."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(STRIPE_ID_LENGTH), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    account: Mapped[str | None] = mapped_column(String(STRIPE_ID_LENGTH))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What it did: posted, marked_failed, already_done, unknown_payment, ignored.
    result: Mapped[str] = mapped_column(String(40))
    card_payment_id: Mapped[int | None] = mapped_column(ForeignKey("card_payments.id"), index=True)


class CardRefund(Model):
    """Money sent back against a card payment, posted to the ledger once."""

    __tablename__ = "card_refunds"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_payment_id: Mapped[int] = mapped_column(ForeignKey("card_payments.id"), index=True)
    refund_id: Mapped[str] = mapped_column(String(STRIPE_ID_LENGTH), unique=True)
    amount_pence: Mapped[int] = mapped_column(Pence)
    status: Mapped[str] = mapped_column(String(40))
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[CardPayment] = relationship()


class CardDispute(Model):
    """A cardholder's dispute of a card payment, what it took back, and how it ended.

    *transaction_id* posts the amount the processor took back (none for an
    inquiry, which takes nothing); *reversal_id* gives it back when the
    co-op wins. Both are unique, so each is posted once.
    """

    __tablename__ = "card_disputes"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_payment_id: Mapped[int] = mapped_column(ForeignKey("card_payments.id"), index=True)
    dispute_id: Mapped[str] = mapped_column(String(STRIPE_ID_LENGTH), unique=True)
    amount_pence: Mapped[int] = mapped_column(Pence)
    reason: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(40))  # Stripe's words: needs_response, won, lost...
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    reversal_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    payment: Mapped[CardPayment] = relationship()


class CreditBackStatus(StrEnum):
    """Where a household's request for its credit back stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            CreditBackStatus.PENDING: "Waiting for the treasurer",
            CreditBackStatus.APPROVED: "Paid back",
            CreditBackStatus.DECLINED: "Declined",
        }[self]


CREDIT_BACK_TEXT_LENGTH = 500


class CreditBackRequest(Model):
    """A household's request to be paid back credit on its account, and the treasurer's answer."""

    __tablename__ = "credit_back_requests"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint(
            "(status = 'pending') = (pending_key IS NOT NULL)", name="pending_holds_key"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(ForeignKey("coops.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Pence)
    message: Mapped[str] = mapped_column(String(CREDIT_BACK_TEXT_LENGTH), default="")
    status: Mapped[CreditBackStatus] = mapped_column(
        str_enum(CreditBackStatus, "credit_back_status"), default=CreditBackStatus.PENDING
    )
    # The membership id while the request waits; NULL once answered.
    pending_key: Mapped[int | None] = mapped_column(unique=True)
    note: Mapped[str] = mapped_column(String(CREDIT_BACK_TEXT_LENGTH), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    membership: Mapped[Membership] = relationship()


class StripePayout(Model):
    """Money Stripe sent from an account's balance to its bank, as its webhook last told.

    ``stripe_account`` is the connected account that reported it, or None for
    the deployment's own account. A payout can fail after it was paid, so the
    latest event wins (``event_created``), whatever order they come in.

    *transaction_id* is the ledger transfer that moved a paid payout from the
    co-op's card account to its bank; *reversal_id* undoes it when the payout
    failed afterwards. Both are unique, so each is posted once.
    """

    __tablename__ = "stripe_payouts"
    __table_args__ = (CheckConstraint("amount_pence >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payout_id: Mapped[str] = mapped_column(String(STRIPE_ID_LENGTH), unique=True)
    stripe_account: Mapped[str | None] = mapped_column(String(STRIPE_ID_LENGTH), index=True)
    amount_pence: Mapped[int] = mapped_column(Pence)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(40))  # paid, failed (Stripe's words)
    arrival_on: Mapped[date]
    failure_message: Mapped[str | None] = mapped_column(String(FAILURE_MESSAGE_LENGTH))
    event_created: Mapped[int] = mapped_column(BigInteger)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    reversal_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), unique=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
