"""The treasurer's use cases: money in and out, corrections to settled bills, reversals.

Each posts one balanced transaction through `coop.services.money.ledger`, the only
write path, after checking everything that can be refused, so a refusal
writes nothing. Signs follow `coop.models.ledger`: a household's payment is
plus on its account and minus on cash or bank; paying a supplier is minus on
its account and plus on cash or bank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import func, insert, select, union
from sqlalchemy.exc import IntegrityError

from coop.domain.money import format_pence
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import BILLED
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    BillLineKind,
    Coop,
    LedgerTransaction,
    Membership,
    Round,
    RoundItem,
    RoundSupplier,
    Supplier,
    TransactionKind,
    User,
)
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.money.confirming import BELOW_ZERO, check_confirmed, check_stays_above_zero
from coop.services.money.fund import check_money_day, local_today
from coop.services.money.ledger import (
    Entry,
    balance_pence,
    household_accounts,
    post_transaction,
    reverse_transaction,
    single_account,
    supplier_accounts,
)
from coop.services.money.opening import refuse_reinstating, release_reversed
from coop.services.money.paying_in import REFERENCE_FIELD, household_by_reference
from coop.services.rounds.lifecycle import LinkBuilder

NOTE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 150


class Method(StrEnum):
    """How money changed hands outside the card processor."""

    CASH = "cash"
    BANK = "bank"

    @property
    def label(self) -> str:
        return {Method.CASH: "Cash", Method.BANK: "Bank transfer"}[self]

    @property
    def account_kind(self) -> AccountKind:
        return {Method.CASH: AccountKind.CASH, Method.BANK: AccountKind.BANK}[self]


class Carrier(StrEnum):
    """Who bears a correction to a household's bill."""

    SUPPLIER = "supplier"  # a credit note (or a further invoice) from the item's supplier
    FUND = "fund"  # the co-op's own money


@dataclass(frozen=True)
class Choice:
    """An id and a name to choose from in a form."""

    id: int
    name: str
    left: bool = False  # a household that has left the co-op (its account stays)

    @property
    def label(self) -> str:
        return f"{self.name} (left)" if self.left else self.name


def _memo(text: str, note: str) -> str:
    note = note.strip()
    return f"{text} ({note})" if note else text


def check_amount(amount_pence: int | None) -> int:
    """Return *amount_pence*, refusing none, nothing or less at the amount field."""
    if amount_pence is None or amount_pence <= 0:
        raise ServiceError("Enter an amount of more than £0.00.", field="amount")
    return amount_pence


def check_note(note: str) -> str:
    """Return *note*, refusing one longer than a money entry's note may be."""
    if len(note.strip()) > NOTE_MAX_LENGTH:
        raise ServiceError(f"Use at most {NOTE_MAX_LENGTH} characters.", field="note")
    return note


def money_moved_on(*, coop: Coop, occurred_on: date | None) -> date | None:
    """Return the day to store as when an entry's money moved, refusing a day it cannot be.

    Not in the future, not before the opening balances (`fund.check_money_day`).
    None (no day given) and today are stored as None, the day of writing, as
    every entry was dated before a day could be typed: the moment of writing
    then orders the day's entries on a statement, and the callers that give no
    day (pickup cash, settling up, credit paid back) keep their meaning.
    """
    if occurred_on is None:
        return None
    check_money_day(coop=coop, day=occurred_on)
    return None if occurred_on == local_today() else occurred_on


def check_large(coop: Coop, amount: int, confirmed: Mapping[str, int | None] | None) -> None:
    """Refuse a large amount a form sent without typing it again (`confirming.check_confirmed`).

    *confirmed* None: not typed in a form (a scripted history, a balance paid back as shown).
    """
    if confirmed is not None:
        check_confirmed(coop=coop, amount_pence=amount, confirmed=confirmed, field="amount")


# --- households' payments and refunds ------------------------------------------------


def payment_households(*, coop: Coop) -> list[Choice]:
    """Return the co-op's households by name, for paying in or out (reads only).

    Households that have left are among them, marked: their accounts stay, so
    what they owe can still be paid and their credit paid back. Pending ones are not.
    """
    rows = db.session.execute(
        select(Membership.id, User.name, Membership.status)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.coop_id == coop.id,
            Membership.status.in_((MembershipStatus.ACTIVE, MembershipStatus.LEFT)),
        )
        .order_by(User.name, Membership.id)
    ).all()
    return [
        Choice(membership_id, name, status is MembershipStatus.LEFT)
        for membership_id, name, status in rows
    ]


def _payer(*, coop: Coop, membership_id: int | None, reference: str) -> int | None:
    """Return the household a payment is for: the one chosen, or the one a reference names."""
    if not reference.strip():
        if membership_id is None:
            raise ServiceError(
                "Choose a household, or enter the payment reference it gave.", field="household"
            )
        return membership_id
    found = household_by_reference(coop=coop, text=reference)
    if membership_id is not None and membership_id != found.id:
        raise ServiceError(
            f"This reference is {possessive(found.user.name)}, not the household chosen: "
            "choose one or the other.",
            field=REFERENCE_FIELD,
        )
    return found.id


def record_payment(
    *,
    coop: Coop,
    membership_id: int | None,
    amount_pence: int | None,
    method: Method,
    note: str,
    by: User,
    refund: bool = False,
    reference: str = "",
    confirmed: Mapping[str, int | None] | None = None,
    below_zero_confirmed: bool = False,
    occurred_on: date | None = None,
) -> LedgerTransaction:
    """Post money a household paid in (or, with *refund*, money paid back to it).

    The household is the one chosen (*membership_id*) or the one whose payment
    *reference* was typed (`paying_in.household_by_reference`); both at once must agree.
    A form passes *confirmed* (`confirming.check_confirmed`: an amount above the
    co-op's large amount typed again); a refund that takes cash or the bank below
    zero is refused once (code ``below_zero``) unless *below_zero_confirmed*.
    *occurred_on* is the day the money moved (`money_moved_on`; None: today).
    """
    membership_id = _payer(coop=coop, membership_id=membership_id, reference=reference)
    household = next(
        (
            choice
            for choice in payment_households(coop=coop)
            if membership_id is not None and choice.id == membership_id
        ),
        None,
    )
    if household is None:
        raise ServiceError(f"Choose one of {possessive(coop.name)} households.", field="household")
    amount = check_amount(amount_pence)
    check_note(note)
    day = money_moved_on(coop=coop, occurred_on=occurred_on)
    method = Method(method)
    check_large(coop, amount, confirmed)
    account = household_accounts(coop_id=coop.id, membership_ids=[household.id])[household.id]
    if refund and not below_zero_confirmed:
        _check_paying_back(
            coop=coop,
            name=household.name,
            credit_pence=balance_pence(account_id=account) if confirmed is not None else None,
            amount_pence=amount,
            method=method,
        )
    held = single_account(coop_id=coop.id, kind=method.account_kind).id
    sign = -1 if refund else 1
    text = (
        f"Refund to {household.name} by {method.label.lower()}"
        if refund
        else f"{method.label} from {household.name}"
    )
    return post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.REFUND if refund else TransactionKind.PAYMENT,
        memo=_memo(text, note),
        entries=[
            Entry(account, sign * amount, "refund" if refund else "payment"),
            Entry(held, -sign * amount, method.label.lower()),
        ],
        by=by,
        occurred_on=day,
    )


def _check_paying_back(
    *, coop: Coop, name: str, credit_pence: int | None, amount_pence: int, method: Method
) -> None:
    """Refuse, once, a refund beyond the household's credit or taking cash or the bank below zero.

    Both are warnings the treasurer may confirm (code ``below_zero``), in one
    message when both apply. The credit is checked only for what a form sent
    (*credit_pence* given): settling up and credit paid back are at most the
    credit already, and a scripted history may pay back as it likes.
    """
    warnings: list[str] = []
    field = "amount"
    if credit_pence is not None and amount_pence > credit_pence:
        if credit_pence > 0:
            had = f"has {format_pence(credit_pence)} in credit"
        elif credit_pence == 0:
            had = "has nothing in credit"
        else:
            had = f"already owes {format_pence(-credit_pence)}"
        warnings.append(
            f"{name} {had} by the books, so paying back {format_pence(amount_pence)}"
            f" leaves it owing {format_pence(amount_pence - credit_pence)}."
        )
    try:
        check_stays_above_zero(
            coop=coop,
            kind=method.account_kind,
            amount_pence=amount_pence,
            confirmed=False,
            doing="paying back",
            advice="",
        )
    except ServiceError as error:
        if error.code != BELOW_ZERO:
            raise
        warnings.append(error.message.strip())
        field = error.field or "method"
    if warnings:
        raise ServiceError(
            " ".join(warnings) + " Check the amount, the household and whether it was cash"
            " or bank; if it is right, record it anyway.",
            field=field,
            code=BELOW_ZERO,
        )


# --- suppliers -------------------------------------------------------------------------


def payable_suppliers(*, coop: Coop) -> list[Choice]:
    """Return suppliers the co-op has bought from or owes, by name (reads only)."""
    in_rounds = (
        select(RoundSupplier.supplier_id.label("id"))
        .join(Round, Round.id == RoundSupplier.round_id)
        .where(Round.coop_id == coop.id)
    )
    with_account = select(Account.supplier_id.label("id")).where(
        Account.coop_id == coop.id, Account.kind == AccountKind.SUPPLIER
    )
    ids = union(in_rounds, with_account).subquery()
    rows = db.session.execute(
        select(Supplier.id, Supplier.name)
        .where(Supplier.id.in_(select(ids.c.id)))
        .order_by(Supplier.name, Supplier.id)
    ).all()
    return [Choice(supplier_id, name) for supplier_id, name in rows]


def record_supplier_payment(
    *,
    coop: Coop,
    supplier_id: int | None,
    amount_pence: int | None,
    method: Method,
    note: str,
    by: User,
    confirmed: Mapping[str, int | None] | None = None,
    below_zero_confirmed: bool = False,
    occurred_on: date | None = None,
) -> LedgerTransaction:
    """Post money the co-op paid a supplier.

    As for `record_payment`: a large amount typed again, going below zero
    confirmed, and the day the money moved (None: today).
    """
    supplier = next(
        (choice for choice in payable_suppliers(coop=coop) if choice.id == supplier_id), None
    )
    if supplier is None:
        raise ServiceError("Choose a supplier the co-op buys from.", field="supplier")
    amount = check_amount(amount_pence)
    check_note(note)
    day = money_moved_on(coop=coop, occurred_on=occurred_on)
    method = Method(method)
    check_large(coop, amount, confirmed)
    check_stays_above_zero(
        coop=coop,
        kind=method.account_kind,
        amount_pence=amount,
        confirmed=below_zero_confirmed,
        doing="paying",
    )
    account = supplier_accounts(coop_id=coop.id, supplier_ids=[supplier.id])[supplier.id]
    held = single_account(coop_id=coop.id, kind=method.account_kind).id
    return post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.SUPPLIER_PAYMENT,
        memo=_memo(f"Paid {supplier.name} by {method.label.lower()}", note),
        entries=[Entry(account, -amount, "payment"), Entry(held, amount, method.label.lower())],
        by=by,
        occurred_on=day,
    )


# --- bills of a settled round and their corrections -----------------------------------


def correction_items(*, round_: Round) -> list[RoundItem]:
    """Return the round's items, by name, to say which one a correction is about."""
    return list(
        db.session.scalars(
            select(RoundItem).where(RoundItem.round_id == round_.id).order_by(RoundItem.name)
        )
    )


def correct_bill(
    *,
    round_: Round,
    membership: Membership,
    round_item_id: int | None,
    amount_pence: int | None,
    carrier: Carrier,
    reason: str,
    by: User,
    link_for: LinkBuilder | None = None,
) -> LedgerTransaction:
    """Credit or charge a household after settlement, post it and tell the household.

    *amount_pence* is what the correction adds to the bill: positive charges
    the household, negative credits it. The other side is the item's supplier
    (a credit note, or a further invoice) or the co-op fund.
    """
    reason, item, amount_pence = _checked_correction(
        round_=round_,
        membership=membership,
        round_item_id=round_item_id,
        amount_pence=amount_pence,
        carrier=Carrier(carrier),
        reason=reason,
    )
    carrier = Carrier(carrier)
    coop = db.session.get_one(Coop, round_.coop_id)
    supplier_id = (
        item.round_supplier.supplier_id
        if item is not None and item.round_supplier is not None
        else None
    )
    other = _carrier_account(coop, carrier, supplier_id)
    household = household_accounts(coop_id=coop.id, membership_ids=[membership.id])[membership.id]
    name = membership.user.name
    about = f"{item.name} ({item.unit_label}): {reason}" if item is not None else reason
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.ADJUSTMENT,
        memo=f"{round_.title}: correction for {name}: {about}",
        entries=[
            Entry(household, -amount_pence, "correction"),
            Entry(other, amount_pence, "credit note" if carrier is Carrier.SUPPLIER else "fund"),
        ],
        by=by,
        round_id=round_.id,
    )
    db.session.add(
        BillLine(
            round_id=round_.id,
            membership_id=membership.id,
            transaction_id=transaction.id,
            kind=BillLineKind.CORRECTION,
            round_item_id=item.id if item is not None else None,
            supplier_id=supplier_id if carrier is Carrier.SUPPLIER else None,
            description=f"Correction: {about}"[:200],
            amount_pence=amount_pence,
        )
    )
    db.session.flush()
    _tell_of_correction(round_, coop, membership, amount_pence, about, link_for)
    return transaction


def _checked_correction(
    *,
    round_: Round,
    membership: Membership,
    round_item_id: int | None,
    amount_pence: int | None,
    carrier: Carrier,
    reason: str,
) -> tuple[str, RoundItem | None, int]:
    """Return the correction's reason (trimmed), item and amount; refuse one that cannot be."""
    if round_.state not in BILLED:
        raise ServiceError("Only a settled round's bills can be corrected.")
    if membership.coop_id != round_.coop_id:
        raise ServiceError("That household is not in this co-op.")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the bill changes.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(f"Use at most {REASON_MAX_LENGTH} characters.", field="reason")
    if not amount_pence:
        raise ServiceError("Enter an amount of more than £0.00.", field="amount")
    item = None
    if round_item_id is not None:
        item = db.session.scalar(
            select(RoundItem).where(RoundItem.id == round_item_id, RoundItem.round_id == round_.id)
        )
        if item is None:
            raise ServiceError("Choose one of the round's items.", field="item")
    if carrier is Carrier.SUPPLIER and item is None:
        raise ServiceError(
            "Choose the item the supplier's credit note is for, or let the co-op fund carry it.",
            field="carrier",
        )
    return reason, item, amount_pence


def _carrier_account(coop: Coop, carrier: Carrier, supplier_id: int | None) -> int:
    """Return the account that carries a correction: the item's supplier's, or the fund's."""
    if carrier is Carrier.SUPPLIER and supplier_id is not None:
        return supplier_accounts(coop_id=coop.id, supplier_ids=[supplier_id])[supplier_id]
    return single_account(coop_id=coop.id, kind=AccountKind.FUND).id


def _bill_total(round_id: int, membership_id: int) -> int:
    return db.session.execute(
        select(func.coalesce(func.sum(BillLine.amount_pence), 0)).where(
            BillLine.round_id == round_id, BillLine.membership_id == membership_id
        )
    ).scalar_one()


def _tell_of_correction(
    round_: Round,
    coop: Coop,
    membership: Membership,
    amount_pence: int,
    about: str,
    link_for: LinkBuilder | None,
) -> None:
    if membership.user.erased_at is not None:
        return  # a former household has no one to tell
    send_message(
        "money/correction.txt",
        to=membership.user.email,
        user=membership.user,
        round_=round_,
        coop=coop,
        amount_pence=amount_pence,
        about=about,
        bill_pence=_bill_total(round_.id, membership.id),
        link=link_for(round_) if link_for else "",
    )


# --- reversals ---------------------------------------------------------------------------


def reverse_entry(
    *,
    transaction: LedgerTransaction,
    reason: str,
    by: User,
    below_zero_confirmed: bool = False,
) -> LedgerTransaction:
    """Post the mirror image of a transaction, once, and of the bill lines it wrote.

    Undoing money that came into cash or the bank takes it out again: when that
    leaves less than nothing there, it is refused once (code ``below_zero``)
    unless *below_zero_confirmed*.
    """
    if transaction.kind is TransactionKind.SETTLEMENT:
        raise ServiceError(
            "A round's settlement cannot be reversed: correct the households' bills instead."
        )
    refuse_reinstating(transaction=transaction)
    coop = db.session.get_one(Coop, transaction.coop_id)
    once = db.session.scalar(
        select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == transaction.id)
    )
    for posting in transaction.postings if once is None else ():  # else refused below
        kind = posting.account.kind
        if kind in (AccountKind.CASH, AccountKind.BANK) and posting.amount_pence < 0:
            check_stays_above_zero(
                coop=coop,
                kind=kind,
                amount_pence=-posting.amount_pence,
                confirmed=below_zero_confirmed,
                doing="reversing",
                field="reason",
                advice="Check for money taken out that the books do not show yet; "
                "if the reversal is right, reverse it anyway.",
            )
    try:
        with db.session.begin_nested():
            reversal = reverse_transaction(transaction=transaction, reason=reason, by=by)
    except IntegrityError:
        # Someone else reversed it between our check and our write: the unique key said no.
        raise ServiceError(f"Transaction {transaction.id} has already been reversed.") from None
    if transaction.kind is TransactionKind.OPENING_BALANCE:
        release_reversed(transaction=transaction)  # a corrected one may now be entered
    lines = db.session.scalars(
        select(BillLine).where(BillLine.transaction_id == transaction.id).order_by(BillLine.id)
    ).all()
    if lines:
        db.session.execute(
            insert(BillLine),
            [
                {
                    "round_id": line.round_id,
                    "membership_id": line.membership_id,
                    "transaction_id": reversal.id,
                    "kind": BillLineKind.CORRECTION,
                    "round_item_id": line.round_item_id,
                    "supplier_id": line.supplier_id,
                    "description": f"Reversed: {line.description}"[:200],
                    "amount_pence": -line.amount_pence,
                }
                for line in lines
            ],
        )
        db.session.flush()
    return reversal
