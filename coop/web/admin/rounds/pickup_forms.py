"""The cash form of each household's row on the pickup sheet.

It is the treasurer's household payment form cut down to the amount (cash,
the household of the row): the same `PenceField` (no letters, three
decimals or minus), the same large-amount confirmation (`ConfirmingForm`,
``confirm-amount``), and a hidden *seen*, the account's latest posting when
the sheet was shown, so a form sent twice posts once
(`coop.services.money.pickup_payments`). Each row's form has its own
prefix (``cash-<membership id>-``), so its fields have ids of their own.
"""

from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import InputRequired

from coop.domain.numbers import whole_number
from coop.services.money.confirming import confirm_field
from coop.web.admin.money.book_forms import ConfirmingForm, confirm_amount
from coop.web.admin.money.forms import ENTER_AMOUNT
from coop.web.forms import PenceField


class PickupCashForm(ConfirmingForm):
    """Cash a household pays at pickup."""

    amount_fields = ("amount",)

    amount = PenceField("Cash paid", validators=[InputRequired(ENTER_AMOUNT)])
    seen = HiddenField()

    def seen_posting(self) -> int | None:
        """The account's latest posting as the sheet showed it; None if missing or forged."""
        return whole_number(str(self.seen.data)) if self.seen.data not in (None, "") else None


setattr(PickupCashForm, confirm_field("amount"), confirm_amount("Cash paid"))


def cash_prefix(membership_id: int) -> str:
    """The prefix of one household's cash form on the sheet."""
    return f"cash-{membership_id}"


def posted_cash_form(membership_id: int) -> PickupCashForm:
    """Return the household's cash form as it was posted."""
    return PickupCashForm(prefix=cash_prefix(membership_id))


def blank_cash_form(membership_id: int, seen: int) -> PickupCashForm:
    """Return an empty cash form for the household's row, remembering its account as shown."""
    return PickupCashForm(formdata=None, prefix=cash_prefix(membership_id), data={"seen": seen})
