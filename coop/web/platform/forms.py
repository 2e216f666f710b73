"""Forms for the platform admin's pages."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from coop.domain.roles import JoiningPolicy
from coop.models import Council
from coop.models.coops import DEFAULT_HOUSEHOLD_CAP

NO_COUNCIL = 0


def council_choices(councils: list[Council], *, blank: str | None) -> list[SelectChoice]:
    """Return select options for *councils*, led by a "no council" option when *blank*."""
    choices = [
        SelectChoice(council.id, f"{council.name} ({council.gss_code})") for council in councils
    ]
    return [SelectChoice(NO_COUNCIL, blank), *choices] if blank else choices


class CouncilForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    gss_code = StringField("GSS code", validators=[DataRequired()])
    valid_from = DateField("Valid from", validators=[DataRequired()])
    valid_to = DateField("Valid to", validators=[Optional()])

    def details(self) -> dict[str, Any]:
        """Return the council's details as the council services take them."""
        return {
            "name": self.name.data,
            "gss_code": self.gss_code.data,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
        }


class EmailForm(FlaskForm):
    """One email address: the person to appoint."""

    email = EmailField("Email address", validators=[DataRequired(), Email(), Length(max=254)])


class RemoveOfficerForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])


class CoopForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    slug = StringField("Web address", validators=[DataRequired(), Length(min=2, max=60)])
    council = SelectField("Council", coerce=int, default=NO_COUNCIL)
    council_from = DateField("Belongs to the council from", validators=[Optional()])
    pickup_address = TextAreaField("Pickup address", validators=[Length(max=500)])
    household_cap = IntegerField(
        "Household cap",
        default=DEFAULT_HOUSEHOLD_CAP,
        validators=[InputRequired(), NumberRange(min=1, max=500)],
    )
    joining_policy = SelectField(
        "Joining policy",
        choices=[SelectChoice(policy.value, policy.label) for policy in JoiningPolicy],
        default=JoiningPolicy.APPROVAL.value,
    )
    coordinator_email = EmailField(
        "First coordinator's email address", validators=[Optional(), Email(), Length(max=254)]
    )


class MoveCoopForm(FlaskForm):
    council = SelectField("New council", coerce=int)
    starts_on = DateField("From", validators=[DataRequired()])
