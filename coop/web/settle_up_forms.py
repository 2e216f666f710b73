"""The settle-up form of leaving a co-op or removing a household: its balance and its fate.

Both the member's leaving page and the coordinator's removal page use it
(`coop.services.money.settle_up` says what each choice does).
"""

from __future__ import annotations

from wtforms import RadioField, SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import Optional

from coop.domain.money import format_pence
from coop.services.money.settle_up import Settle
from coop.services.money.treasury import Method
from coop.web.below_zero import BelowZeroConfirming
from coop.web.forms import GuardedForm, PenceField


class SettleUpForm(BelowZeroConfirming, GuardedForm):
    """Leaving or removing a household, saying what happens to its balance.

    The page sends back the balance it showed (`balance`, a hidden field) so
    that a balance that changed meanwhile is shown again, not settled blind.
    With no balance, the form is only a button. Paying a credit back from cash or
    the bank that would go below zero asks first (`coop.web.below_zero`).
    """

    balance = PenceField("Balance shown", allow_negative=True, validators=[Optional()])
    settle = RadioField(
        "What happens to the balance",
        choices=[],
        validators=[Optional()],
        validate_choice=False,  # the service refuses what does not fit the balance
    )
    method = RadioField(  # type: ignore[call-arg]
        "How the credit is paid back",
        choices=[SelectChoice(method.value, method.label) for method in Method],
        default=Method.CASH.value,
        validators=[Optional()],
        invalid_choice_message="Choose cash or bank transfer.",
    )

    def offer(self, *, name: str, balance_pence: int, own: bool) -> SettleUpForm:
        """Offer the settle-up choices that fit the balance."""
        amount = format_pence(abs(balance_pence))
        if balance_pence < 0:
            keep = (
                f"Leave, and pay the {amount} I owe to a treasurer"
                if own
                else f"Remove {name} with the debt: it stays on the balances page, "
                f"and {name} can still see their statement and pay it"
            )
            self.settle.choices = [SelectChoice(Settle.KEEP.value, keep)]
        elif balance_pence > 0:
            if own:
                self.settle.choices = [
                    SelectChoice(
                        Settle.KEEP.value, f"Leave, and a treasurer pays my {amount} credit back"
                    )
                ]
            else:
                self.settle.choices = [
                    SelectChoice(
                        Settle.REFUND.value, f"Pay the {amount} credit back now, then remove {name}"
                    ),
                    SelectChoice(
                        Settle.KEEP.value,
                        f"Remove {name} and keep the {amount} credit on their account, "
                        "to pay back later",
                    ),
                ]
        return self

    def settle_choice(self) -> Settle | None:
        """The choice made, or None (for the service to refuse when a balance needs one)."""
        try:
            return Settle(self.settle.data) if self.settle.data else None
        except ValueError:
            return None

    def method_choice(self) -> Method | None:
        try:
            return Method(self.method.data) if self.method.data else None
        except ValueError:
            return None
