"""The forms of a household's card payments: a top-up's amount, and paying a bill."""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import InputRequired

from coop.web.forms import GuardedForm, PenceField


class TopUpForm(GuardedForm):
    """How much a household puts on its balance by card."""

    amount = PenceField("Amount", [InputRequired("Enter an amount, such as 20 or 12.50.")])


class PayBillForm(GuardedForm):
    """Pay what a bill leaves owing: one button, and the token of this attempt."""

    attempt = HiddenField()
