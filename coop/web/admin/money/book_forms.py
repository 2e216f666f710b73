"""Forms for the treasurer's book entries: opening balances and write-offs.

Amounts are typed as positive pounds and pence with a choice of which way
they go ("owes the co-op" or "is in credit"; a bank "in credit" or
"overdrawn"), which reads more plainly than a minus sign. Each amount field
has a confirmation field beside it (``confirm-<field>``), shown only when
the amount is above the co-op's large amount, where the amount is typed
again (`coop.services.money.confirming`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice, SelectField, TextAreaField  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Length, Optional

from coop.domain.money import format_pence
from coop.models import Coop
from coop.services.money.confirming import confirm_field, needs_confirming
from coop.services.money.opening import AS_OF, BANK, CASH, OpeningHousehold
from coop.services.money.write_offs import REASON_MAX_LENGTH
from coop.web.forms import GuardedForm, PenceField, strip
from coop.web.members.forms import DAY_HELP, DayField

OWES = "owes"
CREDIT = "credit"
OVERDRAWN = "overdrawn"


def direction_field(membership_field: str) -> str:
    """The field saying which way a household's opening balance goes."""
    return f"{membership_field}-way"


def confirm_amount(label: str) -> PenceField:
    """The field where an amount above the co-op's large amount is typed again."""
    return PenceField(f"{label}: type the amount again", validators=[Optional()])


class ConfirmingForm(GuardedForm):
    """A form whose amounts above the co-op's large amount are typed twice."""

    amount_fields: tuple[str, ...] = ()

    def confirmed(self) -> dict[str, int | None]:
        """What was typed again, by confirmation field."""
        return {
            confirm_field(name): self[confirm_field(name)].data
            for name in self.amount_fields
            if confirm_field(name) in self
        }

    def confirming(self, coop: Coop) -> list[str]:
        """Return the confirmation fields to show, each labelled with the amount it repeats."""
        shown = []
        for name in self.amount_fields:
            again = self[confirm_field(name)]
            amount = self[name].data
            if needs_confirming(coop=coop, amount_pence=amount) or again.errors:
                if amount is not None:
                    again.label.text = f"Type {format_pence(abs(amount))} again to confirm it"
                shown.append(confirm_field(name))
        return shown


def opening_form(households: Iterable[OpeningHousehold], **kwargs: Any) -> ConfirmingForm:
    """Build the opening-balances form: the date, cash, bank, and each household."""

    class OpeningBalancesForm(ConfirmingForm):
        pass

    names = [CASH, BANK]
    setattr(
        OpeningBalancesForm,
        AS_OF,
        DayField("The balances as at", validators=[InputRequired(DAY_HELP)], format="%Y-%m-%d"),
    )
    setattr(OpeningBalancesForm, CASH, PenceField("Cash in hand", validators=[Optional()]))
    setattr(OpeningBalancesForm, BANK, PenceField("Bank balance", validators=[Optional()]))
    setattr(
        OpeningBalancesForm,
        direction_field(BANK),
        SelectField(
            "The bank account is",
            choices=[SelectChoice(CREDIT, "In credit"), SelectChoice(OVERDRAWN, "Overdrawn")],
            default=CREDIT,
        ),
    )
    for household in households:
        names.append(household.field)
        setattr(
            OpeningBalancesForm,
            household.field,
            PenceField(f"{household.label}: amount", validators=[Optional()]),
        )
        setattr(
            OpeningBalancesForm,
            direction_field(household.field),
            SelectField(
                f"{household.label}: which way",
                choices=[
                    SelectChoice(OWES, "Owes the co-op"),
                    SelectChoice(CREDIT, "Is in credit"),
                ],
                default=OWES,
            ),
        )
    for name in names:
        setattr(OpeningBalancesForm, confirm_field(name), confirm_amount(name))
    OpeningBalancesForm.amount_fields = tuple(names)
    return OpeningBalancesForm(**kwargs)


def signed(form: ConfirmingForm, name: str) -> int | None:
    """Return an amount with its sign: minus where a household owes or the bank is overdrawn."""
    amount = form[name].data
    if amount is None:
        return None
    way = form[direction_field(name)].data if direction_field(name) in form else CREDIT
    return -amount if way in (OWES, OVERDRAWN) else amount


class WriteOffForm(ConfirmingForm):
    """How much of a household's debt to write off, and why."""

    amount_fields = ("amount",)

    amount = PenceField(
        "Amount to write off", validators=[InputRequired("Enter an amount, such as 12.50.")]
    )
    reason = TextAreaField(
        "Why",
        filters=[strip],
        validators=[
            InputRequired("Say why the debt is written off."),
            Length(max=REASON_MAX_LENGTH, message=f"Use at most {REASON_MAX_LENGTH} characters."),
        ],
    )


# Named as `confirm_field("amount")` names it, which is no Python name.
setattr(WriteOffForm, confirm_field("amount"), confirm_amount("Amount to write off"))
