"""The form of a household's card top-up: the amount."""

from __future__ import annotations

from wtforms.validators import InputRequired

from coop.web.forms import GuardedForm, PenceField


class TopUpForm(GuardedForm):
    """How much a household puts on its balance by card."""

    amount = PenceField("Amount", [InputRequired("Enter an amount, such as 20 or 12.50.")])
