"""What every area's forms share."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import Form, IntegerField, RadioField, SelectChoice, StringField, TextAreaField  # type: ignore[attr-defined]
from wtforms.validators import Length, NumberRange, StopValidation

from coop.domain.catalogue import bp_to_percent, percent_to_bp
from coop.domain.money import MAX_PENCE, parse_pence, plain_pounds
from coop.domain.numbers import MAX_WHOLE_NUMBER, whole_number
from coop.domain.roles import JoiningPolicy
from coop.domain.text import CONTROL_CHARACTERS

Result = TypeVar("Result")

NO_CONTROL_CHARACTERS = "This can't contain control characters."
#: The longest text a field takes when it sets no `Length` of its own.
MAX_TEXT_LENGTH = 10_000
#: The longest search or filter value read from a query string; the rest is ignored.
MAX_QUERY_LENGTH = 200
NOT_A_CHOICE = "Not a valid choice."
_SIGNED_DIGITS = re.compile(r"[-+]?[0-9]+")


def _longest(field: Any) -> tuple[int, str]:
    """Return the most characters *field* takes, and how to say so."""
    limits = [v for v in field.validators if isinstance(v, Length) and v.max >= 0]
    if not limits:
        return MAX_TEXT_LENGTH, f"Use at most {MAX_TEXT_LENGTH:,} characters."
    length = min(limits, key=lambda v: v.max)
    return length.max, length.message or f"Use at most {length.max:,} characters."


def refuse_unsafe_values(form: Any, field: Any) -> None:
    """Refuse what no field takes, before the field's own validators read it.

    Control characters (NUL among them), text longer than the field takes (so
    a 10 MB email address never reaches the email check), and numbers or ids
    that are not ASCII digits or that no integer column holds. `GuardedForm`
    puts it first on every field.
    """
    if field.process_errors:
        return  # the field could not read it and says what to type; text fields always read
    texts = [raw for raw in field.raw_data or () if isinstance(raw, str)]
    for raw in texts:
        if CONTROL_CHARACTERS.search(raw):
            raise StopValidation(NO_CONTROL_CHARACTERS)
        longest, message = _longest(field)
        if len(raw.strip()) > longest:
            raise StopValidation(message)
    if isinstance(field, IntegerField):
        for raw in texts:
            digits = raw.strip()
            if digits and (
                not _SIGNED_DIGITS.fullmatch(digits) or whole_number(digits.lstrip("-+")) is None
            ):
                raise StopValidation(
                    getattr(field, "message", None)
                    or f"Enter a whole number up to {MAX_WHOLE_NUMBER:,}."
                )
    elif getattr(field, "coerce", None) is int and any(
        raw and whole_number(raw) is None for raw in texts
    ):
        # Ids in selects, radios and ticked boxes, even those not checked against the choices.
        raise StopValidation(NOT_A_CHOICE)


class GuardedForm(FlaskForm):
    """The base of every posted form: each field first passes `refuse_unsafe_values`."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field = unbound_field.bind(form=form, **options)
            field.validators = [refuse_unsafe_values, *field.validators]
            return field


def plain_query_value(value: Any) -> Any:
    """Drop control characters from a query-string value and cut it to a sane length."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)[:MAX_QUERY_LENGTH]
    if isinstance(value, list):
        return [plain_query_value(item) for item in value]
    return value


class QueryForm(Form):
    """The base of search and filter forms read from a query string (GET, no CSRF).

    A search is not worth an error message: control characters are dropped
    and an overlong value is cut (`plain_query_value`), on every field.
    """

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field = unbound_field.bind(form=form, **options)
            field.filters = (*field.filters, plain_query_value)
            return field


class ActionForm(GuardedForm):
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

    Every money field has the one ceiling, `MAX_PENCE` (£1,000,000), either way.
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
            self.data = parse_pence(
                str(valuelist[0]), allow_negative=self.allow_negative, maximum=MAX_PENCE
            )

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
