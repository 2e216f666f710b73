"""Forms households fill in about themselves."""

from __future__ import annotations

from wtforms import BooleanField, StringField
from wtforms.validators import Optional

from coop.domain.roles import HOUSEHOLD_SIZE_RANGE
from coop.web.forms import GuardedForm, WholeNumberField, strip

LOW, HIGH = HOUSEHOLD_SIZE_RANGE


class HouseholdForm(GuardedForm):
    """How many people the household has, and its postcode if it agrees to share it."""

    household_size = WholeNumberField(
        "How many people live in your household?",
        validators=[Optional()],
        minimum=LOW,
        maximum=HIGH,
        message=f"Enter a number of people from {LOW} to {HIGH}.",
    )
    postcode = StringField("Postcode (optional)", filters=[strip])
    postcode_consent = BooleanField("I agree that the co-op may keep my household's postcode")
