"""Committing what a page's one service did, or showing why it refused.

A view runs its service through `commit_or_refuse`: on success the work is
committed; on a `ServiceError` it is rolled back and the refusal comes back
to the view, which shows it next to the form field it names, flashes it, or
puts it on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash
from flask_wtf import FlaskForm

from coop.extensions import db
from coop.services.errors import ServiceError

Result = TypeVar("Result")


def show_refusal(form: FlaskForm | None, refusal: ServiceError) -> None:
    """Put a service's refusal next to the field it names on *form*, or in a flash message."""
    if form is not None and refusal.field and refusal.field in form:
        form[refusal.field].errors = [*form[refusal.field].errors, refusal.message]
    else:
        flash(refusal.message, "error")


@dataclass(frozen=True)
class Outcome(Generic[Result]):
    """What a committed service returned, or the refusal that rolled it back."""

    value: Result | None = None
    refusal: ServiceError | None = None

    @property
    def refused(self) -> bool:
        """Whether the service refused (and nothing was written)."""
        return self.refusal is not None

    @property
    def message(self) -> str:
        """The refusal's message, for a page that shows it in place; "" when none."""
        return self.refusal.message if self.refusal is not None else ""

    def show(self, form: FlaskForm | None = None) -> Result | None:
        """Show the refusal at its field on *form*, else flash it; return the service's value."""
        if self.refusal is not None:
            show_refusal(form, self.refusal)
        return self.value


def commit_or_refuse(action: Callable[[], Result]) -> Outcome[Result]:
    """Run one service and commit, or roll back and hand back its refusal."""
    try:
        value = action()
    except ServiceError as refusal:
        db.session.rollback()
        return Outcome(refusal=refusal)
    db.session.commit()
    return Outcome(value=value)
