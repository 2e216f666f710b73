"""Auto-pay: a household saves its card, and each settled bill is charged to it off-session.

**Saving a card.** A current household of a co-op with card payments on
gets one customer at the card processor, on the co-op's account (its
connected account, if any), made the first time (`start_saving_card`),
and a SetupIntent for off-session use; the card page confirms it with
Stripe.js, and `finish_saving_card` reads it back from the processor and
keeps the payment method with its brand, last four digits and expiry
(never the number), and turns auto-pay on: saving a card here is asking
for auto-pay. A new card replaces the old one, which is detached. With card
payments off for the co-op (`card_payments_enabled_for`: no keys, or its own
account not taking charges), saving is refused and nothing is written, and
no bill is charged automatically.

**What is charged.** What the round's bill leaves owing
(`coop.services.payments.owing`): the bill's charge, or less when the
household's balance was in credit (never more than its balance owes,
nothing at all when it owes nothing). In the
fixed-contribution model the bill is the agreed contribution, posted at
settlement like any bill, so one choice covers both. Less than
`AUTO_PAY_MIN_PENCE` (the processor's smallest charge) is left for the
household to pay as it likes.

**Charging, once per bill.** Settling a round queues `charge_auto_pay`
after its commit for each billed household with auto-pay on. The job
creates the PaymentIntent unconfirmed, with the saved card and an
idempotency key of membership, round and "auto", and writes its row
(holding the bill's ``open_key``, so a payment by hand and auto-pay cannot
both be open); a second run finds the row and charges nothing. Only after
that row is committed does `confirm_auto_pay` confirm it off-session, so
the webhook always finds the payment it reports: the job never posts, the
webhook's `payment_intent.succeeded` does, once. A decline, or a card whose
bank wants its holder there (``authentication_required``), marks the
payment failed and sends the household a reminder with the link to pay
that bill by card, saying why; auto-pay stays on for the next bill.

**Turning it off.** Removing the card detaches it at the processor and
turns auto-pay off (`remove_card`); a household that leaves the co-op has
auto-pay turned off (`stop_auto_pay`), and a household that is not current
is never charged automatically.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import CardPayment, CardPaymentStatus, CardPurpose, Coop, Membership, Round
from coop.models.payments import FAILURE_MESSAGE_LENGTH, OPEN_STATUSES
from coop.models.saved_cards import SavedCard
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue_after_commit
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.money.paying_in import how_to_pay
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.payments.gateway import (
    GatewayError,
    card_payments_enabled,
    coop_gateway,
    gateway_for,
)
from coop.services.payments.owing import CARD_MIN_PENCE, bill_open_key, owed_on_bill_pence
from coop.services.payments.saved_cards import saved_card

#: The card processor's smallest charge in GBP; less than this is not charged automatically.
AUTO_PAY_MIN_PENCE = CARD_MIN_PENCE

CARDS_OFF = (
    "Card payments are not available for {coop}, so a card cannot be saved for auto-pay."
    " Pay by bank transfer or in cash."
)
NOT_CURRENT = "Only a current household of {coop} can save a card for auto-pay."
NEEDS_BANK = (
    "Your bank needs you to confirm each payment, so it cannot be taken automatically."
    " Pay from the payment page instead."
)


def _refuse_unless_able(membership: Membership, coop: Coop) -> None:
    if not card_payments_enabled_for(coop):
        raise ServiceError(CARDS_OFF.format(coop=coop.name), code=GatewayError.NOT_CONFIGURED)
    if membership.status is not MembershipStatus.ACTIVE:
        raise ServiceError(NOT_CURRENT.format(coop=coop.name))


def start_saving_card(*, membership: Membership) -> SavedCard:
    """Make the household's customer if need be and a SetupIntent for its card (flushes)."""
    coop = db.session.get_one(Coop, membership.coop_id)
    _refuse_unless_able(membership, coop)
    gateway = coop_gateway(coop)
    card = saved_card(membership=membership)
    moved = card is not None and card.stripe_account != coop.stripe_account_id
    if moved:
        # The co-op has moved to another account since: its customers are not there.
        _forget_card(card)  # type: ignore[arg-type]
    if card is None or moved:
        customer = gateway.create_customer(
            email=membership.user.email,
            name=membership.user.name,
            metadata={"coop_id": coop.id, "membership_id": membership.id},
            idempotency_key=f"customer-{membership.id}-{coop.stripe_account_id or 'platform'}",
        )
        if card is None:
            card = SavedCard(coop_id=coop.id, membership_id=membership.id, auto_pay=False)
            db.session.add(card)
        card.customer_id = customer
        card.stripe_account = coop.stripe_account_id
    setup = gateway.create_card_setup(
        customer_id=card.customer_id,
        metadata={"coop_id": coop.id, "membership_id": membership.id, "purpose": "auto_pay"},
    )
    card.setup_intent_id = setup.id
    db.session.flush()
    return card


def card_setup_secret(*, card: SavedCard) -> str | None:
    """Return the client secret the card page confirms, while the setup waits for a card."""
    if card.setup_intent_id is None:
        return None
    setup = gateway_for(stripe_account=card.stripe_account).read_card_setup(card.setup_intent_id)
    if setup.status not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        return None
    return setup.client_secret


def finish_saving_card(*, membership: Membership) -> SavedCard:
    """Keep the card the household's SetupIntent saved and turn auto-pay on (flushes)."""
    coop = db.session.get_one(Coop, membership.coop_id)
    _refuse_unless_able(membership, coop)
    card = saved_card(membership=membership)
    if card is None or card.setup_intent_id is None:
        raise ServiceError("Start again: choose Save a card.")
    gateway = gateway_for(stripe_account=card.stripe_account)
    setup = gateway.read_card_setup(card.setup_intent_id)
    if (
        setup.status != "succeeded"
        or setup.payment_method_id is None
        or setup.customer_id != card.customer_id
    ):
        raise ServiceError("The card was not saved. Enter it again.")
    details = gateway.read_card(setup.payment_method_id)
    earlier = card.payment_method_id
    if earlier is not None and earlier != details.id:
        gateway.detach_payment_method(earlier)
    card.payment_method_id = details.id
    card.brand = details.brand[:40]
    card.last4 = details.last4 if len(details.last4) == 4 else None
    card.exp_month = details.exp_month if 1 <= details.exp_month <= 12 else None
    card.exp_year = details.exp_year or None
    card.setup_intent_id = None
    card.saved_at = utcnow()
    card.auto_pay = True
    db.session.flush()
    return card


def set_auto_pay(*, membership: Membership, on: bool) -> SavedCard:
    """Turn auto-pay on or off for the household's saved card (flushes)."""
    coop = db.session.get_one(Coop, membership.coop_id)
    card = saved_card(membership=membership)
    if on:
        _refuse_unless_able(membership, coop)
    if card is None or not card.has_card:
        raise ServiceError("Save a card first: auto-pay charges it.")
    card.auto_pay = on
    db.session.flush()
    return card


def _forget_card(card: SavedCard) -> None:
    card.payment_method_id = None
    card.brand = card.last4 = None
    card.exp_month = card.exp_year = None
    card.setup_intent_id = None
    card.saved_at = None
    card.auto_pay = False


def remove_card(*, card: SavedCard) -> None:
    """Detach the household's saved card at the processor and turn auto-pay off (flushes)."""
    # With no keys nothing can charge it; otherwise the processor forgets it too, even when
    # the co-op's own account no longer takes charges (detaching needs only the keys).
    if card.payment_method_id is not None and card_payments_enabled():
        gateway_for(stripe_account=card.stripe_account).detach_payment_method(
            card.payment_method_id
        )
    _forget_card(card)
    db.session.flush()


# --- charging a settled bill ----------------------------------------------------------------


def auto_pay_key(*, membership_id: int, round_id: int) -> str:
    """The idempotency key of a bill's automatic charge: one per household and round."""
    return f"auto_pay-{membership_id}-{round_id}-auto"


def queue_auto_pay(*, round_: Round, membership_ids: set[int] | dict[int, int]) -> list[int]:
    """Queue, after the commit, a charge for each of the households billed with auto-pay on."""
    households = list(
        db.session.scalars(
            select(SavedCard.membership_id)
            .join(Membership, Membership.id == SavedCard.membership_id)
            .where(
                SavedCard.membership_id.in_(list(membership_ids)),
                SavedCard.auto_pay.is_(True),
                Membership.status == MembershipStatus.ACTIVE,
            )
            .order_by(SavedCard.membership_id)
        )
    )
    for membership_id in households:
        enqueue_after_commit(
            charge_auto_pay,
            key=auto_pay_key(membership_id=membership_id, round_id=round_.id),
            membership_id=membership_id,
            round_id=round_.id,
        )
    return households


def charge_auto_pay(*, membership_id: int, round_id: int) -> CardPayment | None:
    """The job: create a bill's automatic card payment, once, and queue its confirmation."""
    log = current_app.logger
    membership = db.session.get(Membership, membership_id)
    round_ = db.session.get(Round, round_id)
    if membership is None or round_ is None or round_.coop_id != membership.coop_id:
        log.warning(
            "Auto-pay: no household %s in round %s; nothing charged", membership_id, round_id
        )
        return None
    key = auto_pay_key(membership_id=membership.id, round_id=round_.id)
    if db.session.scalar(select(CardPayment.id).where(CardPayment.idempotency_key == key)):
        return None  # this bill's automatic charge was made before
    card = saved_card(membership=membership)
    coop = db.session.get_one(Coop, membership.coop_id)
    if (
        card is None
        or not card.auto_pay
        or card.payment_method_id is None
        or not membership.is_active
        or round_.state is not RoundState.SETTLED
        or not card_payments_enabled_for(coop)
    ):
        return None
    if card.stripe_account != coop.stripe_account_id:
        log.warning("Auto-pay: household %s saved its card on another account", membership.id)
        return None
    amount = owed_on_bill_pence(membership=membership, round_=round_)
    if amount < AUTO_PAY_MIN_PENCE:
        return None
    open_key = bill_open_key(membership_id=membership.id, round_id=round_.id)
    if db.session.scalar(select(CardPayment.id).where(CardPayment.open_key == open_key)):
        return None  # the household is paying this bill by card already
    intent = coop_gateway(coop).create_payment(
        amount_pence=amount,
        metadata={
            "coop_id": coop.id,
            "membership_id": membership.id,
            "purpose": CardPurpose.AUTO_PAY.value,
            "round_id": round_.id,
        },
        idempotency_key=key,
        customer_id=card.customer_id,
        payment_method_id=card.payment_method_id,
    )
    payment = CardPayment(
        coop_id=coop.id,
        membership_id=membership.id,
        purpose=CardPurpose.AUTO_PAY,
        round_id=round_.id,
        amount_pence=amount,
        payment_intent_id=intent.id,
        stripe_account=coop.stripe_account_id,
        status=CardPaymentStatus.REQUIRES_PAYMENT_METHOD,
        idempotency_key=key,
        open_key=open_key,
    )
    db.session.add(payment)
    db.session.flush()
    enqueue_after_commit(
        confirm_auto_pay, key=f"auto_pay_confirm-{payment.id}", payment_id=payment.id
    )
    return payment


def confirm_auto_pay(*, payment_id: int) -> None:
    """The job: confirm an automatic payment off-session; a refusal marks it failed.

    The processor's unreachability is raised, so the queue retries the job;
    a payment past confirming is left alone, so a second run charges nothing.
    """
    payment = db.session.get(CardPayment, payment_id)
    if payment is None or payment.purpose is not CardPurpose.AUTO_PAY:
        return
    if payment.status is not CardPaymentStatus.REQUIRES_PAYMENT_METHOD:
        return
    gateway = gateway_for(stripe_account=payment.stripe_account)
    intent = gateway.read_payment(payment.payment_intent_id)
    if intent.status == "requires_confirmation":
        try:
            intent = gateway.confirm_payment(payment.payment_intent_id, off_session=True)
        except GatewayError as refusal:
            if refusal.code == GatewayError.UNREACHABLE:
                raise
            message = NEEDS_BANK if refusal.code == GatewayError.AUTHENTICATION_REQUIRED else None
            record_auto_pay_failure(payment=payment, message=message or refusal.message)
            return
    if intent.status == "requires_action":
        # The bank asks for its holder, who is not here: stop it, and ask for a payment by hand.
        try:
            gateway.cancel_payment(payment.payment_intent_id)
        except GatewayError as refusal:
            current_app.logger.warning("Auto-pay: could not cancel %s: %s", intent.id, refusal)
        record_auto_pay_failure(payment=payment, message=NEEDS_BANK)
        return
    if intent.status in ("processing", "succeeded"):
        # Pending until the webhook posts it; a webhook already here has moved it on.
        db.session.execute(
            update(CardPayment)
            .where(
                CardPayment.id == payment.id,
                CardPayment.status == CardPaymentStatus.REQUIRES_PAYMENT_METHOD,
                CardPayment.ledger_transaction_id.is_(None),
            )
            .values(status=CardPaymentStatus.PROCESSING, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(payment)


def record_auto_pay_failure(*, payment: CardPayment, message: str | None) -> bool:
    """Mark an automatic payment failed and send the reminder to pay by hand, once (flushes).

    A payment that succeeded or already failed stays as it is (the job and
    the webhook may both report one refusal); say whether anything changed.
    """
    text = (message or "The automatic card payment did not go through.")[:FAILURE_MESSAGE_LENGTH]
    changed = db.session.execute(
        update(CardPayment)
        .where(
            CardPayment.id == payment.id,
            CardPayment.ledger_transaction_id.is_(None),
            CardPayment.status.in_(OPEN_STATUSES),
        )
        .values(
            status=CardPaymentStatus.FAILED,
            open_key=None,
            failure_message=text,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    membership = payment.membership
    coop = db.session.get_one(Coop, payment.coop_id)
    round_ = db.session.get_one(Round, payment.round_id)
    card = saved_card(membership=membership)
    builders = links()
    send_message(
        "payments/auto_pay_failed.txt",
        to=membership.user.email,
        user=membership.user,
        coop=coop,
        round_=round_,
        payment=payment,
        card=card,
        message=text,
        pay_link=builders.pay_bill(round_),
        statement_link=builders.statement(coop),
        paying=how_to_pay(coop=coop, membership=membership),
    )
    return True
