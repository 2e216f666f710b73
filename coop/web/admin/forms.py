"""Forms coordinators use to run their co-op."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wtforms import (  # type: ignore[attr-defined]
    EmailField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from coop.domain.bank import (
    ACCOUNT_NAME_MAX_LENGTH,
    CASH_INSTRUCTIONS_MAX_LENGTH,
    format_sort_code,
    parse_account_number,
    parse_roll_number,
    parse_sort_code,
)
from coop.domain.notifications import DEADLINE_REMINDER_HOURS_RANGE, OWING_REMINDER_DAYS_RANGE
from coop.domain.roles import JoiningPolicy, Role
from coop.web.forms import (
    GuardedForm,
    PenceField,
    WholeNumberField,
    joining_policy_field,
    pickup_address_field,
    strip,
)

CHOOSE_ROLE = "Choose a role from the list."
CHOOSE_OVER_LIMIT = "Choose whether to refuse or to ask the treasurer."
REFUSE, APPROVE = "refuse", "approve"


def _over_limit_choice(value: object) -> object:
    """Show the column's True or False as a choice; leave a posted choice for validation."""
    if isinstance(value, bool):
        return APPROVE if value else REFUSE
    return value


class RoleForm(GuardedForm):
    """A household's new role."""

    role = RadioField(  # type: ignore[call-arg]
        "Choose a role",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        coerce=Role,
        validators=[InputRequired(CHOOSE_ROLE)],
        invalid_choice_message=CHOOSE_ROLE,
        invalid_value_message=CHOOSE_ROLE,
    )


class InvitationForm(GuardedForm):
    """A new invitation, emailed when an address is given."""

    email = EmailField(
        "Email address (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Email(message="Enter an email address like name@example.org.", granular_message=False),
            Length(max=254, message="Use at most 254 characters."),
        ],
    )


class SettingsForm(GuardedForm):
    """What coordinators may change about their co-op."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired(message="Enter the co-op's name."),
            Length(max=120, message="Use at most 120 characters."),
        ],
    )
    pickup_address = pickup_address_field()
    household_cap = WholeNumberField(
        "Most households",
        validators=[InputRequired(message="Enter the largest number of households.")],
        minimum=1,
        maximum=500,
    )
    joining_policy = joining_policy_field("How households join", coerce=JoiningPolicy)
    # Named as the column, so `SettingsForm(obj=coop)` shows the current amount.
    contribution_pence = PenceField(
        "Each household pays the same agreed amount per round", validators=[Optional()]
    )
    # Blank turns the reminder off; the names are the columns', as above.
    deadline_reminder_hours = WholeNumberField(
        "Remind households this many hours before a round closes",
        validators=[Optional()],
        minimum=DEADLINE_REMINDER_HOURS_RANGE[0],
        maximum=DEADLINE_REMINDER_HOURS_RANGE[1],
        message=(
            f"Enter a whole number of hours from {DEADLINE_REMINDER_HOURS_RANGE[0]} to "
            f"{DEADLINE_REMINDER_HOURS_RANGE[1]}, such as 24, or leave it blank for no reminder."
        ),
    )
    owing_reminder_days = WholeNumberField(
        "Remind households that owe money every this many days",
        validators=[Optional()],
        minimum=OWING_REMINDER_DAYS_RANGE[0],
        maximum=OWING_REMINDER_DAYS_RANGE[1],
        message=(
            f"Enter a whole number of days from {OWING_REMINDER_DAYS_RANGE[0]} to "
            f"{OWING_REMINDER_DAYS_RANGE[1]}, such as 7, or leave it blank for no reminders."
        ),
    )
    owing_reminder_from_pence = PenceField("Only when they owe at least", validators=[Optional()])
    # Named as the columns, so `SettingsForm(obj=coop)` shows the current setting.
    credit_limit_pence = PenceField("Credit limit", validators=[Optional()])
    credit_limit_needs_approval = RadioField(  # type: ignore[call-arg]
        "When an order would take a household past the limit",
        choices=[
            SelectChoice(REFUSE, "Refuse it: the household pays first"),
            SelectChoice(APPROVE, "Ask the treasurer: the household can ask for approval"),
        ],
        coerce=_over_limit_choice,
        default=REFUSE,
        # A post without the choice keeps the current setting (the data comes from the co-op).
        validators=[DataRequired(CHOOSE_OVER_LIMIT)],
        invalid_choice_message=CHOOSE_OVER_LIMIT,
        invalid_value_message=CHOOSE_OVER_LIMIT,
    )


class ReadField(StringField):
    """Text read by a domain parser (a sort code, an account number); `.data` is what it returns.

    Blank is "" (left to the service, which needs the account whole or not
    at all); what the parser refuses is shown at the field, as typed.
    """

    def __init__(
        self,
        *args: Any,
        read: Callable[[str], str],
        show: Callable[[str], str] = str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.read, self.show = read, show

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = ""
        if valuelist and str(valuelist[0]).strip():
            self.data = self.read(str(valuelist[0]))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.show(self.data) if self.data else ""


class BankDetailsForm(GuardedForm):
    """The account households pay into, and how they pay in cash.

    Named as the co-op's columns, so `BankDetailsForm(obj=coop)` shows them.
    """

    bank_account_name = StringField(
        "Account name",
        filters=[strip],
        validators=[
            Length(
                max=ACCOUNT_NAME_MAX_LENGTH,
                message=f"Use at most {ACCOUNT_NAME_MAX_LENGTH} characters.",
            )
        ],
    )
    bank_sort_code = ReadField("Sort code", read=parse_sort_code, show=format_sort_code)
    bank_account_number = ReadField("Account number", read=parse_account_number)
    bank_roll_number = ReadField("Building society roll number (optional)", read=parse_roll_number)
    cash_instructions = TextAreaField(
        "How to pay in cash (optional)",
        filters=[strip],
        validators=[
            Length(
                max=CASH_INSTRUCTIONS_MAX_LENGTH,
                message=f"Use at most {CASH_INSTRUCTIONS_MAX_LENGTH} characters.",
            )
        ],
    )
