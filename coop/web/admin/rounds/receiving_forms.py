"""Forms for receiving a delivery, changing a share by hand and ticking off pickups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import (  # type: ignore[attr-defined]
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from coop.models import RoundItem
from coop.services.rounds.allocations import REASON_MAX_LENGTH
from coop.services.rounds.receiving import MAX_UNITS, SUBSTITUTE_MAX_LENGTH, Arrived, row_field
from coop.web.forms import GuardedForm, PenceField, WholeNumberField, strip

CASES, UNITS = "cases", "units"


class AmountField(IntegerField):
    """A whole number; the service judges its range, so a negative number reaches it."""

    message = "Enter a whole number, such as 6."

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # blank: for InputRequired to say
            return
        try:
            super().process_formdata([str(valuelist[0]).strip()] if valuelist else valuelist)
        except ValueError:
            raise ValueError(self.message) from None


class ReceiveForm(GuardedForm):
    """One row per ordered item: its fields are made by `receive_form` for each round."""

    round_items: Sequence[RoundItem] = ()

    def row(self, name: str, item: RoundItem) -> Any:
        """Return the field *name* of *item*'s row."""
        return self[row_field(name, item.id)]

    def lines(self) -> list[Arrived]:
        """Return what the coordinator entered, one line per item."""
        return [
            Arrived(
                item_id=item.id,
                amount=self.row("amount", item).data,
                in_cases=self.row("counted_in", item).data == CASES,
                substitute=self.row("substitute", item).data or "",
                case_price_pence=self.row("case_price", item).data,
                more_arrived=bool(self.row("more_arrived", item).data),
            )
            for item in self.round_items
        ]

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put a service's message for each bad row next to that row's field."""
        for name, message in problems.items():
            self[name].errors = [*self[name].errors, message]


def receive_form(items: Sequence[RoundItem]) -> ReceiveForm:
    """Return a form with a row for each of *items*; by default, all that was ordered arrived."""
    fields: dict[str, Any] = {"round_items": items}
    for item in items:
        fields[row_field("amount", item.id)] = AmountField(
            "How much arrived",
            validators=[InputRequired("Enter what arrived: 0 if none came.")],
            default=item.cases_ordered,
        )
        fields[row_field("counted_in", item.id)] = SelectField(
            "Counted in",
            choices=[
                SelectChoice(CASES, f"cases of {item.case_size}"),
                SelectChoice(UNITS, f"units ({item.unit_label})"),
            ],
            default=CASES,
            validate_choice=True,
        )
        fields[row_field("substitute", item.id)] = StringField(
            "Sent instead (optional)",
            filters=[strip],
            validators=[
                Length(
                    max=SUBSTITUTE_MAX_LENGTH,
                    message=f"Use at most {SUBSTITUTE_MAX_LENGTH} characters.",
                )
            ],
        )
        fields[row_field("case_price", item.id)] = PenceField(
            "Case price ex VAT", default=item.case_price_pence
        )
        fields[row_field("more_arrived", item.id)] = BooleanField(
            "More arrived than was ordered: share out the extra"
        )
    form_class = type("RoundReceiveForm", (ReceiveForm,), fields)
    return form_class()


class AllocationForm(GuardedForm):
    """A household's units of an item, set by hand, and why."""

    units = WholeNumberField(
        "Units to give",
        validators=[InputRequired("Enter the units to give: 0 for none.")],
        minimum=0,
        maximum=MAX_UNITS,
    )
    reason = StringField(
        "Why",
        filters=[strip],
        validators=[
            DataRequired("Say why; the household will read it."),
            Length(max=REASON_MAX_LENGTH, message=f"Use at most {REASON_MAX_LENGTH} characters."),
        ],
    )


class CollectionForm(GuardedForm):
    """A button on the pickup sheet: collected ("1") or not after all ("0")."""

    collected = HiddenField(validators=[AnyOf(["1", "0"], message="Choose collected or not.")])
