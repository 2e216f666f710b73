"""What every area's forms share."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, StringField, TextAreaField  # type: ignore[attr-defined]
from wtforms.validators import Length, NumberRange, StopValidation

from coop.domain.catalogue import bp_to_percent, percent_to_bp
from coop.domain.money import parse_pence, plain_pounds
from coop.domain.roles import JoiningPolicy

Result = TypeVar("Result")


class ActionForm(FlaskForm):
    """A form with no fields: a button that posts with a CSRF token."""


PICKUP_ADDRESS_MAX_LENGTH = 500
CHOOSE_POLICY = "Choose how households join."


def strip(value: str | None) -> str | None:
    """Trim a typed value; a form filter."""
    return value.strip() if isinstance(value, str) else value


Value = TypeVar("Value")


def required(value: Value | None) -> Value:
    """Return a validated form's value for a field that `InputRequired` or `DataRequired` guards.

    Those validators refuse a blank or missing field, so after `validate_on_submit()`
    the value is there; None here means the field lost its validator, a bug to show.
    """
    if value is None:
        raise ValueError("a required form field has no value: is its InputRequired missing?")
    return value


def joining_policy_field(label: str, **kwargs: Any) -> RadioField:
    """Return radio buttons for the joining policies: a phone cuts off their labels in a select."""
    return RadioField(  # type: ignore[call-arg]
        label,
        choices=[SelectChoice(policy.value, policy.label) for policy in JoiningPolicy],
        invalid_choice_message=CHOOSE_POLICY,
        invalid_value_message=CHOOSE_POLICY,
        **kwargs,
    )


def pickup_address_field(label: str = "Pickup address") -> TextAreaField:
    """Return a co-op's pickup address field, as long as every form allows."""
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Length(
                max=PICKUP_ADDRESS_MAX_LENGTH,
                message=f"Use at most {PICKUP_ADDRESS_MAX_LENGTH} characters.",
            )
        ],
    )


class WholeNumberField(IntegerField):
    """A whole number from *minimum* to *maximum*; "2.5", "ten" or 0 all get one clear message.

    WTForms would say "Not a valid integer value." or "Number must be between...";
    this says what to type instead. Put `Optional` or `InputRequired` in *validators*.
    """

    def __init__(
        self,
        label: str | None = None,
        validators: list[Any] | None = None,
        *,
        minimum: int,
        maximum: int,
        message: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.message = message or f"Enter a whole number from {minimum} to {maximum}."
        super().__init__(
            label,
            [*(validators or []), NumberRange(minimum, maximum, message=self.message)],
            **kwargs,
        )

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # blank is for `Optional` or `InputRequired` to judge
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.message) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            # Already told what to type; the range check would only say it again.
            raise StopValidation()


class PenceField(StringField):
    """Money typed in pounds ("12.50", "£12.50"); `.data` is int pence, or None when blank.

    A blank field is left to `Optional` or `InputRequired` (never `DataRequired`:
    0 pence is a real amount).
    """

    data: int | None  # type: ignore[assignment]  # pence, where StringField holds text

    def __init__(self, *args: Any, allow_negative: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_negative = allow_negative

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            self.data = parse_pence(str(valuelist[0]), allow_negative=self.allow_negative)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return plain_pounds(self.data)


class PercentField(StringField):
    """A percentage with at most two decimals ("2.5", "20%"); `.data` is basis points.

    Blank gives None, as with `PenceField`.
    """

    data: int | None  # type: ignore[assignment]  # basis points, where StringField holds text

    def __init__(self, *args: Any, allow_negative: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_negative = allow_negative

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        text = str(valuelist[0]).strip()
        sign = 1
        if self.allow_negative and text[:1] in "-+":
            sign, text = (-1 if text[0] == "-" else 1), text[1:]
        self.data = sign * percent_to_bp(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return ("-" if self.data < 0 else "") + bp_to_percent(abs(self.data))
