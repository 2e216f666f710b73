"""Forms coordinators use to run their co-op."""

from __future__ import annotations

from wtforms import EmailField, RadioField, SelectChoice, StringField  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

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
