"""What every area's forms share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash
from flask_wtf import FlaskForm
from wtforms import StringField

from coop.domain.catalogue import bp_to_percent, percent_to_bp
from coop.domain.money import parse_pence
from coop.extensions import db
from coop.services.errors import ServiceError

Result = TypeVar("Result")


def show_error(form: FlaskForm | None, error: ServiceError) -> None:
    """Put a service's refusal next to its field, or in a flash message."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


def commit_or_show_error(form: FlaskForm | None, action: Callable[[], Result]) -> Result | None:
    """Run one service and commit, or roll back and show its refusal on *form*.

    Returns what the service returned, or None when it refused.
    """
    try:
        result = action()
    except ServiceError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    return result


class ActionForm(FlaskForm):
    """A form with no fields: a button that posts with a CSRF token."""


class PenceField(StringField):
    """Money typed in pounds ("12.50", "£12.50"); `.data` is int pence, or None when blank.

    A blank field is left to `Optional` or `InputRequired` (never `DataRequired`:
    0 pence is a real amount).
    """

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
        sign = "-" if self.data < 0 else ""
        pounds, pence = divmod(abs(self.data), 100)
        return f"{sign}{pounds}.{pence:02d}"


class PercentField(StringField):
    """A percentage with at most two decimals ("2.5", "20%"); `.data` is basis points.

    Blank gives None, as with `PenceField`.
    """

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
