"""A household asks for its credit back; a treasurer pays it back or declines, with a note.

A household (a member, or one that has left) may ask while it is in credit:
for at most its credit, which is its available funds (the balance less what
its open and unsettled orders will cost, `funds_of`), so credit its orders
will use is not paid out. One request waits at a time (the unique
``pending_key``); the co-op's treasurers (or, with none, its coordinators)
are emailed.

Approving pays it back to the household's card payments first, newest first,
each as far as what is left of it to refund covers (`refund_to_card`), and
the rest, or all of it when no card payment covers any, as one refund by
bank transfer or cash through the treasurer's own refund recording
(`treasury.record_payment`). The credit is checked again when approving, so
a request the household's orders have since used is refused, and an amount
above the co-op's large amount is typed twice. Declining needs a note the
household reads. Either way the household is emailed, once, and the request
leaves the waiting list by a conditional UPDATE, so it is answered once.

Should the card processor refuse one of several card refunds, nothing is
written; a card refund it had already made is then posted by its
``charge.refunded`` event (`refunds.post_processor_refunds`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from coop.domain.money import format_pence
from coop.domain.roles import MembershipStatus
from coop.domain.text import CONTROL_CHARACTERS
from coop.extensions import db
from coop.models import (
    CardPayment,
    CardPaymentStatus,
    Coop,
    CreditBackRequest,
    CreditBackStatus,
    Membership,
    User,
)
from coop.models.payments import CREDIT_BACK_TEXT_LENGTH
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.money.confirming import check_confirmed
from coop.services.money.credit import money_managers
from coop.services.money.treasury import Method, record_payment
from coop.services.payments.refunds import refund_to_card, refundable_pence
from coop.services.rounds.ordering import funds_of

#: Households that may ask: members, and those who have left (their accounts stay).
WITH_ACCOUNTS = (MembershipStatus.ACTIVE, MembershipStatus.LEFT)


def credit_of(*, membership: Membership) -> int:
    """Return what a household may ask back: its available funds, or 0 when it has none."""
    return max(funds_of(membership=membership).available_pence, 0)


def _text(text: str, field: str) -> str:
    text = text.strip()
    if CONTROL_CHARACTERS.search(text.replace("\n", " ").replace("\r", " ")):
        raise ServiceError("This can't contain control characters.", field=field)
    if len(text) > CREDIT_BACK_TEXT_LENGTH:
        raise ServiceError(f"Use at most {CREDIT_BACK_TEXT_LENGTH} characters.", field=field)
    return text


def pending_request(*, membership: Membership) -> CreditBackRequest | None:
    """Return the household's request still waiting, if any (reads only)."""
    return db.session.scalar(
        select(CreditBackRequest).where(CreditBackRequest.pending_key == membership.id)
    )


def ask_for_credit_back(
    *, membership: Membership, amount_pence: int | None, message: str
) -> CreditBackRequest:
    """Record a household's request for *amount_pence* of its credit; tell the treasurers."""
    if membership.status not in WITH_ACCOUNTS:
        raise ServiceError("Only a household of the co-op can ask for its credit back.")
    if pending_request(membership=membership) is not None:
        raise ServiceError("You have already asked; the treasurer has been told.")
    credit = credit_of(membership=membership)
    if credit == 0:
        raise ServiceError("You have no credit to ask back.", field="amount")
    if amount_pence is None or amount_pence <= 0:
        raise ServiceError("Enter an amount of more than £0.00.", field="amount")
    if amount_pence > credit:
        raise ServiceError(
            f"You have {format_pence(credit)} in credit: ask for at most that.", field="amount"
        )
    message = _text(message, "message")
    request = CreditBackRequest(
        coop_id=membership.coop_id,
        membership_id=membership.id,
        amount_pence=amount_pence,
        message=message,
        status=CreditBackStatus.PENDING,
        pending_key=membership.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        raise ServiceError("You have already asked; the treasurer has been told.") from None
    coop = db.session.get_one(Coop, membership.coop_id)
    for treasurer in money_managers(coop=coop):
        send_message(
            "payments/credit_back_asked.txt",
            to=treasurer.email,
            treasurer=treasurer,
            coop=coop,
            household=membership.user.name,
            amount_pence=amount_pence,
            message=message,
            link=links().credit_back_requests(coop),
        )
    return request


# --- the treasurer's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class CardPart:
    """Part of a credit paid back to one card payment."""

    payment: CardPayment
    amount_pence: int


@dataclass(frozen=True)
class Plan:
    """How a credit would be paid back: to card payments first, the rest by bank or cash."""

    cards: list[CardPart]
    rest_pence: int

    @property
    def card_pence(self) -> int:
        return sum(part.amount_pence for part in self.cards)


def refund_plan(*, membership: Membership, amount_pence: int) -> Plan:
    """Return how *amount_pence* goes back: newest card payments first, as far as they cover."""
    payments = db.session.scalars(
        select(CardPayment)
        .where(
            CardPayment.membership_id == membership.id,
            CardPayment.status == CardPaymentStatus.SUCCEEDED,
            CardPayment.ledger_transaction_id.is_not(None),
        )
        .order_by(CardPayment.created_at.desc(), CardPayment.id.desc())
    )
    left = amount_pence
    parts = []
    for payment in payments:
        if left == 0:
            break
        part = min(left, refundable_pence(payment))
        if part > 0:
            parts.append(CardPart(payment, part))
            left -= part
    return Plan(parts, left)


@dataclass(frozen=True)
class WaitingRequest:
    """A request waiting for the treasurer, with the household's credit now and the plan."""

    request: CreditBackRequest
    household: str
    credit_pence: int
    plan: Plan


def waiting_requests(*, coop: Coop) -> list[WaitingRequest]:
    """Return the co-op's requests waiting, oldest first, each with how it would be paid."""
    rows = db.session.scalars(
        select(CreditBackRequest)
        .where(
            CreditBackRequest.coop_id == coop.id,
            CreditBackRequest.status == CreditBackStatus.PENDING,
        )
        .order_by(CreditBackRequest.requested_at, CreditBackRequest.id)
    ).all()
    return [
        WaitingRequest(
            request=row,
            household=row.membership.user.name,
            credit_pence=credit_of(membership=row.membership),
            plan=refund_plan(membership=row.membership, amount_pence=row.amount_pence),
        )
        for row in rows
    ]


def answered_requests(*, coop: Coop, limit: int = 20) -> list[CreditBackRequest]:
    """Return the co-op's latest answered requests, newest first (reads only)."""
    return list(
        db.session.scalars(
            select(CreditBackRequest)
            .where(
                CreditBackRequest.coop_id == coop.id,
                CreditBackRequest.status != CreditBackStatus.PENDING,
            )
            .order_by(CreditBackRequest.decided_at.desc(), CreditBackRequest.id.desc())
            .limit(limit)
        )
    )


def credit_back_request_for(*, coop: Coop, request_id: int) -> CreditBackRequest | None:
    """Return the co-op's request *request_id*, or None (reads only)."""
    return db.session.scalar(
        select(CreditBackRequest).where(
            CreditBackRequest.id == request_id, CreditBackRequest.coop_id == coop.id
        )
    )


def _answer(request: CreditBackRequest, status: CreditBackStatus, note: str, by: User) -> None:
    answered = db.session.execute(
        update(CreditBackRequest)
        .where(
            CreditBackRequest.id == request.id,
            CreditBackRequest.status == CreditBackStatus.PENDING,
        )
        .values(
            status=status, pending_key=None, note=note, decided_at=utcnow(), decided_by_id=by.id
        )
        .execution_options(synchronize_session=False)
    )
    if answered.rowcount != 1:  # type: ignore[attr-defined]
        raise ServiceError("This request has already been answered.")
    db.session.refresh(request)


def approve_credit_back(
    *,
    coop: Coop,
    request: CreditBackRequest,
    method: Method,
    confirmed_pence: int | None,
    by: User,
    below_zero_confirmed: bool = False,
) -> Plan:
    """Pay a request back, to card payments first, the rest by *method*; tell the household.

    A rest that takes cash or the bank below zero is refused once (code ``below_zero``)
    unless *below_zero_confirmed*.
    """
    if request.coop_id != coop.id:
        raise ServiceError("There is no such request.")
    method = Method(method)
    membership = request.membership
    _answer(request, CreditBackStatus.APPROVED, "", by)
    credit = credit_of(membership=membership)
    if request.amount_pence > credit:
        raise ServiceError(
            f"{membership.user.name} now has {format_pence(credit)} in credit, less than the "
            f"{format_pence(request.amount_pence)} asked: decline it with a note, and they can "
            "ask again."
        )
    check_confirmed(
        coop=coop,
        amount_pence=request.amount_pence,
        confirmed={"confirm-amount": confirmed_pence},
        field="amount",
    )
    plan = refund_plan(membership=membership, amount_pence=request.amount_pence)
    for part in plan.cards:
        refund_to_card(coop=coop, payment=part.payment, amount_pence=part.amount_pence, by=by)
    if plan.rest_pence:
        record_payment(
            coop=coop,
            membership_id=membership.id,
            amount_pence=plan.rest_pence,
            method=method,
            note="credit asked back",
            by=by,
            refund=True,
            below_zero_confirmed=below_zero_confirmed,
        )
    _tell(coop, request, "payments/credit_back_approved.txt", plan=plan, method=method)
    return plan


def decline_credit_back(
    *, coop: Coop, request: CreditBackRequest, note: str, by: User
) -> CreditBackRequest:
    """Decline a request with a note the household reads, and tell it (flushes)."""
    if request.coop_id != coop.id:
        raise ServiceError("There is no such request.")
    note = _text(note, "note")
    if not note:
        raise ServiceError("Say why, for the household to read.", field="note")
    _answer(request, CreditBackStatus.DECLINED, note, by)
    _tell(coop, request, "payments/credit_back_declined.txt")
    return request


def _tell(
    coop: Coop,
    request: CreditBackRequest,
    template: str,
    plan: Plan | None = None,
    method: Method | None = None,
) -> None:
    person = request.membership.user
    if person.erased_at is not None:
        return
    send_message(
        template,
        to=person.email,
        user=person,
        coop=coop,
        request=request,
        link=links().statement(coop),
        plan=plan,
        method=method,
    )


def waiting_count(*, coop: Coop) -> int:
    """Return how many of the co-op's households are waiting for their credit back."""
    return (
        db.session.scalar(
            select(func.count(CreditBackRequest.id)).where(
                CreditBackRequest.coop_id == coop.id,
                CreditBackRequest.status == CreditBackStatus.PENDING,
            )
        )
        or 0
    )
