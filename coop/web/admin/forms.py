"""Forms coordinators use to run their co-op."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from coop.domain.roles import JoiningPolicy, Role


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class RoleForm(FlaskForm):
    """A household's new role."""

    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        coerce=Role,
        validators=[DataRequired()],
    )


class InvitationForm(FlaskForm):
    """A new invitation, emailed when an address is given."""

    email = EmailField(
        "Email address (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Email(message="Enter an email address like name@example.org.", granular_message=False),
            Length(max=254),
        ],
    )


class SettingsForm(FlaskForm):
    """What coordinators may change about their co-op."""

    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired(message="Enter the co-op's name."), Length(max=120)],
    )
    pickup_address = TextAreaField("Pickup address", filters=[_strip])
    household_cap = IntegerField(
        "Most households",
        validators=[
            InputRequired(message="Enter the largest number of households."),
            NumberRange(min=1, max=500, message="Enter a number from %(min)s to %(max)s."),
        ],
    )
    joining_policy = SelectField(
        "How households join",
        choices=[SelectChoice(policy.value, policy.label) for policy in JoiningPolicy],
        coerce=JoiningPolicy,
    )
