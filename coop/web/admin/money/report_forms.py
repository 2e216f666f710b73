"""The period a report covers, chosen by a form sent with GET (so a report's address keeps it)."""

from __future__ import annotations

from wtforms.validators import Optional

from coop.web.admin.money.fund_forms import DayField
from coop.web.forms import GuardedForm


class PeriodForm(GuardedForm):
    """A period's first and last day; the service says what is wrong with them."""

    class Meta(GuardedForm.Meta):
        csrf = False  # a GET form changes nothing

    start = DayField("From", validators=[Optional()])
    end = DayField("To", validators=[Optional()])
