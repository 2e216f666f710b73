"""Forms for the platform admin's pages."""

from __future__ import annotations

from typing import Any

from wtforms import (  # type: ignore[attr-defined]
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from coop.domain.roles import JoiningPolicy
from coop.models import Council
from coop.models.coops import DEFAULT_HOUSEHOLD_CAP
from coop.services.errors import ServiceError
from coop.services.people.councils import normalise_gss_code
from coop.web.forms import (
    GuardedForm,
    WholeNumberField,
    joining_policy_field,
    pickup_address_field,
    strip,
)

NO_COUNCIL = 0
EMAIL_FORMAT = "Enter an email address like name@example.org."


def council_choices(councils: list[Council], *, blank: str | None) -> list[SelectChoice]:
    """Return select options for *councils*, led by a "no council" option when *blank*."""
    choices = [
        SelectChoice(council.id, f"{council.name} ({council.gss_code})") for council in councils
    ]
    return [SelectChoice(NO_COUNCIL, blank), *choices] if blank else choices


def _council_field(label: str, **kwargs: Any) -> SelectField:
    return SelectField(  # type: ignore[call-arg]
        label,
        coerce=int,
        invalid_choice_message="Choose a council from the list.",
        invalid_value_message="Choose a council from the list.",
        **kwargs,
    )


class CouncilForm(GuardedForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter the council's name."),
            Length(max=120, message="Use at most 120 characters."),
        ],
    )
    gss_code = StringField(
        "GSS code", filters=[strip], validators=[DataRequired("Enter the council's GSS code.")]
    )
    valid_from = DateField(
        "Valid from", validators=[DataRequired("Enter the day the council came into being.")]
    )
    valid_to = DateField("Valid to", validators=[Optional()])

    def validate_gss_code(self, field: StringField) -> None:
        # The service checks it too; asked here, its error shows with the others.
        if field.data:
            try:
                normalise_gss_code(field.data)
            except ServiceError as error:
                raise ValidationError(error.message) from None

    def details(self) -> dict[str, Any]:
        """Return the council's details as the council services take them."""
        return {
            "name": self.name.data,
            "gss_code": self.gss_code.data,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
        }


class EmailForm(GuardedForm):
    """One email address: the person to appoint."""

    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[
            DataRequired("Enter the email address of the person to appoint."),
            Email(EMAIL_FORMAT),
            Length(max=254, message="Use at most 254 characters."),
        ],
    )


class RetryJobForm(GuardedForm):
    job_id = HiddenField(validators=[DataRequired("Choose a job to retry.")])


class ResendMessageForm(GuardedForm):
    """Send again a message whose answer was lost, once its recipient said it did not arrive."""

    checked = BooleanField(
        "I have checked that it did not arrive",
        validators=[DataRequired("Tick to confirm you checked that it did not arrive.")],
    )


class MarkSentForm(GuardedForm):
    """Record that a message whose answer was lost did arrive (its token only)."""


class RemoveOfficerForm(GuardedForm):
    user_id = HiddenField(validators=[DataRequired("Choose an officer to remove.")])


class CoopForm(GuardedForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Enter the co-op's name."),
            Length(max=120, message="Use at most 120 characters."),
        ],
    )
    slug = StringField(
        "Web address",
        filters=[strip],
        validators=[
            DataRequired("Enter the co-op's web address, e.g. fishwick-food."),
            Length(min=2, max=60, message="Use 2 to 60 characters."),
        ],
    )
    council = _council_field("Council", default=NO_COUNCIL)
    council_from = DateField("Belongs to the council from", validators=[Optional()])
    pickup_address = pickup_address_field()
    household_cap = WholeNumberField(
        "Household cap",
        default=DEFAULT_HOUSEHOLD_CAP,
        validators=[InputRequired("Enter the largest number of households.")],
        minimum=1,
        maximum=500,
    )
    joining_policy = joining_policy_field("Joining policy", default=JoiningPolicy.APPROVAL.value)
    coordinator_email = EmailField(
        "First coordinator's email address",
        filters=[strip],
        validators=[
            Optional(),
            Email(EMAIL_FORMAT),
            Length(max=254, message="Use at most 254 characters."),
        ],
    )


class SuccessorForm(GuardedForm):
    """The council that replaced this one, or none."""

    successor = _council_field("Replaced by")


class MoveCoopForm(GuardedForm):
    council = _council_field("New council")
    starts_on = DateField(
        "From", validators=[DataRequired("Enter the day the co-op joins the new council.")]
    )
