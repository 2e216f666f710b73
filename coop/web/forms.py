"""What every area's forms share."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from coop.services.errors import ServiceError


def show_error(form: FlaskForm | None, error: ServiceError) -> None:
    """Put a service's refusal next to its field, or in a flash message."""
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


class ActionForm(FlaskForm):
    """A form with no fields: a button that posts with a CSRF token."""
