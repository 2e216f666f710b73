"""The forms of a household's auto-pay page: each is one button, guarded by its CSRF token."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import AnyOf

from coop.web.forms import GuardedForm


class CardButtonForm(GuardedForm):
    """Save a card, finish saving it, or remove it: a button and nothing to type."""


class AutoPaySwitchForm(GuardedForm):
    """Turn auto-pay on or off for the saved card."""

    on = HiddenField(validators=[AnyOf(("yes", "no"), message="Choose on or off.")])
