"""How a household pays its co-op: the bank account, its own payment reference, cash, cards.

Every statement, bill, reminder and the credit-limit notice tell a
household how to pay from `how_to_pay`, in the words of `HowToPay`, so the
wording lives here alone (the page and the email partials only lay it out).

**Payment references** are worked out, not stored: the co-op's short code
(from its address, which never changes) and the household's membership id,
with a check character (`coop.domain.bank`). A membership id is never
reused and a household keeps its membership when it leaves and comes back,
so the reference is stable and unique without a column, a backfill, or a
step every way of joining must remember. A treasurer finds a household by
it with `household_by_reference`.

**Bank details** are the treasurer's: the co-op's treasurers change them,
or its coordinators while it has no treasurer (as with who takes
payments, `credit.money_managers`). Whoever might change them could send
households' money elsewhere, so every change is emailed to all the co-op's
treasurers and coordinators, the one who made it included.

**Card payments** are on only when the deployment has a Stripe secret key
and the co-op can take them there (its own connected account, if it has
one, takes charges: `coop.services.payments.connect.card_payments_enabled_for`);
until then every household is told that card payment is not available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from coop.domain.bank import (
    ACCOUNT_NAME_MAX_LENGTH,
    CASH_INSTRUCTIONS_MAX_LENGTH,
    format_sort_code,
    mask_account_number,
    payment_reference,
    read_reference,
    reference_prefix,
    show_reference,
)
from coop.domain.roles import MembershipStatus, Role
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import Coop, Membership, User
from coop.services.errors import ServiceError
from coop.services.mail import render_message, send_emails
from coop.services.money.credit import has_treasurer, money_managers
from coop.services.payments.connect import card_payments_enabled_for

REFERENCE_FIELD = "reference"
NOT_THIS_COOP = "No household of {coop} has the payment reference {reference}."
ONLY_TREASURERS = (
    "Only {coop} treasurers can change its bank details, because money goes where they say."
)


def reference_of(*, coop: Coop, membership_id: int) -> str:
    """Return the household's payment reference as people write it: FISH-0042-7."""
    return show_reference(
        payment_reference(prefix=reference_prefix(coop.slug), number=membership_id)
    )


@dataclass(frozen=True)
class BankAccount:
    """The co-op's account for bank transfers, as households are shown it."""

    account_name: str
    sort_code: str  # 12-34-56
    account_number: str
    roll_number: str


def bank_account(*, coop: Coop) -> BankAccount | None:
    """Return the co-op's bank account, or None when none has been entered."""
    if not (coop.bank_account_name and coop.bank_sort_code and coop.bank_account_number):
        return None
    return BankAccount(
        account_name=coop.bank_account_name,
        sort_code=format_sort_code(coop.bank_sort_code),
        account_number=coop.bank_account_number,
        roll_number=coop.bank_roll_number or "",
    )


@dataclass(frozen=True)
class HowToPay:
    """What one household is told about paying its co-op, sentence by sentence."""

    coop_name: str
    reference: str
    bank: BankAccount | None
    takers: tuple[str, ...]  # who takes cash: the treasurers (or coordinators) by name
    taker_role: str
    cash_instructions: str
    card_payments: bool

    @property
    def summary(self) -> str:
        ways = "by card, in cash or by bank transfer" if self.card_payments else None
        return f"Pay {self.coop_name} {ways or 'in cash or by bank transfer'}."

    @property
    def cash_line(self) -> str:
        if self.cash_instructions:
            return f"In cash: {self.cash_instructions}"
        if self.takers:
            role = self.taker_role + ("s" if len(self.takers) > 1 else "")
            names = " or ".join(self.takers)
            return f"In cash, to {names} (the co-op's {role}), at a pickup for instance."
        return f"In cash, to a treasurer of {self.coop_name}, at a pickup for instance."

    @property
    def bank_line(self) -> str:
        if self.bank is not None:
            return (
                f"By bank transfer to {possessive(self.coop_name)} account, giving your payment "
                f"reference {self.reference} so the treasurer knows the money is yours:"
            )
        whom = self.takers[0] if self.takers else "the treasurer"
        return (
            f"By bank transfer: ask {whom} for {possessive(self.coop_name)} bank details, "
            f"and give your payment reference {self.reference} with the transfer."
        )

    @property
    def bank_rows(self) -> list[tuple[str, str]]:
        """The account to pay into, label and value, with the reference last; none without one."""
        if self.bank is None:
            return []
        rows = [
            ("Account name", self.bank.account_name),
            ("Sort code", self.bank.sort_code),
            ("Account number", self.bank.account_number),
        ]
        if self.bank.roll_number:
            rows.append(("Building society roll number", self.bank.roll_number))
        return [*rows, ("Payment reference", self.reference)]

    @property
    def card_line(self) -> str | None:
        if self.card_payments:
            return None
        return (
            f"Card payment is not available: {self.coop_name} takes payments "
            "in cash or by bank transfer."
        )


def paying_in(*, coop: Coop) -> Callable[[int], HowToPay]:
    """Return how each household of *coop* pays, by membership id (one query for the co-op)."""
    takers = money_managers(coop=coop)
    role = "treasurer"
    if takers and not has_treasurer(coop):
        role = "coordinator"
    bank = bank_account(coop=coop)
    card = card_payments_enabled_for(coop)

    def for_household(membership_id: int) -> HowToPay:
        return HowToPay(
            coop_name=coop.name,
            reference=reference_of(coop=coop, membership_id=membership_id),
            bank=bank,
            takers=tuple(user.name for user in takers),
            taker_role=role,
            cash_instructions=coop.cash_instructions,
            card_payments=card,
        )

    return for_household


def how_to_pay(*, coop: Coop, membership: Membership) -> HowToPay:
    """Return how *membership*'s household pays *coop*: bank, its reference, cash, cards."""
    return paying_in(coop=coop)(membership.id)


# --- finding a household by its reference ---------------------------------------------------


def household_by_reference(*, coop: Coop, text: str) -> Membership:
    """Return the household of *coop* a typed payment reference names, or refuse it (reads only).

    Case, spaces and hyphens do not matter; a wrong check character, another
    co-op's reference or one nobody has is refused at the reference field.
    Households that have left are found too (they may still pay what they owe).
    """
    try:
        read = read_reference(text, prefix=reference_prefix(coop.slug))
    except ValueError as error:
        raise ServiceError(str(error), field=REFERENCE_FIELD) from None
    shown = show_reference(read.reference)
    membership = db.session.scalar(
        select(Membership).where(
            Membership.id == read.number,
            Membership.coop_id == coop.id,
            Membership.status.in_((MembershipStatus.ACTIVE, MembershipStatus.LEFT)),
        )
    )
    if membership is None:
        raise ServiceError(
            NOT_THIS_COOP.format(coop=coop.name, reference=shown), field=REFERENCE_FIELD
        )
    return membership


# --- the co-op's bank details ---------------------------------------------------------------


def may_change_bank_details(*, coop: Coop, role: Role | None) -> bool:
    """Tell whether *role* may change the bank details: treasurers, or coordinators without one."""
    if role is Role.TREASURER:
        return True
    return role is Role.COORDINATOR and not has_treasurer(coop)


@dataclass(frozen=True)
class BankDetails:
    """Bank details as a checked form gives them: digits only, "" for an optional blank."""

    account_name: str
    sort_code: str
    account_number: str
    roll_number: str = ""
    cash_instructions: str = ""


def set_bank_details(
    *, coop: Coop, details: BankDetails, by: User, role: Role | None, page_link: str
) -> bool:
    """Change the co-op's bank details and cash instructions; True if the account changed (flushes).

    A change of account (name, sort code, number or roll number) is emailed
    to every treasurer and coordinator of the co-op, with *page_link* to check it.
    All three of name, sort code and number are needed, or none (to clear them).
    """
    if not may_change_bank_details(coop=coop, role=role):
        raise ServiceError(ONLY_TREASURERS.format(coop=possessive(coop.name)))
    given = [details.account_name, details.sort_code, details.account_number]
    if any(given) and not all(given):
        missing = next(
            field
            for field, value in zip(
                ("bank_account_name", "bank_sort_code", "bank_account_number"), given, strict=True
            )
            if not value
        )
        raise ServiceError(
            "Enter the account name, sort code and account number together, "
            "or leave all three blank.",
            field=missing,
        )
    if details.roll_number and not all(given):
        raise ServiceError(
            "A roll number goes with an account: enter the account too.", field="bank_roll_number"
        )
    if len(details.account_name) > ACCOUNT_NAME_MAX_LENGTH:
        raise ServiceError(
            f"Use at most {ACCOUNT_NAME_MAX_LENGTH} characters.", field="bank_account_name"
        )
    if len(details.cash_instructions) > CASH_INSTRUCTIONS_MAX_LENGTH:
        raise ServiceError(
            f"Use at most {CASH_INSTRUCTIONS_MAX_LENGTH} characters.", field="cash_instructions"
        )
    before = bank_account(coop=coop)
    coop.bank_account_name = details.account_name or None
    coop.bank_sort_code = details.sort_code or None
    coop.bank_account_number = details.account_number or None
    coop.bank_roll_number = details.roll_number or None
    coop.cash_instructions = details.cash_instructions
    db.session.flush()
    after = bank_account(coop=coop)
    if before == after:
        return False
    _tell_managers(coop=coop, before=before, after=after, by=by, page_link=page_link)
    return True


def _managers(coop: Coop) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.coop_id == coop.id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.role.in_((Role.TREASURER, Role.COORDINATOR)),
                User.erased_at.is_(None),
            )
            .order_by(User.name, User.id)
        )
    )


def _tell_managers(
    *, coop: Coop, before: BankAccount | None, after: BankAccount | None, by: User, page_link: str
) -> None:
    send_emails(
        [
            render_message(
                "money/bank_details_changed.txt",
                to=user.email,
                user=user,
                coop=coop,
                by=by,
                before=before,
                after=after,
                masked=mask_account_number,
                link=page_link,
            )
            for user in _managers(coop)
        ]
    )
