"""Card reconciliation: a co-op's card payments by day, the proof each is posted once, payouts.

Not the cash and bank reconciliation (`coop.services.money.reconcile`),
which compares a counted or stated balance with the books: this one
compares what the card processor said with the ledger.

**By day.** A month's card payments, grouped by the UK day (Europe/London)
each was started, every attempt with its status; a day's totals count the
payments that succeeded, since no other moved money. Net is what the
co-op keeps: the amount less refunds less Stripe's fee, where the fee is
known.

**The check** covers every card payment the co-op ever took, not just the
month's, since an old mistake matters as much as a new one. A payment's
posting is the ledger transaction its row names (``ledger_transaction_id``);
the ledger is searched independently for every live (not reversed) payment
transaction that touches the card account, and each is matched to a
payment by that link or, failing it, by the PaymentIntent id its memo
names. So a payment is flagged when it succeeded (by its row, or by a
``payment_intent.succeeded`` event recorded against it) but has no live
posting; when more than one live posting names it; when its posting moved
another amount through the card account than it was for; and a card
posting no payment accounts for is listed too.

**Payouts** are what Stripe reported by the ``payout.paid`` and
``payout.failed`` webhooks (`record_payout`), listed by arrival date with
whether each is in the books (`coop.services.payments.payouts`). A co-op
sees the payouts of its own connected account; without one, it sees the
deployment's payouts only when it is the only co-op taking payments there,
since otherwise they mix several co-ops' money (`payout_owner`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from coop.domain.money import plain_pounds
from coop.domain.spreadsheets import csv_text
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    CardPayment,
    CardPaymentStatus,
    Coop,
    LedgerTransaction,
    Membership,
    Posting,
    StripeEvent,
    StripePayout,
    TransactionKind,
)
from coop.models.payments import FAILURE_MESSAGE_LENGTH
from coop.services.payments.gateway import Event
from coop.services.payments.payouts import book_payout, payout_owner
from coop.services.times import display_zone, local_time

#: A PaymentIntent id as a posting's memo names it: "Card payment from Ann (pi_123)".
_INTENT_IN_MEMO = re.compile(r"\b(pi_[A-Za-z0-9]+)\b", re.ASCII)
PAYOUT_EVENTS = frozenset({"payout.paid", "payout.failed"})


@dataclass(frozen=True)
class CardLine:
    """One card payment as the reconciliation lists it."""

    payment_id: int
    started_at: datetime
    payment_intent_id: str
    household: str
    purpose: str
    amount_pence: int
    status: CardPaymentStatus
    fee_pence: int | None
    refunded_pence: int
    ledger_transaction_id: int | None

    @property
    def succeeded(self) -> bool:
        return self.status is CardPaymentStatus.SUCCEEDED

    @property
    def net_pence(self) -> int:
        """What the co-op keeps of it: nothing unless it succeeded."""
        if not self.succeeded:
            return 0
        return self.amount_pence - self.refunded_pence - (self.fee_pence or 0)


@dataclass(frozen=True)
class CardDay:
    """A UK day's card payments and the totals of those that succeeded."""

    day: date
    lines: tuple[CardLine, ...]

    def _total(self, name: str) -> int:
        return sum(getattr(line, name) or 0 for line in self.lines if line.succeeded)

    @property
    def amount_pence(self) -> int:
        return self._total("amount_pence")

    @property
    def fee_pence(self) -> int:
        return self._total("fee_pence")

    @property
    def refunded_pence(self) -> int:
        return self._total("refunded_pence")

    @property
    def net_pence(self) -> int:
        return self._total("net_pence")

    @property
    def fees_unknown(self) -> int:
        """How many succeeded payments' fees Stripe has not told yet."""
        return sum(1 for line in self.lines if line.succeeded and line.fee_pence is None)


class Problem(StrEnum):
    """What is wrong with a card payment's posting."""

    MISSING = "missing"
    DOUBLED = "doubled"
    WRONG_AMOUNT = "wrong_amount"
    UNMATCHED = "unmatched"  # a card posting that no card payment accounts for

    @property
    def label(self) -> str:
        return {
            Problem.MISSING: "Not posted",
            Problem.DOUBLED: "Posted more than once",
            Problem.WRONG_AMOUNT: "Posted for another amount",
            Problem.UNMATCHED: "Card posting with no card payment",
        }[self]


@dataclass(frozen=True)
class PostingProblem:
    """One thing the check found, and the ledger transactions concerned."""

    problem: Problem
    detail: str
    line: CardLine | None
    transaction_ids: tuple[int, ...] = ()
    memo: str = ""


@dataclass(frozen=True)
class Payout:
    """Money Stripe sent to the bank, as its webhook last said."""

    payout_id: str
    arrival_on: date
    amount_pence: int
    currency: str
    status: str
    failure_message: str | None
    transaction_id: int | None  # the transfer card -> bank that put it in the books
    reversal_id: int | None  # its reversal, once the payout failed after it was paid

    @property
    def in_books(self) -> str:
        """Whether the payout is in the books, as the page says it."""
        if self.transaction_id is None:
            return "Not posted"
        if self.reversal_id is None:
            return "Posted card to bank"
        return "Posted, then reversed"


@dataclass(frozen=True)
class CardReconciliation:
    """The page's figures: the month by day, the check, and the payouts."""

    month: date
    days: tuple[CardDay, ...]
    problems: tuple[PostingProblem, ...]
    payouts: tuple[Payout, ...] | None  # None: this co-op's payouts cannot be told apart

    @property
    def amount_pence(self) -> int:
        return sum(day.amount_pence for day in self.days)

    @property
    def fee_pence(self) -> int:
        return sum(day.fee_pence for day in self.days)

    @property
    def refunded_pence(self) -> int:
        return sum(day.refunded_pence for day in self.days)

    @property
    def net_pence(self) -> int:
        return sum(day.net_pence for day in self.days)


def next_month(month: date) -> date:
    """Return the first day of the month after *month*."""
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """Return the UTC instants at which *month* starts and ends in the UK."""
    zone = display_zone()
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    after = next_month(month)
    end = datetime(after.year, after.month, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _line(payment: CardPayment) -> CardLine:
    return CardLine(
        payment_id=payment.id,
        started_at=payment.created_at,
        payment_intent_id=payment.payment_intent_id,
        household=payment.membership.user.name,
        purpose=payment.purpose.label,
        amount_pence=payment.amount_pence,
        status=payment.status,
        fee_pence=payment.fee_pence,
        refunded_pence=payment.refunded_pence,
        ledger_transaction_id=payment.ledger_transaction_id,
    )


def _payments(coop: Coop, *bounds: datetime) -> list[CardPayment]:
    query = (
        select(CardPayment)
        .where(CardPayment.coop_id == coop.id)
        .options(joinedload(CardPayment.membership).joinedload(Membership.user))
        .order_by(CardPayment.created_at, CardPayment.id)
    )
    if bounds:
        query = query.where(CardPayment.created_at >= bounds[0], CardPayment.created_at < bounds[1])
    return list(db.session.scalars(query).unique())


def card_days(*, coop: Coop, month: date) -> tuple[CardDay, ...]:
    """Return *coop*'s card payments started in *month*, by UK day (reads only)."""
    zone = display_zone()
    by_day: dict[date, list[CardLine]] = defaultdict(list)
    for payment in _payments(coop, *month_bounds(month)):
        by_day[payment.created_at.astimezone(zone).date()].append(_line(payment))
    return tuple(CardDay(day=day, lines=tuple(lines)) for day, lines in sorted(by_day.items()))


def _card_postings(coop: Coop) -> list[tuple[int, str, int]]:
    """Each live payment transaction through the card account: id, memo, card side in pence."""
    reversal = aliased(LedgerTransaction)
    rows = db.session.execute(
        select(LedgerTransaction.id, LedgerTransaction.memo, func.sum(Posting.amount_pence))
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .join(Account, Account.id == Posting.account_id)
        .where(
            LedgerTransaction.coop_id == coop.id,
            LedgerTransaction.kind == TransactionKind.PAYMENT,
            Account.kind == AccountKind.CARD,
            ~select(reversal.id).where(reversal.reverses_id == LedgerTransaction.id).exists(),
        )
        .group_by(LedgerTransaction.id, LedgerTransaction.memo)
        .order_by(LedgerTransaction.id)
    )
    return [(row[0], row[1], int(row[2])) for row in rows]


def posting_problems(*, coop: Coop) -> tuple[PostingProblem, ...]:
    """Check every card payment of *coop* is posted exactly once, for its amount (reads only)."""
    payments = _payments(coop)
    by_id = {payment.id: payment for payment in payments}
    by_intent = {payment.payment_intent_id: payment for payment in payments}
    by_transaction = {
        payment.ledger_transaction_id: payment
        for payment in payments
        if payment.ledger_transaction_id is not None
    }
    said_succeeded = set(
        db.session.scalars(
            select(StripeEvent.card_payment_id).where(
                StripeEvent.type == "payment_intent.succeeded",
                StripeEvent.card_payment_id.in_(by_id),
            )
        )
    )
    postings: dict[int, list[tuple[int, int]]] = defaultdict(list)
    problems: list[PostingProblem] = []
    for transaction_id, memo, card_pence in _card_postings(coop):
        payment = by_transaction.get(transaction_id)
        if payment is None:
            named = _INTENT_IN_MEMO.findall(memo)
            payment = next((by_intent[i] for i in named if i in by_intent), None)
        if payment is None:
            problems.append(
                PostingProblem(
                    Problem.UNMATCHED,
                    "It moves money through the card account, but no card payment names it.",
                    None,
                    (transaction_id,),
                    memo,
                )
            )
            continue
        postings[payment.id].append((transaction_id, -card_pence))
    for payment in payments:
        found = postings.get(payment.id, [])
        line = _line(payment)
        ids = tuple(transaction_id for transaction_id, _ in found)
        if not found:
            if payment.status is CardPaymentStatus.SUCCEEDED or payment.id in said_succeeded:
                why = (
                    "Stripe says it succeeded, but no live ledger posting names it."
                    if payment.id in said_succeeded
                    else "It succeeded, but no live ledger posting names it."
                )
                problems.append(PostingProblem(Problem.MISSING, why, line))
        elif len(found) > 1:
            problems.append(
                PostingProblem(Problem.DOUBLED, f"{len(found)} ledger postings name it.", line, ids)
            )
        elif found[0][1] != payment.amount_pence:
            problems.append(
                PostingProblem(
                    Problem.WRONG_AMOUNT,
                    f"Posted for {found[0][1]} pence, not {payment.amount_pence}.",
                    line,
                    ids,
                )
            )
    return tuple(problems)


# --- payouts ---------------------------------------------------------------------------------


def coop_payouts(*, coop: Coop, month: date) -> tuple[Payout, ...] | None:
    """Return the payouts arriving in *month* on *coop*'s account, or None if not its own."""
    account = coop.stripe_account_id
    owner = payout_owner(stripe_account=account)
    if owner is None or owner.id != coop.id:
        return None
    after = next_month(month)
    rows = db.session.scalars(
        select(StripePayout)
        .where(
            StripePayout.stripe_account.is_(None)
            if account is None
            else StripePayout.stripe_account == account,
            StripePayout.arrival_on >= month,
            StripePayout.arrival_on < after,
        )
        .order_by(StripePayout.arrival_on, StripePayout.id)
    )
    return tuple(
        Payout(
            payout_id=row.payout_id,
            arrival_on=row.arrival_on,
            amount_pence=row.amount_pence,
            currency=row.currency,
            status=row.status,
            failure_message=row.failure_message,
            transaction_id=row.transaction_id,
            reversal_id=row.reversal_id,
        )
        for row in rows
    )


def record_payout(*, event: Event) -> bool:
    """Keep what a ``payout.paid`` or ``payout.failed`` event says and book it (flushes).

    Says whether the payout changed. The newest event wins: a payout reported
    failed after it was paid stays failed, and an older event arriving late
    changes nothing. A paid payout is posted card -> bank and one that failed
    after that reversed, once each (`book_payout`), under the payout's row
    lock. Of two events of one new payout delivered at the same moment, the
    second fails on the payout's unique id, its transaction rolls back whole,
    and Stripe sends it again.
    """
    data = event.object
    payout_id, amount, arrival = data.get("id"), data.get("amount"), data.get("arrival_date")
    if not (
        isinstance(payout_id, str)
        and isinstance(amount, int)
        and amount >= 0
        and isinstance(arrival, int)
    ):
        return False
    status = str(data.get("status") or event.type.removeprefix("payout."))[:40]
    message = data.get("failure_message")
    row = db.session.scalar(
        select(StripePayout)
        .where(StripePayout.payout_id == payout_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        row = StripePayout(payout_id=payout_id, stripe_account=event.account)
        db.session.add(row)
    elif row.stripe_account != event.account or row.event_created > event.created:
        return False
    row.amount_pence = amount
    row.currency = str(data.get("currency") or "gbp")[:3]
    row.status = status
    row.arrival_on = datetime.fromtimestamp(arrival, UTC).date()
    row.failure_message = message[:FAILURE_MESSAGE_LENGTH] if isinstance(message, str) else None
    row.event_created = event.created
    db.session.flush()
    book_payout(payout=row)
    return True


def card_reconciliation(*, coop: Coop, month: date) -> CardReconciliation:
    """Return *coop*'s card reconciliation for *month* (reads only)."""
    return CardReconciliation(
        month=month,
        days=card_days(coop=coop, month=month),
        problems=posting_problems(coop=coop),
        payouts=coop_payouts(coop=coop, month=month),
    )


CSV_HEADER = [
    "Day",
    "Time",
    "PaymentIntent",
    "Household",
    "For",
    "Amount",
    "Status",
    "Fee",
    "Refunded",
    "Net",
]


def card_payments_csv(days: tuple[CardDay, ...]) -> str:
    """A month's card payments as the page lists them, amounts as plain pounds."""
    rows: list[list[object]] = []
    for day in days:
        for line in day.lines:
            fee = "" if line.fee_pence is None else plain_pounds(line.fee_pence)
            rows.append(
                [
                    f"{day.day:%Y-%m-%d}",
                    local_time(line.started_at, "%H:%M"),
                    line.payment_intent_id,
                    line.household,
                    line.purpose,
                    plain_pounds(line.amount_pence),
                    line.status.label,
                    fee if line.succeeded else "",
                    plain_pounds(line.refunded_pence),
                    plain_pounds(line.net_pence) if line.succeeded else "",
                ]
            )
    return csv_text(CSV_HEADER, rows)
