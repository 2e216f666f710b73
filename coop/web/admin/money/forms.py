"""Forms for the treasurer: shared costs, subsidies, settling, corrections, payments, reversals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from coop.domain.money import format_pence
from coop.domain.numbers import whole_number
from coop.models import RoundCost, RoundItem, SplitBasis, Supplier, SupportRecord
from coop.services.money.banking import Move
from coop.services.money.confirming import confirm_field
from coop.services.money.costs import NAME_MAX_LENGTH
from coop.services.money.fund import local_today
from coop.services.money.treasury import (
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Carrier,
    Choice,
    Method,
)
from coop.web.admin.money.book_forms import ConfirmingForm, confirm_amount
from coop.web.below_zero import BelowZeroConfirming
from coop.web.forms import GuardedForm, PenceField, PercentField, strip
from coop.web.members.forms import DayField

ENTER_AMOUNT = "Enter an amount, such as 12.50."
PERCENT = "percent"
CHOOSE_PAYER = "Choose a household, or enter the payment reference it gave."
COST_PREFIX = "cost-"


def optional_id(value: Any) -> int | None:
    """Turn a chosen option into an id; blank or forged gives None, for the service to refuse."""
    return whole_number(str(value)) if value is not None else None


def _radios(
    label: str, choices: Iterable[tuple[str, str]], message: str, **kwargs: Any
) -> RadioField:
    return RadioField(  # type: ignore[call-arg]
        label,
        choices=[SelectChoice(value, text) for value, text in choices],
        validators=[InputRequired(message)],
        invalid_choice_message=message,
        invalid_value_message=message,
        **kwargs,
    )


def _id_select(label: str, **kwargs: Any) -> SelectField:
    # Options are checked by the service, which names the co-op in its refusal.
    return SelectField(label, coerce=optional_id, validate_choice=False, **kwargs)


def _note() -> StringField:
    return StringField(
        "Note (optional)",
        filters=[strip],
        validators=[
            Length(max=NOTE_MAX_LENGTH, message=f"Use at most {NOTE_MAX_LENGTH} characters.")
        ],
    )


def _day(label: str) -> DayField:
    # Blank is today (the service's None); a day it cannot be is refused there, at this field.
    return DayField(label, validators=[Optional()], format="%Y-%m-%d", default=local_today)


def _method() -> RadioField:
    return _radios(
        "How the money moved",
        [(method.value, method.label) for method in Method],
        "Choose cash or bank transfer.",
        default=Method.CASH.value,
    )


class CostForm(GuardedForm):
    """A shared cost of a round."""

    name = StringField(
        "What the cost is",
        filters=[strip],
        validators=[
            InputRequired("Name the cost, such as Delivery or Hall hire."),
            Length(max=NAME_MAX_LENGTH, message=f"Use at most {NAME_MAX_LENGTH} characters."),
        ],
    )
    amount = PenceField("Amount", validators=[InputRequired(ENTER_AMOUNT)])
    basis = _radios(
        "How households share it",
        [(basis.value, basis.label) for basis in SplitBasis],
        "Choose how the cost is shared.",
        default=SplitBasis.EQUAL.value,
    )
    supplier = _id_select("Whose cost it is")

    def offer(self, suppliers: Iterable[Supplier]) -> CostForm:
        """List the round's suppliers to choose from."""
        self.supplier.choices = [
            SelectChoice("", "The whole round: every collecting household shares it")
        ] + [
            SelectChoice(str(supplier.id), f"{supplier.name}: its buyers share it")
            for supplier in suppliers
        ]
        return self


class SubsidyForm(GuardedForm):
    """A council subsidy applied to a round."""

    record = _id_select("Subsidy", validators=[InputRequired("Choose a subsidy.")])
    pays = _radios("What it pays for", [], "Choose what the subsidy pays for.")
    # Not `Optional`: it would stop `validate_percent` from asking for a missing percentage.
    percent = PercentField("Percentage off every household's goods")
    cap = PenceField("The most it pays this round (optional)", validators=[Optional()])

    def offer(
        self,
        records: Iterable[SupportRecord],
        costs: Iterable[RoundCost],
        left: Mapping[int, int] | None = None,
    ) -> SubsidyForm:
        """List the co-op's subsidies in force, with what is left of each, and the round's costs."""
        left = left or {}
        self.record.choices = [SelectChoice("", "Choose a subsidy")] + [
            SelectChoice(
                str(record.id),
                f"{record.programme}, {record.council.name} ({record.awarded_on:%-d %b %Y})"
                + (f": {format_pence(left[record.id])} left" if record.id in left else ""),
            )
            for record in records
        ]
        self.pays.choices = [SelectChoice(PERCENT, "A percentage off every household's goods")] + [
            SelectChoice(f"{COST_PREFIX}{cost.id}", f"The cost: {cost.name}") for cost in costs
        ]
        return self

    def cost_id(self) -> int | None:
        """Return the cost the subsidy pays, or None for a percentage off goods."""
        value = self.pays.data or ""
        return optional_id(value[len(COST_PREFIX) :]) if value.startswith(COST_PREFIX) else None

    def validate_percent(self, field: PercentField) -> None:
        # A percentage that could not be read already says why; this is for a blank one.
        if self.pays.data == PERCENT and field.data is None and not field.errors:
            raise ValidationError("Enter the percentage, such as 10.")


class CorrectionForm(GuardedForm):
    """A change to a household's bill after settlement."""

    item = _id_select("Which item (if any)")
    direction = _radios(
        "Credit or charge",
        [
            ("credit", "Credit the household: take the amount off its bill"),
            ("charge", "Charge the household: add the amount to its bill"),
        ],
        "Choose whether to credit or charge the household.",
        default="credit",
    )
    amount = PenceField("Amount", validators=[InputRequired(ENTER_AMOUNT)])
    carrier = _radios(
        "Who carries it",
        [
            (Carrier.SUPPLIER.value, "The item's supplier (a credit note, or a further invoice)"),
            (Carrier.FUND.value, "The co-op fund"),
        ],
        "Choose who carries the correction.",
        default=Carrier.SUPPLIER.value,
    )
    reason = TextAreaField(
        "Why",
        filters=[strip],
        validators=[
            InputRequired("Say why the bill changes."),
            Length(max=REASON_MAX_LENGTH, message=f"Use at most {REASON_MAX_LENGTH} characters."),
        ],
    )

    def offer(self, items: Iterable[RoundItem]) -> CorrectionForm:
        """List the round's items to choose from."""
        self.item.choices = [SelectChoice("", "No particular item")] + [
            SelectChoice(str(item.id), f"{item.name} ({item.unit_label})") for item in items
        ]
        return self

    def signed_amount(self) -> int | None:
        """Return what the correction adds to the bill: negative for a credit."""
        if self.amount.data is None:
            return None
        return -self.amount.data if self.direction.data == "credit" else self.amount.data


class PaymentForm(BelowZeroConfirming, ConfirmingForm):
    """Money a household paid in, or money paid back to it."""

    amount_fields = ("amount",)

    # Either the household or its payment reference; the service says when neither is given.
    household = _id_select("Household")
    reference = StringField(
        "Or its payment reference",
        filters=[strip],
        validators=[Length(max=40, message="Use at most 40 characters.")],
    )
    kind = _radios(
        "What happened",
        [
            ("payment", "The household paid the co-op"),
            ("refund", "The co-op paid money back to the household"),
        ],
        "Choose a payment or a refund.",
        default="payment",
    )
    amount = PenceField("Amount", validators=[InputRequired(ENTER_AMOUNT)])
    method = _method()
    occurred_on = _day("Date paid")
    note = _note()

    def validate_household(self, field: SelectField) -> None:
        if field.data is None and not (self.reference.data or "").strip():
            raise ValidationError(CHOOSE_PAYER)

    def offer(self, households: Iterable[Choice]) -> PaymentForm:
        self.household.choices = [SelectChoice("", "Choose a household")] + [
            SelectChoice(str(choice.id), choice.label) for choice in households
        ]
        return self


class SupplierPaymentForm(BelowZeroConfirming, ConfirmingForm):
    """Money the co-op paid a supplier."""

    amount_fields = ("amount",)

    supplier = _id_select("Supplier", validators=[InputRequired("Choose a supplier.")])
    amount = PenceField("Amount", validators=[InputRequired(ENTER_AMOUNT)])
    method = _method()
    occurred_on = _day("Date paid")
    note = _note()

    def offer(self, suppliers: Iterable[Choice]) -> SupplierPaymentForm:
        self.supplier.choices = [SelectChoice("", "Choose a supplier")] + [
            SelectChoice(str(choice.id), choice.name) for choice in suppliers
        ]
        return self


class TransferForm(BelowZeroConfirming, ConfirmingForm):
    """The co-op's own money moved between its cash and its bank."""

    amount_fields = ("amount",)

    move = _radios(
        "Which way",
        [(move.value, move.label) for move in Move],
        "Choose whether cash went into the bank or came out of it.",
        default=Move.PAY_IN.value,
    )
    amount = PenceField("Amount", validators=[InputRequired(ENTER_AMOUNT)])
    occurred_on = _day("Date")
    note = _note()


# Named as `confirm_field("amount")` names it, which is no Python name.
setattr(PaymentForm, confirm_field("amount"), confirm_amount("Amount"))
setattr(SupplierPaymentForm, confirm_field("amount"), confirm_amount("Amount"))
setattr(TransferForm, confirm_field("amount"), confirm_amount("Amount"))


class ReverseForm(BelowZeroConfirming, GuardedForm):
    """Why a transaction is reversed."""

    reason = TextAreaField(
        "Why reverse it",
        filters=[strip],
        validators=[
            InputRequired("Say why the transaction is reversed."),
            Length(max=200, message="Use at most 200 characters."),
        ],
    )
