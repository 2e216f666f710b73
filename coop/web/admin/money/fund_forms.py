"""Forms for the fund's own income and spending, its categories, and reconciliation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, RadioField, SelectChoice, StringField  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Length, Optional

from coop.domain.numbers import whole_number
from coop.models import FundCategory, FundDirection, HeldIn
from coop.models.books import (
    CATEGORY_NAME_MAX_LENGTH,
    RECONCILIATION_NOTE_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
)
from coop.web.admin.money.forms import ENTER_AMOUNT, _id_select, _radios
from coop.web.below_zero import BelowZeroConfirming
from coop.web.forms import GuardedForm, PenceField, strip

RECEIPT_TYPES = ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp"
DAY_HELP = "Enter the day, like 2026-12-03."


class DayField(DateField):
    """A day typed as YYYY-MM-DD (a phone's date picker sends that), with one clear message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(DAY_HELP) from None


def _held_in(label: str) -> RadioField:
    return _radios(
        label,
        [(HeldIn.CASH.value, "Cash"), (HeldIn.BANK.value, "Bank")],
        "Choose cash or bank.",
        default=HeldIn.BANK.value,
    )


class FundEntryForm(BelowZeroConfirming, GuardedForm):
    """Money the fund spent or received, with an optional receipt.

    Spending that takes cash or the bank below zero is confirmed for the account
    and amount warned about (`coop.web.below_zero`); changing either asks again.
    """

    category = _id_select("Category", validators=[InputRequired("Choose a category.")])
    amount = PenceField("Amount", validators=[InputRequired(ENTER_AMOUNT)])
    # Asked for only when the amount is above the co-op's large-amount threshold.
    repeat_amount = PenceField("Type the amount again", validators=[Optional()])
    method = _held_in("Paid from")
    occurred_on = DayField("Date", validators=[InputRequired(DAY_HELP)], format="%Y-%m-%d")
    reference = StringField(
        "Reference (optional)",
        filters=[strip],
        validators=[
            Length(
                max=REFERENCE_MAX_LENGTH, message=f"Use at most {REFERENCE_MAX_LENGTH} characters."
            )
        ],
    )
    receipt = FileField("Receipt (optional)", render_kw={"accept": RECEIPT_TYPES})
    # A receipt kept while the entry waits to be confirmed.
    receipt_id = HiddenField()

    def offer(self, categories: Iterable[FundCategory], direction: FundDirection) -> FundEntryForm:
        """List the categories to choose from and word the form for spending or income."""
        self.category.choices = [SelectChoice("", "Choose a category")] + [
            SelectChoice(str(category.id), category.name) for category in categories
        ]
        if direction is FundDirection.INCOME:
            self.method.label.text = "Paid into"
        return self

    def kept_receipt_id(self) -> int | None:
        """Return the id of a receipt kept on an earlier step, or None."""
        value = (self.receipt_id.data or "").strip()
        return whole_number(value) if value else None


class CategoryForm(GuardedForm):
    """A category of the co-op's own."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            InputRequired("Name the category, such as Training."),
            Length(
                max=CATEGORY_NAME_MAX_LENGTH,
                message=f"Use at most {CATEGORY_NAME_MAX_LENGTH} characters.",
            ),
        ],
    )
    direction = _radios(
        "For",
        [(FundDirection.EXPENSE.value, "Spending"), (FundDirection.INCOME.value, "Income")],
        "Choose spending or income.",
        default=FundDirection.EXPENSE.value,
    )


class ReconcileForm(GuardedForm):
    """A bank statement's or a cash count's balance on a day."""

    as_of = DayField(
        "Date of the statement", validators=[InputRequired(DAY_HELP)], format="%Y-%m-%d"
    )
    statement_balance = PenceField(
        "Balance on the statement",
        allow_negative=True,
        validators=[InputRequired("Enter the balance, such as 120.50.")],
    )
    note = StringField(
        "Note (needed when the balances differ)",
        filters=[strip],
        validators=[
            Length(
                max=RECONCILIATION_NOTE_MAX_LENGTH,
                message=f"Use at most {RECONCILIATION_NOTE_MAX_LENGTH} characters.",
            )
        ],
    )
